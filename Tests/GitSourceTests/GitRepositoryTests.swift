import Foundation
import Testing
@testable import GitSource

@Suite("GitSource: local repositories")
struct LocalRepositoryTests {
    @Test func filesAndBlobsWithoutCheckout() throws {
        let repo = try makeRepository()
        defer { try? FileManager.default.removeItem(at: repo.deletingLastPathComponent()) }
        let git = try GitRepository.open(path: repo.path)
        let head = try git.resolve("HEAD")
        let (files, notes) = try git.files(at: head)
        #expect(files.map(\.path) == ["README.md", "apps/redis/redis-config.yaml", "platform/storage.yaml"])
        #expect(notes.isEmpty)
        let storage = try #require(files.first { $0.path == "platform/storage.yaml" })
        #expect(String(decoding: try git.blob(storage.blob), as: UTF8.self).contains("reclaimPolicy: Delete"))
        #expect(try git.size(of: storage.blob) == (try git.blob(storage.blob)).count)
        #expect(try git.blob(storage.blob, maxSize: 10) == nil)
        let base = try git.resolve("v1")
        let baseFiles = try git.files(at: base, under: ["apps"]).files
        #expect(baseFiles.map(\.path) == ["apps/redis/config.yaml"])
        #expect(try git.files(at: base, under: ["platform/storage.yaml"]).files.count == 1)
    }

    @Test func refs() throws {
        let repo = try makeRepository()
        defer { try? FileManager.default.removeItem(at: repo.deletingLastPathComponent()) }
        let git = try GitRepository.open(path: repo.path)
        let head = try git.resolve("main")
        #expect(try git.resolve("v2") == head, "an annotated tag peels to its commit")
        #expect(try git.resolve(head.short) == head)
        #expect(try git.resolve(head.hex) == head)
        #expect(try git.resolve("HEAD~1") == git.resolve("v1"))
        #expect(try git.mergeBase(git.resolve("v1"), head) == git.resolve("v1"))
        #expect(try git.defaultBase(head: head) == head, "main is the default branch")
        #expect(throws: GitError(.unknownRef, "unknown ref nope in \(repo.path)")) { try git.resolve("nope") }
    }

    @Test func diffDetectsRenames() throws {
        let repo = try makeRepository()
        defer { try? FileManager.default.removeItem(at: repo.deletingLastPathComponent()) }
        let git = try GitRepository.open(path: repo.path)
        let changes = try git.diff(from: git.resolve("v1"), to: git.resolve("v2"))
        #expect(changes.map(\.status).sorted { $0.rawValue < $1.rawValue } == [.modified, .renamed])
        let rename = try #require(changes.first { $0.status == .renamed })
        #expect(rename.oldPath == "apps/redis/config.yaml" && rename.newPath == "apps/redis/redis-config.yaml")
        #expect(rename.oldBlob == rename.newBlob)
        #expect(try git.diff(from: git.resolve("v1"), to: git.resolve("v2"), under: ["platform"]).count == 1)
    }

    /// libgit2 compares each added file with at most 1000 deleted ones; a larger move still pairs every
    /// identical file, as git does.
    @Test func aLargeMoveIsAllRenames() throws {
        let repo = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: repo) }
        try sh(["git", "init", "-q", "-b", "main", repo.path])
        for i in 0..<1100 { try write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm-\(i)}\n", to: "apps/cm-\(i).yaml", in: repo) }
        try sh(["git", "add", "-A"], in: repo)
        try sh(["git", "commit", "-q", "-m", "base"], in: repo)
        try sh(["git", "mv", "apps", "stacks"], in: repo)
        try sh(["git", "commit", "-q", "-m", "head"], in: repo)
        let git = try GitRepository.open(path: repo.path)
        let changes = try git.diff(from: git.resolve("HEAD~1"), to: git.resolve("HEAD"))
        #expect(changes.count == 1100)
        #expect(changes.allSatisfy { $0.status == .renamed && $0.oldBlob == $0.newBlob
            && $0.oldPath.map { "stacks/" + $0.dropFirst("apps/".count) } == $0.newPath })
        #expect(try git.diff(from: git.resolve("HEAD~1"), to: git.resolve("HEAD"), under: ["apps"]).count == 1100)
    }

    @Test func notARepository() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(throws: GitError(.notARepository, "\(dir.path) is not a git repository")) { try GitRepository.open(path: dir.path) }
    }

    @Test func symlinksSubmodulesAndHugeBlobsAreNotes() throws {
        let repo = try makeRepository()
        defer { try? FileManager.default.removeItem(at: repo.deletingLastPathComponent()) }
        try FileManager.default.createSymbolicLink(atPath: repo.appendingPathComponent("apps/escape.yaml").path, withDestinationPath: "/etc/passwd")
        try String(repeating: "# padding\n", count: 20_000).write(to: repo.appendingPathComponent("apps/huge.yaml"), atomically: true, encoding: .utf8)
        let sub = try makeRepository()
        defer { try? FileManager.default.removeItem(at: sub.deletingLastPathComponent()) }
        try sh(["git", "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.path, "vendor/charts"], in: repo)
        try sh(["git", "add", "-A"], in: repo)
        try sh(["git", "commit", "-q", "-m", "odd files"], in: repo)
        let git = try GitRepository.open(path: repo.path)
        let (files, notes) = try git.files(at: git.resolve("HEAD"))
        #expect(!files.contains { $0.path == "apps/escape.yaml" || $0.path == "vendor/charts" })
        #expect(notes.map(\.path).sorted() == ["apps/escape.yaml", "vendor/charts"])
        let huge = try #require(files.first { $0.path == "apps/huge.yaml" })
        #expect(try git.blob(huge.blob, maxSize: 100_000) == nil, "over the cap: not read")
        #expect(notes.first { $0.path == "apps/escape.yaml" }?.message.contains("never followed") == true)
        #expect(notes.first { $0.path == "vendor/charts" }?.message.contains("submodule") == true)
    }

    @Test func corruptObjectIsAnErrorNotACrash() throws {
        let repo = try makeRepository()
        defer { try? FileManager.default.removeItem(at: repo.deletingLastPathComponent()) }
        let git = try GitRepository.open(path: repo.path)
        let file = try #require(try git.files(at: git.resolve("HEAD")).files.first { $0.path == "platform/storage.yaml" })
        let hex = file.blob.hex
        let objectPath = repo.appendingPathComponent(".git/objects/\(hex.prefix(2))/\(hex.dropFirst(2))")
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: objectPath.path)
        try Data("not zlib at all".utf8).write(to: objectPath)
        let fresh = try GitRepository.open(path: repo.path)
        do {
            _ = try fresh.blob(file.blob)
            Issue.record("a corrupt object was read")
        } catch {
            #expect(error.kind == .corrupt || error.kind == .other, "\(error)")
        }
    }

    @Test func redaction() {
        #expect(redactURL("https://user:s3cr3t@git.example.com/org/repo.git") == "https://***@git.example.com/org/repo.git")
        #expect(redactCredentials(in: "failed to fetch https://x:tok@h/a and ssh://git@h2/b") == "failed to fetch https://***@h/a and ssh://***@h2/b")
        #expect(redactURL("https://git.example.com/a") == "https://git.example.com/a")
        #expect(GitError(.other, "could not clone https://a:b@c/d").message == "could not clone https://***@c/d")
        #expect(RemoteContext.userInfo("https://me:p%40ss@h/x") == ("me", "p@ss"))
    }
}
