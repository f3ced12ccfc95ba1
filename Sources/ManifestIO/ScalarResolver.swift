import KubeModel

/// Plain-scalar typing. kubectl (sigs.k8s.io/yaml over go-yaml v2) follows YAML 1.1: `yes/no/on/off/y/n`
/// in their three cases are booleans, `~`/`null`/empty are null, ints may be `0x` hex, `0o`/leading-0 octal
/// or `0b` binary with `_` separators, floats include `.inf` and `.nan`.
enum ScalarResolver {
    static func resolvePlain(_ text: String, yaml11: Bool) -> Value.Kind {
        guard let first = text.utf8.first else { return .null }
        switch first {
        case UInt8(ascii: "~"): return text == "~" ? .null : .string(text)
        case UInt8(ascii: "n"), UInt8(ascii: "N"):
            if text == "null" || text == "Null" || text == "NULL" { return .null }
            if yaml11 && (text == "n" || text == "N" || text == "no" || text == "No" || text == "NO") { return .bool(false) }
            return .string(text)
        case UInt8(ascii: "t"), UInt8(ascii: "T"):
            return text == "true" || text == "True" || text == "TRUE" ? .bool(true) : .string(text)
        case UInt8(ascii: "f"), UInt8(ascii: "F"):
            return text == "false" || text == "False" || text == "FALSE" ? .bool(false) : .string(text)
        case UInt8(ascii: "y"), UInt8(ascii: "Y"):
            if yaml11 && (text == "y" || text == "Y" || text == "yes" || text == "Yes" || text == "YES") { return .bool(true) }
            return .string(text)
        case UInt8(ascii: "o"), UInt8(ascii: "O"):
            guard yaml11 else { return .string(text) }
            switch text {
            case "on", "On", "ON": return .bool(true)
            case "off", "Off", "OFF": return .bool(false)
            default: return .string(text)
            }
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."):
            return number(text, yaml11: yaml11) ?? .string(text)
        default:
            return .string(text)
        }
    }

    /// An int or float, as go-yaml's resolver accepts them; nil when the text is not a number.
    static func number(_ text: String, yaml11: Bool) -> Value.Kind? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .number("+Inf")
        case "-.inf", "-.Inf", "-.INF": return .number("-Inf")
        case ".nan", ".NaN", ".NAN": return .number("NaN")
        default: break
        }
        var bytes = Array(text.utf8)
        if yaml11 && bytes.contains(UInt8(ascii: "_")) { bytes.removeAll { $0 == UInt8(ascii: "_") } }
        guard !bytes.isEmpty else { return nil }
        var negative = false
        var i = 0
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") { negative = bytes[0] == UInt8(ascii: "-"); i = 1 }
        guard i < bytes.count else { return nil }
        // Prefixed integers: 0x, 0o, 0b, and (YAML 1.1) a leading 0 for octal.
        if bytes.count - i > 2 && bytes[i] == UInt8(ascii: "0") {
            let p = bytes[i + 1]
            let radix: Int? = p == UInt8(ascii: "x") ? 16 : p == UInt8(ascii: "o") ? 8 : (p == UInt8(ascii: "b") && yaml11) ? 2 : nil
            if let radix {
                let digits = String(decoding: bytes[(i + 2)...], as: UTF8.self)
                guard let magnitude = UInt64(digits, radix: radix) else { return nil }
                return signed(magnitude, negative: negative, text: text)
            }
        }
        let body = bytes[i...]
        if body.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            let digits = String(decoding: body, as: UTF8.self)
            if yaml11 && body.count > 1 && body.first == UInt8(ascii: "0") {
                // YAML 1.1: a leading zero means octal (go-yaml v2 uses strconv base 0).
                if let magnitude = UInt64(digits, radix: 8) { return signed(magnitude, negative: negative, text: text) }
                return floatKind(bytes, text: text)   // "09" is no octal int; go-yaml then reads the float 9
            }
            guard let magnitude = UInt64(digits) else { return .number(normalizedFloat(bytes)) }
            return signed(magnitude, negative: negative, text: text)
        }
        return floatKind(bytes, text: text)
    }

    private static func signed(_ magnitude: UInt64, negative: Bool, text: String) -> Value.Kind {
        if negative {
            if magnitude <= UInt64(Int64.max) { return .int(-Int64(magnitude)) }
            if magnitude == UInt64(Int64.max) + 1 { return .int(Int64.min) }
            return .number(String(text.filter { $0 != "_" }))
        }
        if magnitude <= UInt64(Int64.max) { return .int(Int64(magnitude)) }
        return .number(String(magnitude))
    }

    /// YAML float: `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`.
    private static func floatKind(_ bytes: [UInt8], text: String) -> Value.Kind? {
        var i = 0
        if i < bytes.count && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) { i += 1 }
        var intDigits = 0, fracDigits = 0
        while i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1; intDigits += 1 }
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1; fracDigits += 1 }
            if intDigits == 0 && fracDigits == 0 { return nil }
        } else if intDigits == 0 {
            return nil
        }
        if i < bytes.count && (bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E")) {
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "-") || bytes[i] == UInt8(ascii: "+")) { i += 1 }
            var expDigits = 0
            while i < bytes.count && bytes[i] >= 0x30 && bytes[i] <= 0x39 { i += 1; expDigits += 1 }
            if expDigits == 0 { return nil }
        }
        guard i == bytes.count else { return nil }
        return .number(normalizedFloat(bytes))
    }

    /// JSON-compatible number text: `+1.5` → `1.5`, `.5` → `0.5`, `5.` → `5.0`.
    private static func normalizedFloat(_ bytes: [UInt8]) -> String {
        var s = String(decoding: bytes, as: UTF8.self)
        if s.hasPrefix("+") { s.removeFirst() }
        if s.hasPrefix(".") { s = "0" + s } else if s.hasPrefix("-.") { s = "-0" + s.dropFirst() }
        if let dot = s.firstIndex(of: ".") {
            let after = s.index(after: dot)
            if after == s.endIndex || !(s[after].isNumber) { s.insert("0", at: after) }
        }
        return s
    }
}
