import Foundation

/// A credential or key held in memory. Prints as `<redacted>` so that it cannot reach a message or log.
public struct Sensitive: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { self.bytes = Array(text.utf8) }
    var text: String { String(decoding: bytes, as: UTF8.self) }
    public var description: String { "<redacted>" }
    public var debugDescription: String { "<redacted>" }
}

/// An exec credential plugin (`client.authentication.k8s.io/v1`), as configured in a kubeconfig user.
public struct ExecPluginConfig: Sendable, Equatable {
    /// The command, made absolute against the kubeconfig's directory when it contains a `/`.
    public var command: String
    public var args: [String]
    public var env: [(name: String, value: String)]
    public var apiVersion: String
    public var installHint: String?
    public var provideClusterInfo: Bool
    /// `spec.cluster.config` for the plugin (the cluster's `client.authentication.k8s.io/exec` extension).
    var clusterConfig: String?
    /// How long the plugin may run.
    public var timeoutSeconds: Double

    public static func == (a: Self, b: Self) -> Bool {
        a.command == b.command && a.args == b.args && a.env.map(\.name) == b.env.map(\.name)
            && a.env.map(\.value) == b.env.map(\.value) && a.apiVersion == b.apiVersion
            && a.provideClusterInfo == b.provideClusterInfo
    }
}

/// How requests authenticate. Credentials never print.
public enum ClusterAuth: Sendable, Equatable, CustomStringConvertible {
    case none
    case token(Sensitive)
    /// A token file, re-read when it changes (projected service-account tokens rotate). `initial` is the
    /// kubeconfig `token`, used when the file cannot be read.
    case tokenFile(path: String, initial: Sensitive?)
    case basic(username: String, password: Sensitive)
    case exec(ExecPluginConfig)

    public var description: String {
        switch self {
        case .none: "none"
        case .token: "bearer token"
        case .tokenFile(let path, _): "token file \(path)"
        case .basic(let user, _): "basic auth as \(user)"
        case .exec(let e): "exec plugin \(e.command)"
        }
    }
}

/// Everything needed to talk to one cluster, resolved as kubectl resolves it. Holds credentials in
/// memory only; `description` never shows them.
public struct ClusterConfig: Sendable, CustomStringConvertible {
    /// The server URL; a path prefix (Rancher's `/k8s/clusters/c-xyz`) is kept.
    public var server: String
    public var contextName: String?
    /// The context's namespace (or the pod's, in cluster), `default` without one.
    public var namespace: String
    public var insecureSkipTLSVerify: Bool
    public var tlsServerName: String?
    public var proxyURL: String?
    public var auth: ClusterAuth
    /// Where the configuration came from: the kubeconfig files, or `in-cluster`.
    public var origin: String
    /// Things the user should know (e.g. TLS verification is off). Never contain credentials.
    public var warnings: [String]

    var caPEM: Sensitive?
    var clientCertificatePEM: Sensitive?
    var clientKeyPEM: Sensitive?
    /// The CA as the kubeconfig holds it (base64), for an exec plugin's `spec.cluster`.
    var caDataBase64: String?

    public init(server: String, namespace: String = "default", auth: ClusterAuth = .none, caPEM: [UInt8]? = nil,
                insecureSkipTLSVerify: Bool = false, tlsServerName: String? = nil, proxyURL: String? = nil,
                origin: String = "code") {
        self.server = server; self.namespace = namespace; self.auth = auth
        self.caPEM = caPEM.map(Sensitive.init); self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName; self.proxyURL = proxyURL; self.origin = origin
        self.warnings = []; self.contextName = nil
        self.caDataBase64 = caPEM.map { Data($0).base64EncodedString() }
    }

    /// Client certificate and key for mutual TLS, PEM, kept in memory only.
    public mutating func setClientCertificate(certificatePEM: [UInt8], keyPEM: [UInt8]) {
        clientCertificatePEM = Sensitive(certificatePEM); clientKeyPEM = Sensitive(keyPEM)
    }

    public var hasClientCertificate: Bool { clientCertificatePEM != nil }
    public var hasCertificateAuthority: Bool { caPEM != nil }

    public var description: String {
        var parts = ["server \(server)", "namespace \(namespace)", "auth \(auth)"]
        if let contextName { parts.insert("context \(contextName)", at: 0) }
        if clientCertificatePEM != nil { parts.append("client certificate") }
        if insecureSkipTLSVerify { parts.append("tls verification off") }
        return parts.joined(separator: ", ")
    }
}
