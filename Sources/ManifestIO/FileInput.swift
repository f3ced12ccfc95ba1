import Glibc
import KubeModel
public import Findings

/// A file to read: a path on disk, standard input, or bytes already in memory (a git blob).
public struct ManifestInput: Sendable {
    public enum Source: Sendable { case path(String), stdin, bytes([UInt8]) }
    /// How findings name the file.
    public var name: String
    public var source: Source
    public init(name: String, source: Source) { self.name = name; self.source = source }
    public var isJSON: Bool { name.hasSuffix(".json") }
}

/// Lists the YAML and JSON files under the paths a user names, as kubectl `-f DIR -R` would. Which of them
/// are manifests is decided above (DesiredState's `ManifestRule`); policy packs use the same walk.
public enum ManifestFinder {
    /// Files, directories (recursive, hidden directories skipped) or `-`. A path that does not exist is a
    /// read failure.
    public static func collect(_ paths: [String]) -> (inputs: [ManifestInput], failures: [ReadFailure], notes: [Finding]) {
        var inputs: [ManifestInput] = []
        var failures: [ReadFailure] = []
        var notes: [Finding] = []
        for path in paths {
            if path == "-" { inputs.append(ManifestInput(name: "<stdin>", source: .stdin)); continue }
            var st = stat()
            guard stat(path, &st) == 0 else {
                failures.append(ReadFailure(source: path, reason: String(cString: strerror(errno))))
                continue
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                var found: [String] = []
                walk(directory: path, into: &found, notes: &notes, failures: &failures)
                found.sort()
                inputs += found.map { ManifestInput(name: display($0), source: .path($0)) }
            } else {
                inputs.append(ManifestInput(name: display(path), source: .path(path)))
            }
        }
        return (inputs, failures, notes)
    }

    /// `./a/b.yaml` → `a/b.yaml`.
    static func display(_ path: String) -> String {
        // Most paths have no `./`: the name is then the path itself, one copy of it, not two.
        guard path.hasPrefix("./") else { return path }
        var p = Substring(path)
        while p.hasPrefix("./") { p = p.dropFirst(2) }
        return String(p)
    }

    public static func isManifestName(_ name: String) -> Bool {
        name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json")
    }

    private static func walk(directory: String, into found: inout [String], notes: inout [Finding],
                             failures: inout [ReadFailure]) {
        guard let dir = opendir(directory) else {
            failures.append(ReadFailure(source: directory, reason: String(cString: strerror(errno))))
            return
        }
        defer { closedir(dir) }
        var entries: [(name: String, type: UInt8)] = []
        while let entry = readdir(dir) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." { continue }
            entries.append((name, entry.pointee.d_type))
        }
        entries.sort { $0.name < $1.name }
        let prefix = directory.hasSuffix("/") ? directory : directory + "/"
        for (name, type) in entries {
            let path = prefix + name
            // The entry's own type, as lstat would give it: a symlink is never followed (it could leave the
            // tree or loop). Only file systems that do not fill d_type cost a stat per entry.
            var isDirectory = type == UInt8(DT_DIR), isFile = type == UInt8(DT_REG)
            if type == UInt8(DT_UNKNOWN) {
                var st = stat()
                guard lstat(path, &st) == 0 else { continue }
                isDirectory = (st.st_mode & S_IFMT) == S_IFDIR
                isFile = (st.st_mode & S_IFMT) == S_IFREG
            }
            if isDirectory {
                if name.hasPrefix(".") { continue }   // .git, .github, editor folders
                walk(directory: path, into: &found, notes: &notes, failures: &failures)
            } else if isFile, isManifestName(name) || name == "Kustomization" {
                found.append(path)
            }
        }
    }
}

enum FileBytes {
    /// The whole file, or an errno message.
    static func read(path: String, limit: Int) -> Result<[UInt8], ReadError> {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(.cannotOpen(String(cString: strerror(errno)))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(.cannotOpen(String(cString: strerror(errno)))) }
        if Int(st.st_size) > limit { return .failure(.tooLarge) }
        return readAll(fd: fd, sizeHint: Int(st.st_size), limit: limit)
    }

    static func readStdin(limit: Int) -> Result<[UInt8], ReadError> { readAll(fd: 0, sizeHint: 65536, limit: limit) }

    enum ReadError: Error { case cannotOpen(String), tooLarge }

    private static func readAll(fd: Int32, sizeHint: Int, limit: Int) -> Result<[UInt8], ReadError> {
        var buffer = [UInt8](repeating: 0, count: max(sizeHint, 4096) + 1)
        var count = 0
        while true {
            if count == buffer.count {
                if buffer.count > limit { return .failure(.tooLarge) }
                buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count))
            }
            let n = buffer.withUnsafeMutableBytes { raw in
                Glibc.read(fd, raw.baseAddress! + count, raw.count - count)
            }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.cannotOpen(String(cString: strerror(errno))))
            }
            if n == 0 { break }
            count += n
        }
        if count > limit { return .failure(.tooLarge) }
        buffer.removeSubrange(count...)
        return .success(buffer)
    }
}
