import KubeModel
import Findings

/// A report as it is being rendered: UTF-8 appended in one pass, handed over once. A report of tens of
/// thousands of findings is written byte by byte here rather than as many small `String`s joined.
struct ReportBuffer {
    private(set) var bytes: [UInt8] = []
    /// Where a streaming buffer hands its bytes (`spill`); nil: they all stay in `bytes`.
    private let sink: (([UInt8]) -> Void)?
    private let chunk: Int

    init(capacity: Int) { bytes.reserveCapacity(capacity); sink = nil; chunk = .max }

    /// A buffer that streams: `spill()` hands the bytes to `sink` once they reach `chunk`, so a report of
    /// hundreds of megabytes never sits in memory whole; the caller hands over what is left at the end.
    init(chunk: Int = 1 << 20, sink: @escaping ([UInt8]) -> Void) {
        bytes.reserveCapacity(chunk + chunk / 4)
        self.sink = sink
        self.chunk = chunk
    }

    /// Between items: hands a full chunk to the sink (a buffer without one keeps everything).
    mutating func spill() {
        guard let sink, bytes.count >= chunk else { return }
        sink(bytes)
        bytes.removeAll(keepingCapacity: true)
    }

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }

    mutating func append(byte: UInt8) { bytes.append(byte) }

    mutating func append(_ n: Int) { bytes.append(contentsOf: String(n).utf8) }

    mutating func append(_ flag: Bool) { append(flag ? "true" : "false") }

    /// `text` as a JSON string literal (`jsonQuoted`).
    mutating func appendJSON(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        appendJSONText(text)
        bytes.append(UInt8(ascii: "\""))
    }

    /// `text` as a JSON string literal, or `null`.
    mutating func appendJSON(_ text: String?) {
        if let text { appendJSON(text) } else { append("null") }
    }

    /// `text` spelt as inside a JSON string literal. KubeModel's escaping leaves C1 controls (U+0080...U+009F)
    /// as they are, which JSON allows but a terminal may obey (`cat report.json`): they become `\u00XX` here.
    private mutating func appendJSONText(_ text: String) {
        guard hasC1Control(text) else { appendJSONEscaped(text, to: &bytes); return }
        var run = ""
        for scalar in text.unicodeScalars {
            guard (0x80...0x9F).contains(scalar.value) else { run.unicodeScalars.append(scalar); continue }
            appendJSONEscaped(run, to: &bytes)
            run = ""
            append("\\u00" + hex2(scalar.value))
        }
        appendJSONEscaped(run, to: &bytes)
    }

    /// `Kind/namespace/name` (`ObjectRef.description`) as a JSON string literal, or `null`.
    mutating func appendJSON(_ object: ObjectRef?) {
        guard let object else { append("null"); return }
        bytes.append(UInt8(ascii: "\""))
        appendJSONText(object.kind)
        bytes.append(UInt8(ascii: "/"))
        if let namespace = object.namespace {
            appendJSONText(namespace)
            bytes.append(UInt8(ascii: "/"))
        }
        appendJSONText(object.name)
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

extension ReportBuffer {
    /// `text` as a terminal shows it harmlessly: control characters (C0, DEL, C1) and the bidirectional
    /// overrides that reorder what a reader sees are spelt out (`\n`, `\x1B`, `\u{202E}`), so a manifest
    /// value can neither move the cursor, recolour the screen nor break the one-line-per-item layout.
    /// Text without them (nearly all) is copied as it is.
    mutating func appendVisible(_ text: String) {
        if isVisible(text) { append(text) } else { append(visibleText(text)) }
    }
}

/// Whether `text` holds nothing `visibleText` would change: no byte below 0x20, no DEL, no UTF-8 lead
/// byte of a C1 control (0xC2 0x80...0x9F) or of a bidirectional control (0xE2 0x80/0x81 ...).
func isVisible(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte < 0x20 || byte == 0x7F { return false }
            if byte == 0xC2, i + 1 < bytes.count, bytes[i + 1] < 0xA0 { return false }
            if byte == 0xE2 { return false }   // rare: checked exactly on the slow path
            i += 1
        }
        return true
    }
}

/// `text` with control and bidirectional-override characters spelt out (see `appendVisible`). With
/// `keepingLineBreaks`, `\n` and `\r` stay (for formats that escape them their own way).
func visibleText(_ text: String, keepingLineBreaks: Bool = false) -> String {
    if isVisible(text) { return text }
    var out = ""
    out.unicodeScalars.reserveCapacity(text.unicodeScalars.count + 8)
    for scalar in text.unicodeScalars {
        switch scalar.value {
        case 0x0A where keepingLineBreaks, 0x0D where keepingLineBreaks, 0x09: out.unicodeScalars.append(scalar)
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x00..<0x20, 0x7F...0x9F: out += "\\x" + hex2(scalar.value)
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out
}

/// Whether `text` holds a C1 control character (UTF-8 0xC2 0x80...0x9F).
func hasC1Control(_ text: String) -> Bool {
    var text = text
    return text.withUTF8 { bytes in
        guard bytes.count > 1 else { return false }
        for i in 0..<(bytes.count - 1) where bytes[i] == 0xC2 && bytes[i + 1] < 0xA0 { return true }
        return false
    }
}

func hex2(_ value: UInt32) -> String {
    let digits = Array("0123456789ABCDEF")
    return String(digits[Int(value >> 4) & 0xF]) + String(digits[Int(value & 0xF)])
}

extension ReportBuffer {
    /// The items of a drift item's `attribution` array (JSON and SARIF write the same objects).
    mutating func appendAttributionItems(_ attribution: [Attribution]) {
        for (i, a) in attribution.enumerated() {
            if i > 0 { append(", ") }
            append("{\"manager\": "); appendJSON(a.manager)
            append(", \"operation\": "); appendJSON(a.operation)
            append(", \"subresource\": "); appendJSON(a.subresource)
            append(", \"time\": "); appendJSON(a.time)
            append("}")
        }
    }
}
