import Synchronization

/// The compiled form of a checked expression: one closure per node, made once per program. Evaluation
/// runs the closures: no switch over the expression tree, operators and macros chosen at compile time.
typealias Code = @Sendable (inout Frame) throws(CELError) -> CELValue

/// A closure in a stored array: kept in a struct so that calling it needs no reabstraction thunk.
struct Step: Sendable {
    let run: Code
}

/// Small integers standing for variable names, the same for every program of the process: a frame
/// finds a program's variables among a rule's lazy ones by comparing integers, not strings.
enum VariableIDs {
    private static let table = Mutex<[String: Int]>([:])

    /// The id of `name` (assigned on first use).
    static func id(_ name: String) -> Int {
        table.withLock { table in
            if let id = table[name] { return id }
            let id = table.count
            table[name] = id
            return id
        }
    }
}

/// A compiled program: the root's code and what a frame for it needs.
final class CompiledProgram: Sendable {
    let code: Code
    /// Comprehension variable slots a frame needs.
    let localCount: Int
    /// The declared variables the program reads, by the index its variable nodes use.
    let variableNames: [String]
    /// `variableNames` as interned ids.
    let variableIDs: [Int]
    let source: String
    let variablesRead: Set<String>
    let functionsCalled: Set<String>

    init(_ root: Expr, source: String, variablesRead: Set<String>, functionsCalled: Set<String>) {
        var compiler = Compiler()
        code = compiler.compile(root)
        localCount = compiler.localCount
        variableNames = compiler.variableNames
        variableIDs = variableNames.map(VariableIDs.id)
        self.source = source
        self.variablesRead = variablesRead
        self.functionsCalled = functionsCalled
    }

    /// Evaluates the program with `variables` and `lazy`.
    func run(variables: [String: CELValue], lazy: CELLazyVariables?, budget: Int) -> CELResult {
        var frame = Frame(self, variables: variables, lazy: lazy, budget: budget)
        do throws(CELError) {
            return .value(try code(&frame))
        } catch {
            return .error(error)
        }
    }
}

/// The state of one evaluation: the remaining cost budget, the comprehension variables and the
/// activation's values.
struct Frame {
    /// Where a variable of the program is found: resolved once per evaluation, not at every read.
    enum Binding { case value(CELValue), lazy(Int), missing }

    var budget: Int
    let limit: Int
    /// Comprehension variables by slot (the checker's scope depth), sized for the program at the start.
    var locals: [CELValue]
    /// The program's variables by index (see `CompiledProgram.variableNames`): the first four inline
    /// (most programs read no more), so that starting an evaluation allocates nothing for them.
    private let binding0: Binding, binding1: Binding, binding2: Binding, binding3: Binding
    private let moreBindings: [Binding]
    let variables: [String: CELValue]
    let lazy: CELLazyVariables?

    init(_ program: CompiledProgram, variables: [String: CELValue], lazy: CELLazyVariables?, budget: Int) {
        self.variables = variables
        self.lazy = lazy
        self.budget = budget
        self.limit = budget
        locals = program.localCount == 0 ? [] : Array(repeating: .null, count: program.localCount)
        let names = program.variableNames, ids = program.variableIDs
        func resolve(_ i: Int) -> Binding {
            guard i < names.count else { return .missing }
            // Lazy variables win over the activation's of the same name.
            if let lazy, let slot = lazy.slot(id: ids[i]) { return .lazy(slot) }
            if let v = variables[names[i]] { return .value(v) }
            return .missing
        }
        binding0 = resolve(0); binding1 = resolve(1); binding2 = resolve(2); binding3 = resolve(3)
        moreBindings = names.count > 4 ? (4..<names.count).map(resolve) : []
    }

    /// One step of the budget (one per node evaluated and one per comprehension iteration).
    @inline(__always)
    mutating func spend() throws(CELError) {
        budget -= 1
        if budget < 0 { throw budgetExceeded() }
    }

    @inline(never)
    private func budgetExceeded() -> CELError {
        var e = CELError("cost budget exceeded (\(limit) evaluation steps)")
        e.isFatal = true
        return e
    }

    @inline(__always)
    func variable(_ index: Int, _ name: String) throws(CELError) -> CELValue {
        let binding: Binding
        switch index {
        case 0: binding = binding0
        case 1: binding = binding1
        case 2: binding = binding2
        case 3: binding = binding3
        default: binding = moreBindings[index - 4]
        }
        switch binding {
        case .value(let v): return v
        case .lazy(let slot):
            guard let lazy else { throw CELError("no such attribute: '\(name)'") }
            return try lazy.value(slot, variables: variables, budget: limit)
        case .missing: throw CELError("no such attribute: '\(name)'")
        }
    }
}

extension CELError {
    /// The error with the node's position when it has none yet (the innermost node that knows wins).
    @inline(__always)
    func positioned(_ line: Int32, _ column: Int32) -> CELError {
        guard self.line == 0 else { return self }
        var positioned = self
        positioned.line = Int(line); positioned.column = Int(column)
        return positioned
    }
}

/// A map literal's entry, compiled.
struct MapEntryCode: Sendable {
    let key: Code
    let value: Code
    let isOptional: Bool
}

/// Turns a checked expression into closures. Every node's closure spends one step before anything else
/// and positions the errors of its own work (a step that fails is positioned by the node above, as the
/// tree walk did).
struct Compiler {
    /// Comprehension slots used: the size of a frame's `locals`.
    private(set) var localCount = 0
    /// The declared variables read, in order of first appearance.
    private(set) var variableNames: [String] = []

    // Recursion is bounded by the parser's nesting limit.
    mutating func compile(_ e: Expr) -> Code {
        let line = e.line, column = e.column
        switch e.op {
        case .constant(let v):
            return { f throws(CELError) in try f.spend(); return v }
        case .variable(let name):
            let k: Int
            if let known = variableNames.firstIndex(of: name) { k = known } else { k = variableNames.count; variableNames.append(name) }
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) { return try f.variable(k, name) } catch { throw error.positioned(line, column) }
            }
        case .local(let slot):
            localCount = max(localCount, slot + 1)
            return { f throws(CELError) in try f.spend(); return f.locals[slot] }
        case .select(let operand, let field, let optional):
            let o = compile(operand)
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) { return try celSelect(try o(&f), field, optional: optional) } catch { throw error.positioned(line, column) }
            }
        case .presence(let operand, let field):
            let o = compile(operand)
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) { return try celPresence(try o(&f), field) } catch { throw error.positioned(line, column) }
            }
        case .index(let operand, let index, let optional):
            let o = compile(operand), i = compile(index)
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) {
                    let container = try o(&f)
                    return try celIndex(container, try i(&f), optional: optional)
                } catch { throw error.positioned(line, column) }
            }
        case .not(let operand):
            let o = compile(operand)
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) {
                    guard case .bool(let b) = try o(&f) else { throw CELError("no matching overload for '!'") }
                    return .bool(!b)
                } catch { throw error.positioned(line, column) }
            }
        case .negate(let operand):
            let o = compile(operand)
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) { return try celNegate(try o(&f)) } catch { throw error.positioned(line, column) }
            }
        case .and(let l, let r): return logical(compile(l), compile(r), absorbing: false, line, column)
        case .or(let l, let r): return logical(compile(l), compile(r), absorbing: true, line, column)
        case .conditional(let c, let t, let e):
            let cc = compile(c), tc = compile(t), ec = compile(e)
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) {
                    guard case .bool(let b) = try cc(&f) else { throw CELError("no matching overload for '_?_:_': condition is not a bool") }
                    return try b ? tc(&f) : ec(&f)
                } catch { throw error.positioned(line, column) }
            }
        case .binary(let op, let l, let r): return binary(op, compile(l), compile(r), line, column)
        case .call(let callee, let args):
            switch args.count {
            case 0: return call0(callee, line, column)
            case 1: return call1(callee, compile(args[0]), line, column)
            case 2: return call2(callee, compile(args[0]), compile(args[1]), line, column)
            default: return call(callee, args.map { Step(run: compile($0)) }, line, column)
            }
        case .list(let items, let optional):
            let codes = items.map { Step(run: compile($0)) }
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) {
                    var values: [CELValue] = []
                    values.reserveCapacity(codes.count)
                    for i in codes.indices {
                        let v = try codes[i].run(&f)
                        if optional[i] {
                            guard case .optional(let inner) = v else { throw CELError("optional list element is not an optional") }
                            if let inner { values.append(inner) }
                        } else {
                            values.append(v)
                        }
                    }
                    return .list(CELList(values))
                } catch { throw error.positioned(line, column) }
            }
        case .map(let entries):
            let codes = entries.map { MapEntryCode(key: compile($0.key), value: compile($0.value), isOptional: $0.isOptional) }
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) {
                    var map = CELMap()
                    for entry in codes {
                        let key = try entry.key(&f)
                        guard let mapKey = CELMapKey(key) else { throw CELError("unsupported key type: \(key.type.name)") }
                        guard !map.containsKey(mapKey) else { throw CELError("failed with repeated key: \(key.displayString)") }
                        var value = try entry.value(&f)
                        if entry.isOptional {
                            guard case .optional(let inner) = value else { throw CELError("optional map entry is not an optional") }
                            guard let inner else { continue }
                            value = inner
                        }
                        map.insert(key, value)
                    }
                    return .map(map)
                } catch { throw error.positioned(line, column) }
            }
        case .comprehension(let macro, let range, let slot, let args):
            localCount = max(localCount, slot + 1)
            let rangeCode = compile(range)
            let first = compile(args[0])
            let second: Code? = args.count > 1 ? compile(args[1]) : nil
            return comprehension(macro, rangeCode, slot, first, second, line, column)
        case .optionalPath(let base, let fields, let fallback):
            return optionalPath(compile(base), fields, compile(fallback), line, column)
        }
    }

    /// `&&` (absorbing = false) and `||` (absorbing = true): the deciding value wins over an error on
    /// either side; otherwise the first error propagates.
    private func logical(_ l: @escaping Code, _ r: @escaping Code, absorbing: Bool, _ line: Int32, _ column: Int32) -> Code {
        { f throws(CELError) in
            try f.spend()
            var firstError: CELError?
            do throws(CELError) {
                let v = try l(&f)
                guard case .bool(let b) = v else { throw noOverload(absorbing ? "||" : "&&", v) }
                if b == absorbing { return .bool(b) }
            } catch {
                if error.isFatal { throw error.positioned(line, column) }
                firstError = error.positioned(line, column)
            }
            do throws(CELError) {
                let v = try r(&f)
                guard case .bool(let b) = v else { throw noOverload(absorbing ? "||" : "&&", v) }
                if b == absorbing { return .bool(b) }
            } catch {
                if error.isFatal { throw error.positioned(line, column) }
                throw firstError ?? error.positioned(line, column)
            }
            if let firstError { throw firstError }
            return .bool(!absorbing)
        }
    }

    private func binary(_ op: BinaryOperator, _ l: @escaping Code, _ r: @escaping Code, _ line: Int32, _ column: Int32) -> Code {
        switch op {
        case .equal, .notEqual:
            let negated = op == .notEqual
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) {
                    let a = try l(&f), b = try r(&f)
                    return .bool(celEquals(a, b) != negated)
                } catch { throw error.positioned(line, column) }
            }
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) {
                    let a = try l(&f), b = try r(&f)
                    return try celCompare(op, a, b)
                } catch { throw error.positioned(line, column) }
            }
        case .in:
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) {
                    let a = try l(&f), b = try r(&f)
                    return try celIn(a, b)
                } catch { throw error.positioned(line, column) }
            }
        case .add, .subtract, .multiply, .divide, .remainder:
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) {
                    let a = try l(&f), b = try r(&f)
                    return try celArithmetic(op, a, b)
                } catch { throw error.positioned(line, column) }
            }
        }
    }

    private func call0(_ callee: Callee, _ line: Int32, _ column: Int32) -> Code {
        let body = callee.body
        return { f throws(CELError) in
            try f.spend()
            do throws(CELError) { return try body([]) } catch { throw error.positioned(line, column) }
        }
    }

    private func call1(_ callee: Callee, _ a0: @escaping Code, _ line: Int32, _ column: Int32) -> Code {
        let body = callee.body
        return { f throws(CELError) in
            try f.spend()
            do throws(CELError) {
                let v0 = try a0(&f)
                return try body([v0])
            } catch { throw error.positioned(line, column) }
        }
    }

    private func call2(_ callee: Callee, _ a0: @escaping Code, _ a1: @escaping Code, _ line: Int32, _ column: Int32) -> Code {
        let body = callee.body
        return { f throws(CELError) in
            try f.spend()
            do throws(CELError) {
                let v0 = try a0(&f)
                let v1 = try a1(&f)
                return try body([v0, v1])
            } catch { throw error.positioned(line, column) }
        }
    }

    private func call(_ callee: Callee, _ args: [Step], _ line: Int32, _ column: Int32) -> Code {
        let body = callee.body
        return { f throws(CELError) in
            try f.spend()
            do throws(CELError) {
                var values: [CELValue] = []
                values.reserveCapacity(args.count)
                for arg in args { values.append(try arg.run(&f)) }
                return try body(values)
            } catch { throw error.positioned(line, column) }
        }
    }

    /// `base.?f1.?f2.orValue(fallback)` with the semantics of its parts: maps are walked in place, and
    /// anything else (an optional base, a non-map, an optional stored in a map) takes the general steps.
    /// The fallback is evaluated as a call argument would be: always, after the receiver.
    private func optionalPath(_ base: @escaping Code, _ fields: [String], _ fallback: @escaping Code, _ line: Int32, _ column: Int32) -> Code {
        { f throws(CELError) in
            try f.spend()
            do throws(CELError) {
                var current = try base(&f)
                var i = 0
                var present = false   // `current` is the value of a present optional (one step done)
                while i < fields.count, case .map(let m) = current {
                    guard let v = m[string: fields[i]] else { return try fallback(&f) }
                    i += 1
                    if case .optional = v { current = .optional(v); present = false; break }
                    current = v
                    present = true
                }
                if present && i == fields.count {
                    _ = try fallback(&f)
                    return current
                }
                var wrapped = present ? CELValue.optional(current) : current
                while i < fields.count {
                    wrapped = try celSelect(wrapped, fields[i], optional: true)
                    i += 1
                }
                let otherwise = try fallback(&f)
                guard case .optional(let value) = wrapped else { throw noOverload("orValue", wrapped) }
                return value ?? otherwise
            } catch { throw error.positioned(line, column) }
        }
    }

    private func comprehension(_ macro: Macro, _ range: @escaping Code, _ slot: Int, _ first: @escaping Code, _ second: Code?, _ line: Int32, _ column: Int32) -> Code {
        switch macro {
        case .optMap, .optFlatMap:
            let body = first
            let flat = macro == .optFlatMap
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) {
                    let target = try range(&f)
                    guard case .optional(let inner) = target else { throw noOverload(macro.rawValue, target) }
                    guard let inner else { return .optional(nil) }
                    f.locals[slot] = inner
                    let result = try body(&f)
                    if !flat { return .optional(result) }
                    guard case .optional = result else { throw CELError("optFlatMap() expression did not return an optional") }
                    return result
                } catch { throw error.positioned(line, column) }
            }
        case .all, .exists:
            // Like && / ||: a deciding element wins over errors from other elements.
            let body = first
            let deciding = macro == .exists
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) {
                    let items = try Self.items(macro, try range(&f))
                    var firstError: CELError?
                    for i in 0..<items.count {
                        try f.spend()
                        f.locals[slot] = items[i]
                        do throws(CELError) {
                            let v = try body(&f)
                            guard case .bool(let b) = v else { throw noOverload(macro.rawValue, v) }
                            if b == deciding { return .bool(deciding) }
                        } catch {
                            if error.isFatal { throw error }
                            if firstError == nil { firstError = error }
                        }
                    }
                    if let firstError { throw firstError }
                    return .bool(!deciding)
                } catch { throw error.positioned(line, column) }
            }
        case .existsOne:
            let body = first
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) {
                    let items = try Self.items(macro, try range(&f))
                    var count = 0
                    for i in 0..<items.count {
                        try f.spend()
                        f.locals[slot] = items[i]
                        let v = try body(&f)
                        guard case .bool(let b) = v else { throw noOverload("exists_one", v) }
                        if b { count += 1 }
                    }
                    return .bool(count == 1)
                } catch { throw error.positioned(line, column) }
            }
        case .filter, .map:
            // filter(x, p): the elements where p holds; map(x, t): t of each; map(x, p, t): t of those where p holds.
            let predicate: Code? = macro == .filter || second != nil ? first : nil
            let transform: Code? = macro == .map ? (second ?? first) : nil
            return { f throws(CELError) in
                try f.spend()
                do throws(CELError) {
                    let items = try Self.items(macro, try range(&f))
                    var out: [CELValue] = []
                    out.reserveCapacity(items.count)
                    for i in 0..<items.count {
                        try f.spend()
                        let item = items[i]
                        f.locals[slot] = item
                        if let predicate {
                            let v = try predicate(&f)
                            guard case .bool(let b) = v else { throw noOverload(macro.rawValue, v) }
                            if !b { continue }
                        }
                        if let transform { out.append(try transform(&f)) } else { out.append(item) }
                    }
                    return .list(CELList(out))
                } catch { throw error.positioned(line, column) }
            }
        }
    }

    /// What a comprehension iterates: a list's elements (manifest ones converted as they are read) or a
    /// map's keys.
    private static func items(_ macro: Macro, _ range: CELValue) throws(CELError) -> CELList {
        switch range {
        case .list(let l): return l
        case .map(let m): return CELList(m.keys)
        default: throw CELError("\(macro.rawValue)() applies to lists and maps, not '\(range.type.name)'")
        }
    }
}

func celNegate(_ value: CELValue) throws(CELError) -> CELValue {
    switch value {
    case .int(let i):
        guard i != Int64.min else { throw overflow("-") }
        return .int(-i)
    case .double(let d): return .double(-d)
    case .duration(let d):
        guard d.nanoseconds != Int64.min else { throw CELError("duration out of range") }
        return .duration(CELDuration(nanoseconds: -d.nanoseconds))
    case let v: throw noOverload("-", v)
    }
}

func celSelect(_ value: CELValue, _ field: String, optional: Bool) throws(CELError) -> CELValue {
    switch value {
    case .map(let m):
        if let v = m[string: field] { return optional ? .optional(v) : v }
        if optional { return .optional(nil) }
        throw CELError("no such key: '\(field)'")
    case .optional(let inner):
        // Selection on an optional map chains: absent stays absent.
        guard let inner else { return .optional(nil) }
        if case .map(let m) = inner { return .optional(m[string: field]) }
        return try celSelect(inner, field, optional: false)
    default:
        throw CELError("type '\(value.type.name)' does not support field selection ('\(field)')")
    }
}

func celPresence(_ value: CELValue, _ field: String) throws(CELError) -> CELValue {
    switch value {
    case .map(let m): return .bool(m.containsKey(string: field))
    case .optional(let inner):
        guard let inner else { return .bool(false) }
        return try celPresence(inner, field)
    default: throw CELError("has() does not apply to type '\(value.type.name)'")
    }
}

func celIndex(_ value: CELValue, _ key: CELValue, optional: Bool) throws(CELError) -> CELValue {
    switch value {
    case .list(let l):
        let i: Int64
        switch key {
        case .int(let v): i = v
        case .uint(let v):
            guard let v = Int64(exactly: v) else { throw CELError("index out of range: \(v)") }
            i = v
        case .double(let d):
            guard let v = Int64(exactly: d) else { throw CELError("invalid_argument: list index \(d) is not an integer") }
            i = v
        default: throw CELError("invalid_argument: no matching overload for list index of type '\(key.type.name)'")
        }
        guard i >= 0, i < Int64(l.count) else {
            if optional { return .optional(nil) }
            throw CELError("index out of range: \(i)")
        }
        return optional ? .optional(l[Int(i)]) : l[Int(i)]
    case .map(let m):
        switch key {
        case .int, .uint, .double, .bool, .string: break
        default: throw CELError("no such key: unsupported key type '\(key.type.name)'")
        }
        if let v = m[key] { return optional ? .optional(v) : v }
        if optional { return .optional(nil) }
        throw CELError("no such key: \(key.displayString)")
    case .optional(let inner):
        guard let inner else { return .optional(nil) }
        return try celIndex(inner, key, optional: true)
    default:
        throw noOverload("[]", value, key)
    }
}
