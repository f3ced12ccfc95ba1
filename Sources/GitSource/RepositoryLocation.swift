import Glibc

/// Where a `--repo` value points: a repository on this machine, or a remote to clone into the cache.
///
/// Decided as git decides it (git's `url.c` `is_url` and `url_is_local_not_ssh`, which `connect.c`
/// `parse_connect_url` and `transport.c` use; `builtin/clone.c` looks for a local path first):
/// 1. `scheme://...` (`https://`, `ssh://`, `git://`, `file://`; git's `[A-Za-z0-9][A-Za-z0-9+.-]*://`) is a
///    URL. libgit2 also picks its transport by this prefix before it looks at the file system.
/// 2. Otherwise, a path that exists here is local, even with a colon in it (`git clone` does this).
/// 3. Otherwise, scp-like `[user@]host:path` is remote when there is a colon and no slash before the first
///    one: `git@github.com:org/repo.git`, `deploy@git.example.com:platform/manifests.git`,
///    `git.example.com:org/repo.git`, and `[user@host:port]:path`, the one scp-like form that carries a
///    port (libgit2 1.5's `git_net_url_parse_scp` accepts it, as git does). `./a:b` and `/x/y:z` have a slash
///    before the colon, so they stay paths.
/// 4. Anything else is a path.
///
/// Windows drive letters (`C:\repo`, which git keeps local) are not handled: Ballast runs on Linux.
public enum RepositoryLocation: Equatable, Sendable {
    /// A repository on this machine (work tree or bare), opened in place. It may not exist.
    case path(String)
    /// A remote repository, by URL or in scp-like form, cloned into the cache and fetched from.
    case remote(String)

    /// Classifies `spec`; `pathExists` is asked only for specs that are not `scheme://` URLs.
    public init(_ spec: String, pathExists: (String) -> Bool = RepositoryLocation.pathExists) {
        if RepositoryLocation.hasURLScheme(spec) {
            self = .remote(spec)
        } else if !pathExists(spec) && RepositoryLocation.isSCPLike(spec) {
            self = .remote(spec)
        } else {
            self = .path(spec)
        }
    }

    /// Whether anything (file, directory, or a symlink's target) exists at `path`. Wraps `stat`.
    public static func pathExists(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0
    }

    /// git's `is_url`: a scheme of `[A-Za-z0-9][A-Za-z0-9+.-]*` followed by `://`.
    public static func hasURLScheme<S: StringProtocol>(_ spec: S) -> Bool {
        var scheme = 0
        for c in spec.utf8 {
            if c == UInt8(ascii: ":") { return scheme > 0 && spec.utf8.dropFirst(scheme).starts(with: "://".utf8) }
            let alphanumeric = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(c | 0x20) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(c)
            let special = c == UInt8(ascii: "+") || c == UInt8(ascii: "-") || c == UInt8(ascii: ".")
            guard alphanumeric || (scheme > 0 && special) else { return false }
            scheme += 1
        }
        return false
    }

    /// git's `!url_is_local_not_ssh` without a scheme: a colon, and no slash before the first one.
    public static func isSCPLike<S: StringProtocol>(_ spec: S) -> Bool {
        guard !hasURLScheme(spec), let colon = spec.firstIndex(of: ":") else { return false }
        return !spec[..<colon].contains("/")
    }

    /// Whether an scp-like `spec` has a colon before its first '@' (`deploy:s3cret@host:path`), read as a
    /// password. Neither git nor libgit2 reads one there: both take `deploy` as the host and send it
    /// `s3cret@host:path` as the repository's path. A login-less address whose path holds '@' (`host:a@b`)
    /// looks the same and is refused too: `ssh://host/~/a@b` names it without doubt.
    static func isSCPWithPassword(_ spec: String) -> Bool {
        let address = spec.hasPrefix("[") ? spec.dropFirst() : Substring(spec)
        guard isSCPLike(spec), let at = address.firstIndex(of: "@") else { return false }
        return address[..<at].contains(":")
    }
}
