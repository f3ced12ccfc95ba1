import KubeModel

/// A CEL runtime value. Values are dynamically typed; manifest data (`KubeModel.Value`) is wrapped,
/// not copied: lists and maps made from a `Value` convert their elements as they are read.
public enum CELValue: Sendable {
    case null
    case bool(Bool)
    case int(Int64)
    case uint(UInt64)
    case double(Double)
    case string(String)
    case bytes([UInt8])
    case list(CELList)
    case map(CELMap)
    case timestamp(CELTimestamp)
    case duration(CELDuration)
    case type(CELType)
    /// `optional_type`: `nil` is `optional.none()`.
    indirect case optional(CELValue?)
    /// A Kubernetes `resource.Quantity` (the quantity library).
    case quantity(Quantity)

    /// A list value.
    public static func list(_ values: [CELValue]) -> CELValue { .list(CELList(values)) }
    /// A map value from entries (later duplicates replace earlier ones).
    public static func map(_ entries: [(CELValue, CELValue)]) -> CELValue {
        var map = CELMap()
        for (key, value) in entries { map.insert(key, value) }
        return .map(map)
    }

    /// Converts manifest data: integral numbers become `int`, other numbers `double`; maps and lists
    /// are wrapped and converted lazily.
    public static func from(_ value: Value) -> CELValue {
        switch value.kind {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .string(let s): return .string(s)
        case .number(let text):
            guard let d = Double(text) else { return .string(text) }
            if d == d.rounded(.towardZero), d >= -0x1p63, d < 0x1p63, let i = Int64(exactly: d) { return .int(i) }
            return .double(d)
        case .list(let items): return .list(CELList(manifest: items))
        case .map(let entries): return .map(CELMap(manifest: entries))
        }
    }

    /// The value as manifest data: uint and double become numbers, bytes base64 text, timestamps,
    /// durations, quantities and types their CEL string form, an optional its value or null.
    public var manifestValue: Value {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .uint(let u): return Int64(exactly: u).map { Value.int($0) } ?? Value(.number(String(u)))
        case .double(let d): return Value(.number(formatDouble(d)))
        case .string(let s): return .string(s)
        case .bytes(let b): return .string(base64Encode(b))
        case .list(let l): return .list(l.map { $0.manifestValue })
        case .map(let m):
            return Value(.map(m.entries.map { Value.Entry(key: $0.key.displayString, value: $0.value.manifestValue) }))
        case .timestamp, .duration, .type, .quantity: return .string(displayString)
        case .optional(let v): return v?.manifestValue ?? .null
        }
    }

    /// The value as manifest data, without a copy when it wraps manifest data unchanged (a map or list
    /// read from an object): host functions that take whole objects use this.
    public var manifestView: Value {
        switch self {
        case .map(let m): if case .manifest(let entries) = m.storage { return Value(.map(entries)) }
        case .list(let l): if case .manifest(let items) = l.storage { return Value(.list(items)) }
        default: break
        }
        return manifestValue
    }

    /// The CEL type of the value.
    public var type: CELType {
        switch self {
        case .null: .null
        case .bool: .bool
        case .int: .int
        case .uint: .uint
        case .double: .double
        case .string: .string
        case .bytes: .bytes
        case .list: .list
        case .map: .map
        case .timestamp: .timestamp
        case .duration: .duration
        case .type: .type
        case .optional: .optional
        case .quantity: .quantity
        }
    }

    /// The text `string(x)` and `%s` give (lists and maps as the strings extension prints them).
    public var displayString: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .uint(let u): return String(u)
        case .double(let d): return formatDouble(d)
        case .string(let s): return s
        case .bytes(let b): return String(decoding: b, as: UTF8.self)
        case .list(let l): return "[" + l.map { $0.displayString }.joined(separator: ", ") + "]"
        case .map(let m):
            let parts = m.entries.map { ($0.key.displayString, $0.value.displayString) }
                .sorted { $0.0.utf8.lexicographicallyPrecedes($1.0.utf8) }
            return "{" + parts.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}"
        case .timestamp(let t): return t.description
        case .duration(let d): return d.description
        case .type(let t): return t.name
        case .optional(let v): return v.map { "optional(\($0.displayString))" } ?? "optional.none()"
        case .quantity(let q): return q.description
        }
    }

    var boolValue: Bool? { if case .bool(let b) = self { return b }; return nil }
}

/// A CEL type value (`type(x)`), compared by name.
public struct CELType: Sendable, Hashable {
    /// The CEL type name (`int`, `google.protobuf.Timestamp`, ...).
    public let name: String
    /// The type named `name`.
    public init(_ name: String) { self.name = name }
    public static let null = CELType("null_type"), bool = CELType("bool"), int = CELType("int")
    public static let uint = CELType("uint"), double = CELType("double"), string = CELType("string")
    public static let bytes = CELType("bytes"), list = CELType("list"), map = CELType("map")
    public static let timestamp = CELType("google.protobuf.Timestamp")
    public static let duration = CELType("google.protobuf.Duration")
    public static let type = CELType("type"), optional = CELType("optional_type")
    public static let quantity = CELType("kubernetes.Quantity")
    /// Type names usable as identifiers.
    static let byName: [String: CELType] = Dictionary(uniqueKeysWithValues: [
        null, bool, int, uint, double, string, bytes, list, map, timestamp, duration, type, optional,
    ].map { ($0.name, $0) })
}

/// A CEL list: either values built by an expression or a wrapped manifest list.
public struct CELList: Sendable, RandomAccessCollection {
    enum Storage: Sendable { case values([CELValue]), manifest([Value]) }
    let storage: Storage
    /// A list of values made by code.
    public init(_ values: [CELValue]) { storage = .values(values) }
    /// A list over manifest data; elements convert when read.
    public init(manifest: [Value]) { storage = .manifest(manifest) }
    public var startIndex: Int { 0 }
    public var endIndex: Int {
        switch storage {
        case .values(let v): v.count
        case .manifest(let v): v.count
        }
    }
    public subscript(position: Int) -> CELValue {
        switch storage {
        case .values(let v): v[position]
        case .manifest(let v): CELValue.from(v[position])
        }
    }
    var values: [CELValue] {
        if case .values(let v) = storage { return v }
        return Array(self)
    }
}

/// A map key: CEL allows int, uint, bool and string keys; int and uint keys of equal value are one key.
public enum CELMapKey: Sendable, Hashable {
    case bool(Bool), int(Int64), uint(UInt64), string(String)

    /// The key for a value, or nil when the type cannot be a key. A uint that fits an int is stored as
    /// an int so that `{1u: x}[1]` finds it.
    init?(_ value: CELValue) {
        switch value {
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .uint(let u): self = Int64(exactly: u).map { .int($0) } ?? .uint(u)
        case .string(let s): self = .string(s)
        default: return nil
        }
    }
    /// The key a lookup with a double finds: only an integral double finds a numeric key.
    init?(lookup value: CELValue) {
        if case .double(let d) = value {
            if let i = Int64(exactly: d) { self = .int(i); return }
            if let u = UInt64(exactly: d) { self = .uint(u); return }
            return nil
        }
        self.init(value)
    }
    var value: CELValue {
        switch self {
        case .bool(let b): .bool(b)
        case .int(let i): .int(i)
        case .uint(let u): .uint(u)
        case .string(let s): .string(s)
        }
    }
}

/// A CEL map: either entries built by an expression (insertion order kept) or a wrapped manifest map.
public struct CELMap: Sendable {
    enum Storage: Sendable {
        case built(keys: [CELValue], values: [CELValue], index: [CELMapKey: Int])
        case manifest([Value.Entry])
    }
    var storage: Storage
    /// An empty map.
    public init() { storage = .built(keys: [], values: [], index: [:]) }
    /// A map over manifest data; values convert when read.
    public init(manifest: [Value.Entry]) { storage = .manifest(manifest) }

    /// Adds or replaces an entry; keys of a type CEL does not allow are ignored.
    mutating func insert(_ key: CELValue, _ value: CELValue) {
        guard let mapKey = CELMapKey(key) else { return }
        if case .manifest = storage { storage = .built(keys: entries.map { $0.key }, values: entries.map { $0.value }, index: builtIndex()) }
        guard case .built(var keys, var values, var index) = storage else { return }
        storage = .built(keys: [], values: [], index: [:])   // release storage so the arrays stay unique
        if let at = index[mapKey] { values[at] = value } else {
            index[mapKey] = keys.count; keys.append(key); values.append(value)
        }
        storage = .built(keys: keys, values: values, index: index)
    }
    private func builtIndex() -> [CELMapKey: Int] {
        var index: [CELMapKey: Int] = [:]
        for (i, entry) in entries.enumerated() { if let k = CELMapKey(entry.key) { index[k] = i } }
        return index
    }
    func containsKey(_ key: CELMapKey) -> Bool {
        switch storage {
        case .built(_, _, let index): return index[key] != nil
        case .manifest:
            guard case .string(let s) = key else { return false }
            return self[string: s] != nil
        }
    }

    /// Whether a string key is present (without converting its value).
    func containsKey(string key: String) -> Bool {
        switch storage {
        case .built(_, _, let index): return index[.string(key)] != nil
        case .manifest(let entries):
            let count = key.utf8.count
            return entries.contains { $0.key.utf8.count == count && $0.key == key }
        }
    }

    /// The number of entries.
    public var count: Int {
        switch storage {
        case .built(let keys, _, _): keys.count
        case .manifest(let entries): entries.count
        }
    }
    /// Entries in insertion (document) order.
    public var entries: [(key: CELValue, value: CELValue)] {
        switch storage {
        case .built(let keys, let values, _): return Array(zip(keys, values)).map { (key: $0.0, value: $0.1) }
        case .manifest(let entries): return entries.map { (key: .string($0.key), value: CELValue.from($0.value)) }
        }
    }
    /// The keys in insertion (document) order.
    public var keys: [CELValue] {
        switch storage {
        case .built(let keys, _, _): keys
        case .manifest(let entries): entries.map { .string($0.key) }
        }
    }
    /// The value for a string key (the last one in a manifest map, as `Value` does).
    public subscript(string key: String) -> CELValue? {
        switch storage {
        case .built(_, let values, let index): return index[.string(key)].map { values[$0] }
        case .manifest(let entries):
            // The last entry with the key, as `Value` reads it; most keys differ in length from `key`.
            let count = key.utf8.count
            var i = entries.endIndex
            while i > entries.startIndex {
                i -= 1
                if entries[i].key.utf8.count == count && entries[i].key == key { return CELValue.from(entries[i].value) }
            }
            return nil
        }
    }
    /// The value for a key, looked up by CEL equality (numeric keys across int, uint and double).
    public subscript(key: CELValue) -> CELValue? {
        guard let mapKey = CELMapKey(lookup: key) else { return nil }
        switch storage {
        case .built(_, let values, let index):
            return index[mapKey].map { values[$0] }
        case .manifest:
            guard case .string(let s) = mapKey else { return nil }
            return self[string: s]
        }
    }
}
