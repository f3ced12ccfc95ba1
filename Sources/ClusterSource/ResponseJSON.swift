import KubeModel
import ManifestIO

/// Parses API server responses (compact JSON, often megabytes on one line) into `Value` without spans
/// (live objects come from no file, and spans would cost memory on every node), and records the byte range
/// of each item of a list so that a snapshot writes the items exactly as sent. `ManifestIO.JSONReader` is
/// the reader for files (spans on every node). Linear time; depth is bounded.
struct ResponseJSON {
    struct Failure: Error, Equatable {
        var offset: Int
        var problem: String
    }

    static let maxDepth = 512
    private let bytes: UnsafeBufferPointer<UInt8>
    private var i = 0
    /// Byte ranges of the elements of the top-level `items` array (a list's objects, as sent).
    private var itemRanges: [Range<Int>] = []

    static func parse(_ buffer: UnsafeBufferPointer<UInt8>) throws(Failure) -> Value {
        var parser = ResponseJSON(bytes: buffer)
        parser.skipSpace()
        let value = try parser.value(depth: 0)
        parser.skipSpace()
        guard parser.i == buffer.count else { throw parser.fail("unexpected \(parser.describe()) after the JSON value") }
        return value
    }

    static func parse(_ bytes: [UInt8]) throws(Failure) -> Value {
        try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> Value in try parse(buffer) }
    }

    /// Parses a list response and also returns where each of its `items` lies in `bytes`, so that a
    /// snapshot can store the objects byte for byte as the server sent them.
    static func parseList(_ bytes: [UInt8]) throws(Failure) -> (value: Value, itemRanges: [Range<Int>]) {
        try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> (value: Value, itemRanges: [Range<Int>]) in
            var parser = ResponseJSON(bytes: buffer)
            parser.skipSpace()
            let value = try parser.value(depth: 0)
            parser.skipSpace()
            guard parser.i == buffer.count else { throw parser.fail("unexpected \(parser.describe()) after the JSON value") }
            return (value, parser.itemRanges)
        }
    }

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { i = 3 }
    }

    private func fail(_ problem: String) -> Failure { Failure(offset: i, problem: problem) }

    private func describe() -> String {
        guard i < bytes.count else { return "end of input" }
        let b = bytes[i]
        return b >= 0x21 && b < 0x7F ? "'\(Character(Unicode.Scalar(b)))'" : "byte 0x" + String(b, radix: 16)
    }

    private mutating func skipSpace() {
        while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
    }

    private mutating func value(depth: Int) throws(Failure) -> Value {
        guard i < bytes.count else { throw fail("unexpected end of input, expected a value") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            guard depth < ResponseJSON.maxDepth else { throw fail("nesting deeper than \(ResponseJSON.maxDepth) levels") }
            i += 1
            var entries: [Value.Entry] = []
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "}") { i += 1; return Value(.map(entries)) }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                    throw fail(i < bytes.count ? "expected a string key, found \(describe())" : "unexpected end of input inside an object")
                }
                let key = try string()
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after a key, found \(describe())") }
                i += 1
                skipSpace()
                if depth == 0 && key == "items" && i < bytes.count && bytes[i] == UInt8(ascii: "[") {
                    entries.append(Value.Entry(key: key, value: try items(depth: depth + 1)))
                } else {
                    entries.append(Value.Entry(key: key, value: try value(depth: depth + 1)))
                }
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end of input inside an object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") { i += 1; return Value(.map(entries)) }
                throw fail("expected ',' or '}' in an object, found \(describe())")
            }
        case UInt8(ascii: "["):
            guard depth < ResponseJSON.maxDepth else { throw fail("nesting deeper than \(ResponseJSON.maxDepth) levels") }
            i += 1
            var items: [Value] = []
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "]") { i += 1; return Value(.list(items)) }
            while true {
                skipSpace()
                items.append(try value(depth: depth + 1))
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end of input inside an array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") { i += 1; return Value(.list(items)) }
                throw fail("expected ',' or ']' in an array, found \(describe())")
            }
        case UInt8(ascii: "\""): return Value(.string(try string()))
        case UInt8(ascii: "t"): try literal("true"); return Value(.bool(true))
        case UInt8(ascii: "f"): try literal("false"); return Value(.bool(false))
        case UInt8(ascii: "n"): try literal("null"); return Value(.null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return Value(try number())
        default: throw fail("unexpected \(describe()), expected a value")
        }
    }

    /// The top-level `items` array, recording each element's byte range.
    private mutating func items(depth: Int) throws(Failure) -> Value {
        i += 1
        var items: [Value] = []
        itemRanges = []
        skipSpace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "]") { i += 1; return Value(.list(items)) }
        while true {
            skipSpace()
            let start = i
            items.append(try value(depth: depth + 1))
            itemRanges.append(start..<i)
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end of input inside an array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return Value(.list(items)) }
            throw fail("expected ',' or ']' in an array, found \(describe())")
        }
    }

    private mutating func literal(_ word: StaticString) throws(Failure) {
        let n = word.utf8CodeUnitCount
        guard i + n <= bytes.count else { throw fail("unexpected end of input in a literal") }
        let expected = UnsafeBufferPointer(start: word.utf8Start, count: n)
        for k in 0..<n where bytes[i + k] != expected[k] { throw fail("invalid literal") }
        i += n
    }

    private mutating func number() throws(Failure) -> Value.Kind {
        let start = i
        var negative = false
        if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        func isDigit(_ k: Int) -> Bool { k < bytes.count && bytes[k] >= 0x30 && bytes[k] <= 0x39 }
        guard isDigit(i) else { throw fail("invalid number") }
        var magnitude: UInt64 = 0
        var overflow = false
        if bytes[i] == UInt8(ascii: "0") { i += 1 } else {
            while isDigit(i) {
                let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(UInt64(bytes[i] - 0x30))
                overflow = overflow || o1 || o2
                magnitude = s
                i += 1
            }
        }
        var isInteger = true
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            isInteger = false; i += 1
            guard isDigit(i) else { throw fail("invalid number: digits expected after '.'") }
            while isDigit(i) { i += 1 }
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            isInteger = false; i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
            guard isDigit(i) else { throw fail("invalid number: digits expected in the exponent") }
            while isDigit(i) { i += 1 }
        }
        if isInteger && !overflow {
            if !negative && magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
            if negative && magnitude <= UInt64(Int64.max) + 1 { return .int(magnitude == UInt64(Int64.max) + 1 ? .min : -Int64(magnitude)) }
        }
        return .number(String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self))
    }


    private mutating func string() throws(Failure) -> String {
        var j = i
        let decoded = JSONStringDecoder.decode(bytes, at: &j)
        i = j
        switch decoded {
        case .success(let s): return s
        case .failure(let problem): throw fail(problem.message)
        }
    }
}
