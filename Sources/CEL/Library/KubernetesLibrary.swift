import KubeModel

/// The Kubernetes CEL libraries (k8s.io/apiserver/pkg/cel/library): quantity, lists, regex.
enum KubernetesLibrary {
    static func register(_ t: inout [String: Builtin]) {
        registerQuantity(&t)
        registerLists(&t)
        registerRegex(&t)
    }

    private static func registerQuantity(_ t: inout [String: Builtin]) {
        t.add("quantity", global: [1]) { args throws(CELError) in
            guard case .string(let s) = args[0] else { throw noMatchingOverload("quantity", args) }
            do throws(Quantity.ParseError) { return .quantity(try Quantity(parsing: s)) } catch { throw CELError(error.description) }
        }
        t.add("isQuantity", global: [1]) { args throws(CELError) in
            guard case .string(let s) = args[0] else { throw noMatchingOverload("isQuantity", args) }
            return .bool(Quantity.parse(s) != nil)
        }
        @Sendable func quantities(_ name: String, _ args: [CELValue]) throws(CELError) -> (Quantity, Quantity) {
            guard case .quantity(let a) = args[0] else { throw noMatchingOverload(name, args) }
            switch args[1] {
            case .quantity(let b): return (a, b)
            case .int(let i) where name == "add" || name == "sub": return (a, Quantity(i))
            default: throw noMatchingOverload(name, args)
            }
        }
        t.add("sign", receiver: [0]) { args throws(CELError) in
            guard case .quantity(let q) = args[0] else { throw noMatchingOverload("sign", args) }
            return .int(q.nanos > 0 ? 1 : (q.nanos < 0 ? -1 : 0))
        }
        t.add("isGreaterThan", receiver: [1]) { args throws(CELError) in
            let (a, b) = try quantities("isGreaterThan", args); return .bool(a > b)
        }
        t.add("isLessThan", receiver: [1]) { args throws(CELError) in
            let (a, b) = try quantities("isLessThan", args); return .bool(a < b)
        }
        t.add("compareTo", receiver: [1]) { args throws(CELError) in
            let (a, b) = try quantities("compareTo", args); return .int(a < b ? -1 : (a == b ? 0 : 1))
        }
        t.add("add", receiver: [1]) { args throws(CELError) in
            let (a, b) = try quantities("add", args)
            let (sum, overflow) = a.nanos.addingReportingOverflow(b.nanos)
            guard !overflow else { throw CELError("quantity overflow in add()") }
            return .quantity(Quantity(nanos: sum, format: a.format))
        }
        t.add("sub", receiver: [1]) { args throws(CELError) in
            let (a, b) = try quantities("sub", args)
            let (difference, overflow) = a.nanos.subtractingReportingOverflow(b.nanos)
            guard !overflow else { throw CELError("quantity overflow in sub()") }
            return .quantity(Quantity(nanos: difference, format: a.format))
        }
        t.add("asApproximateFloat", receiver: [0]) { args throws(CELError) in
            guard case .quantity(let q) = args[0] else { throw noMatchingOverload("asApproximateFloat", args) }
            return .double(Double(q.nanos) / 1e9)
        }
        t.add("isInteger", receiver: [0]) { args throws(CELError) in
            guard case .quantity(let q) = args[0] else { throw noMatchingOverload("isInteger", args) }
            return .bool(q.isInteger && q.integerValue != nil)
        }
        t.add("asInteger", receiver: [0]) { args throws(CELError) in
            guard case .quantity(let q) = args[0] else { throw noMatchingOverload("asInteger", args) }
            guard q.isInteger, let i = q.integerValue else { throw CELError("cannot convert value to integer") }
            return .int(i)
        }
    }

    private static func registerLists(_ t: inout [String: Builtin]) {
        t.add("isSorted", receiver: [0]) { args throws(CELError) in
            guard case .list(let l) = args[0] else { throw noMatchingOverload("isSorted", args) }
            var i = 1
            while i < l.count {
                if case .bool(true) = try celCompare(.greater, l[i - 1], l[i]) { return .bool(false) }
                i += 1
            }
            return .bool(true)
        }
        t.add("sum", receiver: [0]) { args throws(CELError) in
            guard case .list(let l) = args[0] else { throw noMatchingOverload("sum", args) }
            guard var total = l.first else { return .int(0) }
            switch total {
            case .int, .uint, .double, .duration: break
            default: throw noMatchingOverload("sum", args)
            }
            for item in l.dropFirst() { total = try celArithmetic(.add, total, item) }
            return total
        }
        for (name, wanted) in [("min", BinaryOperator.less), ("max", BinaryOperator.greater)] {
            t.add(name, receiver: [0]) { args throws(CELError) in
                guard case .list(let l) = args[0] else { throw noMatchingOverload(name, args) }
                guard var best = l.first else { throw CELError("\(name)(): list is empty") }
                for item in l.dropFirst() {
                    if case .bool(true) = try celCompare(wanted, item, best) { best = item }
                }
                return best
            }
        }
        t.add("indexOf", receiver: [1]) { args throws(CELError) in
            guard case .list(let l) = args[0] else { throw noMatchingOverload("indexOf", args) }
            for (i, item) in l.enumerated() where celEquals(item, args[1]) { return .int(Int64(i)) }
            return .int(-1)
        }
        t.add("lastIndexOf", receiver: [1]) { args throws(CELError) in
            guard case .list(let l) = args[0] else { throw noMatchingOverload("lastIndexOf", args) }
            for i in stride(from: l.count - 1, through: 0, by: -1) where celEquals(l[i], args[1]) { return .int(Int64(i)) }
            return .int(-1)
        }
    }

    private static func registerRegex(_ t: inout [String: Builtin]) {
        @Sendable func find(_ regex: CompiledRegex, _ args: [CELValue]) throws(CELError) -> CELValue {
            guard case .string(let s) = args[0] else { throw noMatchingOverload("find", args) }
            return .string(regex.findAll(s, limit: 1).first ?? "")
        }
        @Sendable func findAll(_ regex: CompiledRegex, _ args: [CELValue]) throws(CELError) -> CELValue {
            guard case .string(let s) = args[0] else { throw noMatchingOverload("findAll", args) }
            var limit = -1
            if args.count == 3 {
                guard case .int(let n) = args[2] else { throw noMatchingOverload("findAll", args) }
                limit = Int(clamping: n)
            }
            return .list(regex.findAll(s, limit: limit).map { CELValue.string($0) })
        }
        for (name, body) in [("find", find), ("findAll", findAll)] {
            t[name] = Builtin(globalArities: [], receiverArities: name == "find" ? [1] : [1, 2], body: { args throws(CELError) in
                guard case .string(let pattern) = args[1] else { throw noMatchingOverload(name, args) }
                return try body(try CompiledRegex.cached(pattern), args)
            }, specialise: { literal, index throws(CELError) in
                guard index == 1 else { return nil }
                let regex = try CompiledRegex(literal)
                return { args throws(CELError) in try body(regex, args) }
            })
        }
    }
}
