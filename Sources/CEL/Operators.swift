/// CEL heterogeneous equality: numbers compare by value across int, uint and double; other values of
/// different types are unequal; lists and maps compare element-wise; NaN is unequal to everything.
func celEquals(_ a: CELValue, _ b: CELValue) -> Bool {
    switch (a, b) {
    case (.null, .null): return true
    case (.bool(let x), .bool(let y)): return x == y
    case (.string(let x), .string(let y)): return x == y && x.utf8.elementsEqual(y.utf8)
    case (.bytes(let x), .bytes(let y)): return x == y
    case (.int, _), (.uint, _), (.double, _):
        guard let order = compareNumbers(a, b) else { return false }
        return order == 0
    case (.list(let x), .list(let y)):
        guard x.count == y.count else { return false }
        for i in 0..<x.count where !celEquals(x[i], y[i]) { return false }
        return true
    case (.map(let x), .map(let y)):
        guard x.count == y.count else { return false }
        for (key, value) in x.entries {
            guard let other = y[key], celEquals(value, other) else { return false }
        }
        return true
    case (.timestamp(let x), .timestamp(let y)): return x == y
    case (.duration(let x), .duration(let y)): return x == y
    case (.type(let x), .type(let y)): return x == y
    case (.optional(let x), .optional(let y)):
        switch (x, y) {
        case (nil, nil): return true
        case (let v?, let w?): return celEquals(v, w)
        default: return false
        }
    case (.quantity(let x), .quantity(let y)): return x == y
    default: return false
    }
}

/// Equality that also requires equal types at every level (the conformance comparison, and `CELResult ==`).
public func celStrictEquals(_ a: CELValue, _ b: CELValue) -> Bool {
    guard a.type == b.type else { return false }
    switch (a, b) {
    case (.double(let x), .double(let y)): return x == y || (x.isNaN && y.isNaN)
    case (.list(let x), .list(let y)):
        guard x.count == y.count else { return false }
        for i in 0..<x.count where !celStrictEquals(x[i], y[i]) { return false }
        return true
    case (.map(let x), .map(let y)):
        guard x.count == y.count else { return false }
        var other: [CELMapKey: (key: CELValue, value: CELValue)] = [:]
        for entry in y.entries { if let k = CELMapKey(entry.key) { other[k] = entry } }
        for (key, value) in x.entries {
            guard let k = CELMapKey(key), let match = other[k], key.type == match.key.type,
                  celStrictEquals(value, match.value) else { return false }
        }
        return true
    case (.optional(let x), .optional(let y)):
        switch (x, y) {
        case (nil, nil): return true
        case (let v?, let w?): return celStrictEquals(v, w)
        default: return false
        }
    default: return celEquals(a, b)
    }
}

/// The order of two numbers of any numeric types: -1, 0, 1, or nil when either is NaN or not a number.
func compareNumbers(_ a: CELValue, _ b: CELValue) -> Int? {
    func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : (x > y ? 1 : 0) }
    switch (a, b) {
    case (.int(let x), .int(let y)): return sign(x, y)
    case (.uint(let x), .uint(let y)): return sign(x, y)
    case (.double(let x), .double(let y)): return x.isNaN || y.isNaN ? nil : sign(x, y)
    case (.int(let x), .uint(let y)): return x < 0 ? -1 : sign(UInt64(x), y)
    case (.uint, .int): return compareNumbers(b, a).map { -$0 }
    // Mixed int/uint and double compare as doubles, as cel-go does (the conformance cases expect the
    // lossy comparison: 9223372036854775807 >= 9223372036854775808.0).
    case (.int(let x), .double(let y)): return y.isNaN ? nil : sign(Double(x), y)
    case (.double, .int): return compareNumbers(b, a).map { -$0 }
    case (.uint(let x), .double(let y)): return y.isNaN ? nil : sign(Double(x), y)
    case (.double, .uint): return compareNumbers(b, a).map { -$0 }
    default: return nil
    }
}

/// `<` and friends: within a type, and across the numeric types.
func celCompare(_ op: BinaryOperator, _ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
    let order: Int?
    switch (a, b) {
    case (.int, _), (.uint, _), (.double, _):
        switch b {
        case .int, .uint, .double: order = compareNumbers(a, b)
        default: throw noOverload(op.rawValue, a, b)
        }
    case (.string(let x), .string(let y)):
        order = x.utf8.lexicographicallyPrecedes(y.utf8) ? -1 : (x.utf8.elementsEqual(y.utf8) ? 0 : 1)
    case (.bytes(let x), .bytes(let y)): order = x.lexicographicallyPrecedes(y) ? -1 : (x == y ? 0 : 1)
    case (.bool(let x), .bool(let y)): order = x == y ? 0 : (x ? 1 : -1)
    case (.timestamp(let x), .timestamp(let y)): order = x < y ? -1 : (x == y ? 0 : 1)
    case (.duration(let x), .duration(let y)): order = x < y ? -1 : (x == y ? 0 : 1)
    default: throw noOverload(op.rawValue, a, b)
    }
    guard let order else { return .bool(false) }   // NaN is unordered
    switch op {
    case .less: return .bool(order < 0)
    case .lessOrEqual: return .bool(order <= 0)
    case .greater: return .bool(order > 0)
    default: return .bool(order >= 0)
    }
}

func noOverload(_ op: String, _ args: CELValue...) -> CELError {
    CELError("no matching overload for '\(op)' applied to (\(args.map { $0.type.name }.joined(separator: ", ")))")
}

func overflow(_ op: String) -> CELError { CELError("integer overflow in '\(op)'") }

/// Arithmetic: checked for int and uint, IEEE for double; concatenation; time arithmetic.
func celArithmetic(_ op: BinaryOperator, _ a: CELValue, _ b: CELValue) throws(CELError) -> CELValue {
    switch (op, a, b) {
    case (.add, .int(let x), .int(let y)):
        let (r, o) = x.addingReportingOverflow(y); if o { throw overflow("+") }; return .int(r)
    case (.subtract, .int(let x), .int(let y)):
        let (r, o) = x.subtractingReportingOverflow(y); if o { throw overflow("-") }; return .int(r)
    case (.multiply, .int(let x), .int(let y)):
        let (r, o) = x.multipliedReportingOverflow(by: y); if o { throw overflow("*") }; return .int(r)
    case (.divide, .int(let x), .int(let y)):
        if y == 0 { throw CELError("division by zero") }
        let (r, o) = x.dividedReportingOverflow(by: y); if o { throw overflow("/") }; return .int(r)
    case (.remainder, .int(let x), .int(let y)):
        if y == 0 { throw CELError("modulus by zero") }
        let (r, o) = x.remainderReportingOverflow(dividingBy: y); if o { throw overflow("%") }; return .int(r)
    case (.add, .uint(let x), .uint(let y)):
        let (r, o) = x.addingReportingOverflow(y); if o { throw overflow("+") }; return .uint(r)
    case (.subtract, .uint(let x), .uint(let y)):
        let (r, o) = x.subtractingReportingOverflow(y); if o { throw overflow("-") }; return .uint(r)
    case (.multiply, .uint(let x), .uint(let y)):
        let (r, o) = x.multipliedReportingOverflow(by: y); if o { throw overflow("*") }; return .uint(r)
    case (.divide, .uint(let x), .uint(let y)):
        if y == 0 { throw CELError("division by zero") }
        return .uint(x / y)
    case (.remainder, .uint(let x), .uint(let y)):
        if y == 0 { throw CELError("modulus by zero") }
        return .uint(x % y)
    case (.add, .double(let x), .double(let y)): return .double(x + y)
    case (.subtract, .double(let x), .double(let y)): return .double(x - y)
    case (.multiply, .double(let x), .double(let y)): return .double(x * y)
    case (.divide, .double(let x), .double(let y)): return .double(x / y)
    case (.add, .string(let x), .string(let y)):
        try checkSize(x.utf8.count + y.utf8.count)
        return .string(x + y)
    case (.add, .bytes(let x), .bytes(let y)):
        try checkSize(x.count + y.count)
        return .bytes(x + y)
    case (.add, .list(let x), .list(let y)):
        try checkSize(x.count + y.count)
        // An empty side adds nothing; two manifest lists join without converting their elements.
        if y.isEmpty { return .list(x) }
        if x.isEmpty { return .list(y) }
        if case .manifest(let a) = x.storage, case .manifest(let b) = y.storage { return .list(CELList(manifest: a + b)) }
        return .list(CELList(x.values + y.values))
    case (.add, .timestamp(let t), .duration(let d)), (.add, .duration(let d), .timestamp(let t)):
        return try timestamp(t.nanoseconds + Int128(d.nanoseconds))
    case (.subtract, .timestamp(let t), .duration(let d)):
        return try timestamp(t.nanoseconds - Int128(d.nanoseconds))
    case (.subtract, .timestamp(let x), .timestamp(let y)):
        return try duration(x.nanoseconds - y.nanoseconds)
    case (.add, .duration(let x), .duration(let y)):
        return try duration(Int128(x.nanoseconds) + Int128(y.nanoseconds))
    case (.subtract, .duration(let x), .duration(let y)):
        return try duration(Int128(x.nanoseconds) - Int128(y.nanoseconds))
    default:
        throw noOverload(op.rawValue, a, b)
    }
}

func timestamp(_ nanos: Int128) throws(CELError) -> CELValue {
    guard let t = CELTimestamp(nanoseconds: nanos) else { throw CELError("timestamp out of range") }
    return .timestamp(t)
}

func duration(_ nanos: Int128) throws(CELError) -> CELValue {
    guard let n = Int64(exactly: nanos) else { throw CELError("duration out of range") }
    return .duration(CELDuration(nanoseconds: n))
}

/// `x in list` (by equality) and `key in map` (key presence).
func celIn(_ element: CELValue, _ container: CELValue) throws(CELError) -> CELValue {
    switch container {
    case .list(let l):
        for item in l where celEquals(element, item) { return .bool(true) }
        return .bool(false)
    case .map(let m):
        return .bool(m[element] != nil)
    default:
        throw noOverload("in", element, container)
    }
}

/// The largest string (bytes) or list (elements) an operation may build: repeated `replace` or `+`
/// could otherwise grow a value exponentially within the step budget.
let maxValueSize = 16 << 20

func checkSize(_ size: Int) throws(CELError) {
    guard size <= maxValueSize else { throw CELError("value too large: \(size) exceeds the limit of \(maxValueSize)") }
}

extension CELValue: Equatable {
    /// Type-exact equality (`1 != 1u` here, unlike CEL's `==`); doubles are equal when both are NaN.
    public static func == (a: CELValue, b: CELValue) -> Bool { celStrictEquals(a, b) }
}
