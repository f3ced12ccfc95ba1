import KubeModel
public import Findings
public import ManifestIO

/// Settings of a lint run.
public struct LintOptions: Sendable {
    /// Rule ids not to run.
    public var disabledRules: Set<String> = []
    public init() {}
}

/// Lints what the reader produced: parse errors become findings at their positions, every object goes
/// through the schema checks and the built-in rules, and whatever could not be read makes the run
/// incomplete.
public struct Linter: Sendable {
    public var options: LintOptions
    public var rules: [BuiltinRule]

    public init(options: LintOptions = LintOptions(), rules: [BuiltinRule] = BuiltinRule.all) {
        self.options = options
        self.rules = rules.filter { !options.disabledRules.contains($0.id) }
    }

    /// Descriptors of every rule this linter can report, for SARIF and `policies list`.
    public var descriptors: [RuleDescriptor] {
        rules.map(\.descriptor) + BuiltinRule.readerRules + SchemaChecks.descriptors
    }

    public func lint(_ files: [FileResult]) -> RunResult {
        var result = RunResult(rules: descriptors)
        var all: [ParsedObject] = []
        for file in files {
            if let failure = file.failure { result.failures.append(failure); continue }
            result.filesRead += 1
            result.notes += file.notes
            for error in file.errors {
                result.findings.append(Finding(ruleID: error.ruleID, severity: .error, message: error.message,
                                               span: error.span))
            }
            all += file.objects
        }
        let context = LintContext(index: ObjectIndex(all))
        var unknownKinds: [String: SourceSpan?] = [:]
        for parsed in all {
            let object = parsed.object
            result.objectsChecked += 1
            if object.kindInfo == nil {
                if unknownKinds[object.apiVersion + " " + object.kind] == nil {
                    unknownKinds[object.apiVersion + " " + object.kind] = object.span
                }
            }
            if object.name.isEmpty {
                result.findings.append(Finding(ruleID: "schema-missing-required", severity: .error,
                                               message: "metadata.name is required", object: object.ref,
                                               span: object.value["metadata"]?.span ?? object.span, path: "metadata.name"))
            }
            if !options.disabledRules.contains("schema") {
                result.findings += SchemaChecks.findings(for: parsed, disabled: options.disabledRules)
            }
            for rule in rules { result.findings += rule.run(parsed, context) }
        }
        for (kind, span) in unknownKinds.sorted(by: { $0.key < $1.key }) {
            result.notes.append(Finding(ruleID: "unknown-kind", severity: .info,
                                        message: "\(kind) is not a kind Ballast checks; its objects are only indexed",
                                        span: span))
        }
        result.sort()
        return result
    }
}

extension BuiltinRule {
    /// Every built-in Swift rule, in catalogue order.
    public static let all: [BuiltinRule] = [
        .vctStorageClassUndefined, .statefulSetHeadlessService, .statefulSetSelectorMatchesLabels, .duplicateObject,
    ]

    /// Rules the reader reports (malformed input), for SARIF metadata.
    public static let readerRules: [RuleDescriptor] = [
        RuleDescriptor(id: "invalid-yaml", severity: .error, summary: "Manifests are valid YAML",
                       description: "libyaml could not parse the file, or a limit (alias expansion, nesting depth) was exceeded.",
                       remediation: "Fix the syntax at the position given."),
        RuleDescriptor(id: "invalid-json", severity: .error, summary: "JSON manifests are valid JSON",
                       remediation: "Fix the syntax at the position given."),
        RuleDescriptor(id: "duplicate-key", severity: .error, summary: "A mapping has each key once",
                       description: "kubectl rejects documents with duplicate keys; other tools keep the last one silently.",
                       remediation: "Remove one of the two keys."),
        RuleDescriptor(id: "invalid-utf8", severity: .error, summary: "Manifests are UTF-8",
                       remediation: "Re-encode the file as UTF-8."),
        RuleDescriptor(id: "binary-file", severity: .error, summary: "Manifest files are text",
                       remediation: "Remove the binary file or rename it so it does not end in .yaml/.yml/.json."),
    ]
}
