import Foundation

/// cel-go's strings extension (`ext.Strings`, version 2 as Kubernetes enables it), without `reverse`.
/// Indexes count Unicode code points.
enum StringsExtension {
    static func register(_ t: inout [String: Builtin]) {
        t.add("charAt", receiver: [1]) { args throws(CELError) in
            guard case .string(let s) = args[0], case .int(let i) = args[1] else { throw noMatchingOverload("charAt", args) }
            let scalars = Array(s.unicodeScalars)
            guard i >= 0, i <= Int64(scalars.count) else { throw CELError("index out of range: \(i)") }
            return .string(i == Int64(scalars.count) ? "" : String(scalars[Int(i)]))
        }
        t.add("indexOf", receiver: [1, 2]) { args throws(CELError) in
            guard case .string(let s) = args[0], case .string(let sub) = args[1] else { throw noMatchingOverload("indexOf", args) }
            let scalars = Array(s.unicodeScalars), needle = Array(sub.unicodeScalars)
            var start = 0
            if args.count == 3 {
                guard case .int(let i) = args[2] else { throw noMatchingOverload("indexOf", args) }
                guard i >= 0, i <= Int64(scalars.count) else { throw CELError("index out of range: \(i)") }
                start = Int(i)
            }
            if needle.isEmpty { return .int(Int64(start)) }
            var i = start
            while i + needle.count <= scalars.count {
                if scalars[i..<(i + needle.count)].elementsEqual(needle) { return .int(Int64(i)) }
                i += 1
            }
            return .int(-1)
        }
        t.add("lastIndexOf", receiver: [1, 2]) { args throws(CELError) in
            guard case .string(let s) = args[0], case .string(let sub) = args[1] else { throw noMatchingOverload("lastIndexOf", args) }
            let scalars = Array(s.unicodeScalars), needle = Array(sub.unicodeScalars)
            var start = scalars.count
            if args.count == 3 {
                guard case .int(let i) = args[2] else { throw noMatchingOverload("lastIndexOf", args) }
                guard i >= 0, i <= Int64(scalars.count) else { throw CELError("index out of range: \(i)") }
                start = Int(i)
            }
            if needle.isEmpty { return .int(Int64(start)) }
            var i = min(start, scalars.count - needle.count)
            while i >= 0 {
                if scalars[i..<(i + needle.count)].elementsEqual(needle) { return .int(Int64(i)) }
                i -= 1
            }
            return .int(-1)
        }
        t.add("lowerAscii", receiver: [0]) { args throws(CELError) in
            guard case .string(let s) = args[0] else { throw noMatchingOverload("lowerAscii", args) }
            return .string(String(String.UnicodeScalarView(s.unicodeScalars.map { $0 >= "A" && $0 <= "Z" ? Unicode.Scalar($0.value + 32) ?? $0 : $0 })))
        }
        t.add("upperAscii", receiver: [0]) { args throws(CELError) in
            guard case .string(let s) = args[0] else { throw noMatchingOverload("upperAscii", args) }
            return .string(String(String.UnicodeScalarView(s.unicodeScalars.map { $0 >= "a" && $0 <= "z" ? Unicode.Scalar($0.value - 32) ?? $0 : $0 })))
        }
        t.add("replace", receiver: [2, 3]) { args throws(CELError) in
            guard case .string(let s) = args[0], case .string(let old) = args[1], case .string(let new) = args[2] else {
                throw noMatchingOverload("replace", args)
            }
            var limit: Int64 = -1
            if args.count == 4 {
                guard case .int(let n) = args[3] else { throw noMatchingOverload("replace", args) }
                limit = n
            }
            let count = Int(clamping: limit < 0 ? Int64(s.unicodeScalars.count + 1) : min(limit, Int64(s.unicodeScalars.count + 1)))
            let (growth, overflow) = count.multipliedReportingOverflow(by: new.utf8.count)
            try checkSize(overflow ? Int.max : s.utf8.count &+ min(growth, maxValueSize + 1))
            return .string(replace(s, old, new, limit: limit))
        }
        t.add("split", receiver: [1, 2]) { args throws(CELError) in
            guard case .string(let s) = args[0], case .string(let sep) = args[1] else { throw noMatchingOverload("split", args) }
            var limit: Int64 = -1
            if args.count == 3 {
                guard case .int(let n) = args[2] else { throw noMatchingOverload("split", args) }
                limit = n
            }
            return .list(split(s, sep, limit: limit).map { CELValue.string($0) })
        }
        t.add("substring", receiver: [1, 2]) { args throws(CELError) in
            guard case .string(let s) = args[0], case .int(let start) = args[1] else { throw noMatchingOverload("substring", args) }
            let scalars = Array(s.unicodeScalars)
            var end = Int64(scalars.count)
            if args.count == 3 {
                guard case .int(let e) = args[2] else { throw noMatchingOverload("substring", args) }
                end = e
            }
            guard start >= 0, start <= Int64(scalars.count) else { throw CELError("index out of range: \(start)") }
            guard end >= 0, end <= Int64(scalars.count) else { throw CELError("index out of range: \(end)") }
            guard start <= end else { throw CELError("invalid substring range. start: \(start), end: \(end)") }
            return .string(String(String.UnicodeScalarView(scalars[Int(start)..<Int(end)])))
        }
        t.add("trim", receiver: [0]) { args throws(CELError) in
            guard case .string(let s) = args[0] else { throw noMatchingOverload("trim", args) }
            let scalars = Array(s.unicodeScalars)
            var b = 0, e = scalars.count
            while b < e, isGoSpace(scalars[b]) { b += 1 }
            while e > b, isGoSpace(scalars[e - 1]) { e -= 1 }
            return .string(String(String.UnicodeScalarView(scalars[b..<e])))
        }
        t.add("join", receiver: [0, 1]) { args throws(CELError) in
            guard case .list(let l) = args[0] else { throw noMatchingOverload("join", args) }
            var sep = ""
            if args.count == 2 {
                guard case .string(let s) = args[1] else { throw noMatchingOverload("join", args) }
                sep = s
            }
            var parts: [String] = []
            for item in l {
                guard case .string(let s) = item else { throw CELError("join: list element is not a string: \(item.type.name)") }
                parts.append(s)
            }
            try checkSize(parts.reduce(0) { $0 + $1.utf8.count } + sep.utf8.count * parts.count)
            return .string(parts.joined(separator: sep))
        }
        t.add("strings.quote", global: [1]) { args throws(CELError) in
            guard case .string(let s) = args[0] else { throw noMatchingOverload("strings.quote", args) }
            return .string(quote(s))
        }
        t.add("format", receiver: [1]) { args throws(CELError) in
            guard case .string(let s) = args[0], case .list(let l) = args[1] else { throw noMatchingOverload("format", args) }
            return .string(try format(s, Array(l)))
        }
    }

    /// Go's `unicode.IsSpace`.
    static func isGoSpace(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x09...0x0D, 0x20, 0x85, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000: true
        default: false
        }
    }

    /// Go's `strings.Replace`: an empty `old` matches before each code point and at the end.
    static func replace(_ s: String, _ old: String, _ new: String, limit: Int64) -> String {
        if limit == 0 { return s }
        let scalars = Array(s.unicodeScalars), needle = Array(old.unicodeScalars)
        var out = String.UnicodeScalarView()
        var count: Int64 = 0
        var i = 0
        if needle.isEmpty {
            for c in scalars {
                if limit < 0 || count < limit { out.append(contentsOf: new.unicodeScalars); count += 1 }
                out.append(c)
            }
            if limit < 0 || count < limit { out.append(contentsOf: new.unicodeScalars) }
            return String(out)
        }
        while i < scalars.count {
            if (limit < 0 || count < limit), i + needle.count <= scalars.count, scalars[i..<(i + needle.count)].elementsEqual(needle) {
                out.append(contentsOf: new.unicodeScalars); i += needle.count; count += 1
            } else {
                out.append(scalars[i]); i += 1
            }
        }
        return String(out)
    }

    /// Go's `strings.SplitN`.
    static func split(_ s: String, _ sep: String, limit: Int64) -> [String] {
        if limit == 0 { return [] }
        let scalars = Array(s.unicodeScalars), needle = Array(sep.unicodeScalars)
        var parts: [String] = []
        if needle.isEmpty {
            for (i, c) in scalars.enumerated() {
                if limit > 0 && Int64(parts.count) == limit - 1 {
                    parts.append(String(String.UnicodeScalarView(scalars[i...]))); return parts
                }
                parts.append(String(c))
            }
            return parts
        }
        var start = 0, i = 0
        while i + needle.count <= scalars.count {
            if limit > 0 && Int64(parts.count) == limit - 1 { break }
            if scalars[i..<(i + needle.count)].elementsEqual(needle) {
                parts.append(String(String.UnicodeScalarView(scalars[start..<i])))
                i += needle.count; start = i
            } else { i += 1 }
        }
        parts.append(String(String.UnicodeScalarView(scalars[start...])))
        return parts
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\u{07}": out += "\\a"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{0B}": out += "\\v"
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    /// `"...".format([args])` as the cel-spec strings extension defines it.
    static func format(_ template: String, _ args: [CELValue]) throws(CELError) -> String {
        var out = ""
        let chars = Array(template.unicodeScalars)
        var i = 0, next = 0
        while i < chars.count {
            let c = chars[i]
            i += 1
            guard c == "%" else { out.unicodeScalars.append(c); continue }
            guard i < chars.count else { throw CELError("could not parse formatting clause: unexpected end of string") }
            if chars[i] == "%" { out += "%"; i += 1; continue }
            var precision: Int?
            if chars[i] == "." {
                i += 1
                var digits = ""
                while i < chars.count, chars[i] >= "0" && chars[i] <= "9" { digits.unicodeScalars.append(chars[i]); i += 1 }
                guard let p = Int(digits), p <= 100 else { throw CELError("could not parse formatting clause: bad precision") }
                precision = p
            }
            guard i < chars.count else { throw CELError("could not parse formatting clause: unexpected end of string") }
            let verb = chars[i]
            i += 1
            guard "sdfeboxX".unicodeScalars.contains(verb) else { throw CELError("could not parse formatting clause: unrecognized formatting clause \"\(verb)\"") }
            guard next < args.count else { throw CELError("index \(next) out of range") }
            let arg = args[next]
            next += 1
            out += try formatClause(verb, precision, arg)
        }
        return out
    }

    private static func formatClause(_ verb: Unicode.Scalar, _ precision: Int?, _ arg: CELValue) throws(CELError) -> String {
        func special(_ d: Double) -> String? {
            d.isNaN ? "NaN" : d.isInfinite ? (d < 0 ? "-Infinity" : "Infinity") : nil
        }
        switch verb {
        case "s":
            return arg.displayString
        case "d":
            switch arg {
            case .int(let v): return String(v)
            case .uint(let v): return String(v)
            case .double(let d): if let s = special(d) { return s }
            default: break
            }
            throw CELError("error during formatting: decimal clause can only be used on integers, was given \(arg.type.name)")
        case "f", "e":
            let d: Double
            switch arg {
            case .int(let v): d = Double(v)
            case .uint(let v): d = Double(v)
            case .double(let v): d = v
            default:
                let what = verb == "f" ? "fixed-point" : "scientific"
                throw CELError("error during formatting: \(what) clause can only be used on doubles, was given \(arg.type.name)")
            }
            if let s = special(d) { return s }
            return String(format: "%.\(precision ?? 6)\(verb)", d)
        case "b", "o":
            let radix = verb == "b" ? 2 : 8
            switch arg {
            case .int(let v): return String(v, radix: radix)
            case .uint(let v): return String(v, radix: radix)
            case .bool(let b) where verb == "b": return b ? "1" : "0"
            default:
                throw CELError("error during formatting: \(verb == "b" ? "only integers and bools can be formatted as binary" : "octal clause can only be used on integers"), was given \(arg.type.name)")
            }
        default: // x, X
            let upper = verb == "X"
            var text: String
            switch arg {
            case .int(let v): text = String(v, radix: 16)
            case .uint(let v): text = String(v, radix: 16)
            case .string(let s): text = s.utf8.map { hexByte($0) }.joined()
            case .bytes(let b): text = b.map { hexByte($0) }.joined()
            default:
                throw CELError("error during formatting: only integers, byte buffers, and strings can be formatted as hex, was given \(arg.type.name)")
            }
            if upper { text = text.uppercased() }
            return text
        }
    }

    private static func hexByte(_ b: UInt8) -> String {
        let s = String(b, radix: 16)
        return b < 16 ? "0" + s : s
    }
}
