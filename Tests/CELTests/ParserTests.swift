import Testing
@testable import CEL

/// Renders a parsed expression as a fully parenthesised S-expression, to test precedence.
func sexp(_ node: Node) -> String {
    switch node.kind {
    case .literal(let v): return v.displayString
    case .bigInt: return "9223372036854775808"
    case .ident(let n, let rooted): return (rooted ? "." : "") + n
    case .select(let o, let f, let optional): return "(\(optional ? ".?" : ".") \(sexp(o)) \(f))"
    case .presence(let o, let f): return "(has \(sexp(o)) \(f))"
    case .index(let o, let i, let optional): return "(\(optional ? "[?]" : "[]") \(sexp(o)) \(sexp(i)))"
    case .call(let name, let target, let args):
        return "(" + ([target.map { sexp($0) + "." + name } ?? name] + args.map(sexp)).joined(separator: " ") + ")"
    case .list(let items, _): return "[" + items.map(sexp).joined(separator: " ") + "]"
    case .map(let entries): return "{" + entries.map { sexp($0.key) + ":" + sexp($0.value) }.joined(separator: " ") + "}"
    case .unary(let op, let o): return "(\(op) \(sexp(o)))"
    case .binary(let op, let l, let r): return "(\(op) \(sexp(l)) \(sexp(r)))"
    case .conditional(let c, let t, let f): return "(? \(sexp(c)) \(sexp(t)) \(sexp(f)))"
    case .macro(let m, let target, let v, let args):
        return "(\(m.rawValue) \(sexp(target)) \(v) " + args.map(sexp).joined(separator: " ") + ")"
    }
}

func parsed(_ source: String) throws -> String { sexp(try Parser.parse(source)) }

func compileError(_ source: String, _ declarations: CELDeclarations = CELDeclarations()) -> CELError? {
    do { _ = try CELProgram(source, declarations: declarations); return nil } catch { return error }
}

@Suite("parser")
struct ParserTests {
    @Test("precedence: member > unary > multiplicative > additive > relational > && > || > ?:",
          arguments: [
              ("1 + 2 * 3", "(+ 1 (* 2 3))"),
              ("1 - 2 - 3", "(- (- 1 2) 3)"),
              ("a || b && c", "(|| a (&& b c))"),
              ("a && b || c && d", "(|| (&& a b) (&& c d))"),
              ("!a.b", "(! (. a b))"),
              ("-a[0] * 2", "(* (- ([] a 0)) 2)"),
              ("1 < 2 == true", "(== (< 1 2) true)"),
              ("x in [1] && y", "(&& (in x [1]) y)"),
              ("a ? b : c ? d : e", "(? a b (? c d e))"),
              ("a || b ? c : d", "(? (|| a b) c d)"),
              ("!!x", "(! (! x))"),
              ("-5", "-5"),
              ("-(5)", "(- 5)"),
              ("-9223372036854775808", "-9223372036854775808"),
              ("a.?b[?0]", "([?] (.? a b) 0)"),
              ("x.f(y).g", "(. (x.f y) g)"),
              (".y + z", "(+ .y z)"),
              ("l.all(e, e > 0)", "(all l e (> e 0))"),
              ("m.map(k, k != '', k + 'x')", "(map m k (!= k ) (+ k x))"),
              ("has(a.b.c)", "(has (. a b) c)"),
              ("{'a': 1}.`content-type`", "(. {a:1} content-type)"),
          ] as [(String, String)])
    func precedence(_ source: String, _ expected: String) throws {
        #expect(try parsed(source) == expected)
    }

    @Test("syntax errors name line and column")
    func syntaxErrors() {
        #expect(compileError("1 +\n  )") == CELError("unexpected ')'", line: 2, column: 3))
        #expect(compileError("[1, 2") == CELError("expected ']', found end of input", line: 1, column: 6))
        #expect(compileError("'abc") == CELError("unterminated string literal", line: 1, column: 1))
        #expect(compileError("a.b(\n  1 # 2)", CELDeclarations(variables: ["a"])) == CELError("unexpected character '#'", line: 2, column: 5))
        #expect(compileError("if") == CELError("reserved word 'if' cannot be used as a name", line: 1, column: 1))
        #expect(compileError("18446744073709551616") == CELError("integer literal out of range", line: 1, column: 1))
        #expect(compileError("9223372036854775808") == CELError("integer literal out of range", line: 1, column: 1))
        #expect(compileError("'\\q'") == CELError("invalid escape sequence '\\q'", line: 1, column: 2))
    }

    @Test("check errors: undeclared names, unknown functions, arity, invalid literal regex")
    func checkErrors() {
        let declarations = CELDeclarations(variables: ["object"])
        #expect(compileError("object.spec.replicas > 0 && objct.kind == 'x'", declarations)
                == CELError("undeclared reference to 'objct'", line: 1, column: 29))
        #expect(compileError("object.kind.startsWth('x')", declarations)
                == CELError("undeclared reference to function 'startsWth'", line: 1, column: 13))
        #expect(compileError("size(object, 1)", declarations)
                == CELError("no matching overload: size() does not take 2 arguments", line: 1, column: 1))
        #expect(compileError("object.kind.matches('(a)\\\\1')", declarations)?.message.hasPrefix("invalid regular expression") == true)
        #expect(compileError("object.kind.matches('(a)\\\\1')", declarations)?.column == 21)
        #expect(compileError("[1].all(x.y, true)") == CELError("argument to all() must be a simple name", line: 1, column: 11))
        #expect(compileError("object.spec", declarations) == nil)
    }

    @Test("nesting is bounded: 200 levels parse, 300 are an error (no stack overflow)")
    func nesting() throws {
        let ok = String(repeating: "[", count: 200) + "1" + String(repeating: "]", count: 200)
        #expect(compileError(ok) == nil)
        let deep = String(repeating: "(", count: 300) + "1" + String(repeating: ")", count: 300)
        #expect(compileError(deep)?.message.hasPrefix("expression nested too deeply") == true)
        let unary = String(repeating: "-", count: 300) + "1"
        #expect(compileError(unary)?.message.hasPrefix("expression nested too deeply") == true)
        let chain = (0..<400).map { _ in "1" }.joined(separator: " + ")
        #expect(compileError(chain)?.message.hasPrefix("expression nested too deeply") == true)
        let selects = "a" + String(repeating: ".b", count: 300)
        #expect(compileError(selects, CELDeclarations(variables: ["a"]))?.message.hasPrefix("expression nested too deeply") == true)
        // The deepest accepted expressions evaluate without exhausting the stack.
        let program = try CELProgram(String(repeating: "-(", count: 120) + "1" + String(repeating: ")", count: 120))
        #expect(program.evaluate() == .value(.int(1)))
        let sum = try CELProgram((0..<240).map { _ in "1" }.joined(separator: " + "))
        #expect(sum.evaluate() == .value(.int(240)))
    }

    @Test("string and bytes literals")
    func literals() throws {
        #expect(try CELProgram(#"'\x41\101\u00e9\U0001F600' + r'\n' + """a"b""""#).evaluate() == .value(.string("AAé😀\\na\"b")))
        #expect(try CELProgram(#"b'\xff\001é'"#).evaluate() == .value(.bytes([0xFF, 1, 0xC3, 0xA9])))
        #expect(try CELProgram("0x1F + 1 == 32 && 0x1Fu == 31u && .5 == 0.5 && 1e3 == 1000.0").evaluate() == .value(.bool(true)))
        #expect(try CELProgram("'''a\nb''' // comment\n == 'a\\nb'").evaluate() == .value(.bool(true)))
    }
}
