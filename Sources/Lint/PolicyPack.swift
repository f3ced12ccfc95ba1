public import KubeModel
import Policy
public import Findings
import ManifestIO
import CEL
import Glibc

/// The rules of a run: the built-in pack (compiled into the binary from `policies/`), packs added with
/// `--policies DIR`, and the Swift rules. Rule ids are unique across all of them.
public struct PolicyPack: Sendable {
    public private(set) var rules: [PolicyRule] = []
    public private(set) var builtins: [BuiltinRule]

    public init(builtins: [BuiltinRule] = BuiltinRule.all) { self.builtins = builtins }

    /// The built-in pack: `policies/*.yaml` as compiled into the binary, and the Swift rules.
    public static func builtIn() throws(ConfigError) -> PolicyPack {
        var pack = PolicyPack()
        for file in BuiltinPackFiles.files {
            try pack.add(text: file.text, name: file.name)
        }
        return pack
    }

    /// Adds the policy files of a directory (`.yaml`/`.yml`, recursive) or one file.
    public mutating func add(path: String) throws(ConfigError) {
        let (inputs, failures, _) = ManifestFinder.collect([path])
        if let failure = failures.first { throw ConfigError("could not read policies \(failure.source): \(failure.reason)", at: nil) }
        for input in inputs {
            guard case .path(let file) = input.source else { continue }
            let documents: [Value]
            do { documents = try OwnFormatReader.documents(atPath: file, name: input.name) } catch {
                switch error {
                case .unreadable: throw ConfigError(error.description, at: nil)
                case .malformed(let e): throw ConfigError(e.message, at: e.span)
                }
            }
            try add(rules: try PolicyLoader.rules(from: documents))
        }
    }

    /// Adds the rules of one policy file's text.
    public mutating func add(text: String, name: String) throws(ConfigError) {
        let documents: [Value]
        do { documents = try OwnFormatReader.documents(Array(text.utf8), file: FileID(name)) } catch {
            throw ConfigError(error.message, at: error.span)
        }
        try add(rules: try PolicyLoader.rules(from: documents))
    }

    mutating func add(rules new: [PolicyRule]) throws(ConfigError) {
        var taken = RuleCatalogue.reservedIDs.union(rules.map(\.id))
        for rule in new {
            guard !taken.contains(rule.id) else {
                throw ConfigError("rule id \(jsonQuoted(rule.id)) is used twice", at: rule.origin)
            }
            taken.insert(rule.id)
            rules.append(rule)
        }
    }

    /// Keeps only the rules `keep` accepts (rule selection from `.ballast.yaml`).
    public mutating func filter(_ keep: (String) -> Bool) {
        rules.removeAll { !keep($0.id) }
        builtins.removeAll { !keep($0.id) }
    }

    /// Every rule's metadata: the engine's (`RuleCatalogue`; of the Swift checks, those still selected)
    /// and the pack's.
    public var descriptors: [RuleDescriptor] {
        let selected = Set(builtins.map(\.id)), swiftChecks = Set(BuiltinRule.all.map(\.id))
        return RuleCatalogue.engineRules.filter { !swiftChecks.contains($0.id) || selected.contains($0.id) } + rules.map(\.descriptor)
    }

    /// The params rules see: each policy file's documented defaults, overridden by `.ballast.yaml`.
    public func params(overrides: Value) -> CELValue {
        var entries: [(CELValue, CELValue)] = []
        var seen = Set<String>()
        for rule in rules { for entry in rule.paramDefaults where !seen.contains(entry.key) {
            seen.insert(entry.key)
            entries.append((.string(entry.key), CELValue.from(entry.value)))
        } }
        for entry in overrides.mapEntries ?? [] { entries.append((.string(entry.key), CELValue.from(entry.value))) }
        return .map(entries)
    }
}
