import Testing
import KubeModel
@testable import CEL

@Suite("kubernetes libraries")
struct KubernetesLibraryTests {
    @Test("quantity: parse, compare by value, arithmetic, conversions")
    func quantity() throws {
        #expect(try eval("quantity('1Gi') == quantity('1024Mi') && quantity('200M') == quantity('0.2G')") == .value(.bool(true)))
        #expect(try eval("quantity('1G') == quantity('1Gi')") == .value(.bool(false)))
        #expect(try eval("quantity('10Gi').isGreaterThan(quantity('9Gi')) && quantity('500m').isLessThan(quantity('1'))") == .value(.bool(true)))
        #expect(try eval("quantity('1Gi').compareTo(quantity('1G'))") == .value(.int(1)))
        #expect(try eval("quantity('1.5Gi').add(quantity('512Mi')) == quantity('2Gi')") == .value(.bool(true)))
        #expect(try eval("quantity('1k').sub(1).asInteger()") == .value(.int(999)))
        #expect(try eval("quantity('-5').sign()") == .value(.int(-1)))
        #expect(try eval("quantity('500m').isInteger()") == .value(.bool(false)))
        #expect(try eval("quantity('500m').asInteger()").isError)
        #expect(try eval("quantity('1.5').asApproximateFloat()") == .value(.double(1.5)))
        #expect(try eval("isQuantity('10Gi') && !isQuantity('10GB') && !isQuantity('')") == .value(.bool(true)))
        #expect(try eval("quantity('ten')").errorMessage == "\"ten\" is not a quantity (expected e.g. 10Gi, 500m, 1e3)")
        #expect(try eval("quantity(q).isLessThan(quantity('1Gi'))", ["q": CELValue.from(.string("512Mi"))]) == .value(.bool(true)))
    }

    @Test("lists: isSorted, sum, min, max, indexOf, lastIndexOf")
    func lists() throws {
        #expect(try eval("[1, 2, 2, 3].isSorted() && !['b', 'a'].isSorted()") == .value(.bool(true)))
        #expect(try eval("[1, 2, 3].sum()") == .value(.int(6)))
        #expect(try eval("[].sum()") == .value(.int(0)))
        #expect(try eval("[1.5, 2.5].sum()") == .value(.double(4)))
        #expect(try eval("[9223372036854775807, 1].sum()").isError)
        #expect(try eval("[3, 1, 2].min() == 1 && [3, 1, 2].max() == 3 && ['b', 'a'].min() == 'a'") == .value(.bool(true)))
        #expect(try eval("[].max()").isError)
        #expect(try eval("[1, 'a'].min()").isError)
        #expect(try eval("[1, 2, 1].indexOf(1) == 0 && [1, 2, 1].lastIndexOf(1) == 2 && [1].indexOf(5) == -1") == .value(.bool(true)))
        #expect(try eval("'abcabc'.indexOf('c') == 2 && 'abcabc'.lastIndexOf('c') == 5") == .value(.bool(true)))
    }

    @Test("regex: RE2 matches, find, findAll; invalid patterns are errors at compile time or when evaluated")
    func regex() throws {
        #expect(try eval("'redis-7.2.4'.matches('^redis-[0-9]+\\\\.[0-9]+')") == .value(.bool(true)))
        #expect(try eval("matches('abc', 'B')") == .value(.bool(false)))
        #expect(try eval("'abc 123 def 456'.find('[0-9]+')") == .value(.string("123")))
        #expect(try eval("'abc'.find('[0-9]+')") == .value(.string("")))
        #expect(try eval("'abc 123 def 456'.findAll('[0-9]+')") == .value(.list([.string("123"), .string("456")])))
        #expect(try eval("'a1b2c3'.findAll('[0-9]', 2)") == .value(.list([.string("1"), .string("2")])))
        #expect(try eval("'aé'.findAll('')") == .value(.list([.string(""), .string(""), .string("")])))
        // A dynamic pattern is compiled when evaluated; RE2 has no backreferences.
        let dynamic = try eval("'aa'.matches(p)", ["p": .string("(a)\\1")])
        #expect(dynamic.errorMessage?.hasPrefix("invalid regular expression '(a)\\1'") == true)
        #expect(compileError("'aa'.find('(?=a)')")?.message.hasPrefix("invalid regular expression") == true)
        // Linear time on the pattern that makes backtracking engines exponential.
        let input = String(repeating: "a", count: 100_000) + "b"
        #expect(try eval("s.matches('^(a+)+$')", ["s": .string(input)]) == .value(.bool(false)))
        #expect(try eval("s.matches('^(a+)+b$')", ["s": .string(input)]) == .value(.bool(true)))
    }

    @Test("strings extension")
    func strings() throws {
        #expect(try eval("'a,b,,c'.split(',')") == .value(.list(["a", "b", "", "c"].map { CELValue.string($0) })))
        #expect(try eval("['a', 'b'].join(', ')") == .value(.string("a, b")))
        #expect(try eval("' x\\t'.trim() + 'ABC'.lowerAscii() + 'é'.upperAscii()") == .value(.string("xabcé")))
        #expect(try eval("'héllo'.charAt(1) + 'héllo'.substring(2, 4)") == .value(.string("éll")))
        #expect(try eval("'héllo'.substring(4, 9)").errorMessage == "index out of range: 9")
        #expect(try eval("'a-b-c'.replace('-', '+', 1)") == .value(.string("a+b-c")))
        #expect(try eval("'%s has %d replicas (%.1f%%)'.format(['redis', 3, 99.95])") == .value(.string("redis has 3 replicas (100.0%)")))
        #expect(try eval("strings.quote('a\"b\\n')") == .value(.string("\"a\\\"b\\n\"")))
        // Growth is bounded: a replace that would build a 25 MB string is an error, not an allocation.
        let s = CELValue.string(String(repeating: "x", count: 5000))
        #expect(try eval("s.replace('', s)", ["s": s]).errorMessage?.hasPrefix("value too large") == true)
        #expect(try eval("s.replace('x', s).size()", ["s": .string("xx")]) == .value(.int(4)))
    }
}
