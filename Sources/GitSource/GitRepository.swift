internal import CGit2
import Synchronization

/// A commit, tree or blob id (hex).
public struct ObjectID: Hashable, Sendable, CustomStringConvertible {
    public let hex: String
    public init(hex: String) { self.hex = hex }
    public var description: String { hex }
    public var short: String { String(hex.prefix(12)) }

    init(_ oid: UnsafePointer<git_oid>) {
        var buffer = [CChar](repeating: 0, count: 41)
        git_oid_tostr(&buffer, 41, oid)
        hex = String(decoding: buffer.prefix(40).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    func withOID<T>(_ body: (UnsafePointer<git_oid>) throws(GitError) -> T) throws(GitError) -> T {
        var oid = git_oid()
        try GitError.check(git_oid_fromstr(&oid, hex), "invalid object id \(hex)")
        return try withUnsafePointer(to: &oid) { (p) throws(GitError) -> T in try body(p) }
    }
}

/// A file of a tree: its repository path, blob and mode.
public struct GitFile: Sendable, Hashable {
    public var path: String
    public var blob: ObjectID
    public var mode: UInt32
}

/// Something skipped while reading a tree (a submodule, a symlink, a blob over the size cap).
public struct GitNote: Sendable, Hashable {
    public var path: String
    public var message: String
}

/// One changed file between two trees.
public struct GitChange: Sendable, Hashable {
    public enum Status: String, Sendable { case added, deleted, modified, renamed, copied, typeChanged }
    public var status: Status
    public var oldPath: String?
    public var newPath: String?
    public var oldBlob: ObjectID?
    public var newBlob: ObjectID?
}

/// Clone or fetch progress: objects received of the total, bytes received.
public struct GitProgress: Sendable {
    public var receivedObjects: Int
    public var totalObjects: Int
    public var receivedBytes: Int
}

/// How to authenticate to a remote. The token is sent as the password of HTTP basic auth, with the URL's
/// user or `x-access-token` (GitHub, GitLab and Gitea accept this); user and password from the URL are used
/// only when the URL gives them.
public struct GitCredentials: Sendable {
    public var token: String?
    public var sshKeyPath: String?
    public init(token: String? = nil, sshKeyPath: String? = nil) { self.token = token; self.sshKeyPath = sshKeyPath }

    /// `BALLAST_GIT_TOKEN` from the environment.
    public static func fromEnvironment(_ environment: [String: String], sshKeyPath: String? = nil) -> GitCredentials {
        GitCredentials(token: environment["BALLAST_GIT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }, sshKeyPath: sshKeyPath)
    }
}

/// libgit2 is initialised once per process, and only by commands that read git (its init loads the CA
/// bundle: about 3 ms).
private let libgit2Ready: Bool = { git_libgit2_init() > 0 }()

/// Owns a `git_repository`. Not Sendable: one task uses it (libgit2 objects are not shared across threads).
public final class GitRepository {
    private let repo: OpaquePointer
    /// Where it lives on disk.
    public let path: String

    private init(_ repo: OpaquePointer, path: String) {
        self.repo = repo
        self.path = path
        var remote: OpaquePointer?
        isClone = git_repository_is_bare(repo) == 1 && git_remote_lookup(&remote, repo, "origin") == 0
        if let remote { git_remote_free(remote) }
        git_error_clear()
    }

    /// A bare clone with an origin (the clone cache): branches resolve to the remote's.
    private let isClone: Bool
    deinit { git_repository_free(repo) }

    /// Opens a work tree or a bare repository. Wraps `git_repository_open_ext`.
    public static func open(path: String) throws(GitError) -> GitRepository {
        _ = libgit2Ready
        var repo: OpaquePointer?
        let code = git_repository_open_ext(&repo, path, UInt32(GIT_REPOSITORY_OPEN_NO_SEARCH.rawValue), nil)
        guard code == 0, let repo else {
            if code == GIT_ENOTFOUND.rawValue { throw GitError(.notARepository, "\(path) is not a git repository") }
            throw GitError.last(code, "could not open \(path)")
        }
        return GitRepository(repo, path: path)
    }

    /// A bare clone of `url` into `directory`. Wraps `git_clone`.
    public static func clone(url: String, into directory: String, credentials: GitCredentials = GitCredentials(),
                             progress: (@Sendable (GitProgress) -> Void)? = nil) throws(GitError) -> GitRepository {
        _ = libgit2Ready
        var options = git_clone_options()
        try GitError.check(git_clone_options_init(&options, UInt32(GIT_CLONE_OPTIONS_VERSION)), "clone options")
        options.bare = 1
        let context = RemoteContext(url: url, credentials: credentials, progress: progress)
        return try withExtendedLifetime(context) { () throws(GitError) -> GitRepository in
            context.install(into: &options.fetch_opts.callbacks)
            var repo: OpaquePointer?
            let code = context.withCustomHeaders { headers in
                options.fetch_opts.custom_headers = headers
                return git_clone(&repo, url, directory, &options)
            }
            guard code == 0, let repo else { throw context.error(code, "could not clone \(url)") }
            // The clone's config keeps the URL without its user-info: a password or token in the URL given
            // on the command line must not be stored on disk. Fetches pass the full URL again (`fetch(url:)`).
            let stored = withoutUserInfo(url)
            if stored != url {
                let code = git_remote_set_url(repo, "origin", stored)
                if code != 0 { git_repository_free(repo); throw GitError.last(code, "could not record the remote of \(url)") }
            }
            return GitRepository(repo, path: directory)
        }
    }

    /// Fetches every branch and tag of `origin` (pruning deleted ones): only new objects travel. `url`, when
    /// given, is used for this fetch only (it may carry user-info that the stored config must not hold).
    /// FETCH_HEAD is not written: it would record the URL. Wraps `git_remote_fetch`.
    public func fetch(url givenURL: String? = nil, credentials: GitCredentials = GitCredentials(),
                      progress: (@Sendable (GitProgress) -> Void)? = nil) throws(GitError) {
        var remote: OpaquePointer?
        try GitError.check(git_remote_lookup(&remote, repo, "origin"), "no remote origin in \(path)")
        guard let remote else { throw GitError(.other, "no remote origin in \(path)") }
        defer { git_remote_free(remote) }
        if let givenURL { try GitError.check(git_remote_set_instance_url(remote, givenURL), "could not use \(givenURL)") }
        let url = git_remote_url(remote).map { String(cString: $0) } ?? "origin"
        var options = git_fetch_options()
        try GitError.check(git_fetch_options_init(&options, UInt32(GIT_FETCH_OPTIONS_VERSION)), "fetch options")
        options.prune = GIT_FETCH_PRUNE
        options.update_fetchhead = 0
        options.download_tags = GIT_REMOTE_DOWNLOAD_TAGS_ALL
        let context = RemoteContext(url: url, credentials: credentials, progress: progress)
        try withExtendedLifetime(context) { () throws(GitError) in
            context.install(into: &options.callbacks)
            let code = context.withCustomHeaders { headers in
                options.custom_headers = headers
                return git_remote_fetch(remote, nil, &options, "fetch")
            }
            if code != 0 { throw context.error(code, "could not fetch \(url)") }
        }
    }

    /// Checks that every remote branch of a clone names a readable commit with a readable root tree: a cached
    /// clone whose pack was truncated or whose objects were removed fails here (`.corrupt`), before anything
    /// is read from it. Wraps `git_reference_foreach_glob`, `git_commit_lookup` and `git_commit_tree`.
    public func verifyRefs() throws(GitError) {
        let names = RefNames()
        let code = withExtendedLifetime(names) {
            git_reference_foreach_glob(repo, "refs/remotes/origin/*", { name, payload in
                guard let name, let payload else { return -1 }
                Unmanaged<RefNames>.fromOpaque(payload).takeUnretainedValue().names.append(String(cString: name))
                return 0
            }, Unmanaged.passUnretained(names).toOpaque())
        }
        if code < 0 { throw GitError(.corrupt, "the refs of \(path) cannot be read") }
        for name in names.names where !name.hasSuffix("/HEAD") {
            var object: OpaquePointer?
            guard git_revparse_single(&object, repo, name) == 0, let object else {
                throw GitError(.corrupt, "\(name) in \(path) names a missing or damaged object")
            }
            defer { git_object_free(object) }
            var commit: OpaquePointer?
            guard git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0, let commit else {
                throw GitError(.corrupt, "\(name) in \(path) names a missing or damaged commit")
            }
            defer { git_object_free(commit) }
            let tree = try tree(of: ObjectID(git_object_id(commit)))
            git_tree_free(tree)
        }
        git_error_clear()
    }

    /// The commit a ref names: a branch (local, or `origin/` in a clone), a tag (peeled), a full or short
    /// commit id, `HEAD`. Wraps `git_revparse_single` and `git_object_peel`.
    public func resolve(_ ref: String) throws(GitError) -> ObjectID {
        // In a clone, the remote's branches are the truth: fetch updates them, not the local branches.
        let candidates = isClone ? ["refs/remotes/origin/" + ref, ref, "refs/tags/" + ref] : [ref, "origin/" + ref, "refs/tags/" + ref]
        for candidate in candidates {
            var object: OpaquePointer?
            guard git_revparse_single(&object, repo, candidate) == 0, let object else { continue }
            defer { git_object_free(object) }
            var commit: OpaquePointer?
            guard git_object_peel(&commit, object, GIT_OBJECT_COMMIT) == 0, let commit else { continue }
            defer { git_object_free(commit) }
            return ObjectID(git_object_id(commit))
        }
        git_error_clear()
        throw GitError(.unknownRef, "unknown ref \(ref) in \(redactURL(path))")
    }

    /// The default base of a pull request: the merge-base of `origin/HEAD` (else `main`, `master`, or their
    /// `origin/` forms) with `head`.
    public func defaultBase(head: ObjectID) throws(GitError) -> ObjectID {
        for candidate in ["refs/remotes/origin/HEAD", "origin/main", "main", "origin/master", "master"] {
            if let base = try? resolve(candidate) { return try mergeBase(base, head) }
        }
        throw GitError(.unknownRef, "no default branch (origin/HEAD, main or master) to compare with: give --base")
    }

    /// Wraps `git_merge_base`.
    public func mergeBase(_ a: ObjectID, _ b: ObjectID) throws(GitError) -> ObjectID {
        try a.withOID { (pa) throws(GitError) -> ObjectID in
            try b.withOID { (pb) throws(GitError) -> ObjectID in
                var out = git_oid()
                try GitError.check(git_merge_base(&out, repo, pa, pb), "no common ancestor of \(a.short) and \(b.short)")
                return withUnsafePointer(to: &out) { ObjectID($0) }
            }
        }
    }

    private func tree(of commit: ObjectID) throws(GitError) -> OpaquePointer {
        try commit.withOID { (oid) throws(GitError) -> OpaquePointer in
            var object: OpaquePointer?
            try GitError.check(git_commit_lookup(&object, repo, oid), "no commit \(commit.short)")
            guard let object else { throw GitError(.corrupt, "no commit \(commit.short)") }
            defer { git_commit_free(object) }
            var tree: OpaquePointer?
            try GitError.check(git_commit_tree(&tree, object), "no tree for commit \(commit.short)")
            guard let tree else { throw GitError(.corrupt, "no tree for commit \(commit.short)") }
            return tree
        }
    }

    /// The files of a commit's tree, read from the object database (no checkout), under `paths` (all when
    /// empty). Submodules and symlinks are never followed (noted). Wraps `git_tree_walk`.
    public func files(at commit: ObjectID, under paths: [String] = []) throws(GitError) -> (files: [GitFile], notes: [GitNote]) {
        let tree = try tree(of: commit)
        defer { git_tree_free(tree) }
        let walk = TreeWalk(prefixes: paths.map { $0.hasSuffix("/") || $0.isEmpty ? $0 : $0 + "/" }, exact: Set(paths))
        let code = withExtendedLifetime(walk) {
            git_tree_walk(tree, GIT_TREEWALK_PRE, { root, entry, payload in
                guard let entry, let payload else { return -1 }
                let walk = Unmanaged<TreeWalk>.fromOpaque(payload).takeUnretainedValue()
                let path = (root.map { String(cString: $0) } ?? "") + String(cString: git_tree_entry_name(entry))
                switch git_tree_entry_type(entry) {
                case GIT_OBJECT_TREE:
                    return walk.enters(path + "/") ? 0 : 1   // 1 skips the subtree
                case GIT_OBJECT_COMMIT:
                    if walk.includes(path) { walk.notes.append(GitNote(path: path, message: "submodule skipped (not read)")) }
                    return 0
                case GIT_OBJECT_BLOB:
                    guard walk.includes(path) else { return 0 }
                    let mode = git_tree_entry_filemode(entry).rawValue
                    if mode == GIT_FILEMODE_LINK.rawValue {
                        walk.notes.append(GitNote(path: path, message: "symbolic link skipped (links are never followed)"))
                        return 0
                    }
                    walk.files.append(GitFile(path: path, blob: ObjectID(git_tree_entry_id(entry)), mode: mode))
                    return 0
                default:
                    return 0
                }
            }, Unmanaged.passUnretained(walk).toOpaque())
        }
        try GitError.check(code, "could not read the tree of \(commit.short)")
        // Sizes are not read here: a header read costs a delta resolution per blob, and most callers read
        // few blobs. `blob(_:maxSize:)` checks the cap when a blob is read.
        let files = walk.files
        let notes = walk.notes
        return (files, notes)
    }

    /// Indices into `ids` in the order that reads their blobs fastest: each after its delta base (`PackOrder`).
    /// Reading many blobs in tree order grows faster than their number once they outgrow libgit2's cache.
    public func readingOrder(_ ids: [ObjectID]) -> [Int] {
        guard ids.count > 1, let common = git_repository_commondir(repo) else { return Array(ids.indices) }
        var directory = String(cString: common)
        if !directory.hasSuffix("/") { directory += "/" }
        return PackOrder.order(ids, objectsDirectory: directory + "objects")
    }

    /// A blob's size from the object database header, without reading it. Wraps `git_odb_read_header`.
    public func size(of id: ObjectID) throws(GitError) -> Int {
        var odb: OpaquePointer?
        try GitError.check(git_repository_odb(&odb, repo), "no object database")
        defer { git_odb_free(odb) }
        var size = 0
        var type = GIT_OBJECT_INVALID
        try id.withOID { (oid) throws(GitError) in
            try GitError.check(git_odb_read_header(&size, &type, odb, oid), "missing blob \(id.short)")
        }
        return size
    }

    /// A blob's bytes, or nil when it is larger than `maxSize` (checked before reading).
    public func blob(_ id: ObjectID, maxSize: Int) throws(GitError) -> [UInt8]? {
        try size(of: id) > maxSize ? nil : blob(id)
    }

    /// A blob's bytes, straight from the object database. Wraps `git_blob_lookup`.
    public func blob(_ id: ObjectID) throws(GitError) -> [UInt8] {
        try id.withOID { (oid) throws(GitError) -> [UInt8] in
            var blob: OpaquePointer?
            try GitError.check(git_blob_lookup(&blob, repo, oid), "could not read blob \(id.short)")
            guard let blob else { throw GitError(.corrupt, "could not read blob \(id.short)") }
            defer { git_blob_free(blob) }
            let size = Int(git_blob_rawsize(blob))
            guard size > 0, let raw = git_blob_rawcontent(blob) else { return [] }
            return Array(UnsafeRawBufferPointer(start: raw, count: size))
        }
    }

    /// The files that differ between two commits, renames detected (a moved file is one rename, not a
    /// delete and an add; identical files are paired however many moved). Wraps `git_diff_tree_to_tree`
    /// and `git_diff_find_similar`.
    public func diff(from old: ObjectID, to new: ObjectID, under paths: [String] = []) throws(GitError) -> [GitChange] {
        let oldTree = try tree(of: old)
        defer { git_tree_free(oldTree) }
        let newTree = try tree(of: new)
        defer { git_tree_free(newTree) }
        var diff: OpaquePointer?
        try GitError.check(git_diff_tree_to_tree(&diff, repo, oldTree, newTree, nil), "could not diff \(old.short)..\(new.short)")
        guard let diff else { return [] }
        defer { git_diff_free(diff) }
        var find = git_diff_find_options()
        try GitError.check(git_diff_find_options_init(&find, UInt32(GIT_DIFF_FIND_OPTIONS_VERSION)), "diff options")
        find.flags = GIT_DIFF_FIND_RENAMES.rawValue
        try GitError.check(git_diff_find_similar(diff, &find), "rename detection")
        var changes: [GitChange] = []
        let zero = String(repeating: "0", count: 40)
        for i in 0..<git_diff_num_deltas(diff) {
            guard let delta = git_diff_get_delta(diff, i)?.pointee else { continue }
            let status: GitChange.Status
            switch delta.status {
            case GIT_DELTA_ADDED: status = .added
            case GIT_DELTA_DELETED: status = .deleted
            case GIT_DELTA_RENAMED: status = .renamed
            case GIT_DELTA_COPIED: status = .copied
            case GIT_DELTA_TYPECHANGE: status = .typeChanged
            default: status = .modified
            }
            var oldFile = delta.old_file, newFile = delta.new_file
            let oldID = withUnsafePointer(to: &oldFile.id) { ObjectID($0) }
            let newID = withUnsafePointer(to: &newFile.id) { ObjectID($0) }
            let change = GitChange(status: status,
                                   oldPath: status == .added ? nil : oldFile.path.map { String(cString: $0) },
                                   newPath: status == .deleted ? nil : newFile.path.map { String(cString: $0) },
                                   oldBlob: oldID.hex == zero ? nil : oldID, newBlob: newID.hex == zero ? nil : newID)
            changes.append(change)
        }
        return GitChange.pairingIdenticalBlobs(changes).filter { change in
            paths.isEmpty || [change.oldPath, change.newPath].compactMap { $0 }.contains { p in
                paths.contains { p == $0 || p.hasPrefix($0.hasSuffix("/") ? $0 : $0 + "/") }
            }
        }
    }
}

/// Reference names collected through libgit2's payload pointer.
private final class RefNames { var names: [String] = [] }

/// `https://user:token@host/x` → `https://host/x`; ssh URLs keep their user (a login name, not a secret, and
/// the one the server expects); URLs without user-info unchanged.
func withoutUserInfo(_ url: String) -> String {
    guard !url.hasPrefix("ssh://"), let end = schemeEnd(url) else { return url }
    let rest = url[end...]
    let authority = rest[..<(rest.firstIndex(of: "/") ?? rest.endIndex)]
    guard let at = authority.lastIndex(of: "@") else { return url }
    return String(url[..<end]) + String(rest[rest.index(after: at)...])
}

/// State of one tree walk, reached through libgit2's payload pointer.
private final class TreeWalk {
    let prefixes: [String]
    let exact: Set<String>
    var files: [GitFile] = []
    var notes: [GitNote] = []
    init(prefixes: [String], exact: Set<String>) { self.prefixes = prefixes; self.exact = exact }

    func includes(_ path: String) -> Bool {
        prefixes.isEmpty || exact.contains(path) || prefixes.contains { path.hasPrefix($0) }
    }
    /// Whether a directory can hold included files.
    func enters(_ directory: String) -> Bool {
        prefixes.isEmpty || prefixes.contains { directory.hasPrefix($0) || $0.hasPrefix(directory) }
            || exact.contains { $0.hasPrefix(directory) }
    }
}
