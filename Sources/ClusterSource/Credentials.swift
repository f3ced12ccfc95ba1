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

/// Runs exec credential plugins (client-go plugin/pkg/client/auth/exec).
enum ExecPlugin {
    /// A token, or a client certificate and key (PEM, not base64), and when they expire.
    struct Credential {
        var token: Sensitive?
        var certificate: Sensitive?
        var key: Sensitive?
        var expiry: Date?
    }

    static func run(_ plugin: ExecPluginConfig, config: ClusterConfig, environment: [String: String]) throws(ClusterError) -> Credential {
        let name = plugin.command
        guard let executable = locate(plugin.command, path: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") else {
            var problem = "executable \(name) not found"
            if let hint = plugin.installHint { problem += "; \(stripEscapes(hint))" }
            throw .execPlugin(command: name, problem: problem)
        }
        var info = "{\"kind\":\"ExecCredential\",\"apiVersion\":\(jsonQuoted(plugin.apiVersion)),\"spec\":{"
        if plugin.provideClusterInfo {
            info += "\"cluster\":{\"server\":\(jsonQuoted(config.server))"
            if let name = config.tlsServerName { info += ",\"tls-server-name\":\(jsonQuoted(name))" }
            if let ca = config.caDataBase64 { info += ",\"certificate-authority-data\":\(jsonQuoted(ca))" }
            if config.insecureSkipTLSVerify { info += ",\"insecure-skip-tls-verify\":true" }
            if let extra = plugin.clusterConfig { info += ",\"config\":\(extra)" }
            info += "},"
        }
        info += "\"interactive\":false}}"
        var env = environment
        for e in plugin.env { env[e.name] = e.value }
        env["KUBERNETES_EXEC_INFO"] = info

        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = plugin.args
        process.environment = env
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardInput = FileHandle.nullDevice
        process.standardError = FileHandle.standardError   // the plugin's own messages, as client-go passes them
        do { try process.run() } catch {
            throw .execPlugin(command: name, problem: "cannot start: \(error.localizedDescription.lowercasedFirst)")
        }
        let output = readUntilExit(process, fd: stdout.fileHandleForReading.fileDescriptor, timeout: plugin.timeoutSeconds)
        guard let output else {
            throw .execPlugin(command: name, problem: "timed out after \(formatSeconds(plugin.timeoutSeconds)) s; killed")
        }
        guard process.terminationStatus == 0 else {
            throw .execPlugin(command: name, problem: "failed with exit code \(process.terminationStatus)")
        }
        return try decode(output, plugin: plugin)
    }

    /// Reads the child's stdout until it exits, or nil when `timeout` passes first (the child is killed).
    private static func readUntilExit(_ process: Process, fd: Int32, timeout: Double) -> [UInt8]? {
        var output: [UInt8] = []
        let deadline = Date().addingTimeInterval(timeout)
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var eof = false
        while true {
            if !eof {
                var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
                if poll(&pfd, 1, 20) > 0 {
                    let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                    if n > 0 { output.append(contentsOf: buffer[0..<n]) } else { eof = true }
                }
            } else if process.isRunning {
                usleep(10_000)
            }
            if eof && !process.isRunning { break }
            if Date() > deadline {
                // SIGKILL (SIGTERM may be blocked in a child spawned from a Swift thread), to its process
                // group too when it leads one, so that its own children (a `sleep`) go with it. Foundation
                // reaps it; waiting here could last as long as a grandchild holds the pipe.
                kill(-process.processIdentifier, SIGKILL)
                kill(process.processIdentifier, SIGKILL)
                return nil
            }
            if output.count > 1 << 20 { process.terminate(); process.waitUntilExit(); return output }
        }
        process.waitUntilExit()
        return output
    }

    static func decode(_ output: [UInt8], plugin: ExecPluginConfig) throws(ClusterError) -> Credential {
        let name = plugin.command
        let value: Value
        do { value = try JSONReader.parse(output, file: FileID("<exec \(name)>")) } catch {
            throw .execPlugin(command: name, problem: "output is not JSON (\(error.message))")
        }
        let version = value["apiVersion"]?.stringValue ?? ""
        guard version == plugin.apiVersion else {
            throw .execPlugin(command: name, problem: "configured to use API version \(plugin.apiVersion), plugin returned version \(version.isEmpty ? "none" : version)")
        }
        guard let status = value["status"], status.isMap else {
            throw .execPlugin(command: name, problem: "output has no status")
        }
        var expiry: Date?
        if let stamp = status["expirationTimestamp"]?.stringValue {
            guard let date = parseRFC3339(stamp) else {
                throw .execPlugin(command: name, problem: "expirationTimestamp is not an RFC 3339 time")
            }
            expiry = date
        }
        if let token = status["token"]?.stringValue, !token.isEmpty {
            return Credential(token: Sensitive(token), expiry: expiry)
        }
        let certificate = status["clientCertificateData"]?.stringValue ?? ""
        let key = status["clientKeyData"]?.stringValue ?? ""
        if !certificate.isEmpty || !key.isEmpty {
            guard !certificate.isEmpty, !key.isEmpty else {
                throw .execPlugin(command: name, problem: "clientCertificateData and clientKeyData must both be set")
            }
            return Credential(certificate: Sensitive(certificate), key: Sensitive(key), expiry: expiry)
        }
        throw .execPlugin(command: name, problem: "status has no token and no client certificate")
    }

    private static func locate(_ command: String, path: String) -> String? {
        if command.contains("/") { return FileManager.default.isExecutableFile(atPath: command) ? command : nil }
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }

    private static func stripEscapes(_ s: String) -> String {
        String(s.unicodeScalars.filter { $0.value >= 0x20 || $0 == "\n" }.map(Character.init))
    }
}

func formatSeconds(_ s: Double) -> String {
    s == s.rounded() ? String(Int(s)) : String(format: "%.1f", s)
}

/// RFC 3339 with optional fractional seconds (`2026-11-25T21:00:00Z`, `...00.5+01:00`).
func parseRFC3339(_ s: String) -> Date? {
    let withFraction = ISO8601DateFormatter()
    withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    if let d = withFraction.date(from: s) { return d }
    let plain = ISO8601DateFormatter()
    plain.formatOptions = [.withInternetDateTime]
    return plain.date(from: s)
}
