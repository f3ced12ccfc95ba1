import Foundation
import Testing
@testable import GitSource

/// A real `sshd` on 127.0.0.1 (Debian's openssh-server, installed by ci/setup), run as the current user with
/// a host key and a user key made for the test; the user's key is its only authorized key, and the login runs
/// `git-upload-pack` on the served repository as git over ssh does.
final class SSHServer {
    let directory: URL
    let port: Int
    let user: String
    let home: URL
    let repository: URL
    private let server: SpawnedServer
    var hostKeyLine: String
    var userKey: String { directory.appendingPathComponent("user_key").path }
    var otherKey: String { directory.appendingPathComponent("other_key").path }

    init() throws {
        directory = try temporaryDirectory()
        repository = try makeRepository()
        let d = directory.path
        for key in ["host_key", "user_key", "other_key", "other_host_key"] {
            try sh(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ballast-test", "-f", "\(d)/\(key)"])
        }
        try FileManager.default.copyItem(atPath: "\(d)/user_key.pub", toPath: "\(d)/authorized_keys")
        user = String(cString: getpwuid(getuid()).pointee.pw_name)
        port = try freePort()
        let config = """
            Port \(port)
            ListenAddress 127.0.0.1
            HostKey \(d)/host_key
            AuthorizedKeysFile \(d)/authorized_keys
            StrictModes no
            UsePAM no
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            PubkeyAuthentication yes
            PermitRootLogin prohibit-password
            PidFile \(d)/sshd.pid
            """
        try config.write(toFile: "\(d)/sshd_config", atomically: true, encoding: .utf8)
        // sshd wants its privilege-separation directory even when it runs as an ordinary user's server.
        try? FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)   // absent when not root: sshd says so below
        guard let sshd = ["/usr/sbin/sshd", "/usr/bin/sshd"].first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw CommandError(message: "no sshd: install openssh-server (ci/setup does)")
        }
        server = try SpawnedServer([sshd, "-D", "-e", "-f", "\(d)/sshd_config"])
        let deadline = Date().addingTimeInterval(10)
        while !accepts(port: port) {
            guard Date() < deadline, server.isRunning else {
                server.stop()
                throw CommandError(message: "sshd did not start on port \(port)")
            }
            usleep(50_000)
        }
        let hostPublic = try String(contentsOfFile: "\(d)/host_key.pub", encoding: .utf8).split(separator: " ")
        hostKeyLine = "[127.0.0.1]:\(port) \(hostPublic[0]) \(hostPublic[1])\n"
        home = directory.appendingPathComponent("home")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".ssh"), withIntermediateDirectories: true)
        try trust(hostKeyLine)
    }

    /// Writes `~/.ssh/known_hosts` of the test's HOME.
    func trust(_ text: String) throws {
        try text.write(to: home.appendingPathComponent(".ssh/known_hosts"), atomically: true, encoding: .utf8)
    }

    var url: String { "ssh://\(user)@127.0.0.1:\(port)\(repository.path)" }
    /// The scp-like form with a port, `[user@host:port]:path`: git's syntax, which libgit2 1.5's
    /// `git_net_url_parse_scp` accepts too (plain `user@host:path` can only reach port 22).
    var scpLikeURL: String { "[\(user)@127.0.0.1:\(port)]:\(repository.path)" }

    /// Every secret line of the keys made here: none may appear in any output.
    var keyMaterial: [String] {
        ["user_key", "other_key", "host_key"].flatMap { name -> [String] in
            let text = (try? String(contentsOfFile: directory.appendingPathComponent(name).path, encoding: .utf8)) ?? ""   // absent: nothing to look for
            return text.split(separator: "\n").filter { !$0.hasPrefix("-----") }.map(String.init)
        } + ["user_key.pub", "other_key.pub"].compactMap { name in
            ((try? String(contentsOfFile: directory.appendingPathComponent(name).path, encoding: .utf8)) ?? "")   // absent: nothing to look for
                .split(separator: " ").dropFirst().first.map(String.init)
        }
    }

    func expectNoKeyMaterial(_ run: BallastRun, sourceLocation: SourceLocation = #_sourceLocation) {
        for secret in keyMaterial where !secret.isEmpty {
            #expect(!run.stdout.contains(secret) && !run.stderr.contains(secret), "key material in the output", sourceLocation: sourceLocation)
        }
    }

    deinit {
        server.stop()
        try? FileManager.default.removeItem(at: directory)
        try? FileManager.default.removeItem(at: repository.deletingLastPathComponent())
    }
}

@Suite("GitSource: the ssh transport against a real sshd (CLI)", .serialized)
struct SSHTransportTests {
    /// Starts sshd, or records why it could not: a skipped transport must never pass silently.
    func server() -> SSHServer? {
        do { return try SSHServer() } catch {
            Issue.record("sshd could not start, so the ssh transport is untested: \(error)")
            return nil
        }
    }

    func run(_ server: SSHServer, _ arguments: [String], cache: URL, environment: [String: String] = [:]) throws -> BallastRun {
        var env = ["HOME": server.home.path, "XDG_CACHE_HOME": cache.path, "SSH_AUTH_SOCK": ""]
        for (k, v) in environment { env[k] = v }
        return try runBallast(arguments, environment: env, timeout: 60)
    }

    @Test func cloneAndIncrementalFetchWithAKeyFile() throws {
        guard let server = server() else { return }
        try cloneAndIncrementalFetch(server, url: server.url)
    }

    @Test func cloneAndIncrementalFetchOfAnSCPLikeAddress() throws {
        guard let server = server() else { return }
        #expect(RepositoryLocation(server.scpLikeURL) == .remote(server.scpLikeURL))
        try cloneAndIncrementalFetch(server, url: server.scpLikeURL)
    }

    func cloneAndIncrementalFetch(_ server: SSHServer, url: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let first = try run(server, ["lint", "--repo", url, "--ssh-key", server.userKey, "--format", "json"], cache: cache)
        #expect(first.status == 0 || first.status == 1, "\(first.stdout)\(first.stderr)", sourceLocation: sourceLocation)
        #expect(first.stdout.contains("\"incomplete\": false"), "\(first.stdout)", sourceLocation: sourceLocation)
        server.expectNoKeyMaterial(first, sourceLocation: sourceLocation)

        try write("apiVersion: v1\nkind: Namespace\nmetadata: {name: kafka}\n", to: "platform/kafka.yaml", in: server.repository)
        try sh(["git", "add", "-A"], in: server.repository)
        try sh(["git", "commit", "-q", "-m", "kafka"], in: server.repository, environment: ["GIT_COMMITTER_DATE": "2026-01-03T00:00:00Z"])
        let second = try run(server, ["lint", "--repo", url, "--ssh-key", server.userKey, "--format", "json"], cache: cache)
        #expect(second.status == first.status, "\(second.stdout)\(second.stderr)", sourceLocation: sourceLocation)
        #expect(second.stdout.contains("kafka") || second.stdout.contains("\"files\": 3"), "the fetch brought the new commit: \(second.stdout.suffix(400))", sourceLocation: sourceLocation)
        #expect(second.stdout != first.stdout, "the second run read the new commit", sourceLocation: sourceLocation)
        let clones = treeListing(cache.path + "/ballast/repos").filter { !$0.contains("/") && !$0.hasSuffix(".lock") }
        #expect(clones.count == 1, "one cached clone, fetched: \(clones)", sourceLocation: sourceLocation)
        #expect(clones.first.map { GitCache(environment: ["XDG_CACHE_HOME": cache.path]).directory(for: url).hasSuffix("/" + $0) } == true,
                "the clone is the one the URL names: \(clones)", sourceLocation: sourceLocation)
        server.expectNoKeyMaterial(second, sourceLocation: sourceLocation)
    }

    @Test func theSSHAgent() throws {
        guard let server = server() else { return }
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let socket = server.directory.appendingPathComponent("agent.sock").path
        let agent = try SpawnedServer(["/usr/bin/ssh-agent", "-D", "-a", socket])
        defer { agent.stop() }
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: socket) && Date() < deadline { usleep(20_000) }
        try sh(["ssh-add", "-q", server.userKey], environment: ["SSH_AUTH_SOCK": socket])
        let result = try run(server, ["lint", "--repo", server.url, "--format", "json"], cache: cache, environment: ["SSH_AUTH_SOCK": socket])
        #expect(result.status == 0 || result.status == 1, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("\"incomplete\": false"), "\(result.stdout)")
        server.expectNoKeyMaterial(result)
    }

    @Test func anUnknownHostKeyIsRefused() throws {
        guard let server = server() else { return }
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        // Not in known_hosts at all, then known with another key (a changed or spoofed host).
        let other = try String(contentsOfFile: server.directory.appendingPathComponent("other_host_key.pub").path, encoding: .utf8).split(separator: " ")
        // The scp-like form is checked against known_hosts as the URL is (same host, same port).
        for knownHosts in ["", "[127.0.0.1]:\(server.port) \(other[0]) \(other[1])\n"] {
            for url in [server.url, server.scpLikeURL] {
                try server.trust(knownHosts)
                let result = try run(server, ["lint", "--repo", url, "--ssh-key", server.userKey], cache: cache)
                #expect(result.status == 3, "\(url): \(result.stdout)\(result.stderr)")
                #expect(result.stderr.contains("unknown remote ssh hostkey"), "\(result.stderr)")
                #expect(result.stderr.contains("known_hosts"), "\(result.stderr)")
                #expect(!result.stdout.lowercased().contains("clean"), "\(result.stdout)")
                server.expectNoKeyMaterial(result)
            }
        }
    }

    @Test func aRefusedKey() throws {
        guard let server = server() else { return }
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let result = try run(server, ["lint", "--repo", server.url, "--ssh-key", server.otherKey], cache: cache)
        #expect(result.status == 3, "\(result.stdout)\(result.stderr)")
        #expect(result.stderr.contains("authentication refused"), "\(result.stderr)")
        #expect(!result.stdout.lowercased().contains("clean"), "\(result.stdout)")
        server.expectNoKeyMaterial(result)
        // No agent and no key: refused too, with no loop.
        let none = try run(server, ["lint", "--repo", server.url], cache: cache)
        #expect(none.status == 3, "\(none.stdout)\(none.stderr)")
    }
}

/// A long-running server started with posix_spawn and stopped with SIGKILL and waitpid. sshd and ssh-agent are
/// not started through Foundation's Process: with one of them running, Process stopped reaping later children
/// in this test process (they stayed zombies and waitUntilExit never returned).
final class SpawnedServer {
    let pid: pid_t
    private var stopped = false
    init(_ arguments: [String]) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = ProcessInfo.processInfo.environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { argv.forEach { free($0) }; envp.forEach { free($0) } }
        var child: pid_t = 0
        let code = posix_spawn(&child, arguments[0], &actions, nil, argv, envp)
        guard code == 0 else { throw CommandError(message: "cannot start \(arguments[0]): \(String(cString: strerror(code)))") }
        pid = child
    }
    var isRunning: Bool {
        guard !stopped else { return false }
        var status: Int32 = 0
        if waitpid(pid, &status, WNOHANG) == pid { stopped = true; return false }
        return true
    }
    func stop() {
        guard !stopped else { return }
        stopped = true
        kill(pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
    }
    deinit { stop() }
}
