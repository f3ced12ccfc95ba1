import Foundation
import KubeModel
import ManifestIO
@testable import ClusterSource

/// Paths of this test bundle's inputs, found from this file (never an absolute path of the machine).
enum TestPaths {
    static let support = URL(fileURLWithPath: #filePath).deletingLastPathComponent().path
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let fixtures = repository + "/fixtures/cluster"
    static let server = support + "/apiserver.py"
}

/// Runs a shell command; returns (status, stdout, stderr).
@discardableResult
func shell(_ command: String, environment: [String: String]? = nil) -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = ["-c", command]
    if let environment { process.environment = environment }
    // stderr goes to a file so that one pipe drains while the child runs (kubectl -o json is large).
    let errPath = NSTemporaryDirectory() + "ballast-shell-\(getpid())-\(UUID().uuidString.prefix(8))"
    _ = FileManager.default.createFile(atPath: errPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: errPath) }
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle(forWritingAtPath: errPath)
    do { try process.run() } catch { return (-1, "", "\(error)") }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let errData = FileManager.default.contents(atPath: errPath) ?? Data()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}

/// Certificates made for this test run with the openssl CLI: a CA, a server certificate for 127.0.0.1,
/// localhost, kubernetes.default.svc and api.ballast.test, a client certificate (CN alice), and a second
/// CA with its own server certificate (for "signed by another CA").
struct TestPKI: Sendable {
    let directory: String
    var ca: String { directory + "/ca.crt" }
    var serverCert: String { directory + "/server.crt" }
    var serverKey: String { directory + "/server.key" }
    var clientCert: String { directory + "/client.crt" }
    var clientKey: String { directory + "/client.key" }
    var rogueCert: String { directory + "/rogue-server.crt" }
    var rogueKey: String { directory + "/rogue-server.key" }

    func bytes(_ path: String) -> [UInt8] { [UInt8](FileManager.default.contents(atPath: path) ?? Data()) }
    func base64(_ path: String) -> String { Data(bytes(path)).base64EncodedString() }

    static let shared: TestPKI = {
        let dir = NSTemporaryDirectory() + "ballast-cluster-pki-\(getpid())"
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let ec = "-newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes"
        let script = """
        set -e
        cd '\(dir)'
        printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc,DNS:api.ballast.test\\nextendedKeyUsage=serverAuth\\n' > server.ext
        printf 'extendedKeyUsage=clientAuth\\n' > client.ext
        openssl req -x509 \(ec) -keyout ca.key -out ca.crt -days 2 -subj /CN=ballast-test-ca 2>/dev/null
        openssl req \(ec) -keyout server.key -out server.csr -subj /CN=kube-apiserver 2>/dev/null
        openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.crt 2>/dev/null
        openssl req \(ec) -keyout client.key -out client.csr -subj '/O=ballast:readers/CN=alice' 2>/dev/null
        openssl x509 -req -in client.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile client.ext -out client.crt 2>/dev/null
        openssl req -x509 \(ec) -keyout rogue-ca.key -out rogue-ca.crt -days 2 -subj /CN=rogue-ca 2>/dev/null
        openssl req \(ec) -keyout rogue-server.key -out rogue-server.csr -subj /CN=kube-apiserver 2>/dev/null
        openssl x509 -req -in rogue-server.csr -CA rogue-ca.crt -CAkey rogue-ca.key -CAcreateserial -days 2 -extfile server.ext -out rogue-server.crt 2>/dev/null
        """
        let result = shell(script)
        if result.status != 0 { print("openssl failed: \(result.err)") }
        return TestPKI(directory: dir)
    }()
}

/// The Python stand-in API server (Support/apiserver.py) on 127.0.0.1, started for one test and stopped
/// when the value goes away.
final class StandIn {
    let pki = TestPKI.shared
    let port: Int
    let directory: String
    private let process: Process
    /// Our end of the server's stdin: the server exits when it closes (this process ended).
    private let lifeline = Pipe()
    private let control: CurlHandle

    static let aliceToken = "tok-alice-0123456789"
    static let bobToken = "tok-bob-9876543210"

    init(snapshot: String? = TestPaths.fixtures, rogue: Bool = false, generate: String? = nil, fleet: Int? = nil,
         extraArguments: [String] = []) throws {
        directory = NSTemporaryDirectory() + "ballast-standin-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var args = [TestPaths.server, "--token", "\(StandIn.aliceToken)=alice", "--token", "\(StandIn.bobToken)=bob",
                    "--cert", rogue ? pki.rogueCert : pki.serverCert, "--key", rogue ? pki.rogueKey : pki.serverKey,
                    "--client-ca", pki.ca, "--exit-with-stdin"]
        if let snapshot { args += ["--snapshot", snapshot] }
        if let generate { args += ["--generate", generate] }
        if let fleet { args += ["--fleet", String(fleet)] }
        args += extraArguments
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3"] + args
        let out = Pipe()
        process.standardOutput = out
        process.standardInput = lifeline
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw ClusterError.unreachable(server: "stand-in", detail: "did not start: \(text)")
        }
        self.port = port
        var settings = TransportSettings()
        settings.caPEM = pki.bytes(pki.ca)
        settings.insecureSkipTLSVerify = rogue
        control = try CurlHandle(settings: settings)
    }

    deinit {
        // SIGKILL: a child spawned from a Swift thread may inherit a mask that blocks SIGTERM.
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? FileManager.default.removeItem(atPath: directory)
    }

    var server: String { "https://127.0.0.1:\(port)" }

    /// Kills the server now (a crash mid-run): its port refuses connections from then on.
    func crash() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    /// Calls a control endpoint with a JSON argument; returns the parsed answer.
    @discardableResult
    func control(_ name: String, _ json: String = "{}") throws -> Value {
        let query = json.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? json
        let response = try control.get(url: "\(server)/_control/\(name)?data=\(query)", headers: [], basicAuth: nil)
        return try JSONReader.parse(response.body, file: FileID("<control>"))
    }

    func inject(_ path: String, _ faults: String...) throws {
        let list = faults.map { "{\"path\":\"\(path)\",\($0)}" }.joined(separator: ",")
        try control("faults", "{\"faults\":[\(list)]}")
    }

    /// The API requests the server saw (control calls excluded).
    func requests() throws -> [Value] { try control("stats")["requests"]?.listValue ?? [] }
    func connections() throws -> Int { Int(try control("stats")["connections"]?.intValue ?? -1) }

    /// Writes a file in this server's scratch directory and returns its path.
    @discardableResult
    func write(_ name: String, _ text: String) throws -> String {
        let path = directory + "/" + name
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// A kubeconfig for this server with a bearer token (or another user stanza).
    func kubeconfig(user: String? = nil, cluster: String? = nil) -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: standin
          cluster:
        \(cluster ?? "    server: \(server)\n    certificate-authority-data: \(pki.base64(pki.ca))")
        users:
        - name: u
          user:
        \(user ?? "    token: \(StandIn.aliceToken)")
        contexts:
        - name: standin
          context: {cluster: standin, user: u, namespace: redis}
        current-context: standin
        """
    }

    /// A client for this server from a kubeconfig text.
    func client(kubeconfig text: String? = nil, options: ClientOptions = StandIn.fastOptions) throws -> ClusterClient {
        let path = try write("kubeconfig-\(UUID().uuidString.prefix(6))", text ?? kubeconfig())
        let config = try KubeConfigLoader.resolve(KubeConfigOptions(kubeconfig: path, environment: [:]))
        return try ClusterClient(config, options: options)
    }

    /// Short backoffs so retries do not slow the tests.
    static var fastOptions: ClientOptions {
        var o = ClientOptions()
        o.backoffBaseSeconds = 0.05
        o.backoffCapSeconds = 0.2
        o.connectTimeoutSeconds = 3
        o.requestTimeoutSeconds = 20
        o.lowSpeedSeconds = 2
        o.environment = ProcessInfo.processInfo.environment
        return o
    }
}

/// A helper script (Support/NAME) run with python3 until the value goes away; it prints "PORT <n>" first.
final class PythonHelper {
    let port: Int
    private let process = Process()

    init(_ script: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TestPaths.support + "/" + script] + arguments
        let out = Pipe()
        process.standardOutput = out
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("PORT "), let port = Int(text.dropFirst(5).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw ClusterError.unreachable(server: script, detail: "did not start: \(text)")
        }
        self.port = port
    }

    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
