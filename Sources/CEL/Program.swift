/// A CEL error: a parse or check error (compile time), or an evaluation error. Messages are lowercase;
/// `line` and `column` are 1-based positions in the expression source (0 when unknown).
public struct CELError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What went wrong, lowercase (`no such key: 'serviceName'`).
    public var message: String
    /// 1-based line in the expression source; 0 when unknown.
    public var line: Int
    /// 1-based column (Unicode scalars); 0 when unknown.
    public var column: Int
    /// An error `&&`, `||` and the macros must not absorb (the cost budget ran out).
    var isFatal = false

    /// An error; host functions throw it without a position and the evaluator adds the call's.
    public init(_ message: String, line: Int = 0, column: Int = 0) {
        self.message = message; self.line = line; self.column = column
    }
    /// `line:column: message`, or the message alone when there is no position.
    public var description: String { line > 0 ? "\(line):\(column): \(message)" : message }
    public static func == (a: CELError, b: CELError) -> Bool {
        a.message == b.message && a.line == b.line && a.column == b.column
    }
}

/// A function added by the host (e.g. Policy's `lookup`, `selects`): called with its arguments (the
/// receiver first for a receiver call). A thrown `CELError`'s message is kept; other errors are described.
public struct CELFunction: Sendable {
    /// Argument counts accepted as a global call `f(a, b)`.
    public var arities: Set<Int>
    /// Argument counts (after the receiver) accepted as a receiver call `a.f(b)`.
    public var receiverArities: Set<Int>
    /// The implementation; arguments arrive evaluated, the receiver first.
    public var body: @Sendable ([CELValue]) throws -> CELValue

    /// A function callable as `f(...)` with `arities` arguments and/or as `x.f(...)` with `receiverArities`.
    public init(arities: Set<Int>, receiverArities: Set<Int> = [], _ body: @escaping @Sendable ([CELValue]) throws -> CELValue) {
        self.arities = arities; self.receiverArities = receiverArities; self.body = body
    }
}

/// What an expression may refer to beyond the standard and Kubernetes libraries.
public struct CELDeclarations: Sendable {
    /// Variable names (qualified names such as `a.b` are single variables).
    public var variables: Set<String>
    /// Host functions by name (`lookup`, or qualified like `k8s.lookup`).
    public var functions: [String: CELFunction]
    /// The container names are resolved in (`x` in container `a.b` tries `a.b.x`, `a.x`, then `x`).
    public var container: String?
    /// When true, unknown names and functions are not compile errors but evaluation errors (cel-spec
    /// cases marked `disable_check` need this); policies keep it false so a misspelt name fails the load.
    public var allowsUndeclaredNames: Bool
    /// When false, `has`, `all`, `exists`, ... parse as ordinary calls.
    public var enablesMacros: Bool

    /// Declarations; the standard, optional, strings and Kubernetes libraries are always available.
    public init(variables: Set<String> = [], functions: [String: CELFunction] = [:], container: String? = nil,
                allowsUndeclaredNames: Bool = false, enablesMacros: Bool = true) {
        self.variables = variables; self.functions = functions; self.container = container
        self.allowsUndeclaredNames = allowsUndeclaredNames; self.enablesMacros = enablesMacros
    }
}

/// Variable values for one evaluation.
public struct CELActivation: Sendable {
    /// Values by declared name (`object`, `oldObject`, `params`, ...).
    public var variables: [String: CELValue]
    /// Variables computed on first use, such as a policy rule's `variables.<name>`; they win over
    /// `variables` of the same name.
    public var lazy: CELLazyVariables?
    /// An activation binding `variables`, and `lazy` ones.
    public init(_ variables: [String: CELValue] = [:], lazy: CELLazyVariables? = nil) {
        self.variables = variables; self.lazy = lazy
    }
}

/// Named expressions for `CELLazyVariables`, compiled once and shared by every evaluation.
public struct CELVariableDefinitions: Sendable {
    let names: [String]
    /// `names` as interned ids (`VariableIDs`), scanned instead of the strings.
    let ids: [Int]
    let programs: [CELProgram]
    let compiled: [CompiledProgram]
    let sharingKeys: [Int?]
    /// Variables by declared name (e.g. `variables.pods`), each with its compiled expression. Variables
    /// with the same sharing key compute the same value from the same input (the host decides, e.g. equal
    /// source reading equal variables): with `CELSharedResults`, the first computes it for all.
    public init(_ variables: [(name: String, program: CELProgram)], sharingKeys: [Int?]? = nil) {
        names = variables.map(\.name)
        ids = names.map(VariableIDs.id)
        programs = variables.map(\.program)
        compiled = programs.map(\.compiled)
        self.sharingKeys = sharingKeys ?? Array(repeating: nil, count: variables.count)
    }
    public var isEmpty: Bool { names.isEmpty }
}

/// Results shared by the evaluations of one input (one object): what several rules define the same way
/// is computed once. Made for one evaluation context on one thread.
public final class CELSharedResults: @unchecked Sendable {
    /// By key: hosts hand out small dense keys, so an array beats a hash table.
    private var results: [CELResult?] = []
    public init() {}
    /// The result stored under `key` (a small non-negative integer).
    public subscript(key: Int) -> CELResult? {
        get { key < results.count ? results[key] : nil }
        set {
            if key >= results.count {
                // Grown geometrically: every object of a run fills the same few hundred keys one by one.
                let count = Swift.max(key + 1, 2 * results.count, 64)
                results.reserveCapacity(count)
                while results.count < count { results.append(nil) }
            }
            results[key] = newValue
        }
    }
}

/// Variables evaluated the first time an expression reads them, at most once for the activation they
/// belong to (ValidatingAdmissionPolicy's `variables` are lazy the same way). A variable may read the ones
/// declared before it. Made for one evaluation context on one thread: not shared between tasks.
public final class CELLazyVariables: @unchecked Sendable {
    private enum State { case pending, running, done(CELResult) }
    private let definitions: CELVariableDefinitions
    private let shared: CELSharedResults?
    private var states: [State]

    /// Fresh (not yet computed) values of `definitions`, taken from and added to `shared` by sharing key.
    public init(_ definitions: CELVariableDefinitions, shared: CELSharedResults? = nil) {
        self.definitions = definitions
        self.shared = shared
        states = Array(repeating: .pending, count: definitions.names.count)
    }

    /// The slot of the variable with interned id `id`, or nil (a handful of names: a linear scan).
    func slot(id: Int) -> Int? {
        let ids = definitions.ids
        for i in ids.indices where ids[i] == id { return i }
        return nil
    }

    /// The value of the variable in `slot`, computed with `variables` on first use. An error is thrown
    /// again at every use, with the variable's name in front.
    func value(_ slot: Int, variables: [String: CELValue], budget: Int) throws(CELError) -> CELValue {
        let result: CELResult
        switch states[slot] {
        case .done(let r): result = r
        case .running: throw CELError("\(definitions.names[slot]) refers to itself")
        case .pending:
            let key = definitions.sharingKeys[slot]
            if let key, let shared, let known = shared[key] {
                result = known
            } else {
                states[slot] = .running
                result = definitions.compiled[slot].run(variables: variables, lazy: self, budget: budget)
                if let key, let shared { shared[key] = result }
            }
            states[slot] = .done(result)
        }
        switch result {
        case .value(let v): return v
        case .error(let e):
            var error = CELError("\(definitions.names[slot]): \(e.message)")
            error.isFatal = e.isFatal
            throw error
        }
    }
}

/// The outcome of an evaluation.
public enum CELResult: Sendable, Equatable {
    case value(CELValue)
    case error(CELError)

    public static func == (a: CELResult, b: CELResult) -> Bool {
        switch (a, b) {
        case (.value(let x), .value(let y)): return celStrictEquals(x, y)
        case (.error(let x), .error(let y)): return x == y
        default: return false
        }
    }
}

/// A compiled CEL expression: parsed and checked once, evaluated many times, from any thread.
/// A reference to the compiled form: copying a program costs one retain.
public struct CELProgram: Sendable {
    /// The compiled form (closures), with the source and the names read.
    let compiled: CompiledProgram

    /// Parses and checks `source`. Throws a `CELError` naming the line and column of the first
    /// problem: a syntax error, an undeclared name, a wrong number of arguments, an invalid literal regex.
    public init(_ source: String, declarations: CELDeclarations = CELDeclarations()) throws(CELError) {
        let node = try Parser.parse(source, macros: declarations.enablesMacros)
        var checker = Checker(declarations: declarations)
        let root = try checker.check(node)
        var variables = Set<String>(), functions = Set<String>()
        root.collectNames(variables: &variables, functions: &functions)
        compiled = CompiledProgram(root, source: source, variablesRead: variables, functionsCalled: functions)
    }

    /// The expression text, as compiled.
    public var source: String { compiled.source }
    /// The declared variables the expression reads (`object`, `variables.pods`, ...).
    public var variablesRead: Set<String> { compiled.variablesRead }
    /// The functions it calls, by name (`size`, `lookup`, ...).
    public var functionsCalled: Set<String> { compiled.functionsCalled }

    /// Evaluates against `activation`. `budget` caps the steps (one per node evaluated and one per
    /// comprehension iteration); running out is an error that `&&`/`||` do not absorb. Never traps.
    public func evaluate(_ activation: CELActivation = CELActivation(), budget: Int = 1_000_000) -> CELResult {
        compiled.run(variables: activation.variables, lazy: activation.lazy, budget: budget)
    }
}

extension Expr {
    /// Adds the variables read and the functions called in the expression (recursion bounded by the
    /// parser's nesting limit).
    func collectNames(variables: inout Set<String>, functions: inout Set<String>) {
        switch op {
        case .constant, .local: break
        case .variable(let name): variables.insert(name)
        case .select(let e, _, _), .presence(let e, _), .not(let e), .negate(let e):
            e.collectNames(variables: &variables, functions: &functions)
        case .index(let a, let b, _), .and(let a, let b), .or(let a, let b), .binary(_, let a, let b):
            a.collectNames(variables: &variables, functions: &functions)
            b.collectNames(variables: &variables, functions: &functions)
        case .conditional(let a, let b, let c):
            for e in [a, b, c] { e.collectNames(variables: &variables, functions: &functions) }
        case .call(let callee, let args):
            functions.insert(callee.name)
            for e in args { e.collectNames(variables: &variables, functions: &functions) }
        case .list(let items, _):
            for e in items { e.collectNames(variables: &variables, functions: &functions) }
        case .map(let entries):
            for entry in entries {
                entry.key.collectNames(variables: &variables, functions: &functions)
                entry.value.collectNames(variables: &variables, functions: &functions)
            }
        case .optionalPath(let base, _, let fallback):
            base.collectNames(variables: &variables, functions: &functions)
            fallback.collectNames(variables: &variables, functions: &functions)
        case .comprehension(_, let range, _, let args):
            range.collectNames(variables: &variables, functions: &functions)
            for e in args { e.collectNames(variables: &variables, functions: &functions) }
        }
    }
}
