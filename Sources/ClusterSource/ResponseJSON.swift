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
    /// When set, each element of the top-level `items` array is packed straight from the bytes (no tree)
    /// and handed here.
    private var packedSink: ((PackedItem) -> Void)?
    private var writer = CompactWriter(capacity: 0)

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

    /// Parses a list response, packing each of its `items` straight from the bytes, without building its
    /// tree: the entries of the item's object (its own `apiVersion` and `kind` left out: the list's are
    /// put in front by `PackedItem.value`), handed over as they are parsed. The returned value's `items` is
    /// empty. An item that is not an object is packed as an object without entries.
    static func parseListPacked(_ bytes: [UInt8], keys: KeyTable, eachItem: (PackedItem) -> Void) throws(Failure) -> Value {
        try withoutActuallyEscaping(eachItem) { (sink) throws(Failure) -> Value in
            try bytes.withUnsafeBufferPointer { (buffer) throws(Failure) -> Value in
                var parser = ResponseJSON(bytes: buffer)
                parser.packedSink = sink
                parser.writer = CompactWriter(capacity: 16 << 10, keys: keys)
                parser.skipSpace()
                let value = try parser.value(depth: 0)
                parser.skipSpace()
                guard parser.i == buffer.count else { throw parser.fail("unexpected \(parser.describe()) after the JSON value") }
                return value
            }
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
            if let packedSink {
                let (count, metadata) = try packItem(depth: depth + 1)
                // A copy: the writer's buffer is reused for the next item.
                packedSink(PackedItem(entries: writer.copyOfBytes()[...], count: count, metadata: metadata, range: start..<i, keys: writer.keys))
                writer.reset()
            } else {
                items.append(try value(depth: depth + 1))
                itemRanges.append(start..<i)
            }
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end of input inside an array") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return Value(.list(items)) }
            throw fail("expected ',' or ']' in an array, found \(describe())")
        }
    }

    // MARK: Packing (no tree)

    /// Packs the entries of one list item into `writer`, leaving out its own `apiVersion` and `kind`;
    /// returns how many were written, and where the value of its (last) `metadata` key lies in the writer.
    private mutating func packItem(depth: Int) throws(Failure) -> (count: Int, metadata: Range<Int>?) {
        guard i < bytes.count else { throw fail("unexpected end of input, expected a value") }
        guard bytes[i] == UInt8(ascii: "{") else {
            _ = try value(depth: depth)   // not an object: validated, and packed as an object without entries
            return (0, nil)
        }
        i += 1
        var count = 0
        var metadata: Range<Int>?
        skipSpace()
        if i < bytes.count && bytes[i] == UInt8(ascii: "}") { i += 1; return (0, nil) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                throw fail(i < bytes.count ? "expected a string key, found \(describe())" : "unexpected end of input inside an object")
            }
            let key = try rawString()
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after a key, found \(describe())") }
            i += 1
            skipSpace()
            if isTypeMeta(key) {
                _ = try value(depth: depth + 1)
            } else {
                let isMetadata: Bool
                switch key {
                case .raw(let range):
                    let utf8 = UnsafeBufferPointer(rebasing: bytes[range])
                    isMetadata = utf8.elementsEqual("metadata".utf8)
                    writer.key(utf8)
                case .decoded(let text):
                    isMetadata = text == "metadata"
                    writer.key(text)
                }
                let valueStart = writer.bytes.count
                try pack(depth: depth + 1)
                if isMetadata { metadata = valueStart..<writer.bytes.count }
                count += 1
            }
            skipSpace()
            guard i < bytes.count else { throw fail("unexpected end of input inside an object") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return (count, metadata) }
            throw fail("expected ',' or '}' in an object, found \(describe())")
        }
    }

    /// A string literal: the bytes between its quotes when it has no escapes (checked as UTF-8), else
    /// its decoded text.
    private enum RawString { case raw(Range<Int>), decoded(String) }

    private mutating func rawString() throws(Failure) -> RawString {
        let start = i + 1
        var j = start
        var ascii = true
        while j < bytes.count {
            let b = bytes[j]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { break }
            if b >= 0x80 { ascii = false }
            j += 1
        }
        if j < bytes.count && bytes[j] == UInt8(ascii: "\"") {
            if !ascii && String(validating: UnsafeBufferPointer(rebasing: bytes[start..<j]), as: UTF8.self) == nil {
                i = j
                throw fail("invalid UTF-8 in a string")
            }
            i = j + 1
            return .raw(start..<j)
        }
        return .decoded(try string())
    }

    /// Whether a key is `apiVersion` or `kind`.
    private func isTypeMeta(_ key: RawString) -> Bool {
        switch key {
        case .decoded(let text): return text == "apiVersion" || text == "kind"
        case .raw(let range):
            let key = UnsafeBufferPointer(rebasing: bytes[range])
            return key.elementsEqual("kind".utf8) || key.elementsEqual("apiVersion".utf8)
        }
    }

    /// Packs one value into `writer`.
    private mutating func pack(depth: Int) throws(Failure) {
        guard i < bytes.count else { throw fail("unexpected end of input, expected a value") }
        switch bytes[i] {
        case UInt8(ascii: "{"):
            guard depth < ResponseJSON.maxDepth else { throw fail("nesting deeper than \(ResponseJSON.maxDepth) levels") }
            i += 1
            let mark = writer.openMap()
            var count = 0
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "}") { i += 1; _ = writer.close(mark, count: 0); return }
            while true {
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                    throw fail(i < bytes.count ? "expected a string key, found \(describe())" : "unexpected end of input inside an object")
                }
                switch try rawString() {
                case .raw(let range): writer.key(UnsafeBufferPointer(rebasing: bytes[range]))
                case .decoded(let text): writer.key(text)
                }
                skipSpace()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { throw fail("expected ':' after a key, found \(describe())") }
                i += 1
                skipSpace()
                try pack(depth: depth + 1)
                count += 1
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end of input inside an object") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "}") {
                    i += 1
                    guard writer.close(mark, count: count) else { throw fail("an object with more than \(CompactWriter.maxChildren) keys") }
                    return
                }
                throw fail("expected ',' or '}' in an object, found \(describe())")
            }
        case UInt8(ascii: "["):
            guard depth < ResponseJSON.maxDepth else { throw fail("nesting deeper than \(ResponseJSON.maxDepth) levels") }
            i += 1
            let mark = writer.openList()
            var count = 0
            skipSpace()
            if i < bytes.count && bytes[i] == UInt8(ascii: "]") { i += 1; _ = writer.close(mark, count: 0); return }
            while true {
                skipSpace()
                try pack(depth: depth + 1)
                count += 1
                skipSpace()
                guard i < bytes.count else { throw fail("unexpected end of input inside an array") }
                if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
                if bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    guard writer.close(mark, count: count) else { throw fail("an array of more than \(CompactWriter.maxChildren) elements") }
                    return
                }
                throw fail("expected ',' or ']' in an array, found \(describe())")
            }
        case UInt8(ascii: "\""):
            switch try rawString() {
            case .raw(let range): writer.string(UnsafeBufferPointer(rebasing: bytes[range]))
            case .decoded(let text): writer.string(text)
            }
        case UInt8(ascii: "t"): try literal("true"); writer.bool(true)
        case UInt8(ascii: "f"): try literal("false"); writer.bool(false)
        case UInt8(ascii: "n"): try literal("null"); writer.null()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let start = i
            switch try number() {
            case .int(let v): writer.int(v)
            default: writer.number(UnsafeBufferPointer(rebasing: bytes[start..<i]))
            }
        default: throw fail("unexpected \(describe()), expected a value")
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

/// One item of a list response, packed as it was parsed (`ResponseJSON.parseListPacked`): the entries of
/// its object without its own `apiVersion`/`kind`, and where it lies in the response body.
struct PackedItem {
    var entries: ArraySlice<UInt8>
    var count: Int
    /// The packed value of the item's `metadata`, in `entries` (nil when it has none).
    var metadata: Range<Int>?
    var range: Range<Int>
    var keys: KeyTable?

    /// The object, with `apiVersion` and `kind` in front (as `kubectl get -o json` shows list items).
    /// The values of `keys` in the item's `metadata` (nil when absent), read from the packed metadata alone.
    func metadata(_ keys: [String]) -> [Value?] {
        guard let metadata else { return keys.map { _ in nil } }
        return CompactValue.values(ofMap: entries[(entries.startIndex + metadata.lowerBound)..<(entries.startIndex + metadata.upperBound)],
                                   keys: self.keys, wanted: keys)
    }

    func value(apiVersion: String, kind: String, span: SourceSpan? = nil) -> CompactValue {
        CompactWriter.map(leading: [("apiVersion", apiVersion), ("kind", kind)], entries: entries, count: count, span: span, keys: keys)
    }
}
