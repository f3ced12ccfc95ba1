import Testing
@testable import KubeModel

/// The byte-level text helpers against the character- and scalar-level definitions they stand for.
@Suite("text helpers")
struct TextTests {
    static let texts = ["", "plain", "a,,b", "%:,", "a\r\nb", "a\rb\nc", "\r\n\r\n", "e\u{301}x", "\u{212A}elvin", "K",
                        "日本,語", "🎉:🎉", "tab\there", "\u{2028}\u{2029}\u{7F}\u{0}\u{1F}\u{8}\u{C}\"\\"]

    @Test("replacingAll matches characters as Swift compares them")
    func replacingAll() {
        for s in Self.texts {
            for target in ["%", ",", ":", "\n", "\r", "\r\n", "e", "K", "\u{212A}", "日", "🎉", "ab", "\\"] {
                let expected = s.contains(target)
                    ? s.split(separator: Substring(target), omittingEmptySubsequences: false).joined(separator: "<>") : s
                #expect(s.replacingAll(target, "<>") == expected, "\(s.debugDescription).replacingAll(\(target.debugDescription))")
            }
        }
    }

    @Test("jsonQuoted escapes as the scalar-by-scalar definition does")
    func jsonQuotedMatchesScalars() {
        for s in Self.texts + ["\u{2027}\u{202A}", "\u{E2}", "x\u{2028}"] {
            var expected = "\""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": expected += "\\\""
                case "\\": expected += "\\\\"
                case "\n": expected += "\\n"
                case "\r": expected += "\\r"
                case "\t": expected += "\\t"
                case "\u{08}": expected += "\\b"
                case "\u{0C}": expected += "\\f"
                default:
                    if scalar.value < 0x20 || scalar.value == 0x7F || scalar == "\u{2028}" || scalar == "\u{2029}" {
                        let hex = String(scalar.value, radix: 16)
                        expected += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        expected.unicodeScalars.append(scalar)
                    }
                }
            }
            expected += "\""
            #expect(jsonQuoted(s) == expected, "\(s.debugDescription)")
        }
    }

    @Test("UTF-8 searches find code point sequences")
    func utf8Searches() {
        for s in Self.texts {
            let bytes = Array(s.utf8)
            for needle in ["", "a", ",", "\r\n", "\n", "日本", "🎉", "\u{301}", "Kx"] {
                let n = Array(needle.utf8)
                let all = (0...bytes.count).filter { $0 + n.count <= bytes.count && Array(bytes[$0..<($0 + n.count)]) == n }
                #expect(s.utf8Offset(of: needle) == all.first, "\(s.debugDescription) \(needle.debugDescription)")
                #expect(s.utf8Offset(of: needle, from: 2) == all.first { $0 >= 2 } ?? (needle.isEmpty && bytes.count >= 2 ? 2 : nil))
                #expect(s.utf8LastOffset(of: needle, atOrBefore: bytes.count) == all.last)
                #expect(s.utf8HasPrefix(needle) == bytes.starts(with: n))
                #expect(s.utf8HasSuffix(needle) == bytes.reversed().starts(with: n.reversed()))
            }
        }
    }
}
