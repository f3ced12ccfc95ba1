import Testing
@testable import CEL

/// The string functions search UTF-8 bytes; these cases hold them to the code point definitions they
/// replace (cel-go works on runes), on text where bytes and code points differ.
@Suite("string search")
struct StringSearchTests {
    static let texts = ["", "a", "abcabc", "a,b,,c", "héllo wörld", "e\u{301}e\u{301}", "日本語の日本", "🎉x🎉", "aaa",
                        "a\r\nb\nc", "--maxmemory 2gb"]
    static let needles = ["", "a", "b", ",", "é", "\u{301}", "e", "日本", "🎉", "aa", "\n", "\r\n", "x🎉", "zz", "abcabcabc"]

    @Test("contains, startsWith, endsWith compare code points")
    func tests() throws {
        for s in Self.texts {
            for x in Self.needles {
                let scalars = Array(s.unicodeScalars), needle = Array(x.unicodeScalars)
                let contains = needle.isEmpty || (0...max(0, scalars.count - needle.count)).contains { i in
                    i + needle.count <= scalars.count && scalars[i..<(i + needle.count)].elementsEqual(needle)
                }
                let vars: [String: CELValue] = ["s": .string(s), "x": .string(x)]
                #expect(try eval("s.contains(x)", vars) == .value(.bool(contains)), "\(s).contains(\(x))")
                #expect(try eval("s.startsWith(x)", vars) == .value(.bool(scalars.starts(with: needle))), "\(s).startsWith(\(x))")
                #expect(try eval("s.endsWith(x)", vars) == .value(.bool(scalars.reversed().starts(with: needle.reversed()))),
                        "\(s).endsWith(\(x))")
            }
        }
    }

    @Test("indexOf and lastIndexOf count code points")
    func indexes() throws {
        for s in Self.texts {
            let scalars = Array(s.unicodeScalars)
            for x in Self.needles {
                let needle = Array(x.unicodeScalars)
                func matches(_ i: Int) -> Bool { i + needle.count <= scalars.count && scalars[i..<(i + needle.count)].elementsEqual(needle) }
                for start in 0...scalars.count {
                    let vars: [String: CELValue] = ["s": .string(s), "x": .string(x), "i": .int(Int64(start))]
                    let first = needle.isEmpty ? start : ((start...scalars.count).first(where: matches) ?? -1)
                    let last = needle.isEmpty ? start : ((0...start).reversed().first(where: matches) ?? -1)
                    #expect(try eval("s.indexOf(x, i)", vars) == .value(.int(Int64(first))), "\(s).indexOf(\(x), \(start))")
                    #expect(try eval("s.lastIndexOf(x, i)", vars) == .value(.int(Int64(last))), "\(s).lastIndexOf(\(x), \(start))")
                }
                let vars: [String: CELValue] = ["s": .string(s), "x": .string(x)]
                let first = needle.isEmpty ? 0 : ((0...scalars.count).first(where: matches) ?? -1)
                #expect(try eval("s.indexOf(x)", vars) == .value(.int(Int64(first))), "\(s).indexOf(\(x))")
                #expect(try eval("s.indexOf(x, \(scalars.count + 1))", vars).errorMessage == "index out of range: \(scalars.count + 1)")
            }
        }
    }

    @Test("split and replace cut at code point matches, with limits")
    func splitAndReplace() throws {
        for s in Self.texts {
            for x in Self.needles where !x.isEmpty {
                for limit in [-1, 0, 1, 2, 3] {
                    #expect(StringsExtension.split(s, x, limit: Int64(limit)) == referenceSplit(s, x, limit: limit),
                            "\(s).split(\(x), \(limit))")
                    #expect(StringsExtension.replace(s, x, "<\(x)>", limit: Int64(limit)) == referenceReplace(s, x, "<\(x)>", limit: limit),
                            "\(s).replace(\(x), \(limit))")
                }
            }
        }
    }

    @Test("lowerAscii and upperAscii change ASCII letters only")
    func asciiCase() throws {
        for s in Self.texts + ["ABC déF ÀÉ", "Straße"] {
            let lower = String(String.UnicodeScalarView(s.unicodeScalars.map { $0 >= "A" && $0 <= "Z" ? Unicode.Scalar($0.value + 32)! : $0 }))
            let upper = String(String.UnicodeScalarView(s.unicodeScalars.map { $0 >= "a" && $0 <= "z" ? Unicode.Scalar($0.value - 32)! : $0 }))
            #expect(try eval("s.lowerAscii()", ["s": .string(s)]) == .value(.string(lower)))
            #expect(try eval("s.upperAscii()", ["s": .string(s)]) == .value(.string(upper)))
        }
    }

    @Test("trim cuts Go's spaces at both ends only")
    func trim() throws {
        for s in Self.texts + [" a ", "\u{A0}x\u{3000}", "\tx", "x\n", "  ", "é ", " é", "\u{85}"] {
            let scalars = Array(s.unicodeScalars)
            var b = 0, e = scalars.count
            while b < e, StringsExtension.isGoSpace(scalars[b]) { b += 1 }
            while e > b, StringsExtension.isGoSpace(scalars[e - 1]) { e -= 1 }
            #expect(try eval("s.trim()", ["s": .string(s)]) == .value(.string(String(String.UnicodeScalarView(scalars[b..<e])))))
        }
    }

    /// Go's `strings.SplitN` on code points, for a non-empty separator.
    func referenceSplit(_ s: String, _ sep: String, limit: Int) -> [String] {
        if limit == 0 { return [] }
        let scalars = Array(s.unicodeScalars), needle = Array(sep.unicodeScalars)
        var parts: [String] = [], start = 0, i = 0
        while i + needle.count <= scalars.count {
            if limit > 0 && parts.count == limit - 1 { break }
            if scalars[i..<(i + needle.count)].elementsEqual(needle) {
                parts.append(String(String.UnicodeScalarView(scalars[start..<i]))); i += needle.count; start = i
            } else { i += 1 }
        }
        parts.append(String(String.UnicodeScalarView(scalars[start...])))
        return parts
    }

    /// Go's `strings.Replace` on code points, for a non-empty `old`.
    func referenceReplace(_ s: String, _ old: String, _ new: String, limit: Int) -> String {
        if limit == 0 { return s }
        let scalars = Array(s.unicodeScalars), needle = Array(old.unicodeScalars)
        var out = String.UnicodeScalarView(), count = 0, i = 0
        while i < scalars.count {
            if limit < 0 || count < limit, i + needle.count <= scalars.count, scalars[i..<(i + needle.count)].elementsEqual(needle) {
                out.append(contentsOf: new.unicodeScalars); i += needle.count; count += 1
            } else { out.append(scalars[i]); i += 1 }
        }
        return String(out)
    }
}
