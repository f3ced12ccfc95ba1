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
    /// An activation binding `variables`.
    public init(_ variables: [String: CELValue] = [:]) { self.variables = variables }
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
public struct CELProgram: Sendable {
    /// The expression text, as compiled.
    public let source: String
    let root: Expr

    /// Parses and checks `source`. Throws a `CELError` naming the line and column of the first
    /// problem: a syntax error, an undeclared name, a wrong number of arguments, an invalid literal regex.
    public init(_ source: String, declarations: CELDeclarations = CELDeclarations()) throws(CELError) {
        self.source = source
        let node = try Parser.parse(source, macros: declarations.enablesMacros)
        var checker = Checker(declarations: declarations)
        root = try checker.check(node)
    }

    /// Evaluates against `activation`. `budget` caps the steps (one per node evaluated and one per
    /// comprehension iteration); running out is an error that `&&`/`||` do not absorb. Never traps.
    public func evaluate(_ activation: CELActivation = CELActivation(), budget: Int = 1_000_000) -> CELResult {
        var evaluator = Evaluator(variables: activation.variables, budget: budget)
        do {
            return .value(try evaluator.eval(root))
        } catch {
            return .error(error)
        }
    }
}
