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
            var start = 0
            if args.count == 3 {
                guard case .int(let i) = args[2] else { throw noMatchingOverload("indexOf", args) }
                guard i >= 0, i <= Int64(s.unicodeScalars.count) else { throw CELError("index out of range: \(i)") }
                start = Int(i)
            }
            if sub.isEmpty { return .int(Int64(start)) }
            let from = utf8Offset(s, ofScalar: start)
            guard let hit = s.utf8Offset(of: sub, from: from) else { return .int(-1) }
            return .int(Int64(start + scalarCount(s, from, hit)))
        }
        t.add("lastIndexOf", receiver: [1, 2]) { args throws(CELError) in
            guard case .string(let s) = args[0], case .string(let sub) = args[1] else { throw noMatchingOverload("lastIndexOf", args) }
            let count = s.unicodeScalars.count
            var start = count
            if args.count == 3 {
                guard case .int(let i) = args[2] else { throw noMatchingOverload("lastIndexOf", args) }
                guard i >= 0, i <= Int64(count) else { throw CELError("index out of range: \(i)") }
                start = Int(i)
            }
            if sub.isEmpty { return .int(Int64(start)) }
            // A match may start at code point `start` at the latest: at its UTF-8 offset or before.
            guard let hit = s.utf8LastOffset(of: sub, atOrBefore: utf8Offset(s, ofScalar: start)) else { return .int(-1) }
            return .int(Int64(scalarCount(s, 0, hit)))
        }
        t.add("lowerAscii", receiver: [0]) { args throws(CELError) in
            guard case .string(let s) = args[0] else { throw noMatchingOverload("lowerAscii", args) }
            return .string(mapASCII(s, from: UInt8(ascii: "A"), to: UInt8(ascii: "a")))
        }
        t.add("upperAscii", receiver: [0]) { args throws(CELError) in
            guard case .string(let s) = args[0] else { throw noMatchingOverload("upperAscii", args) }
            return .string(mapASCII(s, from: UInt8(ascii: "a"), to: UInt8(ascii: "A")))
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
            // Most text starts and ends with an ASCII non-space (a byte below 0x80 is a whole code point):
            // nothing to cut.
            if let first = s.utf8.first, let last = s.utf8.last, first < 0x80, last < 0x80,
               !isGoSpace(Unicode.Scalar(first)), !isGoSpace(Unicode.Scalar(last)) { return args[0] }
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
        if old.isEmpty {
            var out = String.UnicodeScalarView()
            var count: Int64 = 0
            for c in s.unicodeScalars {
                if limit < 0 || count < limit { out.append(contentsOf: new.unicodeScalars); count += 1 }
                out.append(c)
            }
            if limit < 0 || count < limit { out.append(contentsOf: new.unicodeScalars) }
            return String(out)
        }
        // Both are valid UTF-8, so byte matches are code point matches (see `utf8Offset(of:from:)`).
        guard var hit = s.utf8Offset(of: old) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        var from = 0, count: Int64 = 0
        let utf8 = s.utf8
        while true {
            out.append(contentsOf: utf8[utf8.index(utf8.startIndex, offsetBy: from)..<utf8.index(utf8.startIndex, offsetBy: hit)])
            out.append(contentsOf: new.utf8)
            from = hit + old.utf8.count
            count += 1
            guard limit < 0 || count < limit, let next = s.utf8Offset(of: old, from: from) else { break }
            hit = next
        }
        out.append(contentsOf: utf8[utf8.index(utf8.startIndex, offsetBy: from)...])
        return String(decoding: out, as: UTF8.self)
    }

    /// Go's `strings.SplitN`.
    static func split(_ s: String, _ sep: String, limit: Int64) -> [String] {
        if limit == 0 { return [] }
        if sep.isEmpty {
            let scalars = Array(s.unicodeScalars)
            var parts: [String] = []
            for (i, c) in scalars.enumerated() {
                if limit > 0 && Int64(parts.count) == limit - 1 {
                    parts.append(String(String.UnicodeScalarView(scalars[i...]))); return parts
                }
                parts.append(String(c))
            }
            return parts
        }
        var parts: [String] = []
        var from = 0
        while !(limit > 0 && Int64(parts.count) == limit - 1), let hit = s.utf8Offset(of: sep, from: from) {
            parts.append(slice(s, from, hit))
            from = hit + sep.utf8.count
        }
        parts.append(slice(s, from, s.utf8.count))
        return parts
    }

    /// The text between two UTF-8 offsets of `s`, both on code point boundaries.
    static func slice(_ s: String, _ from: Int, _ to: Int) -> String {
        let start = s.utf8.index(s.utf8.startIndex, offsetBy: from)
        return String(s.unicodeScalars[start..<s.utf8.index(start, offsetBy: to - from)])
    }

    /// The UTF-8 offset of code point `n` of `s` (`s.utf8.count` for the end).
    static func utf8Offset(_ s: String, ofScalar n: Int) -> Int {
        let index = s.unicodeScalars.index(s.unicodeScalars.startIndex, offsetBy: n)
        return s.utf8.distance(from: s.utf8.startIndex, to: index)
    }

    /// How many code points lie between two UTF-8 offsets of `s`: the bytes that start one.
    static func scalarCount(_ s: String, _ from: Int, _ to: Int) -> Int {
        let utf8 = s.utf8
        let start = utf8.index(utf8.startIndex, offsetBy: from)
        var count = 0
        for byte in utf8[start..<utf8.index(start, offsetBy: to - from)] where byte & 0xC0 != 0x80 { count += 1 }
        return count
    }

    /// `s` with the ASCII letters from `from` (`A` or `a`) on changed to case `to`; other bytes, including
    /// every byte of a multi-byte code point (all at least 0x80), are kept.
    static func mapASCII(_ s: String, from: UInt8, to: UInt8) -> String {
        let last = from + 25
        guard s.utf8.contains(where: { $0 >= from && $0 <= last }) else { return s }
        return String(decoding: s.utf8.map { $0 >= from && $0 <= last ? $0 - from + to : $0 }, as: UTF8.self)
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
