@testable import KubeModel

/// A small JSON reader for schema tests (this target only depends on KubeModel): every value gets the span
/// of its first character and every key the span of its opening quote, 1-based as editors count.
/// Understands the JSON the tests write (no `\u` escapes); anything else is a test error.
struct TestJSON {
    struct Malformed: Error, CustomStringConvertible {
        var description: String
    }

    private let bytes: [UInt8]
    private let file: FileID
    private var i = 0
    private var line: UInt32 = 1
    private var lineStart = 0

    static func parse(_ text: String, file: String = "test.json") throws -> Value {
        var reader = TestJSON(bytes: Array(text.utf8), file: FileID(file))
        let value = try reader.value()
        reader.skipSpace()
        guard reader.i == reader.bytes.count else { throw Malformed(description: "trailing text at \(reader.span)") }
        return value
    }

    private init(bytes: [UInt8], file: FileID) { self.bytes = bytes; self.file = file }

    private var span: SourceSpan { SourceSpan(file: file, line: Int(line), column: i - lineStart + 1) }

    private mutating func skipSpace() {
        while i < bytes.count {
            switch bytes[i] {
            case UInt8(ascii: "\n"): line += 1; i += 1; lineStart = i
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"): i += 1
            default: return
            }
        }
    }

    private mutating func expect(_ c: Character) throws {
        skipSpace()
        guard i < bytes.count, bytes[i] == c.asciiValue else { throw Malformed(description: "expected \(c) at \(span)") }
        i += 1
    }

    private mutating func value() throws -> Value {
        skipSpace()
        guard i < bytes.count else { throw Malformed(description: "unexpected end") }
        let start = span
        switch bytes[i] {
        case UInt8(ascii: "{"):
            i += 1
            var entries: [Value.Entry] = []
            skipSpace()
            if bytes[i] == UInt8(ascii: "}") { i += 1; return Value(.map(entries), span: start) }
            while true {
                skipSpace()
                let keySpan = span
                let key = try string()
                try expect(":")
                entries.append(Value.Entry(key: key, keySpan: keySpan, value: try value()))
                skipSpace()
                if bytes[i] == UInt8(ascii: "}") { i += 1; return Value(.map(entries), span: start) }
                try expect(",")
            }
        case UInt8(ascii: "["):
            i += 1
            var items: [Value] = []
            skipSpace()
            if bytes[i] == UInt8(ascii: "]") { i += 1; return Value(.list(items), span: start) }
            while true {
                items.append(try value())
                skipSpace()
                if bytes[i] == UInt8(ascii: "]") { i += 1; return Value(.list(items), span: start) }
                try expect(",")
            }
        case UInt8(ascii: "\""):
            return Value(.string(try string()), span: start)
        default:
            var end = i
            while end < bytes.count, !" \t\r\n,]}".utf8.contains(bytes[end]) { end += 1 }
            let word = String(decoding: bytes[i..<end], as: UTF8.self)
            i = end
            switch word {
            case "null": return Value(.null, span: start)
            case "true": return Value(.bool(true), span: start)
            case "false": return Value(.bool(false), span: start)
            default:
                if let integer = Int64(word) { return Value(.int(integer), span: start) }
                guard !word.isEmpty else { throw Malformed(description: "unexpected character at \(start)") }
                return Value(.number(word), span: start)
            }
        }
    }

    private mutating func string() throws -> String {
        skipSpace()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { throw Malformed(description: "expected a string at \(span)") }
        i += 1
        var out: [UInt8] = []
        while i < bytes.count, bytes[i] != UInt8(ascii: "\"") {
            if bytes[i] == UInt8(ascii: "\\"), i + 1 < bytes.count {
                i += 1
                switch bytes[i] {
                case UInt8(ascii: "n"): out.append(UInt8(ascii: "\n"))
                case UInt8(ascii: "t"): out.append(UInt8(ascii: "\t"))
                default: out.append(bytes[i])
                }
            } else {
                out.append(bytes[i])
            }
            i += 1
        }
        guard i < bytes.count else { throw Malformed(description: "unterminated string") }
        i += 1
        return String(decoding: out, as: UTF8.self)
    }
}

/// `line:column` of a violation's span, for compact expectations.
func at(_ violation: SchemaViolation) -> String {
    guard let span = violation.span else { return "-" }
    return "\(span.line):\(span.column)"
}

/// Violations of a manifest written as JSON; nil when the kind is not in the table.
func violations(_ json: String, apiVersion: String, kind: String) throws -> [SchemaViolation]? {
    KubeSchema.validate(try TestJSON.parse(json), apiVersion: apiVersion, kind: kind)
}
