import Policy
public import Findings

/// Every rule the engine itself reports, in one place: reader errors, schema findings, the Swift checks,
/// waiver problems and policy errors. A pack's rules join them (`PolicyPack.descriptors`), and no policy may
/// reuse one of their ids. Live rules (the `Drift` target) are joined by the commands that run them.
public enum RuleCatalogue {
    /// The engine's own rules.
    public static var engineRules: [RuleDescriptor] {
        BuiltinRule.readerRules + SchemaChecks.descriptors + BuiltinRule.all.map(\.descriptor)
            + WaiverParser.descriptors + [PolicyEvaluator.policyError]
    }

    /// Ids no policy rule may take.
    public static var reservedIDs: Set<String> { Set(engineRules.map(\.id)) }
}
