import Glibc
import KubeModel

/// Clones of remote repositories under `$XDG_CACHE_HOME/ballast/repos/` (default `~/.cache`): cloned the first
/// time, fetched incrementally after.
public struct GitCache: Sendable {
    public var root: String
    /// How long `repository(for:)` waits for another process that holds the cached clone's lock.
    public var lockTimeoutSeconds: Double = 600

    public init(environment: [String: String]) {
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"].map { $0 + "/.cache" } ?? "/tmp")
        root = base + "/ballast/repos"
    }

    public init(root: String) { self.root = root }

    /// `https://host/org/repo.git` → `https-host-org-repo.git-<hash>`: readable, unique per URL (credentials
    /// excluded, see `cacheKey`).
    public func directory(for url: String) -> String {
        let clean = GitCache.cacheKey(url)
        var name = ""
        for c in clean.unicodeScalars {
            name.unicodeScalars.append(c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "." ? c : "-")
        }
        while name.contains("--") { name = name.replacingAll("--", "-") }
        // FNV-1a of the credential-free URL keeps two URLs that sanitize alike apart.
        var hash: UInt64 = 0xcbf29ce484222325
        for b in clean.utf8 { hash = (hash ^ UInt64(b)) &* 0x100000001b3 }
        return root + "/" + String(name.trimmingCharacters(in: "-").suffix(80)) + "-" + String(hash, radix: 16)
    }

    /// What names a cached clone: `url` without password or token. An ssh login stays (`ssh://git@host/x`,
    /// `git@host:x`): a path relative to the login's home (`alice@host:repo.git`, `ssh://alice@host/~/repo.git`)
    /// is another repository for another login, so two logins must not share a clone. Any other user-info goes,
    /// as an https user may be the token itself (`https://<token>@host/x`).
    static func cacheKey(_ url: String) -> String {
        guard let end = schemeEnd(url) else {
            return redactCredentials(in: url).replacingAll("***@", "")   // scp-like: a login stays, a password goes
        }
        let rest = url[end...]
        let authority = rest[..<(rest.firstIndex(of: "/") ?? rest.endIndex)]
        guard let at = authority.lastIndex(of: "@") else { return url }
        let host = rest[rest.index(after: at)...]
        guard ["ssh://", "ssh+git://", "git+ssh://"].contains(url[..<end].lowercased()) else { return String(url[..<end] + host) }
        let login = authority[..<at].prefix(while: { $0 != ":" })
        return String(url[..<end] + login + "@" + host)
    }

    /// The cached clone of `url`, fetched up to date; cloned first when absent. A cached clone that cannot be
    /// opened or fetched because its objects are damaged is removed and cloned again (never read as if whole).
    /// Clone and fetch hold an exclusive lock on `<directory>.lock` (flock), so two processes sharing one
    /// cache take turns instead of racing on the same refs and packs; waiting longer than
    /// `lockTimeoutSeconds` is an error.
    public func repository(for url: String, credentials: GitCredentials,
                           progress: (@Sendable (GitProgress) -> Void)? = nil) throws(GitError) -> GitRepository {
        guard !RepositoryLocation.isSCPWithPassword(url) else {
            // Refused before libgit2 connects to `user` as a host and sends it the password as part of a path.
            throw GitError(.other, "\(url): an scp-like address cannot carry a password (a colon before its '@'): use an ssh key (--ssh-key) or the agent; a path holding '@' can be written ssh://host/~/path")
        }
        let directory = directory(for: url)
        try makeDirectories(root)
        let lock = try CacheLock(path: directory + ".lock", timeoutSeconds: lockTimeoutSeconds)
        defer { lock.release() }
        var st = stat()
        if stat(directory, &st) == 0 {
            do throws(GitError) {
                let repository = try GitRepository.open(path: directory)
                try repository.fetch(url: url, credentials: credentials, progress: progress)
                try repository.verifyRefs()
                return repository
            } catch where error.kind == .corrupt || error.kind == .notARepository {
                // A damaged cache (a truncated pack, lost objects, a half-removed directory) is repaired by a
                // fresh clone; other errors (unreachable, refused) are the remote's and are reported as they are.
                let damaged = directory + ".damaged-\(getpid())"
                guard rename(directory, damaged) == 0 else {
                    throw GitError(.corrupt, "the cached clone \(directory) is damaged and cannot be moved aside: \(String(cString: strerror(errno)))")
                }
                removeTree(damaged)
            }
        }
        let partial = directory + ".partial-\(getpid())"
        removeTree(partial)
        defer { removeTree(partial) }
        _ = try GitRepository.clone(url: url, into: partial, credentials: credentials, progress: progress)
        guard rename(partial, directory) == 0 else {
            throw GitError(.other, "could not move the clone into the cache \(directory): \(String(cString: strerror(errno)))")
        }
        return try GitRepository.open(path: directory)
    }

    private func makeDirectories(_ path: String) throws(GitError) {
        var current = ""
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o700) != 0 && errno != EEXIST {
                throw GitError(.other, "could not create \(current): \(String(cString: strerror(errno)))")
            }
        }
    }
}

/// Removes a directory tree (a failed clone), without following symlinks.
func removeTree(_ path: String) {
    var st = stat()
    guard lstat(path, &st) == 0 else { return }
    if (st.st_mode & S_IFMT) == S_IFDIR {
        if let dir = opendir(path) {
            while let entry = readdir(dir) {
                let name = withUnsafePointer(to: entry.pointee.d_name) {
                    $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
                }
                if name != "." && name != ".." { removeTree(path + "/" + name) }
            }
            closedir(dir)
        }
        rmdir(path)
    } else {
        unlink(path)
    }
}


/// An exclusive `flock` on a cached clone's lock file, held while it is cloned or fetched.
final class CacheLock {
    private var fd: Int32

    /// Waits (polling, so the wait is bounded) until the lock is ours. Wraps `flock(LOCK_EX | LOCK_NB)`.
    init(path: String, timeoutSeconds: Double) throws(GitError) {
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw GitError(.other, "could not open the cache lock \(path): \(String(cString: strerror(errno)))") }
        var waited = 0.0
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let problem = String(cString: strerror(errno))
                close(fd); fd = -1
                throw GitError(.other, "could not lock the cache \(path): \(problem)")
            }
            guard waited < timeoutSeconds else {
                close(fd); fd = -1
                throw GitError(.other, "the cached clone is locked by another process (\(path)) for more than \(Int(timeoutSeconds)) s")
            }
            usleep(50_000)
            waited += 0.05
        }
    }

    /// Closing the descriptor releases the lock.
    func release() { if fd >= 0 { close(fd); fd = -1 } }
    deinit { release() }
}
