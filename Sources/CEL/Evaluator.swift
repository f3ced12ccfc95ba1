/// Walks a checked expression. One evaluator per evaluation: it owns the comprehension variables and
/// the remaining cost budget.
struct Evaluator {
    let variables: [String: CELValue]
    let lazy: CELLazyVariables?
    var budget: Int
    private let limit: Int
    private var locals: [CELValue] = []

    init(variables: [String: CELValue], lazy: CELLazyVariables? = nil, budget: Int) {
        self.variables = variables
        self.lazy = lazy
        self.budget = budget
        self.limit = budget
    }

    private mutating func spend() throws(CELError) {
        budget -= 1
        if budget < 0 {
            var e = CELError("cost budget exceeded (\(limit) evaluation steps)")
            e.isFatal = true
            throw e
        }
    }

    mutating func eval(_ e: Expr) throws(CELError) -> CELValue {
        try spend()
        do {
            return try evalOp(e)
        } catch {
            guard error.line == 0 else { throw error }
            var positioned = error
            positioned.line = Int(e.line); positioned.column = Int(e.column)
            throw positioned
        }
    }

    // Each case is its own out-of-line function: the evaluator recurses once per nesting level of the
    // expression, and one big switch would put every case's temporaries in every frame.
    private mutating func evalOp(_ e: Expr) throws(CELError) -> CELValue {
        switch e.op {
        case .constant(let v): return v
        case .variable(let name): return try variable(name)
        case .local(let slot): return try local(slot)
        case .select(let operand, let field, let optional): return try evalSelect(operand, field, optional)
        case .presence(let operand, let field): return try evalPresence(operand, field)
        case .index(let operand, let index, let optional): return try evalIndex(operand, index, optional)
        case .not(let operand): return try evalNot(operand)
        case .negate(let operand): return try evalNegate(operand)
        case .and(let l, let r): return try logical(l, r, absorbing: false)
        case .or(let l, let r): return try logical(l, r, absorbing: true)
        case .conditional(let c, let t, let f): return try evalConditional(c, t, f)
        case .binary(let op, let l, let r): return try evalBinary(op, l, r)
        case .call(let callee, let args): return try evalCall(callee, args)
        case .list(let items, let optional): return try evalList(items, optional)
        case .map(let entries): return try evalMap(entries)
        case .comprehension(let macro, let range, let slot, let args): return try evalComprehension(macro, range, slot, args)
        case .optionalPath(let base, let fields, let fallback): return try evalOptionalPath(base, fields, fallback)
        }
    }

    /// `base.?f1.?f2.orValue(fallback)` with the semantics of its parts: maps are walked in place, and
    /// anything else (an optional base, a non-map, an optional stored in a map) takes the general steps.
    /// The fallback is evaluated as a call argument would be: always, after the receiver.
    @inline(never)
    private mutating func evalOptionalPath(_ base: Expr, _ fields: [String], _ fallback: Expr) throws(CELError) -> CELValue {
        var current = try eval(base)
        var i = 0
        var present = false   // `current` is the value of a present optional (one step done)
        while i < fields.count, case .map(let m) = current {
            guard let v = m[string: fields[i]] else { return try eval(fallback) }
            i += 1
            if case .optional = v { current = .optional(v); present = false; break }
            current = v
            present = true
        }
        if present && i == fields.count {
            _ = try eval(fallback)
            return current
        }
        var wrapped = present ? CELValue.optional(current) : current
        while i < fields.count {
            wrapped = try select(wrapped, fields[i], optional: true)
            i += 1
        }
        let otherwise = try eval(fallback)
        guard case .optional(let value) = wrapped else { throw noOverload("orValue", wrapped) }
        return value ?? otherwise
    }

    @inline(never)
    private func variable(_ name: String) throws(CELError) -> CELValue {
        if let lazy, let slot = lazy.slot(name) { return try lazy.value(slot, variables: variables, budget: limit) }
        guard let v = variables[name] else { throw CELError("no such attribute: '\(name)'") }
        return v
    }

    @inline(never)
    private func local(_ slot: Int) throws(CELError) -> CELValue {
        guard slot < locals.count else { throw CELError("internal: unbound comprehension variable") }
        return locals[slot]
    }

    @inline(never)
    private mutating func evalSelect(_ operand: Expr, _ field: String, _ optional: Bool) throws(CELError) -> CELValue {
        try select(try eval(operand), field, optional: optional)
    }

    @inline(never)
    private mutating func evalPresence(_ operand: Expr, _ field: String) throws(CELError) -> CELValue {
        try presence(try eval(operand), field)
    }

    @inline(never)
    private mutating func evalIndex(_ operand: Expr, _ index: Expr, _ optional: Bool) throws(CELError) -> CELValue {
        let container = try eval(operand)
        return try self.index(container, try eval(index), optional: optional)
    }

    @inline(never)
    private mutating func evalNot(_ operand: Expr) throws(CELError) -> CELValue {
        guard case .bool(let b) = try eval(operand) else { throw CELError("no matching overload for '!'") }
        return .bool(!b)
    }

    @inline(never)
    private mutating func evalNegate(_ operand: Expr) throws(CELError) -> CELValue {
        switch try eval(operand) {
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

    @inline(never)
    private mutating func evalConditional(_ c: Expr, _ t: Expr, _ f: Expr) throws(CELError) -> CELValue {
        guard case .bool(let b) = try eval(c) else { throw CELError("no matching overload for '_?_:_': condition is not a bool") }
        return try eval(b ? t : f)
    }

    @inline(never)
    private mutating func evalBinary(_ op: BinaryOperator, _ l: Expr, _ r: Expr) throws(CELError) -> CELValue {
        let a = try eval(l), b = try eval(r)
        switch op {
        case .equal: return .bool(celEquals(a, b))
        case .notEqual: return .bool(!celEquals(a, b))
        case .less, .lessOrEqual, .greater, .greaterOrEqual: return try celCompare(op, a, b)
        case .in: return try celIn(a, b)
        case .add, .subtract, .multiply, .divide, .remainder: return try celArithmetic(op, a, b)
        }
    }

    @inline(never)
    private mutating func evalCall(_ callee: Callee, _ args: [Expr]) throws(CELError) -> CELValue {
        var values: [CELValue] = []
        values.reserveCapacity(args.count)
        for arg in args { values.append(try eval(arg)) }
        return try callee.body(values)
    }

    @inline(never)
    private mutating func evalList(_ items: [Expr], _ optional: [Bool]) throws(CELError) -> CELValue {
        var values: [CELValue] = []
        values.reserveCapacity(items.count)
        for (i, item) in items.enumerated() {
            let v = try eval(item)
            if optional[i] {
                guard case .optional(let inner) = v else { throw CELError("optional list element is not an optional") }
                if let inner { values.append(inner) }
            } else {
                values.append(v)
            }
        }
        return .list(CELList(values))
    }

    @inline(never)
    private mutating func evalMap(_ entries: [(key: Expr, value: Expr, isOptional: Bool)]) throws(CELError) -> CELValue {
        var map = CELMap()
        for entry in entries {
            let key = try eval(entry.key)
            guard let mapKey = CELMapKey(key) else { throw CELError("unsupported key type: \(key.type.name)") }
            guard !map.containsKey(mapKey) else { throw CELError("failed with repeated key: \(key.displayString)") }
            var value = try eval(entry.value)
            if entry.isOptional {
                guard case .optional(let inner) = value else { throw CELError("optional map entry is not an optional") }
                guard let inner else { continue }
                value = inner
            }
            map.insert(key, value)
        }
        return .map(map)
    }

    @inline(never)
    private mutating func evalComprehension(_ macro: Macro, _ range: Expr, _ slot: Int, _ args: [Expr]) throws(CELError) -> CELValue {
        try comprehension(macro, try eval(range), slot: slot, args)
    }

    /// `&&` (absorbing = false) and `||` (absorbing = true): the deciding value wins over an error on
    /// either side; otherwise the first error propagates.
    private mutating func logical(_ l: Expr, _ r: Expr, absorbing: Bool) throws(CELError) -> CELValue {
        var firstError: CELError?
        do throws(CELError) {
            let v = try eval(l)
            guard case .bool(let b) = v else { throw noOverload(absorbing ? "||" : "&&", v) }
            if b == absorbing { return .bool(b) }
        } catch {
            if error.isFatal { throw error }
            firstError = error
        }
        do throws(CELError) {
            let v = try eval(r)
            guard case .bool(let b) = v else { throw noOverload(absorbing ? "||" : "&&", v) }
            if b == absorbing { return .bool(b) }
        } catch {
            if error.isFatal { throw error }
            throw firstError ?? error
        }
        if let firstError { throw firstError }
        return .bool(!absorbing)
    }

    private func select(_ value: CELValue, _ field: String, optional: Bool) throws(CELError) -> CELValue {
        switch value {
        case .map(let m):
            if let v = m[string: field] { return optional ? .optional(v) : v }
            if optional { return .optional(nil) }
            throw CELError("no such key: '\(field)'")
        case .optional(let inner):
            // Selection on an optional map chains: absent stays absent.
            guard let inner else { return .optional(nil) }
            if case .map(let m) = inner { return .optional(m[string: field]) }
            return try select(inner, field, optional: false)
        default:
            throw CELError("type '\(value.type.name)' does not support field selection ('\(field)')")
        }
    }

    private func presence(_ value: CELValue, _ field: String) throws(CELError) -> CELValue {
        switch value {
        case .map(let m): return .bool(m[string: field] != nil)
        case .optional(let inner):
            guard let inner else { return .bool(false) }
            return try presence(inner, field)
        default: throw CELError("has() does not apply to type '\(value.type.name)'")
        }
    }

    private func index(_ value: CELValue, _ key: CELValue, optional: Bool) throws(CELError) -> CELValue {
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
            let r = try index(inner, key, optional: true)
            return r
        default:
            throw noOverload("[]", value, key)
        }
    }

    private mutating func comprehension(_ macro: Macro, _ range: CELValue, slot: Int, _ args: [Expr]) throws(CELError) -> CELValue {
        if macro == .optMap || macro == .optFlatMap {
            guard case .optional(let inner) = range else { throw noOverload(macro.rawValue, range) }
            guard let inner else { return .optional(nil) }
            let result = try bind(inner, slot: slot) { (me: inout Evaluator) throws(CELError) in try me.eval(args[0]) }
            if macro == .optMap { return .optional(result) }
            guard case .optional = result else { throw CELError("optFlatMap() expression did not return an optional") }
            return result
        }
        let items: [CELValue]
        switch range {
        case .list(let l): items = l.values
        case .map(let m): items = m.keys
        default: throw CELError("\(macro.rawValue)() applies to lists and maps, not '\(range.type.name)'")
        }
        switch macro {
        case .all, .exists:
            // Like && / ||: a deciding element wins over errors from other elements.
            let deciding = macro == .exists
            var firstError: CELError?
            for item in items {
                try spend()
                do throws(CELError) {
                    let v = try bind(item, slot: slot) { (me: inout Evaluator) throws(CELError) in try me.eval(args[0]) }
                    guard case .bool(let b) = v else { throw noOverload(macro.rawValue, v) }
                    if b == deciding { return .bool(deciding) }
                } catch {
                    if error.isFatal { throw error }
                    if firstError == nil { firstError = error }
                }
            }
            if let firstError { throw firstError }
            return .bool(!deciding)
        case .existsOne:
            var count = 0
            for item in items {
                try spend()
                let v = try bind(item, slot: slot) { (me: inout Evaluator) throws(CELError) in try me.eval(args[0]) }
                guard case .bool(let b) = v else { throw noOverload("exists_one", v) }
                if b { count += 1 }
            }
            return .bool(count == 1)
        case .map, .filter:
            var out: [CELValue] = []
            for item in items {
                try spend()
                let kept: CELValue? = try bind(item, slot: slot) { (me: inout Evaluator) throws(CELError) -> CELValue? in
                    if macro == .filter {
                        let v = try me.eval(args[0])
                        guard case .bool(let b) = v else { throw noOverload("filter", v) }
                        return b ? item : nil
                    }
                    if args.count == 2 {
                        let v = try me.eval(args[0])
                        guard case .bool(let b) = v else { throw noOverload("map", v) }
                        if !b { return nil }
                        return try me.eval(args[1])
                    }
                    return try me.eval(args[0])
                }
                if let kept { out.append(kept) }
            }
            return .list(CELList(out))
        case .optMap, .optFlatMap:
            throw CELError("internal: unexpected macro")
        }
    }

    /// Runs `body` with the comprehension variable of `slot` bound to `value`.
    private mutating func bind<T>(_ value: CELValue, slot: Int, _ body: (inout Evaluator) throws(CELError) -> T) throws(CELError) -> T {
        let saved = locals.count
        while locals.count < slot { locals.append(.null) }
        if locals.count == slot { locals.append(value) } else { locals[slot] = value }
        defer { locals.removeLast(locals.count - saved) }
        return try body(&self)
    }
}
