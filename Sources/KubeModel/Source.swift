import Synchronization

/// A file that values were read from: an index into the process-wide file table, so that every span
/// of a file shares one copy of its path and a span stays 12 bytes.
public struct FileID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let index: UInt32

    /// Registers `path` (once; later calls return the same id).
    public init(_ path: String) { index = FileTable.shared.register(path) }

    /// A file already registered, by its index.
    init(index: UInt32) { self.index = index }

    /// The path as the user named it (a repo path for git input, `<stdin>` for standard input).
    public var path: String { FileTable.shared.path(of: index) }
    public var description: String { path }
    public static func < (a: FileID, b: FileID) -> Bool { a.path < b.path }
    /// Standard input, as `-` is reported.
    public static var stdin: FileID { FileID("<stdin>") }
}

/// The paths behind `FileID`s. Thread-safe; entries are never removed (a run reads a bounded set of files).
final class FileTable: Sendable {
    static let shared = FileTable()
    private struct State { var paths: [String] = []; var ids: [String: UInt32] = [:] }
    private let state = Mutex(State())

    func register(_ path: String) -> UInt32 {
        state.withLock { s in
            if let id = s.ids[path] { return id }
            let id = UInt32(s.paths.count)
            s.paths.append(path)
            s.ids[path] = id
            return id
        }
    }

    func path(of index: UInt32) -> String {
        state.withLock { s in Int(index) < s.paths.count ? s.paths[Int(index)] : "<unknown>" }
    }
}

/// A position in a file, 1-based as editors count.
public struct Position: Hashable, Sendable, Comparable {
    public var line: UInt32
    public var column: UInt32
    public init(line: UInt32, column: UInt32) { self.line = line; self.column = column }
    public static func < (a: Position, b: Position) -> Bool { (a.line, a.column) < (b.line, b.column) }
}

/// Where a value was written.
public struct SourceSpan: Hashable, Sendable, CustomStringConvertible {
    public var file: FileID
    public var start: Position
    public init(file: FileID, start: Position) { self.file = file; self.start = start }
    public init(file: FileID, line: Int, column: Int) {
        self.init(file: file, start: Position(line: UInt32(clamping: line), column: UInt32(clamping: column)))
    }
    public var line: Int { Int(start.line) }
    public var column: Int { Int(start.column) }
    /// `file:line:col`, as compilers and kube-linter print it.
    public var description: String { "\(file.path):\(start.line):\(start.column)" }
}
