public import KubeModel

/// Reads JSON (RFC 8259) into `Value`, with a span on every node. Integers that fit Int64 become `.int`,
/// other numbers keep their exact text. Depth is bounded, so hostile input cannot overflow the stack.
public struct JSONReader {
    public static let defaultMaxDepth = 512

    private let bytes: UnsafeBufferPointer<UInt8>
    private let file: FileID
    private let maxDepth: Int
    private var i = 0
    private var line: UInt32 = 1
    private var lineStart = 0
    private var columnLine = -1, columnIndex = 0, columnValue = 1

    /// Parses one JSON document (surrounding white space allowed). Throws `ManifestError.json`.
    public static func parse(_ bytes: [UInt8], file: FileID, maxDepth: Int = defaultMaxDepth) throws(ManifestError) -> Value {
        try bytes.withUnsafeBufferPointer { (buffer) throws(ManifestError) -> Value in
            var reader = JSONReader(bytes: buffer, file: file, maxDepth: maxDepth)
            return try reader.document()
        }
    }

    /// Parses a buffer without copying it.
    public static func parse(buffer: UnsafeBufferPointer<UInt8>, file: FileID,
                             maxDepth: Int = defaultMaxDepth) throws(ManifestError) -> Value {
        var reader = JSONReader(bytes: buffer, file: file, maxDepth: maxDepth)
        return try reader.document()
    }

    private init(bytes: UnsafeBufferPointer<UInt8>, file: FileID, maxDepth: Int) {
        self.bytes = bytes; self.file = file; self.maxDepth = maxDepth
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3; lineStart = 3 }
    }

    private var span: SourceSpan {
        mutating get { SourceSpan(file: file, start: Position(line: line, column: UInt32(clamping: column(at: i)))) }
    }

    /// 1-based column in characters (UTF-8 continuation bytes do not count). Counting resumes from the
    /// last position asked for on the same line, so minified one-line JSON stays linear.
    private mutating func column(at index: Int) -> Int {
        if columnLine != lineStart || columnIndex > index { columnLine = lineStart; columnIndex = lineStart; columnValue = 1 }
        while columnIndex < index && columnIndex < bytes.count {
            if bytes[columnIndex] & 0xC0 != 0x80 { columnValue += 1 }
            columnIndex += 1
        }
        return columnValue
    }

    private mutating func fail(_ problem: String) -> ManifestError { .json(problem: problem, at: span) }

    private mutating func document() throws(ManifestError) -> Value {
        skipSpace()
        let v = try value(depth: 0)
        skipSpace()
        guard i == bytes.count else { throw fail("unexpected \(describe(bytes[i])) after the JSON value") }
        return v
    }

    private func describe(_ b: UInt8) -> String {
        b >= 0x21 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : String(format16(b))
    }
    private func format16(_ b: UInt8) -> String { "byte 0x" + String(b, radix: 16) }

    private mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x09, 0x0D: i += 1
            case 0x0A: i += 1; line += 1; lineStart = i
            default: return
            }
        }
    }

    private mutating func value(depth: Int) throws(ManifestError) -> Value {
        guard i < bytes.count else { throw fail("unexpected end of input, expected a value") }
        let start = span
        switch bytes[i] {
        case UInt8(ascii: "{"):
            guard depth < maxDepth else { throw ManifestError.nestingTooDeep(limit: maxDepth, at: start) }
            i += 1
            var entries: [Value.Entry] = []
            var seen: [String: SourceSpan] = [:]
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "}") { i += 1; return Value(.map(entries), span: start) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                    if i < bytes.count && bytes[i] == UInt8(ascii: "}") && !entries.isEmpty {
                        throw fail("trailing comma before '}' (JSON allows none)")
                    }
                    throw fail(i < bytes.count ? "expected a string key, found \(describe(bytes[i]))" : "unexpected end of input, expected a key")
                }
                let keySpan = span
                let key = try string()
                if let first = seen[key] { throw ManifestError.duplicateKey(key, at: keySpan, first: first) }
                seen[key] = keySpan
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after a key") }
                i += 1
                skipSpace()
                let v = try value(depth: depth + 1)
                entries.append(Value.Entry(key: key, keySpan: keySpan, value: v))
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end of input inside an object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return Value(.map(entries), span: start) }
                throw fail("expected ',' or '}' in an object, found \(describe(bytes[i]))")
            }
        case UInt8(ascii: "["):
            guard depth < maxDepth else { throw ManifestError.nestingTooDeep(limit: maxDepth, at: start) }
            i += 1
            var items: [Value] = []
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "]") { i += 1; return Value(.list(items), span: start) }
            while true {
                skipSpace()
                if i < bytes.count && bytes[i] == UInt8(ascii: "]") && !items.isEmpty {
                    throw fail("trailing comma before ']' (JSON allows none)")
                }
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end of input inside an array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return Value(.list(items), span: start) }
                throw fail("expected ',' or ']' in an array, found \(describe(bytes[i]))")
            }
        case UInt8(ascii: "\""):
            return Value(.string(try string()), span: start)
        case UInt8(ascii: "t"): try literal("true"); return Value(.bool(true), span: start)
        case UInt8(ascii: "f"): try literal("false"); return Value(.bool(false), span: start)
        case UInt8(ascii: "n"): try literal("null"); return Value(.null, span: start)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return Value(try number(), span: start)
        default:
            throw fail("unexpected \(describe(bytes[i])), expected a value")
        }
    }

    private mutating func literal(_ word: String) throws(ManifestError) {
        let expected = Array(word.utf8)
        guard i + expected.count <= bytes.count else { throw fail("invalid literal") }
        for k in 0..<expected.count where bytes[i + k] != expected[k] { throw fail("invalid literal") }
        i += expected.count
    }

    private mutating func number() throws(ManifestError) -> Value.Kind {
        let start = i
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        func digit(_ k: Int) -> Bool { k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 }
        guard digit(i) else { throw fail("invalid number") }
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else { while digit(i) { i += 1 } }
        var isInteger = true
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            isInteger = false; i += 1
            guard digit(i) else { throw fail("invalid number: digits expected after '.'") }
            while digit(i) { i += 1 }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            isInteger = false; i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard digit(i) else { throw fail("invalid number: digits expected in the exponent") }
            while digit(i) { i += 1 }
        }
        let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self)
        if isInteger, let n = Int64(text) { return .int(n) }
        return .number(text)
    }

    private mutating func hex4() throws(ManifestError) -> UInt32 {
        guard i + 4 <= bytes.count else { throw fail("invalid \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[i]
            let d: UInt32
            switch b {
            case 0x30...0x39: d = UInt32(b - 0x30)
            case 0x41...0x46: d = UInt32(b - 0x41 + 10)
            case 0x61...0x66: d = UInt32(b - 0x61 + 10)
            default: throw fail("invalid \\u escape")
            }
            v = v << 4 | d
            i += 1
        }
        return v
    }

    private mutating func string() throws(ManifestError) -> String {
        i += 1   // opening quote
        let start = i
        // Fast path: no escapes.
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
        if i < bytes.count && bytes[i] == UInt8(ascii: "\"") {
            let raw = UnsafeBufferPointer(rebasing: bytes[start..<i])
            guard let s = String(validating: raw, as: UTF8.self) else { throw fail("invalid UTF-8 in a string") }
            i += 1
            return s
        }
        var out: [UInt8] = Array(bytes[start..<i])
        while true {
            guard i < bytes.count else { throw fail("unterminated string") }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; break }
            if b < 0x20 { throw fail("control character in a string") }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < bytes.count else { throw fail("unterminated string") }
            let e = bytes[i]; i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try hex4()
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        throw fail("unpaired surrogate in a \\u escape")
                    }
                    i += 2
                    let low = try hex4()
                    guard low >= 0xDC00 && low < 0xE000 else { throw fail("unpaired surrogate in a \\u escape") }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    throw fail("unpaired surrogate in a \\u escape")
                }
                guard let u = Unicode.Scalar(scalar) else { throw fail("invalid \\u escape") }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: throw fail("invalid escape in a string")
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { throw fail("invalid UTF-8 in a string") }
        return s
    }
}
