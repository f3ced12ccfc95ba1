import KubeModel

/// The CEL standard library (SUBSET.md §4): size, string tests, regex match, conversions, type, dyn.
enum Standard {
    static func register(_ t: inout [String: Builtin]) {
        t.add("size", global: [1], receiver: [0]) { args throws(CELError) in
            switch args[0] {
            case .string(let s): return .int(Int64(s.unicodeScalars.count))
            case .bytes(let b): return .int(Int64(b.count))
            case .list(let l): return .int(Int64(l.count))
            case .map(let m): return .int(Int64(m.count))
            default: throw noMatchingOverload("size", args)
            }
        }
        // Byte comparisons, as cel-go's (Go's strings package): code points, not grapheme clusters.
        let tests: [(String, @Sendable (String, String) -> Bool)] = [("contains", { (s: String, x: String) in s.utf8Offset(of: x) != nil }),
                             ("startsWith", { (s: String, x: String) in s.utf8HasPrefix(x) }),
                             ("endsWith", { (s: String, x: String) in s.utf8HasSuffix(x) })]
        for (name, test) in tests {
            t.add(name, receiver: [1]) { args throws(CELError) in
                guard case .string(let s) = args[0], case .string(let x) = args[1] else { throw noMatchingOverload(name, args) }
                return .bool(test(s, x))
            }
        }
        t["matches"] = Builtin(globalArities: [2], receiverArities: [1], body: { args throws(CELError) in
            guard case .string(let s) = args[0], case .string(let pattern) = args[1] else { throw noMatchingOverload("matches", args) }
            return .bool(try CompiledRegex.cached(pattern).matches(s))
        }, specialise: { literal, index throws(CELError) in
            guard index == 1 else { return nil }
            let regex = try CompiledRegex(literal)
            return { args throws(CELError) in
                guard case .string(let s) = args[0] else { throw noMatchingOverload("matches", args) }
                return .bool(regex.matches(s))
            }
        })
        t.add("dyn", global: [1]) { args throws(CELError) in args[0] }
        t.add("type", global: [1]) { args throws(CELError) in .type(args[0].type) }
        t.add("int", global: [1]) { args throws(CELError) in try toInt(args[0]) }
        t.add("uint", global: [1]) { args throws(CELError) in try toUint(args[0]) }
        t.add("double", global: [1]) { args throws(CELError) in try toDouble(args[0]) }
        t.add("string", global: [1]) { args throws(CELError) in try toString(args[0]) }
        t.add("bytes", global: [1]) { args throws(CELError) in
            switch args[0] {
            case .bytes: return args[0]
            case .string(let s): return .bytes(Array(s.utf8))
            default: throw noMatchingOverload("bytes", args)
            }
        }
        t.add("bool", global: [1]) { args throws(CELError) in
            switch args[0] {
            case .bool: return args[0]
            case .string(let s):
                switch s {
                case "1", "t", "true", "TRUE", "True": return .bool(true)
                case "0", "f", "false", "FALSE", "False": return .bool(false)
                default: throw CELError("type conversion error: '\(s)' is not a bool")
                }
            default: throw noMatchingOverload("bool", args)
            }
        }
    }

    static func toInt(_ v: CELValue) throws(CELError) -> CELValue {
        switch v {
        case .int: return v
        case .uint(let u):
            guard let i = Int64(exactly: u) else { throw CELError("int() range error: \(u)") }
            return .int(i)
        case .double(let d):
            guard d.isFinite, d > -0x1p63, d < 0x1p63 else { throw CELError("int() range error: \(formatDouble(d))") }
            return .int(Int64(d.rounded(.towardZero)))
        case .string(let s):
            guard let i = Int64(s) else { throw CELError("type conversion error: '\(s)' is not an int") }
            return .int(i)
        case .timestamp(let t):
            guard let i = Int64(exactly: t.seconds) else { throw CELError("int() range error") }
            return .int(i)
        default: throw noMatchingOverload("int", [v])
        }
    }

    static func toUint(_ v: CELValue) throws(CELError) -> CELValue {
        switch v {
        case .uint: return v
        case .int(let i):
            guard let u = UInt64(exactly: i) else { throw CELError("uint() range error: \(i)") }
            return .uint(u)
        case .double(let d):
            guard d.isFinite, d > -1, d < 0x1p64 else { throw CELError("uint() range error: \(formatDouble(d))") }
            return .uint(UInt64(d.rounded(.towardZero)))
        case .string(let s):
            guard let u = UInt64(s) else { throw CELError("type conversion error: '\(s)' is not a uint") }
            return .uint(u)
        default: throw noMatchingOverload("uint", [v])
        }
    }

    static func toDouble(_ v: CELValue) throws(CELError) -> CELValue {
        switch v {
        case .double: return v
        case .int(let i): return .double(Double(i))
        case .uint(let u): return .double(Double(u))
        case .string(let s):
            guard let d = parseDouble(s) else { throw CELError("type conversion error: '\(s)' is not a double") }
            return .double(d)
        default: throw noMatchingOverload("double", [v])
        }
    }

    /// Go's `strconv.ParseFloat` accepts decimal and exponent forms, `Inf`, `Infinity`, `NaN`.
    static func parseDouble(_ s: String) -> Double? {
        guard !s.isEmpty, s.unicodeScalars.allSatisfy({ $0.isASCII && !$0.properties.isWhitespace }) else { return nil }
        let lower = s.lowercased()
        let body = lower.hasPrefix("+") || lower.hasPrefix("-") ? String(lower.dropFirst()) : lower
        if ["inf", "infinity", "nan"].contains(body) {
            return body == "nan" ? .nan : (lower.hasPrefix("-") ? -.infinity : .infinity)
        }
        guard body.allSatisfy({ $0.isNumber || $0 == "." || $0 == "e" || $0 == "+" || $0 == "-" }) else { return nil }
        return Double(s)
    }

    static func toString(_ v: CELValue) throws(CELError) -> CELValue {
        switch v {
        case .string: return v
        case .int, .uint, .double, .bool, .timestamp, .duration: return .string(v.displayString)
        case .bytes(let b):
            guard let s = String(validating: b, as: UTF8.self) else { throw CELError("invalid UTF-8 in bytes to string conversion") }
            return .string(s)
        default: throw noMatchingOverload("string", [v])
        }
    }
}

/// A double as Go's `strconv.FormatFloat(d, 'g', -1, 64)` prints it (cel-go's `string(double)`):
/// shortest digits, exponent form below 1e-4 and from 1e21.
func formatDouble(_ d: Double) -> String {
    if d.isNaN { return "NaN" }
    if d.isInfinite { return d < 0 ? "-Infinity" : "Infinity" }
    if d == 0 { return d.sign == .minus ? "-0" : "0" }
    // Swift's description is the shortest round-trip text; take its digits and exponent.
    let text = "\(d.magnitude)"
    var mantissa = text, exponent = 0
    if let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }) {
        mantissa = String(text[..<e])
        exponent = Int(text[text.index(after: e)...]) ?? 0
    }
    var digits = mantissa.filter { $0 != "." }
    let pointIndex = mantissa.firstIndex(of: ".").map { mantissa.distance(from: mantissa.startIndex, to: $0) } ?? mantissa.count
    var decimalPoint = pointIndex + exponent   // digits before the point
    while digits.hasPrefix("0") && digits.count > 1 { digits.removeFirst(); decimalPoint -= 1 }
    while digits.hasSuffix("0") && digits.count > 1 { digits.removeLast() }
    let sign = d < 0 ? "-" : ""
    let exp = decimalPoint - 1
    if exp < -4 || exp >= 21 {
        let first = String(digits.prefix(1)), rest = String(digits.dropFirst())
        let e = exp < 0 ? "-" + (abs(exp) < 10 ? "0" : "") + String(abs(exp)) : "+" + (exp < 10 ? "0" : "") + String(exp)
        return sign + first + (rest.isEmpty ? "" : "." + rest) + "e" + e
    }
    if decimalPoint <= 0 { return sign + "0." + String(repeating: "0", count: -decimalPoint) + digits }
    if decimalPoint >= digits.count { return sign + digits + String(repeating: "0", count: decimalPoint - digits.count) }
    let split = digits.index(digits.startIndex, offsetBy: decimalPoint)
    return sign + String(digits[..<split]) + "." + String(digits[split...])
}

