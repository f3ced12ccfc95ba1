import Foundation
import Testing
@testable import GitSource

/// The `ballast` built with these tests (beside the test bundle), or `BALLAST_BIN`.
let ballastBinary: String = {
    if let bin = ProcessInfo.processInfo.environment["BALLAST_BIN"] { return bin }
    let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for candidate in [products, products.deletingLastPathComponent()] {
        let binary = candidate.appendingPathComponent("ballast").path
        if FileManager.default.isExecutableFile(atPath: binary) { return binary }
    }
    return products.appendingPathComponent("ballast").path
}()

struct BallastRun { var status: Int32; var stdout: String; var stderr: String }

/// Runs the built `ballast` with `arguments` and `environment` added; killed after `timeout` seconds.
func runBallast(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 60) throws -> BallastRun {
    try startBallast(arguments, environment: environment).wait(timeout: timeout)
}

/// A running `ballast`; its output goes to files so that no pipe can block it. Started with posix_spawn and
/// reaped with waitpid here: Foundation's Process missed the exit of a child started beside a running sshd.
final class BallastProcess {
    let pid: pid_t
    let directory: URL
    init(_ arguments: [String], environment: [String: String]) throws {
        directory = try temporaryDirectory()
        var env = ProcessInfo.processInfo.environment
        env["NO_COLOR"] = "1"
        for (k, v) in environment { env[k] = v }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, directory.appendingPathComponent("out").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, directory.appendingPathComponent("err").path, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([ballastBinary] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var child: pid_t = 0
        let code = posix_spawn(&child, ballastBinary, &actions, nil, argv, envp)
        guard code == 0 else { throw CommandError(message: "cannot start \(ballastBinary): \(String(cString: strerror(code)))") }
        pid = child
    }
    func wait(timeout: Double) throws -> BallastRun {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline { kill(pid, SIGKILL); _ = waitpid(pid, &status, 0); break }
            usleep(20_000)
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = try String(contentsOf: directory.appendingPathComponent("out"), encoding: .utf8)
        let err = try String(contentsOf: directory.appendingPathComponent("err"), encoding: .utf8)
        // WIFEXITED / WEXITSTATUS, spelled out (the C macros are not imported).
        let exited = status & 0x7f == 0
        return BallastRun(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), stdout: out, stderr: err)
    }
}

func startBallast(_ arguments: [String], environment: [String: String] = [:]) throws -> BallastProcess {
    try BallastProcess(arguments, environment: environment)
}

/// Every path under `root` (files and directories), relative.
func treeListing(_ root: String) -> [String] {
    (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).sorted()
}

/// A served repository with enough incompressible data that its pack takes many packets.
func makeLargeRepository() throws -> URL {
    let repo = try makeRepository()
    var generator = SystemRandomNumberGenerator()
    let blob = (0..<300_000).map { _ in String(UInt8.random(in: 0...255, using: &generator), radix: 16) }.joined()
    try write("# \(blob)\n", to: "docs/noise.txt", in: repo)
    try sh(["git", "add", "-A"], in: repo)
    try sh(["git", "commit", "-q", "-m", "noise"], in: repo, environment: ["GIT_COMMITTER_DATE": "2026-01-04T00:00:00Z"])
    return repo
}

@Suite("fault injection: git servers and the clone cache (CLI)")
struct GitFaultTests {
    @Test func gitServerDiesMidClone() throws {
        let upstream = try makeLargeRepository()
        let served = upstream.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: served) }
        let (daemon, port) = try startGitDaemon(base: served)
        defer { daemon.stop() }
        // The proxy passes 20 KB of the server's answer (the ref advertisement and part of the pack), then dies.
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Support/cut_proxy.py")
        let pipe = Pipe()
        let proxy = try ServerProcess(["python3", script.path, String(port), "20000"], stdout: pipe)
        defer { proxy.stop() }
        var line = Data()
        while true {
            let byte = pipe.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line += byte
        }
        let proxyPort = try #require(Int(String(decoding: line, as: UTF8.self)))
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let run = try runBallast(["lint", "--repo", "git://127.0.0.1:\(proxyPort)/manifests"], environment: ["XDG_CACHE_HOME": cache.path])
        #expect(run.status == 3, "\(run.stdout)\(run.stderr)")
        #expect(run.stderr.contains("could not clone git://127.0.0.1:\(proxyPort)/manifests"), "\(run.stderr)")
        #expect(!run.stdout.lowercased().contains("clean"), "\(run.stdout)")
        // Nothing half-cloned stays in the cache: only the (empty) lock file.
        let left = treeListing(cache.path + "/ballast/repos")
        #expect(left.allSatisfy { $0.hasSuffix(".lock") }, "\(left)")
        // Through the server itself, the same cache clones cleanly afterwards.
        let good = try runBallast(["lint", "--repo", "git://127.0.0.1:\(port)/manifests"], environment: ["XDG_CACHE_HOME": cache.path])
        #expect(good.status == 0 || good.status == 1, "\(good.stdout)\(good.stderr)")
    }

    /// Clones once, damages the cached clone with `damage`, and runs again: the second run must repair the
    /// cache (same report as the first) or fail with exit 3 — never report on a broken cache as if whole.
    func damagedCache(_ damage: (String) throws -> Void) throws {
        let upstream = try makeRepository()
        let served = upstream.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: served) }
        let (daemon, port) = try startGitDaemon(base: served)
        defer { daemon.stop() }
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let url = "git://127.0.0.1:\(port)/manifests"
        let env = ["XDG_CACHE_HOME": cache.path]
        let first = try runBallast(["lint", "--repo", url, "--format", "json"], environment: env)
        #expect(first.status == 0 || first.status == 1, "\(first.stdout)\(first.stderr)")
        let clone = GitCache(environment: env).directory(for: url)
        try damage(clone)
        let second = try runBallast(["lint", "--repo", url, "--format", "json"], environment: env)
        if second.status == 3 {
            #expect(!second.stdout.contains("\"incomplete\": false"), "\(second.stdout)")
        } else {
            #expect(second.status == first.status, "\(second.stdout)\(second.stderr)")
            #expect(second.stdout == first.stdout, "the repaired cache reports differently")
            // Repaired: the cached clone reads whole again.
            let repository = try GitRepository.open(path: clone)
            try repository.verifyRefs()
        }
    }

    @Test func truncatedPackInTheCache() throws {
        try damagedCache { clone in
            let packs = treeListing(clone + "/objects/pack").filter { $0.hasSuffix(".pack") }
            #expect(!packs.isEmpty)
            for pack in packs { #expect(truncate(clone + "/objects/pack/" + pack, 200) == 0) }
        }
    }

    @Test func objectsRemovedFromTheCache() throws {
        try damagedCache { clone in
            for entry in treeListing(clone + "/objects/pack") { try FileManager.default.removeItem(atPath: clone + "/objects/pack/" + entry) }
        }
    }

    @Test func cacheDirectoryEmptied() throws {
        try damagedCache { clone in
            for entry in treeListing(clone).reversed() { try? FileManager.default.removeItem(atPath: clone + "/" + entry) }   // absent: removed with its parent
        }
    }

    @Test func twoProcessesShareOneCache() throws {
        let upstream = try makeLargeRepository()
        let served = upstream.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: served) }
        let (daemon, port) = try startGitDaemon(base: served)
        defer { daemon.stop() }
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let url = "git://127.0.0.1:\(port)/manifests"
        let env = ["XDG_CACHE_HOME": cache.path]
        for round in ["clone", "fetch", "fetch after a push"] {
            if round == "fetch after a push" {
                try write("apiVersion: v1\nkind: Namespace\nmetadata: {name: kafka}\n", to: "platform/kafka.yaml", in: upstream)
                try sh(["git", "add", "-A"], in: upstream)
                try sh(["git", "commit", "-q", "-m", "kafka"], in: upstream, environment: ["GIT_COMMITTER_DATE": "2026-01-05T00:00:00Z"])
            }
            let processes = try (0..<3).map { _ in try startBallast(["lint", "--repo", url, "--format", "json"], environment: env) }
            let runs = try processes.map { try $0.wait(timeout: 90) }
            for run in runs {
                #expect(run.status == runs[0].status && (run.status == 0 || run.status == 1), "\(round): \(run.stdout)\(run.stderr)")
                #expect(run.stdout == runs[0].stdout, "\(round): two processes read different trees")
                #expect(run.stderr.isEmpty, "\(round): \(run.stderr)")
            }
            if round == "fetch after a push" { #expect(runs[0].stdout.contains("\"objects\": 3"), "\(runs[0].stdout.suffix(300))") }
        }
        let left = treeListing(cache.path + "/ballast/repos").filter { !$0.contains("/") }
        #expect(left.count == 2, "one clone and its lock file: \(left)")
    }

    @Test func theLockIsExclusiveAndBounded() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("x.lock").path
        let held = try CacheLock(path: path, timeoutSeconds: 1)
        // flock locks belong to the open file description: a second open in this process contends as another
        // process would.
        #expect(throws: GitError.self) { _ = try CacheLock(path: path, timeoutSeconds: 0.2) }
        held.release()
        let again = try CacheLock(path: path, timeoutSeconds: 0.2)
        again.release()
    }

    @Test func aURLPasswordIsNeverStoredInTheCache() throws {
        let upstream = try makeRepository()
        let root = upstream.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: root) }
        let token = "tok-\(UUID().uuidString)"
        let (server, port) = try startHTTPServer(root: root, token: token)
        defer { server.stop() }
        let cacheRoot = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cacheRoot) }
        let cache = GitCache(root: cacheRoot.path)
        let url = "http://ci-bot:\(token)@127.0.0.1:\(port)/manifests"
        let first = try cache.repository(for: url, credentials: GitCredentials())
        let head = try first.resolve("main")
        // The second run fetches with the URL's password, which the stored config does not hold.
        let second = try cache.repository(for: url, credentials: GitCredentials())
        #expect(try second.resolve("main") == head)
        let clone = cache.directory(for: url)
        let config = try String(contentsOfFile: clone + "/config", encoding: .utf8)
        #expect(config.contains("url = http://127.0.0.1:\(port)/manifests"), "\(config)")
        for entry in treeListing(cacheRoot.path) {
            guard let data = FileManager.default.contents(atPath: cacheRoot.path + "/" + entry) else { continue }   // absent: a directory
            #expect(!String(decoding: data, as: UTF8.self).contains(token), "\(entry) holds the password")
        }
    }
}
