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

/// Finds the manifest files under the paths a user names, as kubectl `-f DIR -R` would.
public enum ManifestFinder {
    /// Files, directories (recursive, hidden directories skipped) or `-`. A path that does not exist is a
    /// read failure; kustomizations and Helm charts are skipped with a note.
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
                if let note = skipNote(for: path) { notes.append(note); continue }
                inputs.append(ManifestInput(name: display(path), source: .path(path)))
            }
        }
        return (inputs, failures, notes)
    }

    /// `./a/b.yaml` → `a/b.yaml`.
    static func display(_ path: String) -> String {
        var p = Substring(path)
        while p.hasPrefix("./") { p = p.dropFirst(2) }
        return String(p)
    }

    public static func isManifestName(_ name: String) -> Bool {
        name.hasSuffix(".yaml") || name.hasSuffix(".yml") || name.hasSuffix(".json")
    }

    /// A note when `path` is a kustomization or Helm chart file, which Ballast does not render.
    public static func skipNote(for path: String) -> Finding? {
        let base = path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
        return skipNote(for: path, base: base)
    }

    /// `skipNote(for:)` when the file's base name is known already (a directory entry).
    static func skipNote(for path: String, base: String) -> Finding? {
        // Most files are neither: decide from the name before registering a file id.
        guard base == "kustomization.yaml" || base == "kustomization.yml" || base == "Kustomization"
                || base == "Chart.yaml" || base == "Chart.yml" else { return nil }
        let span = SourceSpan(file: FileID(display(path)), line: 1, column: 1)
        switch base {
        case "kustomization.yaml", "kustomization.yml", "Kustomization":
            return Finding(ruleID: "kustomization-skipped", severity: .info,
                           message: "kustomization skipped: render it and pipe it (kubectl kustomize DIR | ballast lint -)",
                           span: span)
        case "Chart.yaml", "Chart.yml":
            return Finding(ruleID: "helm-chart-skipped", severity: .info,
                           message: "Helm chart file skipped: render it and pipe it (helm template . | ballast lint -)",
                           span: span)
        default:
            return nil
        }
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
        let isChart = entries.contains { $0.name == "Chart.yaml" || $0.name == "Chart.yml" }
        if isChart {
            notes.append(Finding(ruleID: "helm-chart-skipped", severity: .info,
                                 message: "Helm chart skipped: render it and pipe it (helm template DIR | ballast lint -)",
                                 span: SourceSpan(file: FileID(display(directory + "/Chart.yaml")), line: 1, column: 1)))
            return
        }
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
            } else if isFile, isManifestName(name) {
                if let note = skipNote(for: path, base: name) { notes.append(note); continue }
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
