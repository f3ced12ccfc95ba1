/// The one value model of Ballast: what YAML and JSON readers produce, CEL evaluates, drift compares
/// and reports print. Each node may carry the span it was read from; equality ignores spans.
public struct Value: Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case null, bool(Bool), int(Int64), string(String)
        /// Exact decimal text (a float, or an integer beyond Int64); never Double, never NSNumber.
        case number(String)
        case list([Value])
        /// Keys in document order.
        case map([Entry])
    }

    /// One key of a map, with the span of the key itself ("unknown field" points there).
    public struct Entry: Sendable, Equatable {
        public var key: String
        public var keySpan: SourceSpan?
        public var value: Value
        public init(key: String, keySpan: SourceSpan? = nil, value: Value) {
            self.key = key; self.keySpan = keySpan; self.value = value
        }
        public static func == (a: Entry, b: Entry) -> Bool { a.key == b.key && a.value == b.value }
    }

    public var kind: Kind
    /// Where the value was read; nil for values made by code (defaults, CEL results).
    public var span: SourceSpan?

    public init(_ kind: Kind, span: SourceSpan? = nil) { self.kind = kind; self.span = span }

    public static let null = Value(.null)
    public static func string(_ s: String) -> Value { Value(.string(s)) }
    public static func int(_ i: Int64) -> Value { Value(.int(i)) }
    public static func bool(_ b: Bool) -> Value { Value(.bool(b)) }
    public static func list(_ l: [Value]) -> Value { Value(.list(l)) }
    public static func map(_ pairs: [(String, Value)]) -> Value {
        Value(.map(pairs.map { Entry(key: $0.0, value: $0.1) }))
    }

    // MARK: Access

    /// The value of `key` in a map (the last one, should a reader have kept duplicates); nil otherwise.
    public subscript(key: String) -> Value? {
        guard case .map(let entries) = kind else { return nil }
        return entries.last(where: { $0.key == key })?.value
    }

    /// The entry for `key` in a map, with its key span.
    public func entry(_ key: String) -> Entry? {
        guard case .map(let entries) = kind else { return nil }
        return entries.last(where: { $0.key == key })
    }

    /// The value at a path of map keys.
    public subscript(path keys: String...) -> Value? { self[path: keys] }
    public subscript(path keys: [String]) -> Value? {
        var current: Value? = self
        for key in keys { current = current?[key] }
        return current
    }

    public var stringValue: String? { if case .string(let s) = kind { return s }; return nil }
    public var boolValue: Bool? { if case .bool(let b) = kind { return b }; return nil }
    public var intValue: Int64? { if case .int(let i) = kind { return i }; return nil }
    public var listValue: [Value]? { if case .list(let l) = kind { return l }; return nil }
    public var mapEntries: [Entry]? { if case .map(let m) = kind { return m }; return nil }
    public var isNull: Bool { if case .null = kind { return true }; return false }
    public var isMap: Bool { if case .map = kind { return true }; return false }

    /// A map of string values (labels, annotations, selectors), other values left out.
    public var stringMap: [String: String] {
        var out: [String: String] = [:]
        for entry in mapEntries ?? [] { if let s = entry.value.stringValue { out[entry.key] = s } }
        return out
    }

    /// The name of the value's type, as messages and schema checks say it.
    public var typeName: String {
        switch kind {
        case .null: "null"
        case .bool: "boolean"
        case .int: "integer"
        case .number: "number"
        case .string: "string"
        case .list: "array"
        case .map: "object"
        }
    }

    /// Compact JSON, keys in document order.
    public var description: String { json }

    /// Compact JSON text of the value.
    public var json: String {
        var out = ""
        Value.writeJSON(self, into: &out)
        return out
    }

    static func writeJSON(_ value: Value, into out: inout String) {
        switch value.kind {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let i): out += String(i)
        case .number(let n): out += n
        case .string(let s): out += jsonQuoted(s)
        case .list(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                writeJSON(item, into: &out)
            }
            out += "]"
        case .map(let entries):
            out += "{"
            for (i, entry) in entries.enumerated() {
                if i > 0 { out += "," }
                out += jsonQuoted(entry.key)
                out += ":"
                writeJSON(entry.value, into: &out)
            }
            out += "}"
        }
    }
}

extension Value: Equatable {
    /// Equal data is equal wherever it was written (drift relies on this).
    public static func == (a: Value, b: Value) -> Bool { a.kind == b.kind }
}

/// `s` as a JSON string literal (RFC 8259 escapes; non-ASCII kept as UTF-8).
public func jsonQuoted(_ s: String) -> String {
    var out: [UInt8] = []
    out.reserveCapacity(s.utf8.count + 2)
    appendJSONQuoted(s, to: &out)
    return String(decoding: out, as: UTF8.self)
}

/// Appends `s` as a JSON string literal, as `jsonQuoted` spells it: `"`, `\\` and control characters
/// escaped (`\n`, `\r`, `\t`, `\b`, `\f`, else `\u00xx`), and DEL, U+2028 and U+2029 as `\u` escapes
/// (JavaScript would end a line at the last two).
public func appendJSONQuoted(_ s: String, to out: inout [UInt8]) {
    out.append(UInt8(ascii: "\""))
    appendJSONEscaped(s, to: &out)
    out.append(UInt8(ascii: "\""))
}

/// Appends the characters of `s` as they are spelt inside a JSON string literal, without the quotes.
/// Runs of bytes that need no escape are copied whole.
public func appendJSONEscaped(_ s: String, to out: inout [UInt8]) {
    var s = s
    s.withUTF8 { bytes in
        var start = 0, i = 0
        while i < bytes.count {
            let byte = bytes[i]
            let escape: JSONEscape
            switch byte {
            case UInt8(ascii: "\""): escape = .short(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): escape = .short(UInt8(ascii: "\\"))
            case 0x0A: escape = .short(UInt8(ascii: "n"))
            case 0x0D: escape = .short(UInt8(ascii: "r"))
            case 0x09: escape = .short(UInt8(ascii: "t"))
            case 0x08: escape = .short(UInt8(ascii: "b"))
            case 0x0C: escape = .short(UInt8(ascii: "f"))
            case 0x00..<0x20, 0x7F: escape = .unicode(UInt32(byte), length: 1)
            case 0xE2 where i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9):
                escape = .unicode(0x2000 | UInt32(bytes[i + 2] - 0x80), length: 3)   // U+2028, U+2029
            default: i += 1; continue
            }
            out.append(contentsOf: bytes[start..<i])
            out.append(UInt8(ascii: "\\"))
            switch escape {
            case .short(let letter):
                out.append(letter)
                i += 1
            case .unicode(let value, let length):
                out.append(UInt8(ascii: "u"))
                for shift in stride(from: 12, through: 0, by: -4) { out.append(hexDigits[Int((value >> UInt32(shift)) & 0xF)]) }
                i += length
            }
            start = i
        }
        out.append(contentsOf: bytes[start..<bytes.count])
    }
}

private enum JSONEscape { case short(UInt8), unicode(UInt32, length: Int) }
private let hexDigits = Array("0123456789abcdef".utf8)
