import KubeModel

/// A report as it is being rendered: UTF-8 appended in one pass, handed over once. A report of tens of
/// thousands of findings is written byte by byte here rather than as many small `String`s joined.
struct ReportBuffer {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func append(byte: UInt8) { bytes.append(byte) }

    mutating func append(_ n: Int) { bytes.append(contentsOf: String(n).utf8) }

    mutating func append(_ flag: Bool) { append(flag ? "true" : "false") }

    /// `text` as a JSON string literal (`jsonQuoted`).
    mutating func appendJSON(_ text: String) { appendJSONQuoted(text, to: &bytes) }

    /// `text` as a JSON string literal, or `null`.
    mutating func appendJSON(_ text: String?) {
        if let text { appendJSONQuoted(text, to: &bytes) } else { append("null") }
    }

    /// `Kind/namespace/name` (`ObjectRef.description`) as a JSON string literal, or `null`.
    mutating func appendJSON(_ object: ObjectRef?) {
        guard let object else { append("null"); return }
        bytes.append(UInt8(ascii: "\""))
        appendJSONEscaped(object.kind, to: &bytes)
        bytes.append(UInt8(ascii: "/"))
        if let namespace = object.namespace {
            appendJSONEscaped(namespace, to: &bytes)
            bytes.append(UInt8(ascii: "/"))
        }
        appendJSONEscaped(object.name, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// `n` as a JSON number, or `null`.
    mutating func appendJSON(_ n: Int?) {
        if let n { append(n) } else { append("null") }
    }

    /// `text` with each character of `replacements` replaced by its text, as chained `replacingAll`
    /// calls would do when no replacement text contains a later target. Plain ASCII (one byte, one
    /// character) is mapped byte by byte; other text goes through `replacingAll` itself, so characters are
    /// matched as Swift compares them (a `\n` inside `\r\n` is not a `\n`).
    mutating func append(_ text: String, replacing replacements: ByteReplacements) {
        guard text.isPlainASCII else {
            var replaced = text
            for (byte, replacement) in replacements.pairs {
                replaced = replaced.replacingAll(String(UnicodeScalar(byte)), replacement)
            }
            append(replaced)
            return
        }
        var text = text
        text.withUTF8 { source in
            var start = 0
            for i in 0..<source.count {
                guard let replacement = replacements.table[Int(source[i])] else { continue }
                bytes.append(contentsOf: source[start..<i])
                bytes.append(contentsOf: replacement)
                start = i + 1
            }
            bytes.append(contentsOf: source[start..<source.count])
        }
    }
}

/// ASCII characters and their replacement texts, in the order a `replacingAll` chain applies them.
struct ByteReplacements: Sendable {
    let pairs: [(UInt8, String)]
    let table: [[UInt8]?]
    init(_ pairs: [(Character, String)]) {
        self.pairs = pairs.map { ($0.0.asciiValue ?? 0, $0.1) }
        var table = [[UInt8]?](repeating: nil, count: 128)
        for (byte, replacement) in self.pairs { table[Int(byte)] = Array(replacement.utf8) }
        self.table = table
    }
}

/// The path of the last file asked for: findings come sorted by file, so a file's second finding skips
/// the process-wide file table.
struct PathCache {
    private var last: (FileID, String)?
    mutating func path(of file: FileID) -> String {
        if let last, last.0 == file { return last.1 }
        let path = file.path
        last = (file, path)
        return path
    }
}
