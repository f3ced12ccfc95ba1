/// One rule as the reference documentation shows it (`ballast policies explain --all`, `docs/rules.md`):
/// CEL rules of the pack, Swift built-in rules and live rules alike.
public struct RuleReference: Sendable, Hashable {
    /// A manifest (or a pair, or a live situation) that proves the rule.
    public struct Example: Sendable, Hashable {
        /// `pass` or `fail`.
        public var expectation: String
        /// What the example shows, when its rule says (`a claim 95% full`).
        public var note: String?
        /// The example as text (YAML or JSON), several lines.
        public var text: String
        public init(expectation: String, note: String? = nil, text: String) {
            self.expectation = expectation; self.note = note; self.text = text
        }
    }

    public var descriptor: RuleDescriptor
    /// When the rule runs: `lint`, `change` or `live`.
    public var trigger: String
    /// Where the rule is defined: `policies/storage.yaml`, `built-in (Swift)`, `live (Swift)`.
    public var source: String
    /// The kinds it applies to (qualified, sorted); empty for every kind.
    public var kinds: [String]
    public var examples: [Example]

    public init(descriptor: RuleDescriptor, trigger: String, source: String, kinds: [String], examples: [Example]) {
        self.descriptor = descriptor; self.trigger = trigger; self.source = source
        self.kinds = kinds; self.examples = examples
    }
}
