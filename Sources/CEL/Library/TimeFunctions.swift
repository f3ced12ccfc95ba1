/// `timestamp()`, `duration()` and the accessors (`getFullYear`, ...; an optional time-zone argument).
enum TimeFunctions {
    static func register(_ t: inout [String: Builtin]) {
        t.add("timestamp", global: [1]) { args throws(CELError) in
            switch args[0] {
            case .timestamp: return args[0]
            case .string(let s):
                guard let ts = CELTimestamp.parse(s) else { throw CELError("timestamp() cannot parse '\(s)' (or it is out of range)") }
                return .timestamp(ts)
            case .int(let seconds): return try timestamp(Int128(seconds) * CELTimestamp.perSecond)
            default: throw noMatchingOverload("timestamp", args)
            }
        }
        t.add("duration", global: [1]) { args throws(CELError) in
            switch args[0] {
            case .duration: return args[0]
            case .string(let s):
                guard let d = CELDuration.parse(s) else { throw CELError("duration() cannot parse '\(s)' (or it is out of range)") }
                return .duration(d)
            default: throw noMatchingOverload("duration", args)
            }
        }
        let accessors: [(String, @Sendable (CivilTime, Int128) -> Int64)] = [
            ("getFullYear", { c, _ in Int64(c.year) }),
            ("getMonth", { c, _ in Int64(c.month - 1) }),
            ("getDayOfYear", { c, _ in Int64(c.dayOfYear) }),
            ("getDayOfMonth", { c, _ in Int64(c.day - 1) }),
            ("getDate", { c, _ in Int64(c.day) }),
            ("getDayOfWeek", { c, _ in Int64(c.dayOfWeek) }),
            ("getHours", { c, _ in Int64(c.hour) }),
            ("getMinutes", { c, _ in Int64(c.minute) }),
            ("getSeconds", { c, _ in Int64(c.second) }),
            ("getMilliseconds", { _, nanos in Int64(nanos / 1_000_000) }),
        ]
        for (name, get) in accessors {
            t.add(name, receiver: [0, 1]) { args throws(CELError) in
                switch args[0] {
                case .timestamp(let ts):
                    var seconds = ts.seconds
                    if args.count == 2 {
                        guard case .string(let zone) = args[1] else { throw noMatchingOverload(name, args) }
                        guard let offset = zoneOffset(zone, atSeconds: seconds) else { throw CELError("unknown time zone '\(zone)'") }
                        seconds += Int128(offset)
                    }
                    return .int(get(CivilTime(seconds: seconds), ts.subsecondNanos))
                case .duration(let d) where args.count == 1:
                    let n = d.nanoseconds
                    switch name {
                    case "getHours": return .int(n / 3_600_000_000_000)
                    case "getMinutes": return .int(n / 60_000_000_000)
                    case "getSeconds": return .int(n / 1_000_000_000)
                    case "getMilliseconds": return .int(n / 1_000_000 % 1_000)
                    default: throw noMatchingOverload(name, args)
                    }
                default: throw noMatchingOverload(name, args)
                }
            }
        }
    }
}

/// The optional library (`cel.OptionalTypes()`).
enum Optionals {
    static func register(_ t: inout [String: Builtin]) {
        t.add("optional.of", global: [1]) { args throws(CELError) in .optional(args[0]) }
        t.add("optional.none", global: [0]) { _ throws(CELError) in .optional(nil) }
        t.add("optional.ofNonZeroValue", global: [1]) { args throws(CELError) in
            isZero(args[0]) ? .optional(nil) : .optional(args[0])
        }
        t.add("hasValue", receiver: [0]) { args throws(CELError) in
            guard case .optional(let v) = args[0] else { throw noMatchingOverload("hasValue", args) }
            return .bool(v != nil)
        }
        t.add("value", receiver: [0]) { args throws(CELError) in
            guard case .optional(let v) = args[0] else { throw noMatchingOverload("value", args) }
            guard let v else { throw CELError("optional.none() dereference") }
            return v
        }
        t.add("or", receiver: [1]) { args throws(CELError) in
            guard case .optional(let v) = args[0], case .optional = args[1] else { throw noMatchingOverload("or", args) }
            return v == nil ? args[1] : args[0]
        }
        t.add("orValue", receiver: [1]) { args throws(CELError) in
            guard case .optional(let v) = args[0] else { throw noMatchingOverload("orValue", args) }
            return v ?? args[1]
        }
    }

    /// The zero value of each type: what `optional.ofNonZeroValue` treats as absent.
    static func isZero(_ v: CELValue) -> Bool {
        switch v {
        case .null: return true
        case .bool(let b): return !b
        case .int(let i): return i == 0
        case .uint(let u): return u == 0
        case .double(let d): return d == 0
        case .string(let s): return s.isEmpty
        case .bytes(let b): return b.isEmpty
        case .list(let l): return l.isEmpty
        case .map(let m): return m.count == 0
        case .timestamp(let ts): return ts.nanoseconds == 0
        case .duration(let d): return d.nanoseconds == 0
        case .optional(let o): return o == nil
        case .type: return false
        case .quantity(let q): return q.nanos == 0
        }
    }
}
