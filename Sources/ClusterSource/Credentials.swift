import Foundation
import KubeModel
import ManifestIO

/// Produces the credentials of each request: a fixed token, a token file re-read when it changes (the
/// kubelet rotates projected service-account tokens), or an exec plugin's token cached until its
/// `expirationTimestamp`. Not Sendable: owned by one client.
final class CredentialSource {
    private let config: ClusterConfig
    private let environment: [String: String]
    private var fileToken: (stamp: FileStamp, token: Sensitive)?
    private var execCredential: ExecPlugin.Credential?
    /// How many times the exec plugin ran (tests assert on it through the counter file too).
    private(set) var execRuns = 0

    init(config: ClusterConfig, environment: [String: String]) {
        self.config = config; self.environment = environment
    }

    /// The `Authorization` header value, or nil when requests carry none.
    func authorization() throws(ClusterError) -> Sensitive? {
        switch config.auth {
        case .none, .basic: return nil
        case .token(let token): return Sensitive("Bearer " + token.text)
        case .tokenFile(let path, let initial):
            if let token = try currentFileToken(path: path, fallback: initial) { return Sensitive("Bearer " + token.text) }
            return nil
        case .exec(let plugin):
            return try currentExecCredential(plugin).token.map { Sensitive("Bearer " + $0.text) }
        }
    }

    /// The client certificate and key the exec plugin returned (instead of a token) when `authorization()`
    /// last ran it; call after `authorization()`, which runs the plugin when needed.
    func execClientCertificate() -> (certificate: Sensitive, key: Sensitive)? {
        guard case .exec = config.auth, let credential = execCredential,
              let certificate = credential.certificate, let key = credential.key else { return nil }
        return (certificate, key)
    }

    /// The plugin's credential, reused until 10 s before it expires (client-go caches until
    /// expirationTimestamp; without one, for the life of the process).
    private func currentExecCredential(_ plugin: ExecPluginConfig) throws(ClusterError) -> ExecPlugin.Credential {
        if let cached = execCredential, cached.expiry.map({ $0.timeIntervalSinceNow > 10 }) ?? true { return cached }
        let credential = try ExecPlugin.run(plugin, config: config, environment: environment)
        execRuns += 1
        execCredential = credential
        return credential
    }

    var basicAuth: (user: String, password: String)? {
        if case .basic(let user, let password) = config.auth { return (user, password.text) }
        return nil
    }

    /// After a 401: forget what may be stale. True when fresh credentials are possible, so one retry
    /// is worth it.
    func invalidate() -> Bool {
        switch config.auth {
        case .exec: execCredential = nil; return true
        case .tokenFile: fileToken = nil; return true
        default: return false
        }
    }

    private func currentFileToken(path: String, fallback: Sensitive?) throws(ClusterError) -> Sensitive? {
        let stamp = FileStamp(path: path)
        if let cached = fileToken, cached.stamp == stamp, stamp != nil { return cached.token }
        guard let data = FileManager.default.contents(atPath: path) else {
            // client-go keeps the last good token on a read error.
            if let cached = fileToken { return cached.token }
            if let fallback { return fallback }
            throw .kubeconfigInvalid(file: config.origin, key: "tokenFile", problem: "cannot read \(path)")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else {
            if let fallback { return fallback }
            throw .kubeconfigInvalid(file: config.origin, key: "tokenFile", problem: "\(path) is empty")
        }
        let sensitive = Sensitive(token)
        if let stamp { fileToken = (stamp, sensitive) }
        return sensitive
    }
}

/// A file's identity and modification time: a rotated token file has a new one.
struct FileStamp: Equatable {
    var inode: UInt64
    var modified: Int
    var modifiedNanos: Int
    var size: Int64
    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        inode = UInt64(st.st_ino); modified = Int(st.st_mtim.tv_sec); modifiedNanos = Int(st.st_mtim.tv_nsec)
        size = Int64(st.st_size)
    }
}
