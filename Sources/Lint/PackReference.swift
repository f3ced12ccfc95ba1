import Policy
public import Findings

extension PolicyPack {
    /// Every lint and change rule of the pack as the reference shows it, in `policies list` order: the
    /// Swift built-in rules with their YAML examples, the CEL rules with theirs (one JSON object per line;
    /// change examples as old/new), then the rules of the reader, the schema, waivers and policy errors,
    /// which fire on what cannot be written as a passing example.
    public var reference: [RuleReference] {
        var out: [RuleReference] = []
        for rule in builtins {
            out.append(RuleReference(descriptor: rule.descriptor, trigger: "lint", source: "built-in (Swift)",
                                     kinds: rule.kinds.sorted(),
                                     examples: rule.examples.map { .init(expectation: $0.expectation.rawValue, text: $0.yaml) }))
        }
        for rule in rules {
            let examples = rule.examples.map { example -> RuleReference.Example in
                let text = example.isChange
                    ? "old: " + (example.old?.json ?? "null") + "\nnew: " + (example.new?.json ?? "null")
                    : example.objects.map(\.json).joined(separator: "\n")
                return .init(expectation: example.expectation.rawValue, text: text)
            }
            out.append(RuleReference(descriptor: rule.descriptor, trigger: rule.trigger.rawValue,
                                     source: rule.origin?.file.path ?? "policy", kinds: rule.match.kinds.sorted(),
                                     examples: examples))
        }
        let swiftChecks = Set(BuiltinRule.all.map(\.id))
        for descriptor in RuleCatalogue.engineRules where !swiftChecks.contains(descriptor.id) {
            out.append(RuleReference(descriptor: descriptor, trigger: "lint", source: "built-in (reader)", kinds: [], examples: []))
        }
        return out
    }
}
