/// The parsed form of an expression, before names are resolved. Every node has its 1-based position.
struct Node: Sendable {
    indirect enum Kind: Sendable {
        case literal(CELValue)
        case bigInt                         // 9223372036854775808: valid only after a unary minus
        case ident(String, rooted: Bool)    // rooted: written with a leading dot
        case select(Node, String, optional: Bool)
        case presence(Node, String)         // has(a.f)
        case index(Node, Node, optional: Bool)
        case call(String, target: Node?, args: [Node])
        case list([Node], optional: [Bool])
        case map([MapEntry])
        case unary(String, Node)
        case binary(String, Node, Node)
        case conditional(Node, Node, Node)
        case macro(Macro, target: Node, variable: String, args: [Node])
    }
    struct MapEntry: Sendable { var key: Node; var value: Node; var isOptional: Bool }
    var kind: Kind
    var line: Int
    var column: Int
}

/// Comprehension macros (and the optional library's `optMap`/`optFlatMap`).
enum Macro: String, Sendable {
    case all, exists, existsOne = "exists_one", map, filter, optMap, optFlatMap
}

/// A Pratt parser over `Lexer` tokens, with CEL's precedence table (SUBSET.md §2).
struct Parser {
    /// Nesting beyond this is an error, so that no input can exhaust the stack.
    static let maxDepth = 250
    static let reserved: Set<String> = [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
        "package", "namespace", "return", "var", "void", "while", "in",
    ]

    private let tokens: [Token]
    private var position = 0
    private var depth = 0
    private let macros: Bool

    static func parse(_ source: String, macros: Bool = true) throws(CELError) -> Node {
        var parser = Parser(tokens: try Lexer.tokenize(source), macros: macros)
        let node = try parser.expression()
        let end = parser.current
        guard end.kind == .end else { throw parser.unexpected(end) }
        return node
    }

    private init(tokens: [Token], macros: Bool) { self.tokens = tokens; self.macros = macros }

    private var current: Token { tokens[min(position, tokens.count - 1)] }
    private mutating func take() -> Token { let t = current; position += 1; return t }
    private func isPunct(_ p: String) -> Bool { current.kind == .punct(p) }
    private mutating func accept(_ p: String) -> Bool {
        guard isPunct(p) else { return false }
        position += 1
        return true
    }
    private mutating func expect(_ p: String) throws(CELError) {
        guard accept(p) else {
            let t = current
            throw CELError("expected '\(p)', found \(describe(t))", line: t.line, column: t.column)
        }
    }
    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .end: "end of input"
        case .punct(let p): "'\(p)'"
        case .ident(let n): "'\(n)'"
        case .quotedIdent(let n): "`\(n)`"
        case .string: "a string"
        case .bytes: "bytes"
        case .int, .uint, .double: "a number"
        }
    }
    private func unexpected(_ t: Token) -> CELError {
        CELError("unexpected \(describe(t))", line: t.line, column: t.column)
    }
    private mutating func enter(_ t: Token) throws(CELError) {
        depth += 1
        if depth > Parser.maxDepth {
            throw CELError("expression nested too deeply (more than \(Parser.maxDepth) levels)", line: t.line, column: t.column)
        }
    }

    // expr: or ('?' expr ':' expr)?
    private mutating func expression() throws(CELError) -> Node {
        let start = current
        try enter(start)
        defer { depth -= 1 }
        let condition = try binary(minimum: 0)
        guard isPunct("?") else { return condition }
        let q = take()
        let then = try expression()
        try expect(":")
        let otherwise = try expression()
        return Node(kind: .conditional(condition, then, otherwise), line: q.line, column: q.column)
    }

    /// Binding strength of a binary operator at the current token: `||` 0, `&&` 1, relations 2,
    /// `+ -` 3, `* / %` 4; nil when the token is not a binary operator.
    private func binaryOperator() -> (String, Int)? {
        switch current.kind {
        case .punct(let p):
            switch p {
            case "||": return (p, 0)
            case "&&": return (p, 1)
            case "<", "<=", ">=", ">", "==", "!=": return (p, 2)
            case "+", "-": return (p, 3)
            case "*", "/", "%": return (p, 4)
            default: return nil
            }
        case .ident("in"): return ("in", 2)
        default: return nil
        }
    }

    /// Precedence climbing: one stack frame per operator, not per precedence level, so deep nesting
    /// costs little stack. All binary operators are left-associative.
    private mutating func binary(minimum: Int) throws(CELError) -> Node {
        var left = try unary()
        var chain = 0
        while let (op, level) = binaryOperator(), level >= minimum {
            let t = take()
            let right = try binary(minimum: level + 1)
            chain += 1
            if chain > Parser.maxDepth {
                throw CELError("expression nested too deeply (more than \(Parser.maxDepth) operators in a row)", line: t.line, column: t.column)
            }
            left = Node(kind: .binary(op, left, right), line: t.line, column: t.column)
        }
        return left
    }

    private mutating func unary() throws(CELError) -> Node {
        let t = current
        if isPunct("!") || isPunct("-") {
            position += 1
            try enter(t)
            defer { depth -= 1 }
            let operand = try unary()
            guard case .punct(let op) = t.kind else { throw unexpected(t) }
            if op == "-" {
                if case .literal(.int(let v)) = operand.kind, isFoldable(operand) {
                    return Node(kind: .literal(.int(-v)), line: t.line, column: t.column)
                }
                if case .bigInt = operand.kind { return Node(kind: .literal(.int(Int64.min)), line: t.line, column: t.column) }
            }
            return Node(kind: .unary(op, operand), line: t.line, column: t.column)
        }
        return try postfix()
    }

    /// Only a literal written directly after the minus folds into a negative literal.
    private func isFoldable(_ node: Node) -> Bool {
        position >= 1 && tokens[position - 1].line == node.line && tokens[position - 1].column == node.column
    }

    // The functions below are small and kept out of line on purpose: each nesting level of the input
    // costs one frame of each on the stack, so big frames would lower the depth a thread can take.

    private mutating func postfix() throws(CELError) -> Node {
        var node = try primary()
        var chain = 0
        while true {
            let t = current
            if accept(".") || accept(".?") {
                node = try member(of: node, optional: t.kind == .punct(".?"))
            } else if accept("[") || accept("[?") {
                node = try indexing(node, t)
            } else {
                return node
            }
            chain += 1
            if chain > Parser.maxDepth {
                throw CELError("expression nested too deeply (more than \(Parser.maxDepth) selections in a row)", line: t.line, column: t.column)
            }
        }
    }

    @inline(never)
    private mutating func member(of node: Node, optional: Bool) throws(CELError) -> Node {
        let nameToken = take()
        let name: String
        switch nameToken.kind {
        case .ident(let n): name = n
        case .quotedIdent(let n): name = n
        default: throw unexpected(nameToken)
        }
        if !optional, case .ident = nameToken.kind, isPunct("(") {
            let open = take()
            let args = try arguments(open)
            return try makeCall(name, target: node, args: args, at: nameToken)
        }
        return Node(kind: .select(node, name, optional: optional), line: nameToken.line, column: nameToken.column)
    }

    @inline(never)
    private mutating func indexing(_ node: Node, _ t: Token) throws(CELError) -> Node {
        let index = try expression()
        try expect("]")
        return Node(kind: .index(node, index, optional: t.kind == .punct("[?")), line: t.line, column: t.column)
    }

    private mutating func arguments(_ open: Token) throws(CELError) -> [Node] {
        var args: [Node] = []
        if accept(")") { return args }
        repeat {
            args.append(try expression())
        } while accept(",")
        try expect(")")
        return args
    }

    private mutating func makeCall(_ name: String, target: Node?, args: [Node], at t: Token) throws(CELError) -> Node {
        if macros {
            if target == nil && name == "has" && args.count == 1 {
                guard case .select(let operand, let field, optional: false) = args[0].kind else {
                    throw CELError("invalid argument to has() macro", line: args[0].line, column: args[0].column)
                }
                return Node(kind: .presence(operand, field), line: t.line, column: t.column)
            }
            if let target, let macro = Macro(rawValue: name), args.count == 2 || (macro == .map && args.count == 3) {
                guard case .ident(let variable, rooted: false) = args[0].kind else {
                    throw CELError("argument to \(name)() must be a simple name", line: args[0].line, column: args[0].column)
                }
                return Node(kind: .macro(macro, target: target, variable: variable, args: Array(args.dropFirst())), line: t.line, column: t.column)
            }
        }
        return Node(kind: .call(name, target: target, args: args), line: t.line, column: t.column)
    }

    private mutating func primary() throws(CELError) -> Node {
        let t = take()
        switch t.kind {
        case .int, .uint, .double, .string, .bytes: return try literal(t)
        case .ident(let name): return try identifier(name, t)
        case .punct("."): return try rootedIdentifier(t)
        case .punct("("):
            let inner = try expression()
            try expect(")")
            return inner
        case .punct("["): return try listLiteral(t, firstIsOptional: false)
        case .punct("[?"): return try listLiteral(t, firstIsOptional: true)   // `[?x, ...]`
        case .punct("{"): return try mapLiteral(t)
        default: throw unexpected(t)
        }
    }

    @inline(never)
    private func literal(_ t: Token) throws(CELError) -> Node {
        let value: CELValue
        switch t.kind {
        case .int(let v):
            if let i = Int64(exactly: v) { value = .int(i) }
            else if v == UInt64(Int64.max) + 1 { return Node(kind: .bigInt, line: t.line, column: t.column) }
            else { throw CELError("integer literal out of range", line: t.line, column: t.column) }
        case .uint(let v): value = .uint(v)
        case .double(let v): value = .double(v)
        case .string(let s): value = .string(s)
        case .bytes(let b): value = .bytes(b)
        default: throw unexpected(t)
        }
        return Node(kind: .literal(value), line: t.line, column: t.column)
    }

    @inline(never)
    private mutating func identifier(_ name: String, _ t: Token) throws(CELError) -> Node {
        func node(_ kind: Node.Kind) -> Node { Node(kind: kind, line: t.line, column: t.column) }
        switch name {
        case "true": return node(.literal(.bool(true)))
        case "false": return node(.literal(.bool(false)))
        case "null": return node(.literal(.null))
        default: break
        }
        guard !Parser.reserved.contains(name) else {
            throw CELError("reserved word '\(name)' cannot be used as a name", line: t.line, column: t.column)
        }
        if isPunct("(") {
            let open = take()
            return try makeCall(name, target: nil, args: try arguments(open), at: t)
        }
        return node(.ident(name, rooted: false))
    }

    @inline(never)
    private mutating func rootedIdentifier(_ t: Token) throws(CELError) -> Node {
        let nameToken = take()
        guard case .ident(let name) = nameToken.kind, !Parser.reserved.contains(name) else { throw unexpected(nameToken) }
        if isPunct("(") {
            let open = take()
            return try makeCall(name, target: nil, args: try arguments(open), at: nameToken)
        }
        return Node(kind: .ident(name, rooted: true), line: t.line, column: t.column)
    }

    @inline(never)
    private mutating func listLiteral(_ t: Token, firstIsOptional: Bool) throws(CELError) -> Node {
        var items: [Node] = [], optional: [Bool] = []
        var first = true
        while !isPunct("]") {
            optional.append(first && firstIsOptional ? true : accept("?"))
            first = false
            items.append(try expression())
            if !accept(",") { break }
        }
        try expect("]")
        return Node(kind: .list(items, optional: optional), line: t.line, column: t.column)
    }

    @inline(never)
    private mutating func mapLiteral(_ t: Token) throws(CELError) -> Node {
        var entries: [Node.MapEntry] = []
        while !isPunct("}") {
            let isOptional = accept("?")
            let key = try expression()
            try expect(":")
            let value = try expression()
            entries.append(Node.MapEntry(key: key, value: value, isOptional: isOptional))
            if !accept(",") { break }
        }
        try expect("}")
        return Node(kind: .map(entries), line: t.line, column: t.column)
    }
}
