import Foundation
import KubeModel
import ManifestIO

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
