import Foundation
import Testing
@testable import GitSource

@Suite("GitSource: --repo as a path or a remote, scp-like addresses in the cache and in messages")
struct RepositoryLocationTests {
    /// Nothing exists: syntax alone decides.
    static func nothing(_ path: String) -> Bool { false }

    @Test("remote", arguments: [
        "https://github.com/org/repo.git", "http://h/r", "ssh://git@h:2222/srv/r.git", "git://h/r", "file:///srv/r.git",
        "git+ssh://git@h/r", "ssh+git://h/r", "HTTPS://h/r",
        "git@github.com:org/repo.git", "deploy@git.example.com:platform/manifests.git", "git.example.com:org/repo.git",
        "git.example.com:/srv/repo.git", "host:repo", "[git@127.0.0.1:2222]:/srv/repo.git", "[::1]:repo.git",
        "git@[::1]:repo.git", "git@host:path/with:colon", "git@host:~/repo.git",
    ])
    func remote(_ spec: String) {
        #expect(RepositoryLocation(spec, pathExists: Self.nothing) == .remote(spec))
    }

    @Test("path", arguments: [
        ".", "repo", "./repo", "../repo", "/srv/repo.git", "./a:b", "/x/y:z", "dir/sub:name", "relative/path",
        "a/b@c:d", "",
    ])
    func path(_ spec: String) {
        #expect(RepositoryLocation(spec, pathExists: Self.nothing) == .path(spec))
    }

    @Test func aPathThatExistsStaysLocalEvenWithAColon() {
        // git clone looks for a local repository first; libgit2 too (`git_clone__should_clone_local`).
        #expect(RepositoryLocation("host:repo", pathExists: { $0 == "host:repo" }) == .path("host:repo"))
        #expect(RepositoryLocation("git@host:repo", pathExists: { _ in true }) == .path("git@host:repo"))
        // A URL with a scheme is a URL whatever the file system holds (libgit2 picks the transport by prefix).
        #expect(RepositoryLocation("https://h/r", pathExists: { _ in true }) == .remote("https://h/r"))
    }

    @Test func theFileSystemIsAskedForReal() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let odd = directory.appendingPathComponent("host:repo")
        try FileManager.default.createDirectory(at: odd, withIntermediateDirectories: true)
        #expect(RepositoryLocation.pathExists(odd.path))
        #expect(!RepositoryLocation.pathExists(directory.appendingPathComponent("absent").path))
        #expect(RepositoryLocation(odd.path) == .path(odd.path))
    }

    @Test func schemes() {
        #expect(RepositoryLocation.hasURLScheme("https://h"))
        #expect(RepositoryLocation.hasURLScheme("svn+ssh://h"))
        #expect(RepositoryLocation.hasURLScheme("1a://h"))   // git's looser first character
        #expect(!RepositoryLocation.hasURLScheme("-a://h"))
        #expect(!RepositoryLocation.hasURLScheme("a b://h"))
        #expect(!RepositoryLocation.hasURLScheme("git@host:/x"))
        #expect(!RepositoryLocation.hasURLScheme("host:/x"))
        #expect(!RepositoryLocation.hasURLScheme("./x://y"))
    }

    @Test func passwordsInSCPLikeAddresses() {
        #expect(RepositoryLocation.isSCPWithPassword("deploy:s3cret@git.example.com:platform/manifests.git"))
        #expect(RepositoryLocation.isSCPWithPassword("[deploy:s3cret@127.0.0.1:2222]:/srv/r.git"))
        #expect(RepositoryLocation.isSCPWithPassword("deploy:se/cr@t@host:r.git"))
        #expect(!RepositoryLocation.isSCPWithPassword("git@github.com:org/repo.git"))
        #expect(!RepositoryLocation.isSCPWithPassword("[git@127.0.0.1:2222]:/srv/r.git"))
        #expect(!RepositoryLocation.isSCPWithPassword("git@host:repo@v1"))
        #expect(RepositoryLocation.isSCPWithPassword("host:repo@v1"))   // ambiguous: refused (ssh://host/~/repo@v1 says it)
        #expect(!RepositoryLocation.isSCPWithPassword("https://u:p@h/r"))   // a URL: its password is used
        #expect(!RepositoryLocation.isSCPWithPassword("./a:b@c"))
    }

    @Test func aPasswordInAnSCPLikeAddressIsRefusedBeforeAnyConnection() throws {
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        // Were libgit2 asked, it would look up a host named `deploy` and send it `s3cret@127.0.0.1:...` as a path.
        let spec = "deploy:s3cret@127.0.0.1:platform/manifests.git"
        do {
            _ = try GitCache(root: cache.path).repository(for: spec, credentials: GitCredentials())
            Issue.record("an scp-like address with a password was used")
        } catch {
            #expect(error == GitError(.other, "***@127.0.0.1:platform/manifests.git: an scp-like address cannot carry a password (a colon before its '@'): use an ssh key (--ssh-key) or the agent; a path holding '@' can be written ssh://host/~/path"))
            #expect(!error.message.contains("s3cret"))
        }
        #expect(treeListing(cache.path).isEmpty, "nothing cached: \(treeListing(cache.path))")
    }

    @Test func theCLITakesSCPLikeAddressesForRemotes() throws {
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        let env = ["XDG_CACHE_HOME": cache.path, "HOME": cache.path, "SSH_AUTH_SOCK": ""]
        // Not "no such repository" (a path) any more: an ssh connection is tried, to a closed port, or to port 22.
        let port = try freePort()
        for spec in ["[deploy@127.0.0.1:\(port)]:platform/manifests.git", "deploy@127.0.0.1:platform/manifests.git"] {
            let result = try runBallast(["lint", "--repo", spec], environment: env, timeout: 60)
            #expect(result.status == 3, "\(spec): \(result.stdout)\(result.stderr)")
            #expect(!result.stderr.contains("no such repository"), "\(spec): \(result.stderr)")
            #expect(result.stderr.contains("127.0.0.1"), "\(spec): \(result.stderr)")
        }
        let closed = try runBallast(["lint", "--repo", "[deploy@127.0.0.1:\(port)]:platform/manifests.git"], environment: env, timeout: 60)
        #expect(closed.stderr.contains("failed to connect"), "\(closed.stderr)")
        // A password is refused before any connection, and never printed.
        let password = try runBallast(["lint", "--repo", "deploy:s3cret@127.0.0.1:platform/manifests.git"], environment: env, timeout: 60)
        #expect(password.status == 3, "\(password.stdout)\(password.stderr)")
        #expect(password.stderr.contains("***@127.0.0.1:platform/manifests.git: an scp-like address cannot carry a password"), "\(password.stderr)")
        #expect(!password.stdout.contains("s3cret") && !password.stderr.contains("s3cret"))
        // A path is still a path, colon or not.
        let missing = try runBallast(["lint", "--repo", "./no/such:repo"], environment: env, timeout: 60)
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("./no/such:repo: no such repository"), "\(missing.stderr)")
    }

    @Test func redaction() {
        // A login is not a secret, and the path is relative to its home: it stays.
        #expect(redactURL("git@github.com:org/repo.git") == "git@github.com:org/repo.git")
        #expect(redactURL("[git@127.0.0.1:2222]:/srv/r.git") == "[git@127.0.0.1:2222]:/srv/r.git")
        #expect(redactURL("git.example.com:org/repo.git") == "git.example.com:org/repo.git")
        // A password never prints, wherever it is in the text and whatever it holds.
        #expect(redactURL("deploy:s3cret@git.example.com:platform/m.git") == "***@git.example.com:platform/m.git")
        #expect(redactURL("[deploy:s3cret@127.0.0.1:2222]:/srv/r.git") == "[***@127.0.0.1:2222]:/srv/r.git")
        #expect(redactURL("deploy:p@ss/w:rd@host:r.git") == "***@host:r.git")
        #expect(redactCredentials(in: "could not clone 'deploy:s3cret@h:r.git': failed to resolve address for deploy")
                == "could not clone '***@h:r.git': failed to resolve address for deploy")
        #expect(redactCredentials(in: "fetch (u:pw@h:a) and https://x:tok@h/b and git@h:c")
                == "fetch (***@h:a) and https://***@h/b and git@h:c")
        #expect(GitError(.other, "could not clone u:pw@h:x").message == "could not clone ***@h:x")
        // Text that only looks alike is left alone.
        #expect(redactCredentials(in: "unknown ref refs/heads/a@{1} in /srv/r") == "unknown ref refs/heads/a@{1} in /srv/r")
        #expect(redactCredentials(in: "mail admin@example.com") == "mail admin@example.com")
    }

    @Test func cacheKeys() {
        let cache = GitCache(root: "/c")
        // An scp-like login stays in the key: alice's repo.git and bob's repo.git are two repositories.
        #expect(GitCache.cacheKey("git@github.com:org/repo.git") == "git@github.com:org/repo.git")
        #expect(cache.directory(for: "alice@h:repo.git") != cache.directory(for: "bob@h:repo.git"))
        #expect(cache.directory(for: "ssh://alice@h/~/repo.git") != cache.directory(for: "ssh://bob@h/~/repo.git"))
        #expect(cache.directory(for: "git@github.com:org/repo.git").hasPrefix("/c/git-github.com-org-repo.git-"))
        #expect(cache.directory(for: "[git@127.0.0.1:2222]:/srv/r.git").hasPrefix("/c/git-127.0.0.1-2222-srv-r.git-"))
        // Passwords and tokens are never in the key or the directory name, and do not split the cache.
        #expect(GitCache.cacheKey("ssh://git:pw@h/r") == "ssh://git@h/r")
        #expect(GitCache.cacheKey("https://user:tok@h/r") == "https://h/r")
        #expect(GitCache.cacheKey("https://ghp_token@h/r") == "https://h/r")
        #expect(GitCache.cacheKey("deploy:s3cret@h:r.git") == "h:r.git")
        #expect(cache.directory(for: "https://a:one@h/r") == cache.directory(for: "https://b:two@h/r"))
        for url in ["deploy:s3cret@h:r.git", "https://u:s3cret@h/r", "ssh://u:s3cret@h/r", "[u:s3cret@h:22]:r"] {
            #expect(!cache.directory(for: url).contains("s3cret"), "\(url)")
        }
        // Two URLs that sanitize alike stay apart (the hash is of the key, not of the name).
        #expect(cache.directory(for: "h:a-b") != cache.directory(for: "h:a/b"))
    }
}
