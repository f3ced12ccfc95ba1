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

    private mutating func string() throws(ManifestError) -> String {
        var j = i
        let decoded = JSONStringDecoder.decode(bytes, at: &j)
        i = j
        switch decoded {
        case .success(let s): return s
        case .failure(let problem): throw fail(problem.message)
        }
    }
}
