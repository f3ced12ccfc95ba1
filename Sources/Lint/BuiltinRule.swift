public import KubeModel
import Policy
public import Findings
public import ManifestIO

/// A manifest that proves a rule: it must fire on a fail example and stay silent on a pass example.
public struct RuleExample: Sendable, CustomStringConvertible {
    public enum Expectation: String, Sendable { case pass, fail }
    public var ruleID: String
    public var expectation: Expectation
    /// The example's ordinal among its rule's pass or fail examples (1-based).
    public var number: Int
    /// YAML text of one or more documents.
    public var yaml: String
    /// The field path a fail example's finding must point at, when given.
    public var at: String?
    public var description: String { "\(ruleID) \(expectation.rawValue) #\(number)" }
}

/// A check prepared while an object was read, settled against the index of the whole run. It is kept for
/// the whole of phase one, once per object it was prepared on: what it captures is paid per object, so a
/// check that can read its object again at settle time (`init(settle:)`) captures no more than it must.
public struct DeferredCheck: Sendable {
    let settle: @Sendable (LintContext, StoredObject) -> [Finding]
    public init(_ settle: @escaping @Sendable (LintContext) -> [Finding]) { self.settle = { context, _ in settle(context) } }
    /// A check settled with the object it was prepared on, in compact form.
    public init(settle: @escaping @Sendable (LintContext, StoredObject) -> [Finding]) { self.settle = settle }
}

/// What a deferred check needs of its rule to write a finding when it settles (a whole `BuiltinRule`, or a
/// finding written in advance, would be kept per object).
struct FindingStamp: Sendable {
    let ruleID: String
    let severity: Severity
    let remediation: String?

    init(_ rule: BuiltinRule) {
        ruleID = rule.id; severity = rule.descriptor.severity
        remediation = rule.descriptor.remediation.isEmpty ? nil : rule.descriptor.remediation
    }

    /// The finding `BuiltinRule.finding` writes on the object, pointing at `span` (or the object's start).
    func finding(_ object: StoredObject, _ message: String, at span: SourceSpan?, path: FieldPath) -> Finding {
        Finding(ruleID: ruleID, severity: severity, message: message, object: object.ref, span: span ?? object.span,
                path: path.description, category: .lint, remediation: remediation)
    }
}

/// What a rule sees: the object's index of the run and the reader's settings.
public struct LintContext: Sendable {
    public var index: ObjectIndex
    public init(index: ObjectIndex) { self.index = index }
}

/// A rule written in Swift (structural checks that need more than CEL offers, or run on the raw text).
public struct BuiltinRule: Sendable {
    /// When a rule runs, and what it sees.
    public enum Check: Sendable {
        /// On each object as it is read (in parallel), without the other objects.
        case object(@Sendable (BuiltinRule, ParsedObject) -> [Finding])
        /// After every object is indexed, on the rebuilt object, with `lookup`.
        case index(@Sendable (BuiltinRule, KubeObject, LintContext) -> [Finding])
        /// After every object is indexed, on identities and positions only (no tree is rebuilt).
        case identity(@Sendable (BuiltinRule, StoredObject, LintContext) -> [Finding])
        /// Prepared on each object as it is read, settled once every object is indexed: the object's tree is
        /// not kept or rebuilt, only what the check captured (names, spans) and the index's facts.
        case deferred(@Sendable (BuiltinRule, ParsedObject) -> [DeferredCheck])
    }

    public var descriptor: RuleDescriptor
    public var examples: [RuleExample]
    /// Kinds the rule looks at (qualified: `apps/StatefulSet`); empty for every kind.
    public var kinds: Set<String> { didSet { kindSet = KindSet(kinds) } }
    private var kindSet: KindSet
    public let check: Check

    public init(id: String, severity: Severity, summary: String, description: String, remediation: String,
                kinds: Set<String>, pass: [String], fail: [(yaml: String, at: String?)], check: Check) {
        descriptor = RuleDescriptor(id: id, severity: severity, summary: summary, description: description,
                                    remediation: remediation)
        self.kinds = kinds
        kindSet = KindSet(kinds)
        self.check = check
        examples = pass.enumerated().map { RuleExample(ruleID: id, expectation: .pass, number: $0.offset + 1, yaml: $0.element) }
            + fail.enumerated().map { RuleExample(ruleID: id, expectation: .fail, number: $0.offset + 1,
                                                  yaml: $0.element.yaml, at: $0.element.at) }
    }

    public var id: String { descriptor.id }

    /// Whether the rule looks at objects of this kind.
    public func applies(to ref: ObjectRef) -> Bool { kindSet.isEmpty || kindSet.contains(ref) }

    /// A finding of this rule on `object`, pointing at `value` (or the object's start).
    public func finding(_ object: KubeObject, _ message: String, at value: Value? = nil, path: FieldPath? = nil,
                        severity: Severity? = nil) -> Finding {
        Finding(ruleID: descriptor.id, severity: severity ?? descriptor.severity, message: message, object: object.ref,
                span: value?.span ?? object.span, path: path?.description, category: .lint,
                remediation: descriptor.remediation.isEmpty ? nil : descriptor.remediation)
    }
}
