import Foundation
import Testing
@testable import GitSource

/// Runs a command, returning stdout; throws with stderr on failure.
@discardableResult
func sh(_ arguments: [String], in directory: URL? = nil, environment: [String: String] = [:]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = directory }
    var env = ProcessInfo.processInfo.environment
    // Deterministic commits, no user config.
    env["GIT_AUTHOR_NAME"] = "Test"; env["GIT_AUTHOR_EMAIL"] = "test@example.com"
    env["GIT_COMMITTER_NAME"] = "Test"; env["GIT_COMMITTER_EMAIL"] = "test@example.com"
    env["GIT_AUTHOR_DATE"] = "2026-01-01T00:00:00Z"; env["GIT_COMMITTER_DATE"] = "2026-01-01T00:00:00Z"
    env["GIT_CONFIG_GLOBAL"] = "/dev/null"; env["GIT_CONFIG_NOSYSTEM"] = "1"
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw CommandError(message: "\(arguments.joined(separator: " ")): \(String(decoding: errors, as: UTF8.self))")
    }
    return String(decoding: data, as: UTF8.self)
}

struct CommandError: Error, CustomStringConvertible { var message: String; var description: String { message } }

func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-git-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

func write(_ text: String, to path: String, in repo: URL) throws {
    let url = repo.appendingPathComponent(path)
    try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
    try text.write(to: url, atomically: true, encoding: .utf8)
}

/// A repository with two commits: `base` (tagged v1) and `head` (tagged v2) where a file moved and one changed.
func makeRepository() throws -> URL {
    let dir = try temporaryDirectory()
    let repo = dir.appendingPathComponent("manifests")
    try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
    try sh(["git", "init", "-q", "-b", "main", repo.path])
    try write("apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast-ssd}\nprovisioner: p\nreclaimPolicy: Retain\n",
              to: "platform/storage.yaml", in: repo)
    try write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: redis-config, namespace: redis}\ndata:\n  redis.conf: |\n    appendonly yes\n    maxmemory 1gb\n    save 900 1\n",
              to: "apps/redis/config.yaml", in: repo)
    try write("# docs\n", to: "README.md", in: repo)
    try sh(["git", "add", "-A"], in: repo)
    try sh(["git", "commit", "-q", "-m", "base"], in: repo)
    try sh(["git", "tag", "v1"], in: repo)
    try sh(["git", "mv", "apps/redis/config.yaml", "apps/redis/redis-config.yaml"], in: repo)
    try write("apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast-ssd}\nprovisioner: p\nreclaimPolicy: Delete\n",
              to: "platform/storage.yaml", in: repo)
    try sh(["git", "add", "-A"], in: repo)
    try sh(["git", "commit", "-q", "-m", "head"], in: repo, environment: ["GIT_COMMITTER_DATE": "2026-01-02T00:00:00Z"])
    try sh(["git", "tag", "-a", "v2", "-m", "release 2"], in: repo)
    return repo
}

/// A free TCP port on 127.0.0.1 (bound, then released).
func freePort() throws -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
    }
    guard bound else { throw CommandError(message: "no free port") }
    return Int(UInt16(bigEndian: address.sin_port))
}

/// Whether something accepts connections on 127.0.0.1:port.
func accepts(port: Int) -> Bool {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = UInt16(port).bigEndian
    return withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
    }
}

/// A server process started by a test and stopped (and waited for) when the test ends.
final class ServerProcess {
    let process = Process()
    /// The real server's pid file, when the launched command forks it (git daemon).
    var pidFile: URL?
    init(_ arguments: [String], environment: [String: String] = [:], stdout: Pipe? = nil) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        // Never the test runner's own stdout: a server's children would hold it open after the test.
        process.standardOutput = stdout ?? FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }
    /// SIGKILL: the test runner's threads block SIGTERM, and children inherit that mask.
    func stop() {
        if let pidFile, let text = try? String(contentsOf: pidFile, encoding: .utf8), let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) {
            kill(pid, SIGKILL)
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }
    deinit { stop() }
}

/// `git daemon` serving `base` on a free loopback port.
func startGitDaemon(base: URL) throws -> (ServerProcess, Int) {
    let port = try freePort()
    let pidFile = base.appendingPathComponent("git-daemon.pid")
    let daemon = try ServerProcess(["git", "daemon", "--reuseaddr", "--export-all", "--base-path=\(base.path)",
                                    "--listen=127.0.0.1", "--port=\(port)", "--pid-file=\(pidFile.path)", base.path])
    daemon.pidFile = pidFile
    let deadline = Date().addingTimeInterval(10)
    while !accepts(port: port) {
        guard Date() < deadline else { daemon.stop(); throw CommandError(message: "git daemon did not start") }
        usleep(50_000)
    }
    return (daemon, port)
}

/// The smart-HTTP server (git http-backend behind basic auth) serving `root`.
func startHTTPServer(root: URL, token: String) throws -> (ServerProcess, Int) {
    let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/git_http_server.py")
    let pipe = Pipe()
    let server = try ServerProcess(["python3", script.path, root.path], environment: ["GIT_TEST_TOKEN": token], stdout: pipe)
    var line = Data()
    while true {
        let byte = pipe.fileHandleForReading.readData(ofLength: 1)
        if byte.isEmpty || byte == Data("\n".utf8) { break }
        line += byte
    }
    guard let port = Int(String(decoding: line, as: UTF8.self)) else { server.stop(); throw CommandError(message: "http server did not start") }
    return (server, port)
}
