public import Findings

extension LiveChecks {
    /// The live rules as the reference shows them: each example is the live objects (and git's, when
    /// the example has them) and PVC usage it is checked on, at 2026-12-01T00:00:00Z with default params.
    public static var reference: [RuleReference] {
        LiveRule.all.map { rule in
            let examples = rule.examples.map { example -> RuleReference.Example in
                var text = "# live\n" + example.live.trimmingTrailingNewlines
                if !example.desired.isEmpty { text += "\n# git\n" + example.desired.trimmingTrailingNewlines }
                for sample in example.usage {
                    let tenths = Int((sample.usedFraction * 1000).rounded())
                    text += "\n# usage: \(sample.namespace)/\(sample.name) \(tenths / 10).\(tenths % 10) % used"
                }
                return .init(expectation: example.expectation.rawValue, note: example.note, text: text)
            }
            return RuleReference(descriptor: rule.descriptor, trigger: "live", source: "live (Swift)", kinds: [], examples: examples)
        }
    }
}

extension String {
    fileprivate var trimmingTrailingNewlines: String {
        var s = Substring(self)
        while s.last == "\n" { s.removeLast() }
        return String(s)
    }
}
