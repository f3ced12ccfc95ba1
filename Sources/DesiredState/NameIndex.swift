import Foundation
import Glibc

/// The name fields of one file: the values of `name:` keys (what it declares, and the ConfigMaps, Secrets and
/// containers it names), and the values of the other keys ending in `Name` (`storageClassName:`,
/// `serviceName:`, `claimName:`: what it refers to).
struct BlobNames: Equatable {
    var names = Set<String>()
    var references = Set<String>()

    /// Whether the file names one of `tokens` in a `name:` field: it may declare what a change refers to.
    func declaresAny(of tokens: Set<String>) -> Bool { !names.isDisjoint(with: tokens) }
    /// Whether the file names one of `tokens` in any name field: it may refer to what a change deletes.
    func namesAny(of tokens: Set<String>) -> Bool { !names.isDisjoint(with: tokens) || !references.isDisjoint(with: tokens) }
    /// Whether the file names every one of `tokens`, in any name field.
    func namesAll(of tokens: Set<String>) -> Bool { tokens.allSatisfy { names.contains($0) || references.contains($0) } }
}

/// Per repository, the name fields of each blob (`BlobNames`), kept in the cache directory: blobs never
/// change, so a later gate reads only the blobs it has not seen. A missing or unreadable index is rebuilt.
/// A line is the blob id, then its names, then its references marked `~` (a byte no name holds).
struct NameIndex {
    /// The index file's bytes; a blob's names are parsed from its line only when asked for.
    private var data: [UInt8] = []
    private var lines: [String: Range<Int>] = [:]
    /// The lines learned by this run, in the file's format (`save` appends them): a first gate records
    /// every blob of the repository, so what it learns is kept as bytes, not as sets of strings per blob.
    private var pending: [UInt8] = []
    private var pendingLines: [String: Range<Int>] = [:]
    private let path: String
    /// Bumped when `extract` learns new keys: an index written by an older extraction would hide referrers.
    static let format = 2

    init(repositoryPath: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? "/tmp") + "/.cache")
        var hash: UInt64 = 0xcbf29ce484222325
        let absolute = repositoryPath.hasPrefix("/") ? repositoryPath : FileManager.default.currentDirectoryPath + "/" + repositoryPath
        for b in absolute.utf8 { hash = (hash ^ UInt64(b)) &* 0x100000001b3 }
        path = base + "/ballast/names/" + String(hash, radix: 16) + ".v\(Self.format).idx"
        // Absent or unreadable: start empty (the index is only a cache).
        guard let contents = FileManager.default.contents(atPath: path) else { return }
        data = [UInt8](contents)
        var start = 0
        for i in data.indices where data[i] == 0x0A {
            if i - start >= 40 {
                lines[String(decoding: data[start..<(start + 40)], as: UTF8.self)] = (start + 40)..<i
            }
            start = i + 1
        }
    }

    /// The name fields of a blob's file, when the index has seen the blob.
    func names(of blob: String) -> BlobNames? {
        if let range = pendingLines[blob] { return Self.parse(pending, range) }
        guard let range = lines[blob] else { return nil }
        return Self.parse(data, range)
    }

    /// Whether the index has seen the blob.
    func knows(_ blob: String) -> Bool { pendingLines[blob] != nil || lines[blob] != nil }

    /// The names of a line's range (after its blob id, up to its newline).
    private static func parse(_ data: [UInt8], _ range: Range<Int>) -> BlobNames {
        var names = BlobNames()
        var start = range.lowerBound
        for i in range.lowerBound...range.upperBound where i == range.upperBound || data[i] == 0x20 {
            if i > start {
                if data[start] == Self.referenceMark {
                    if i > start + 1 { names.references.insert(String(decoding: data[(start + 1)..<i], as: UTF8.self)) }
                } else {
                    names.names.insert(String(decoding: data[start..<i], as: UTF8.self))
                }
            }
            start = i + 1
        }
        return names
    }

    /// Notes a blob's names, as the line `save` will write.
    mutating func record(_ blob: String, _ names: BlobNames) {
        guard pendingLines[blob] == nil && lines[blob] == nil else { return }
        pending += blob.utf8
        let start = pending.count
        for name in names.names.sorted() { pending.append(0x20); pending += name.utf8 }
        for name in names.references.sorted() { pending.append(0x20); pending.append(Self.referenceMark); pending += name.utf8 }
        pendingLines[blob] = start..<pending.count
        pending.append(0x0A)
    }

    private static let referenceMark = UInt8(ascii: "~")

    /// Appends what was learned (atomically; a failure only costs speed next time).
    func save() {
        guard !pending.isEmpty else { return }
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        // The old lines then the new ones, written from where they are (no copy of either: a first gate of a
        // large repository learns tens of megabytes).
        let fd = open(path + ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        var written = true
        for part in [data, pending] where written {
            written = part.withUnsafeBytes { bytes in
                var at = 0
                while at < bytes.count {
                    let n = write(fd, bytes.baseAddress! + at, bytes.count - at)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { return false }
                    at += n
                }
                return true
            }
        }
        guard close(fd) == 0 && written else { unlink(path + ".tmp"); return }
        _ = rename(path + ".tmp", path)
    }

    /// The values of name fields (YAML or JSON) in a file's bytes: a byte scan, no parse. A name field is a
    /// key that is `name` (also after a `/`, as in `app.kubernetes.io/name`), or a reference: a key ending
    /// in `Name` after a lowercase letter (`storageClassName`, `serviceName`, `claimName`, `secretName`).
    static func extract(_ bytes: [UInt8]) -> BlobNames {
        var names = BlobNames()
        let n = bytes.count
        var i = 0
        while i + 5 < n {
            if bytes[i + 1] == UInt8(ascii: "a") && bytes[i + 2] == UInt8(ascii: "m") && bytes[i + 3] == UInt8(ascii: "e")
                && isKeyStart(bytes, i) {
                var j = i + 4
                if j < n && bytes[j] == UInt8(ascii: "\"") { j += 1 }
                if j < n && bytes[j] == UInt8(ascii: ":") {
                    j += 1
                    while j < n && (bytes[j] == 0x20 || bytes[j] == 0x09) { j += 1 }
                    if j < n && (bytes[j] == UInt8(ascii: "\"") || bytes[j] == UInt8(ascii: "'")) { j += 1 }
                    let start = j
                    while j < n && isNameByte(bytes[j]) { j += 1 }
                    if j > start {
                        let value = String(decoding: bytes[start..<j], as: UTF8.self)
                        if bytes[i] == UInt8(ascii: "N") { names.references.insert(value) } else { names.names.insert(value) }
                    }
                    i = j
                    continue
                }
            }
            i += 1
        }
        return names
    }

    /// Whether `bytes[i]` starts the `name`/`Name` ending of a key: `n` after a non-identifier byte, or `N`
    /// after a lowercase letter (camelCase).
    private static func isKeyStart(_ bytes: [UInt8], _ i: Int) -> Bool {
        switch bytes[i] {
        case UInt8(ascii: "n"): return i == 0 || !isNameByte(bytes[i - 1])
        case UInt8(ascii: "N"): return i > 0 && bytes[i - 1] >= UInt8(ascii: "a") && bytes[i - 1] <= UInt8(ascii: "z")
        default: return false
        }
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E || b == 0x5F
    }
}

