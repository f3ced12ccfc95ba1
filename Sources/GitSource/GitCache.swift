import Glibc
import KubeModel

/// Clones of remote repositories under `$XDG_CACHE_HOME/ballast/repos/` (default `~/.cache`): cloned the first
/// time, fetched incrementally after.
public struct GitCache: Sendable {
    public var root: String

    public init(environment: [String: String]) {
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (environment["HOME"].map { $0 + "/.cache" } ?? "/tmp")
        root = base + "/ballast/repos"
    }

    public init(root: String) { self.root = root }

    /// `https://host/org/repo.git` → `host-org-repo-<hash>`: readable, unique per URL (credentials excluded).
    public func directory(for url: String) -> String {
        let clean = redactURL(url).replacingAll("***@", "")
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

    /// The cached clone of `url`, fetched up to date; cloned first when absent.
    public func repository(for url: String, credentials: GitCredentials,
                           progress: (@Sendable (GitProgress) -> Void)? = nil) throws(GitError) -> GitRepository {
        let directory = directory(for: url)
        var st = stat()
        if stat(directory + "/HEAD", &st) == 0 {
            let repository = try GitRepository.open(path: directory)
            try repository.fetch(credentials: credentials, progress: progress)
            return repository
        }
        try makeDirectories(root)
        let partial = directory + ".partial-\(getpid())"
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

