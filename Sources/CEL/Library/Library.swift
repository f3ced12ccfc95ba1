/// The function tables: the CEL standard library, the optional library, cel-go's strings extension
/// and the Kubernetes libraries (quantity, lists, regex), as Kubernetes' base environment enables them.
enum Library {
    static let builtins: [String: Builtin] = {
        var table: [String: Builtin] = [:]
        Standard.register(&table)
        TimeFunctions.register(&table)
        Optionals.register(&table)
        StringsExtension.register(&table)
        KubernetesLibrary.register(&table)
        return table
    }()
}

extension Dictionary where Key == String, Value == Builtin {
    /// Adds `name`; a second registration of a name merges the call shapes and tries the earlier
    /// body first, falling back on "no matching overload" (e.g. `indexOf` on strings and on lists).
    mutating func add(_ name: String, global: Set<Int> = [], receiver: Set<Int> = [],
                      _ body: @escaping @Sendable ([CELValue]) throws(CELError) -> CELValue) {
        if let existing = self[name] {
            let first = existing.body
            self[name] = Builtin(globalArities: existing.globalArities.union(global),
                                 receiverArities: existing.receiverArities.union(receiver),
                                 body: { args throws(CELError) in
                                     do throws(CELError) { return try first(args) } catch {
                                         guard error.message.hasPrefix("no matching overload") else { throw error }
                                         return try body(args)
                                     }
                                 }, specialise: existing.specialise)
        } else {
            self[name] = Builtin(globalArities: global, receiverArities: receiver, body: body)
        }
    }
}

/// The error for a call whose argument types have no implementation.
func noMatchingOverload(_ name: String, _ args: [CELValue]) -> CELError {
    CELError("no matching overload for '\(name)' applied to (\(args.map { $0.type.name }.joined(separator: ", ")))")
}

extension CELValue {
    var asString: String? { if case .string(let s) = self { return s }; return nil }
    var asInt: Int64? { if case .int(let i) = self { return i }; return nil }
    var asList: CELList? { if case .list(let l) = self { return l }; return nil }
}
