import Foundation
import Glibc
import GitSource
import ManifestIO

/// Where the files of a desired state live: a directory on disk, or a git tree (read from the object
/// database). Paths are as reports name them (relative to the current directory, or to the repository).
protocol SourceTree {
    /// The bytes of a file, nil when it does not exist (or is a directory).
    func bytes(_ path: String) -> [UInt8]?
    func isDirectory(_ path: String) -> Bool
    func isFile(_ path: String) -> Bool
    /// A directory on disk holding the tree, for `kubectl kustomize` (a git tree is exported first), and
    /// what to remove afterwards.
    func materialize() throws -> (root: String, cleanup: String?)
}

/// Files on disk, named as the user named them, relative to `root` (the current directory by default).
struct DiskTree: SourceTree {
    var root: String?

    func location(_ path: String) -> String {
        guard let root else { return path.isEmpty ? "." : path }
        if path.hasPrefix("/") { return path }
        return path.isEmpty ? root : root + "/" + path
    }
    func bytes(_ path: String) -> [UInt8]? {
        FileManager.default.contents(atPath: location(path)).map { [UInt8]($0) }
    }
    func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(location(path), &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }
    func isFile(_ path: String) -> Bool {
        var st = stat()
        return stat(location(path), &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }
    func materialize() throws -> (root: String, cleanup: String?) { (root ?? FileManager.default.currentDirectoryPath, nil) }
}

/// The files of a commit, by repository path, read from the object database when asked for. Blobs over
/// the size cap read as absent and are recorded in `oversize`.
final class GitTree: SourceTree {
    let repository: GitRepository
    let files: [String: ObjectID]
    let directories: Set<String>
    let maxBlobSize: Int
    private(set) var oversize: Set<String> = []

    init(repository: GitRepository, files: [String: ObjectID], maxBlobSize: Int) {
        self.repository = repository; self.maxBlobSize = maxBlobSize
        self.files = files
        var directories: Set<String> = [""]
        for path in files.keys {
            var dir = ManifestRule.directory(path)
            while !dir.isEmpty, directories.insert(dir).inserted { dir = ManifestRule.directory(dir) }
        }
        self.directories = directories
    }

    func bytes(_ path: String) -> [UInt8]? {
        guard let id = files[path] else { return nil }
        let read: [UInt8]?
        // A blob that cannot be read is absent here: kustomize then reports the file missing.
        do { read = try repository.blob(id, maxSize: maxBlobSize) } catch { return nil }
        guard let read else { oversize.insert(path); return nil }
        return read
    }
    /// The files `paths` as inputs, in that order, each blob read after its delta base
    /// (`GitRepository.readingOrder`: a whole tree read in path order grows faster than the tree). Files
    /// absent or over the cap are left out, as `bytes` leaves them.
    func inputs(_ paths: [String]) -> [ManifestInput] {
        let present = paths.indices.filter { files[paths[$0]] != nil }
        var read = [[UInt8]?](repeating: nil, count: paths.count)
        for k in repository.readingOrder(present.map { files[paths[$0]]! }) { read[present[k]] = bytes(paths[present[k]]) }
        return paths.indices.compactMap { i in read[i].map { ManifestInput(name: paths[i], source: .bytes($0)) } }
    }
    func isDirectory(_ path: String) -> Bool { directories.contains(path) }
    func isFile(_ path: String) -> Bool { files[path] != nil }

    /// Writes every file of the tree into a fresh private temporary directory (kustomize reads files, not
    /// git objects). The caller removes it.
    func materialize() throws -> (root: String, cleanup: String?) {
        let base = ProcessInfo.processInfo.environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        // mkdtemp replaces the template's last six characters, which must be "X".
        var template = Array((base + "/ballast-tree-" + String(repeating: "X", count: 6)).utf8CString)
        guard let made = template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw RenderFailure("could not create a temporary directory: \(String(cString: strerror(errno)))")
        }
        let root = String(cString: made)
        for path in files.keys.sorted() {
            guard let bytes = bytes(path) else { continue }
            let full = root + "/" + path
            try FileManager.default.createDirectory(atPath: ManifestRule.directory(full), withIntermediateDirectories: true)
            guard FileManager.default.createFile(atPath: full, contents: Data(bytes)) else {
                throw RenderFailure("could not write \(path) to the temporary tree")
            }
        }
        return (root, root)
    }
}

/// Why a kustomization could not be rendered.
struct RenderFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Joins a directory and a relative path, resolving `.` and `..` (a path that climbs above the tree's
/// root keeps its leading `..`, and is then not found).
func joinPath(_ directory: String, _ relative: String) -> String {
    let absolute = relative.hasPrefix("/") || (directory.hasPrefix("/") && !relative.hasPrefix("/"))
    var parts: [Substring] = relative.hasPrefix("/") ? [] : directory.split(separator: "/")
    for part in relative.split(separator: "/") {
        if part == "." || part.isEmpty { continue }
        if part == "..", let last = parts.last, last != ".." { parts.removeLast(); continue }
        parts.append(part)
    }
    return (absolute ? "/" : "") + parts.joined(separator: "/")
}
