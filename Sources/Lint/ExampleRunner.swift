import KubeModel
import Policy
import Findings
import ManifestIO
import CEL

/// Runs a rule's examples (the same code backs `ballast policies test` and the test suite).
public struct ExampleOutcome: Sendable {
    public var example: PolicyExample
    public var passed: Bool
    /// Why it failed.
    public var detail: String
}

extension PolicyPack {
    /// Every example of every policy rule.
    public var allExamples: [PolicyExample] { rules.flatMap(\.examples) }

    /// The rule an example belongs to.
    public func rule(_ id: String) -> PolicyRule? { rules.first { $0.id == id } }

    /// Runs one example against its rule.
    public func run(_ example: PolicyExample) -> ExampleOutcome {
        guard let rule = rule(example.ruleID) else {
            return ExampleOutcome(example: example, passed: false, detail: "no rule \(example.ruleID)")
        }
        let findings = example.isChange ? runChange(rule, example) : runLint(rule, example)
        let own = findings.filter { $0.ruleID == rule.id }
        let errors = findings.filter { $0.ruleID == PolicyEvaluator.policyError.id }
        if let error = errors.first {
            return ExampleOutcome(example: example, passed: false, detail: "policy-error: \(error.message)")
        }
        switch example.expectation {
        case .pass:
            if let finding = own.first {
                return ExampleOutcome(example: example, passed: false, detail: "pass example fired: \(finding.message)")
            }
        case .fail:
            guard !own.isEmpty else { return ExampleOutcome(example: example, passed: false, detail: "fail example did not fire") }
            if let at = example.at, !own.contains(where: { $0.path == at }) {
                return ExampleOutcome(example: example, passed: false,
                                      detail: "finding at \(own.map { $0.path ?? "<object>" }.joined(separator: ", ")), expected at \(at)")
            }
        }
        return ExampleOutcome(example: example, passed: true, detail: "")
    }

    private func runLint(_ rule: PolicyRule, _ example: PolicyExample) -> [Finding] {
        let objects = example.objects.compactMap { ManifestReader.object(from: $0) }
        var stored = objects.map(StoredObject.init)
        for i in stored.indices { stored[i].facts = ObjectFacts(objects[i], dataTier: DataTierSelector()) }
        let index = ObjectIndex(stored)
        let runtime = PolicyRuntime(index: index, dataTier: DataTierSelector(), buildObjects: rule.readsObjects)
        let params = self.params(overrides: .map([]))
        return PolicyRuntime.$current.withValue(runtime) {
            objects.compactMap { PolicyEvaluator.evaluate(rule, object: $0, old: nil, params: params) }
        }
    }

    private func runChange(_ rule: PolicyRule, _ example: PolicyExample) -> [Finding] {
        let new = example.new.flatMap { ManifestReader.object(from: $0) }
        let old = example.old.flatMap { ManifestReader.object(from: $0) }
        var objects = example.objects.compactMap { ManifestReader.object(from: $0) }
        if let new { objects.append(new) }
        let index = ObjectIndex(objects.map { object in
            var stored = StoredObject(object)
            stored.facts = ObjectFacts(object, dataTier: DataTierSelector())
            return stored
        })
        let runtime = PolicyRuntime(index: index, dataTier: DataTierSelector(), buildObjects: rule.readsObjects)
        let params = self.params(overrides: .map([]))
        return PolicyRuntime.$current.withValue(runtime) {
            PolicyEvaluator.evaluate(rule, object: new, old: old, params: params).map { [$0] } ?? []
        }
    }
}
