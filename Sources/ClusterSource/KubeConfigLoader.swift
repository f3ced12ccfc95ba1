import Foundation
import KubeModel

/// What the command line says about the cluster to use.
public struct KubeConfigOptions: Sendable {
    /// `--kubeconfig`: used alone (no merge) and must exist.
    public var kubeconfig: String?
    /// `--context`.
    public var context: String?
    /// `--in-cluster`.
    public var inCluster: Bool
    /// The process environment (`KUBECONFIG`, `HOME`, `KUBERNETES_SERVICE_HOST`...), injected for tests.
    public var environment: [String: String]
    /// Where the pod's service-account files are; a test points it elsewhere.
    public var serviceAccountDirectory: String
    /// How long an exec credential plugin may run.
    public var execTimeoutSeconds: Double

    public init(kubeconfig: String? = nil, context: String? = nil, inCluster: Bool = false,
                environment: [String: String] = ProcessInfo.processInfo.environment,
                serviceAccountDirectory: String = "/var/run/secrets/kubernetes.io/serviceaccount",
                execTimeoutSeconds: Double = 30) {
        self.kubeconfig = kubeconfig; self.context = context; self.inCluster = inCluster
        self.environment = environment; self.serviceAccountDirectory = serviceAccountDirectory
        self.execTimeoutSeconds = execTimeoutSeconds
    }
}

/// Resolves the cluster to talk to exactly as kubectl (client-go tools/clientcmd) does; see
/// research/kubeapi.md §1–2.
public enum KubeConfigLoader {
    /// The configuration for `options`. Throws `ClusterError` naming the file and key of a bad value, a
    /// missing context, cluster or user, contradicting settings, or the absence of any configuration.
    public static func resolve(_ options: KubeConfigOptions) throws(ClusterError) -> ClusterConfig {
        if options.inCluster { return try inCluster(options) }
        var merged = MergedKubeConfig()
        if let explicit = options.kubeconfig {
            guard let data = FileManager.default.contents(atPath: explicit) else {
                throw .kubeconfigUnreadable(file: explicit, reason: "no such file or not readable")
            }
            try merged.merge(file: explicit, bytes: [UInt8](data))
        } else {
            var paths: [String] = []
            if let list = options.environment["KUBECONFIG"], !list.isEmpty {
                for p in list.split(separator: ":").map(String.init) where !p.isEmpty && !paths.contains(p) { paths.append(p) }
            } else if let home = options.environment["HOME"], !home.isEmpty {
                paths = [home + "/.kube/config"]
            }
            for path in paths {
                // Missing files in the list are skipped (loader.go:228-245).
                guard let data = FileManager.default.contents(atPath: path) else { continue }
                try merged.merge(file: path, bytes: [UInt8](data))
            }
        }
        if merged.isEmpty && options.kubeconfig == nil && options.context == nil {
            // kubectl falls back to the in-cluster config when no kubeconfig says anything.
            if let host = options.environment["KUBERNETES_SERVICE_HOST"], !host.isEmpty {
                return try inCluster(options)
            }
            throw .noConfiguration("no kubeconfig found (KUBECONFIG, ~/.kube/config) and not running in a pod")
        }
        return try select(merged, options: options)
    }

    static func select(_ config: MergedKubeConfig, options: KubeConfigOptions) throws(ClusterError) -> ClusterConfig {
        let origin = config.files.joined(separator: ":")
        let contextName = options.context ?? config.currentContext
        guard !contextName.isEmpty else {
            throw .noConfiguration("\(origin) sets no current-context and no --context was given")
        }
        guard let context = config.contexts[contextName] else { throw .contextNotFound(contextName) }
        let clusterName = try context.string("cluster") ?? ""
        guard let cluster = config.clusters[clusterName] else { throw .clusterNotFound(clusterName) }
        let userName = try context.string("user") ?? ""
        var user: NamedStanza?
        if !userName.isEmpty {
            guard let found = config.users[userName] else { throw .userNotFound(userName) }
            user = found
        }

        guard let server = try cluster.nonEmptyString("server") else {
            throw .kubeconfigInvalid(file: cluster.file, key: "\(cluster.key).server", problem: "no server is set")
        }
        guard let url = URLComponents(string: server), let scheme = url.scheme, ["https", "http"].contains(scheme),
              url.host != nil else {
            throw .kubeconfigInvalid(file: cluster.file, key: "\(cluster.key).server",
                                     problem: "\(jsonQuotedName(server)) is not an http(s) URL")
        }
        var result = ClusterConfig(server: normalisedServer(url), origin: origin)
        result.contextName = contextName
        if let ns = try context.nonEmptyString("namespace") { result.namespace = ns }

        // Cluster: CA, verification, SNI name, proxy.
        let caFile = try cluster.contents(ofPathField: "certificate-authority")
        let caData = try cluster.base64("certificate-authority-data")
        if caFile != nil && caData != nil {
            // client-go validation.go:247-250 rejects both, whatever its message says.
            throw .kubeconfigInvalid(file: cluster.file, key: "\(cluster.key).certificate-authority-data",
                                     problem: "certificate-authority and certificate-authority-data are both set; set one")
        }
        let insecure = try cluster.bool("insecure-skip-tls-verify")
        if insecure && (caFile != nil || caData != nil) {
            throw .kubeconfigInvalid(file: cluster.file, key: "\(cluster.key).insecure-skip-tls-verify",
                                     problem: "a certificate authority together with insecure-skip-tls-verify is not allowed")
        }
        if let ca = caData ?? caFile?.bytes {
            guard String(decoding: ca, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") else {
                let key = caData != nil ? "certificate-authority-data" : "certificate-authority"
                throw .kubeconfigInvalid(file: cluster.file, key: "\(cluster.key).\(key)", problem: "no PEM certificate found")
            }
            result.caPEM = Sensitive(ca)
            result.caDataBase64 = Data(ca).base64EncodedString()
        } else {
            result.caDataBase64 = nil
        }
        result.insecureSkipTLSVerify = insecure
        if insecure {
            result.warnings.append("insecure-skip-tls-verify is set for cluster \(cluster.name): the server's certificate is not verified")
        }
        result.tlsServerName = try cluster.nonEmptyString("tls-server-name")
        result.proxyURL = try cluster.nonEmptyString("proxy-url")
        let execClusterConfig = execExtension(cluster)

        guard let user else { return result }
        guard scheme == "https" else {
            // client-go sends no user credentials to an http:// server (client_config.go:230-250).
            result.warnings.append("server \(result.server) is not https: no credentials are sent")
            return result
        }
        try applyUser(user, to: &result, clusterConfig: execClusterConfig, options: options)
        return result
    }

    private static func normalisedServer(_ url: URLComponents) -> String {
        var u = url
        u.query = nil; u.fragment = nil
        var s = u.string ?? ""
        while s.hasSuffix("/") { s.removeLast() }
        return s
    }

    private static func execExtension(_ cluster: NamedStanza) -> String? {
        for ext in cluster.value["extensions"]?.listValue ?? [] where ext["name"]?.stringValue == "client.authentication.k8s.io/exec" {
            return ext["extension"]?.json
        }
        return nil
    }

    private static func applyUser(_ user: NamedStanza, to result: inout ClusterConfig, clusterConfig: String?,
                                  options: KubeConfigOptions) throws(ClusterError) {
        let token = try user.nonEmptyString("token")
        let tokenFile = try user.path("tokenFile")
        let username = try user.nonEmptyString("username")
        let password = try user.string("password")
        let certFile = try user.contents(ofPathField: "client-certificate")
        let certData = try user.base64("client-certificate-data")
        let keyFile = try user.contents(ofPathField: "client-key")
        let keyData = try user.base64("client-key-data")
        if certFile != nil && certData != nil {
            throw .kubeconfigInvalid(file: user.file, key: "\(user.key).client-certificate-data",
                                     problem: "client-certificate and client-certificate-data are both set; set one")
        }
        if keyFile != nil && keyData != nil {
            throw .kubeconfigInvalid(file: user.file, key: "\(user.key).client-key-data",
                                     problem: "client-key and client-key-data are both set; set one")
        }
        let cert = certData ?? certFile?.bytes
        let key = keyData ?? keyFile?.bytes
        if cert != nil && key == nil {
            throw .kubeconfigInvalid(file: user.file, key: "\(user.key).client-key",
                                     problem: "client-certificate is set without client-key")
        }
        if key != nil && cert == nil {
            throw .kubeconfigInvalid(file: user.file, key: "\(user.key).client-certificate",
                                     problem: "client-key is set without client-certificate")
        }
        if (token != nil || tokenFile != nil) && (username != nil || password != nil) {
            throw .kubeconfigInvalid(file: user.file, key: user.key,
                                     problem: "more than one authentication method found (token and basic auth); only one is allowed")
        }
        if let provider = user.value["auth-provider"], provider.isMap {
            let name = provider["name"]?.stringValue ?? "?"
            throw .kubeconfigInvalid(file: user.file, key: "\(user.key).auth-provider",
                                     problem: "auth-provider \(jsonQuotedName(name)) is not supported; use an exec credential plugin")
        }
        if let cert, let key { result.setClientCertificate(certificatePEM: cert, keyPEM: key) }
        if let tokenFile {
            result.auth = .tokenFile(path: tokenFile, initial: token.map(Sensitive.init))
        } else if let token {
            result.auth = .token(Sensitive(token))
        } else if let username {
            result.auth = .basic(username: username, password: Sensitive(password ?? ""))
        } else if let exec = user.value["exec"], !exec.isNull, cert == nil {
            // client-go skips exec when another method is configured (exec.go:314-322).
            result.auth = .exec(try execConfig(exec, user: user, clusterConfig: clusterConfig, options: options))
        }
    }

    private static func execConfig(_ exec: Value, user: NamedStanza, clusterConfig: String?,
                                   options: KubeConfigOptions) throws(ClusterError) -> ExecPluginConfig {
        let stanza = NamedStanza(name: user.name, value: exec, file: user.file, key: "\(user.key).exec")
        guard var command = try stanza.nonEmptyString("command") else {
            throw .kubeconfigInvalid(file: user.file, key: "\(stanza.key).command", problem: "no command is set")
        }
        // Only a command with a path separator is relative to the kubeconfig (loader.go:606-631).
        if command.contains("/") { command = resolvePath(command, relativeTo: user.file) }
        let apiVersion = try stanza.nonEmptyString("apiVersion") ?? ""
        guard apiVersion == "client.authentication.k8s.io/v1" || apiVersion == "client.authentication.k8s.io/v1beta1" else {
            throw .kubeconfigInvalid(file: user.file, key: "\(stanza.key).apiVersion",
                                     problem: "\(jsonQuotedName(apiVersion)) is not supported; expected client.authentication.k8s.io/v1")
        }
        var args: [String] = []
        if let list = exec["args"], !list.isNull {
            guard let items = list.listValue, items.allSatisfy({ $0.stringValue != nil }) else {
                throw .kubeconfigInvalid(file: user.file, key: "\(stanza.key).args", problem: "expected a list of strings")
            }
            args = items.compactMap(\.stringValue)
        }
        var env: [(name: String, value: String)] = []
        if let list = exec["env"], !list.isNull {
            guard let items = list.listValue else {
                throw .kubeconfigInvalid(file: user.file, key: "\(stanza.key).env", problem: "expected a list")
            }
            for (i, item) in items.enumerated() {
                guard let name = item["name"]?.stringValue, let value = item["value"]?.stringValue else {
                    throw .kubeconfigInvalid(file: user.file, key: "\(stanza.key).env[\(i)]", problem: "expected name and value strings")
                }
                env.append((name, value))
            }
        }
        return ExecPluginConfig(command: command, args: args, env: env, apiVersion: apiVersion,
                                installHint: try stanza.nonEmptyString("installHint"),
                                provideClusterInfo: try stanza.bool("provideClusterInfo"),
                                clusterConfig: clusterConfig, timeoutSeconds: options.execTimeoutSeconds)
    }

    /// The pod's own configuration (rest.InClusterConfig): service host and port from the environment, the
    /// service-account token (re-read as it rotates), CA and namespace files.
    static func inCluster(_ options: KubeConfigOptions) throws(ClusterError) -> ClusterConfig {
        let env = options.environment
        guard let host = env["KUBERNETES_SERVICE_HOST"], !host.isEmpty, let port = env["KUBERNETES_SERVICE_PORT"], !port.isEmpty else {
            throw .inCluster("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined")
        }
        let dir = options.serviceAccountDirectory
        let tokenPath = dir + "/token"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: tokenPath, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw .inCluster("no service-account token at \(tokenPath)")
        }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        var config = ClusterConfig(server: "https://\(hostPart):\(port)", origin: "in-cluster")
        config.auth = .tokenFile(path: tokenPath, initial: nil)
        if let ca = FileManager.default.contents(atPath: dir + "/ca.crt"),
           String(decoding: ca, as: UTF8.self).contains("-----BEGIN CERTIFICATE-----") {
            config.caPEM = Sensitive([UInt8](ca))
            config.caDataBase64 = ca.base64EncodedString()
        } else {
            // client-go only logs this and uses the system roots (rest/config.go:563-568).
            config.caDataBase64 = nil
            config.warnings.append("no usable \(dir)/ca.crt: the system certificate authorities are used")
        }
        if let ns = env["POD_NAMESPACE"], !ns.isEmpty {
            config.namespace = ns
        } else if let data = FileManager.default.contents(atPath: dir + "/namespace") {
            let ns = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if !ns.isEmpty { config.namespace = ns }
        }
        return config
    }
}
