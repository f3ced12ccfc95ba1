import Foundation
import Testing
@testable import GitSource

@Suite("GitSource: real git servers on loopback", .serialized)
struct GitServerTests {
    @Test func cloneAndFetchOverGitDaemon() throws {
        let upstream = try makeRepository()
        let served = upstream.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: served) }
        let (daemon, port) = try startGitDaemon(base: served)
        defer { daemon.stop() }
        let cacheRoot = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cacheRoot) }
        let cache = GitCache(root: cacheRoot.path)
        let url = "git://127.0.0.1:\(port)/manifests"
        let progress = ProgressLog()
        let first = try cache.repository(for: url, credentials: GitCredentials(), progress: { progress.add($0) })
        let head = try first.resolve("main")
        #expect(try first.resolve("v1") != head)
        #expect(try first.files(at: head).files.count == 3)
        #expect(progress.count > 0)

        // A new commit upstream arrives with an incremental fetch into the same cache directory.
        try write("apiVersion: v1\nkind: Namespace\nmetadata: {name: kafka}\n", to: "platform/kafka.yaml", in: upstream)
        try sh(["git", "add", "-A"], in: upstream)
        try sh(["git", "commit", "-q", "-m", "kafka"], in: upstream, environment: ["GIT_COMMITTER_DATE": "2026-01-03T00:00:00Z"])
        try sh(["git", "tag", "v3"], in: upstream)
        let second = try cache.repository(for: url, credentials: GitCredentials())
        #expect(second.path == first.path)
        let newHead = try second.resolve("main")
        #expect(newHead != head)
        #expect(try second.resolve("v3") == newHead)
        #expect(try second.files(at: newHead).files.contains { $0.path == "platform/kafka.yaml" })
    }

    @Test func smartHTTPWithAToken() throws {
        let upstream = try makeRepository()
        let root = upstream.deletingLastPathComponent()
        defer { try? FileManager.default.removeItem(at: root) }
        let token = "tok-\(UUID().uuidString)"
        let (server, port) = try startHTTPServer(root: root, token: token)
        defer { server.stop() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = "http://127.0.0.1:\(port)/manifests"
        let clone = try GitRepository.clone(url: url, into: dir.appendingPathComponent("ok").path,
                                            credentials: GitCredentials(token: token))
        #expect(try clone.files(at: clone.resolve("v2")).files.count == 3)

        // A wrong token: a clear error, no loop, and neither token in the message.
        do {
            _ = try GitRepository.clone(url: url, into: dir.appendingPathComponent("wrong").path,
                                        credentials: GitCredentials(token: "wrong-\(token)"))
            Issue.record("a wrong token was accepted")
        } catch {
            #expect(error.kind == .authenticationRefused, "\(error)")
            #expect(!error.message.contains(token))
        }
        // No token at all.
        do {
            _ = try GitRepository.clone(url: url, into: dir.appendingPathComponent("none").path)
            Issue.record("no credentials were accepted")
        } catch {
            #expect(error.kind == .authenticationRefused, "\(error)")
            #expect(error.message.contains("BALLAST_GIT_TOKEN"))
        }
        // Credentials in the URL are used, and redacted from every message.
        let withUser = "http://ci:\(token)@127.0.0.1:\(port)/manifests"
        let viaURL = try GitRepository.clone(url: withUser, into: dir.appendingPathComponent("url").path)
        #expect(try viaURL.resolve("main").hex.count == 40)
        do {
            _ = try GitRepository.clone(url: "http://ci:\(token)@127.0.0.1:\(port)/missing", into: dir.appendingPathComponent("missing").path)
            Issue.record("a missing repository was cloned")
        } catch {
            #expect(!error.message.contains(token), "\(error.message)")
        }
    }

    @Test func unreachableHost() throws {
        let port = try freePort()
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        do {
            _ = try GitRepository.clone(url: "git://127.0.0.1:\(port)/nothing", into: dir.appendingPathComponent("c").path)
            Issue.record("cloned from a closed port")
        } catch {
            #expect(error.kind == .unreachable, "\(error)")
        }
    }

    @Test func cloneTimeIsReportedByProgress() throws {
        let upstream = try makeRepository()
        defer { try? FileManager.default.removeItem(at: upstream.deletingLastPathComponent()) }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let progress = ProgressLog()
        _ = try GitRepository.clone(url: "file://" + upstream.path, into: dir.appendingPathComponent("c").path,
                                    progress: { progress.add($0) })
        // Progress must have fired (nil == nil would pass on silence), and ended complete.
        let last = try #require(progress.last, "the progress callback never fired")
        #expect(last.totalObjects > 0)
        #expect(last.receivedObjects == last.totalObjects)
    }
}

/// Collects progress callbacks (called on libgit2's thread during the call).
final class ProgressLog: @unchecked Sendable {
    private let lock = NSLock()
    private var items: [GitProgress] = []
    func add(_ p: GitProgress) { lock.lock(); items.append(p); lock.unlock() }
    var count: Int { lock.lock(); defer { lock.unlock() }; return items.count }
    var last: GitProgress? { lock.lock(); defer { lock.unlock() }; return items.last }
}
