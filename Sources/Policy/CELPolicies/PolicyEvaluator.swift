public import KubeModel
public import Findings
public import CEL

/// Evaluates compiled policy rules on objects. A rule that errors on an object is a `policy-error`
/// finding for that object: never a silent pass, never a crash.
public enum PolicyEvaluator {
    public static let policyError = RuleDescriptor(
        id: "policy-error", severity: .error, summary: "Policy rules evaluate without errors",
        description: "A rule could not be evaluated on an object (a CEL runtime error, a non-boolean result, or the cost budget ran out). The object was not checked by that rule.",
        remediation: "Fix the rule's expression, or the object's unexpected shape.")

    /// Evaluates `rule` on a lint or change pair. `object` is the head (nil when deleted), `old` the base.
    /// Returns nil when the rule passes or does not apply.
    public static func evaluate(_ rule: PolicyRule, object: KubeObject?, old: KubeObject?, params: CELValue) -> Finding? {
        guard let subject = object ?? old, rule.match.matches(subject) else { return nil }
        let activation = Self.activation(object: object.map { CELValue.from($0.value) } ?? .null,
                                         old: old.map { CELValue.from($0.value) } ?? .null, params: params)
        return evaluate(rule, subject: subject, activation: activation)
    }

    /// The variables every rule sees for one object (built once per object, shared by its rules).
    public static func activation(object: CELValue, old: CELValue, params: CELValue) -> CELActivation {
        CELActivation([
            "object": object,
            "oldObject": old,
            "params": params,
            "live": .null,
            "namespaceObject": .null,
            "request": .null,
            "objects": PolicyRuntime.current?.objects ?? .list([]),
        ])
    }

    /// Evaluates `rule` on `subject` with the object's activation (see `activation`); the rule's variables
    /// are computed when its expressions first read them.
    public static func evaluate(_ rule: PolicyRule, subject: KubeObject, activation base: CELActivation,
                         shared: CELSharedResults? = nil) -> Finding? {
        let begin = Profile.now()
        defer { Profile.rule(rule.id, since: begin) }
        var activation = base
        if !rule.lazyVariables.isEmpty { activation.lazy = CELLazyVariables(rule.lazyVariables, shared: shared) }
        func fail(_ what: String, _ error: CELError) -> Finding {
            Finding(ruleID: policyError.id, severity: .error,
                    message: "rule \(rule.id) failed on this object: \(what): \(error.message)",
                    object: subject.ref, span: subject.span, category: rule.trigger == .change ? .change : .lint,
                    remediation: policyError.remediation)
        }
        if let when = rule.when {
            let outcome: CELResult
            if let shared, let key = rule.whenKey, let known = shared[key] {
                outcome = known
            } else {
                outcome = when.program.evaluate(activation)
                if let shared, let key = rule.whenKey { shared[key] = outcome }
            }
            switch outcome {
            case .value(.bool(false)): return nil
            case .value(.bool(true)): break
            case .value(let v): return fail("when", CELError("expected a bool, got \(v.type.name)"))
            case .error(let e): return fail("when", e)
            }
        }
        switch rule.validate.program.evaluate(activation) {
        case .value(.bool(true)): return nil
        case .value(.bool(false)): break
        case .value(let v): return fail("validate", CELError("expected a bool, got \(v.type.name)"))
        case .error(let e): return fail("validate", e)
        }
        var message = rule.message ?? rule.descriptor.summary
        if let expression = rule.messageExpression {
            switch expression.program.evaluate(activation) {
            case .value(.string(let s)): message = s
            case .value(let v): message = v.displayString
            case .error(let e): message += " (messageExpression failed: \(e.message))"
            }
        }
        var path = rule.fieldPath
        if let expression = rule.fieldPathExpression, case .value(.string(let s)) = expression.program.evaluate(activation) {
            path = s
        }
        let span = path.flatMap { PathResolver.span(of: $0, in: subject.value) } ?? subject.span
        return Finding(ruleID: rule.id, severity: rule.descriptor.severity, message: message, object: subject.ref,
                       span: span, path: path, category: rule.trigger == .change ? .change : .lint,
                       remediation: rule.descriptor.remediation.isEmpty ? nil : rule.descriptor.remediation)
    }
}
