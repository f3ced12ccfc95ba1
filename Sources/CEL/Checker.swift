/// A checked expression: names resolved to variables, comprehension slots, type constants or
/// functions; what remains is evaluation.
struct Expr: Sendable {
    indirect enum Op: Sendable {
        case constant(CELValue)
        case variable(String)
        case local(Int)
        case select(Expr, String, optional: Bool)
        case presence(Expr, String)
        case index(Expr, Expr, optional: Bool)
        case not(Expr)
        case negate(Expr)
        case and(Expr, Expr)
        case or(Expr, Expr)
        case conditional(Expr, Expr, Expr)
        case binary(BinaryOperator, Expr, Expr)
        case call(Callee, [Expr])
        case list([Expr], optional: [Bool])
        case map([(key: Expr, value: Expr, isOptional: Bool)])
        case comprehension(Macro, range: Expr, slot: Int, [Expr])
        /// `base.?f1.?f2....orValue(fallback)`, the way policies read optional fields: walked without
        /// wrapping each step in an optional.
        case optionalPath(Expr, [String], fallback: Expr)
    }
    var op: Op
    var line: Int32
    var column: Int32
}

enum BinaryOperator: String, Sendable {
    case add = "+", subtract = "-", multiply = "*", divide = "/", remainder = "%"
    case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
    case equal = "==", notEqual = "!=", `in` = "in"
}

/// A resolved function: the name (for messages) and the implementation; the receiver, if any, is
/// the first argument.
struct Callee: Sendable {
    var name: String
    var body: @Sendable ([CELValue]) throws(CELError) -> CELValue
}

/// A library function: which call shapes exist (global `f(a, b)` and/or receiver `a.f(b)`, by number of
/// arguments after the receiver) and what it does.
struct Builtin: Sendable {
    var globalArities: Set<Int>
    var receiverArities: Set<Int>
    var body: @Sendable ([CELValue]) throws(CELError) -> CELValue
    /// When the argument at this index is a string literal, the function is specialised at check time
    /// (used to compile regular expressions once).
    var specialise: (@Sendable (_ literal: String, _ index: Int) throws(CELError) -> (@Sendable ([CELValue]) throws(CELError) -> CELValue)?)? = nil
}

/// Resolves names and checks function arity (SUBSET.md; values stay dynamically typed).
struct Checker {
    let declarations: CELDeclarations
    let functions: [String: Builtin]
    /// Comprehension variables in scope; the index is the slot.
    private var scopes: [String] = []

    init(declarations: CELDeclarations) {
        self.declarations = declarations
        var functions = Library.builtins
        for (name, f) in declarations.functions {
            let body = f.body
            functions[name] = Builtin(globalArities: f.arities, receiverArities: f.receiverArities) { args throws(CELError) in
                do { return try body(args) } catch let e as CELError { throw e } catch {
                    throw CELError("\(name): \(error)")
                }
            }
        }
        self.functions = functions
    }

    private func error(_ message: String, _ node: Node) -> CELError {
        CELError(message, line: node.line, column: node.column)
    }
    private func expr(_ op: Expr.Op, _ node: Node) -> Expr {
        Expr(op: op, line: Int32(clamping: node.line), column: Int32(clamping: node.column))
    }

    /// The names of a chain `a.b.c` of plain selections over an identifier, or nil.
    private func qualifiedName(_ node: Node) -> (parts: [String], rooted: Bool)? {
        switch node.kind {
        case .ident(let name, let rooted): return ([name], rooted)
        case .select(let operand, let field, optional: false):
            guard var q = qualifiedName(operand) else { return nil }
            q.parts.append(field)
            return q
        default: return nil
        }
    }

    /// Names tried for `name` in the container: `x.y.name`, `x.name`, `name` (or only `name` when rooted).
    private func candidates(_ name: String, rooted: Bool) -> [String] {
        guard !rooted, let container = declarations.container, !container.isEmpty else { return [name] }
        var out: [String] = []
        var prefix = Substring(container)
        while true {
            out.append(prefix + "." + name)
            guard let dot = prefix.lastIndex(of: ".") else { break }
            prefix = prefix[..<dot]
        }
        out.append(name)
        return out
    }

    /// Resolves an identifier chain: a comprehension variable, else the longest declared prefix.
    private mutating func resolve(_ parts: [String], rooted: Bool, node: Node) throws(CELError) -> Expr? {
        if !rooted, let slot = scopes.lastIndex(of: parts[0]) {
            return selects(expr(.local(slot), node), parts.dropFirst(), node)
        }
        for k in stride(from: parts.count, to: 0, by: -1) {
            let prefix = parts[0..<k].joined(separator: ".")
            for name in candidates(prefix, rooted: rooted) {
                if declarations.variables.contains(name) {
                    return selects(expr(.variable(name), node), parts[k...], node)
                }
                if let type = CELType.byName[name] {
                    return selects(expr(.constant(.type(type)), node), parts[k...], node)
                }
            }
        }
        return nil
    }

    private func selects(_ base: Expr, _ fields: ArraySlice<String>, _ node: Node) -> Expr {
        var e = base
        for f in fields { e = expr(.select(e, f, optional: false), node) }
        return e
    }

    // Cases are out-of-line functions so that each nesting level of the input costs a small frame.
    mutating func check(_ node: Node, depth: Int = 0) throws(CELError) -> Expr {
        guard depth <= Parser.maxDepth else {
            throw error("expression nested too deeply (more than \(Parser.maxDepth) levels)", node)
        }
        let d = depth + 1
        switch node.kind {
        case .literal(let v): return expr(.constant(v), node)
        case .bigInt: throw error("integer literal out of range", node)
        case .ident(let name, let rooted): return try identifier(name, rooted: rooted, node)
        case .select(let operand, let field, let optional): return try select(operand, field, optional, node, d)
        case .presence(let operand, let field): return expr(.presence(try check(operand, depth: d), field), node)
        case .index(let operand, let index, let optional): return try indexing(operand, index, optional, node, d)
        case .unary(let op, let operand): return try unary(op, operand, node, d)
        case .binary(let op, let l, let r): return try binary(op, l, r, node, d)
        case .conditional(let c, let t, let f): return try conditional(c, t, f, node, d)
        case .list(let items, let optional): return try list(items, optional, node, d)
        case .map(let entries): return try map(entries, node, d)
        case .macro(let macro, let target, let variable, let args): return try comprehension(macro, target, variable, args, node, d)
        case .call(let name, let target, let args): return try call(name, target: target, args: args, node: node, depth: d)
        }
    }

    @inline(never)
    private mutating func identifier(_ name: String, rooted: Bool, _ node: Node) throws(CELError) -> Expr {
        if let e = try resolve([name], rooted: rooted, node: node) { return e }
        return try undeclared(name, node)
    }

    @inline(never)
    private mutating func select(_ operand: Node, _ field: String, _ optional: Bool, _ node: Node, _ d: Int) throws(CELError) -> Expr {
        if !optional, let q = qualifiedName(node) {
            if let e = try resolve(q.parts, rooted: q.rooted, node: node) { return e }
            if case .ident(let name, _) = operand.kind { return try undeclared(name, operand) }
            if q.parts.count > 1, !declarations.allowsUndeclaredNames { return try undeclared(q.parts[0], root(of: operand)) }
        }
        return expr(.select(try check(operand, depth: d), field, optional: optional), node)
    }

    @inline(never)
    private mutating func indexing(_ operand: Node, _ index: Node, _ optional: Bool, _ node: Node, _ d: Int) throws(CELError) -> Expr {
        expr(.index(try check(operand, depth: d), try check(index, depth: d), optional: optional), node)
    }

    @inline(never)
    private mutating func unary(_ op: String, _ operand: Node, _ node: Node, _ d: Int) throws(CELError) -> Expr {
        let e = try check(operand, depth: d)
        return expr(op == "!" ? .not(e) : .negate(e), node)
    }

    @inline(never)
    private mutating func binary(_ op: String, _ l: Node, _ r: Node, _ node: Node, _ d: Int) throws(CELError) -> Expr {
        let left = try check(l, depth: d), right = try check(r, depth: d)
        switch op {
        case "&&": return expr(.and(left, right), node)
        case "||": return expr(.or(left, right), node)
        default:
            guard let b = BinaryOperator(rawValue: op) else { throw error("unknown operator '\(op)'", node) }
            return expr(.binary(b, left, right), node)
        }
    }

    @inline(never)
    private mutating func conditional(_ c: Node, _ t: Node, _ f: Node, _ node: Node, _ d: Int) throws(CELError) -> Expr {
        expr(.conditional(try check(c, depth: d), try check(t, depth: d), try check(f, depth: d)), node)
    }

    @inline(never)
    private mutating func list(_ items: [Node], _ optional: [Bool], _ node: Node, _ d: Int) throws(CELError) -> Expr {
        var out: [Expr] = []
        for item in items { out.append(try check(item, depth: d)) }
        // A literal list of constants (`['on', 'yes']`) is made once, not at every evaluation.
        if !optional.contains(true) {
            var values: [CELValue] = []
            for e in out { guard case .constant(let v) = e.op else { return expr(.list(out, optional: optional), node) }; values.append(v) }
            return expr(.constant(.list(CELList(values))), node)
        }
        return expr(.list(out, optional: optional), node)
    }

    @inline(never)
    private mutating func map(_ entries: [Node.MapEntry], _ node: Node, _ d: Int) throws(CELError) -> Expr {
        var out: [(key: Expr, value: Expr, isOptional: Bool)] = []
        for entry in entries {
            out.append((try check(entry.key, depth: d), try check(entry.value, depth: d), entry.isOptional))
        }
        return expr(.map(out), node)
    }

    @inline(never)
    private mutating func comprehension(_ macro: Macro, _ target: Node, _ variable: String, _ args: [Node], _ node: Node, _ d: Int) throws(CELError) -> Expr {
        let range = try check(target, depth: d)
        scopes.append(variable)
        defer { scopes.removeLast() }
        var out: [Expr] = []
        for arg in args { out.append(try check(arg, depth: d)) }
        return expr(.comprehension(macro, range: range, slot: scopes.count - 1, out), node)
    }

    private func root(of node: Node) -> Node {
        if case .select(let operand, _, _) = node.kind { return root(of: operand) }
        return node
    }

    private func undeclared(_ name: String, _ node: Node) throws(CELError) -> Expr {
        guard declarations.allowsUndeclaredNames else { throw error("undeclared reference to '\(name)'", node) }
        return expr(.variable(name), node)
    }

    @inline(never)
    private mutating func call(_ name: String, target: Node?, args: [Node], node: Node, depth d: Int) throws(CELError) -> Expr {
        var checkedArgs: [Expr] = []
        for arg in args { checkedArgs.append(try check(arg, depth: d)) }
        // `optional.of(x)`, `strings.quote(s)`: a qualified global function name wins over a receiver call.
        if let target, let q = qualifiedName(target), !(!q.rooted && scopes.contains(q.parts[0])) {
            let qualified = (q.parts + [name]).joined(separator: ".")
            if let f = functions[qualified], f.globalArities.contains(args.count) {
                return try makeCall(qualified, f, checkedArgs, nodes: args, node: node)
            }
        }
        guard let f = functions[name] else {
            guard declarations.allowsUndeclaredNames else { throw error("undeclared reference to function '\(name)'", node) }
            return expr(.call(Callee(name: name) { _ throws(CELError) in throw CELError("no such overload: \(name)") }, []), node)
        }
        if name == "orValue", args.count == 1, declarations.functions["orValue"] == nil, let target,
           case .select(_, _, optional: true) = target.kind {
            var fields: [String] = []
            var base = target
            while case .select(let operand, let field, optional: true) = base.kind { fields.append(field); base = operand }
            return expr(.optionalPath(try check(base, depth: d), fields.reversed(), fallback: checkedArgs[0]), node)
        }
        if let target {
            guard f.receiverArities.contains(args.count) else { return try arity(name, receiver: true, args.count, node) }
            let receiver = try check(target, depth: d)
            return try makeCall(name, f, [receiver] + checkedArgs, nodes: [target] + args, node: node)
        }
        guard f.globalArities.contains(args.count) else { return try arity(name, receiver: false, args.count, node) }
        return try makeCall(name, f, checkedArgs, nodes: args, node: node)
    }

    private func arity(_ name: String, receiver: Bool, _ count: Int, _ node: Node) throws(CELError) -> Expr {
        let shape = receiver ? "x.\(name)()" : "\(name)()"
        let message = "no matching overload: \(shape) does not take \(count) argument\(count == 1 ? "" : "s")"
        guard declarations.allowsUndeclaredNames else { throw error(message, node) }
        return expr(.call(Callee(name: name) { _ throws(CELError) in throw CELError(message) }, []), node)
    }

    private func makeCall(_ name: String, _ f: Builtin, _ args: [Expr], nodes: [Node], node: Node) throws(CELError) -> Expr {
        if let specialise = f.specialise {
            for (i, arg) in args.enumerated() {
                guard case .constant(.string(let literal)) = arg.op else { continue }
                do {
                    if let body = try specialise(literal, i) {
                        return expr(.call(Callee(name: name, body: body), args), node)
                    }
                } catch {
                    throw CELError(error.message, line: nodes[i].line, column: nodes[i].column)
                }
            }
        }
        return expr(.call(Callee(name: name, body: f.body), args), node)
    }
}
