public import KubeModel
public import Findings
import CEL
import Synchronization

/// When a policy rule runs.
public enum RuleTrigger: String, Sendable {
    /// On each desired object.
    case lint
    /// On each pair (base object, head object) of a pull request; `oldObject` is the base.
    case change
    /// On each live object; `live` is the live object.
    case live
}

/// Which objects a rule applies to (like ValidatingAdmissionPolicy's matchConstraints).
public struct RuleMatch: Sendable {
    /// Group-qualified kinds (`apps/StatefulSet`, `Service`); empty: every kind.
    public var kinds: Set<String> = [] { didSet { kindSet = KindSet(kinds) } }
    private var kindSet = KindSet([String]())
    public var namespaces: Set<String> = []
    public var names: Set<String> = []
    public var labelSelector: LabelSelector?

    public func matches(_ object: KubeObject) -> Bool {
        if !kindSet.isEmpty && !kindSet.contains(object.ref) { return false }
        if !namespaces.isEmpty && !namespaces.contains(object.ref.namespace ?? "") { return false }
        if !names.isEmpty && !names.contains(object.ref.name) { return false }
        if let labelSelector, !labelSelector.matches(object.labels) { return false }
        return true
    }

    /// Whether objects of this kind can match at all (cheap filter before rebuilding an object).
    public func mayMatch(_ ref: ObjectRef) -> Bool { kindSet.isEmpty || kindSet.contains(ref) }
}

/// An expression compiled once, with where it was written.
struct CompiledExpression: Sendable {
    var program: CELProgram
    var span: SourceSpan?
}

/// A rule from a policy file: CEL over `object` (and `oldObject`, `objects`, `params`), with its examples.
/// A class: every object of a run passes through every rule, and a reference costs one retain to pass.
public final class PolicyRule: Sendable {
    public let descriptor: RuleDescriptor
    public let trigger: RuleTrigger
    public let match: RuleMatch
    let when: CompiledExpression?
    let variables: [(name: String, expression: CompiledExpression)]
    /// `variables` as CEL sees them (`variables.<name>`), computed on first read in each evaluation.
    let lazyVariables: CELVariableDefinitions
    let validate: CompiledExpression
    let message: String?
    let messageExpression: CompiledExpression?
    public let fieldPath: String?
    let fieldPathExpression: CompiledExpression?
    public let examples: [PolicyExample]
    /// Where the rule is written (its `id`), for `policies explain` and errors.
    public let origin: SourceSpan?
    /// The policy file's `spec.params` defaults.
    public let paramDefaults: [Value.Entry]
    /// The rule calls `lookup`, reads `objects`, or asks whether a StorageClass is data tier: it runs after
    /// every object is indexed.
    public let needsIndex: Bool
    /// Whether `objects` is read (the run then builds the list of every object once).
    public let readsObjects: Bool

    public var id: String { descriptor.id }

    init(descriptor: RuleDescriptor, trigger: RuleTrigger, match: RuleMatch, when: CompiledExpression?,
         variables: [(name: String, expression: CompiledExpression)], validate: CompiledExpression, message: String?,
         messageExpression: CompiledExpression?, fieldPath: String?, fieldPathExpression: CompiledExpression?,
         examples: [PolicyExample], origin: SourceSpan?, paramDefaults: [Value.Entry], needsIndex: Bool, readsObjects: Bool) {
        self.descriptor = descriptor; self.trigger = trigger; self.match = match; self.when = when
        self.variables = variables; self.validate = validate; self.message = message
        self.messageExpression = messageExpression; self.fieldPath = fieldPath; self.fieldPathExpression = fieldPathExpression
        self.examples = examples; self.origin = origin; self.paramDefaults = paramDefaults
        self.needsIndex = needsIndex; self.readsObjects = readsObjects
        var keys: [String: Int] = [:]
        var variableKeys: [Int?] = []
        for variable in variables {
            let key = SharingKeys.key(variable.expression.program, reading: keys)
            keys["variables." + variable.name] = key
            variableKeys.append(key)
        }
        lazyVariables = CELVariableDefinitions(variables.map { ("variables." + $0.name, $0.expression.program) },
                                               sharingKeys: variableKeys)
        whenKey = when.map { SharingKeys.key($0.program, reading: keys, role: "when") }
    }

    /// The sharing key of `when` (rules with the same precondition evaluate it once per object).
    let whenKey: Int?
}

/// Keys under which expressions share results on one object (`CELSharedResults`): equal source text
/// reading variables that are themselves equal. Every rule sees the same `object`, `params` and `objects`,
/// so equal keys compute equal values; `pod`, `ctrs` or a workload's config text, defined alike by several
/// rules, are computed once per object.
enum SharingKeys {
    private static let table = Mutex<[String: Int]>([:])

    static func key(_ program: CELProgram, reading variables: [String: Int], role: String = "variable") -> Int {
        var text = role + "\u{0}" + program.source
        for name in program.variablesRead.sorted() where name.hasPrefix("variables.") {
            text += "\u{0}" + name + "=" + String(variables[name] ?? -1)
        }
        return table.withLock { table in
            if let key = table[text] { return key }
            let key = table.count
            table[text] = key
            return key
        }
    }
}

/// A manifest that proves a policy rule.
public struct PolicyExample: Sendable, CustomStringConvertible {
    public enum Expectation: String, Sendable { case pass, fail }
    public var ruleID: String
    public var expectation: Expectation
    public var number: Int
    /// Lint examples: the objects (a `v1 List` is expanded). Change examples: the head objects for `lookup`.
    public var objects: [Value]
    /// Change examples: the base and head object (nil = absent).
    public var old: Value?
    public var new: Value?
    public var isChange: Bool
    public var at: String?
    public var span: SourceSpan?
    public var description: String {
        "\(ruleID) \(expectation.rawValue) #\(number)" + (span.map { " (\($0.file.path):\($0.line))" } ?? "")
    }
}
