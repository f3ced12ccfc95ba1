import ManifestIO
import KubeModel
import Policy
public import Findings

/// Schema checks against the Kubernetes v1.37 schema table (`KubeSchema`), and `yaml11-boolean`.
public enum SchemaChecks {
    public static let descriptors: [RuleDescriptor] = [
        RuleDescriptor(id: "schema-unknown-field", severity: .error, summary: "Fields exist in the Kubernetes schema",
                       description: "The API server drops or rejects unknown fields: a typo silently loses a setting (kubectl --validate=strict rejects it).",
                       remediation: "Fix the field name; see `kubectl explain`."),
        RuleDescriptor(id: "schema-wrong-type", severity: .error, summary: "Fields have the type the schema gives",
                       remediation: "Write the value with the type the schema wants (quote strings, unquote numbers)."),
        RuleDescriptor(id: "schema-invalid-enum", severity: .error, summary: "Enumerated fields hold an allowed value",
                       remediation: "Use one of the allowed values."),
        RuleDescriptor(id: "schema-missing-required", severity: .error, summary: "Required fields are present",
                       remediation: "Add the required field."),
        RuleDescriptor(id: "yaml11-boolean", severity: .error,
                       summary: "No YAML 1.1 booleans where a string is meant",
                       description: "kubectl reads YAML 1.1: unquoted yes/no/on/off/y/n are booleans, and a boolean where the schema wants a string fails to decode (or, in a map of strings, is rejected).",
                       remediation: "Quote the value: \"on\"."),
    ]

    /// Schema violations of one object as findings. A boolean where a string is wanted that was written as
    /// an unquoted YAML 1.1 word (`on`, `yes`) is `yaml11-boolean`, which says how to fix it.
    static func findings(for parsed: ParsedObject, disabled: Set<String>) -> [Finding] {
        let object = parsed.object
        guard let violations = KubeSchema.validate(object), !violations.isEmpty else { return [] }
        var yaml11: [SourceSpan: String] = [:]
        for boolean in parsed.yaml11Booleans { yaml11[boolean.span] = boolean.text }
        return violations.map { violation in
            let id: String
            var message = violation.message
            var remediation: String?
            switch violation.problem {
            case .unknownField: id = "schema-unknown-field"
            case .wrongType(let expected, let found):
                if found == "boolean", expected.hasPrefix("string"), let span = violation.span, let word = yaml11[span] {
                    id = "yaml11-boolean"
                    message = "unquoted \(jsonQuoted(word)) is a boolean in YAML 1.1, as kubectl reads it, but \(violation.path) is a string: quote it"
                    remediation = "Write \"\(word)\" (quoted)."
                } else {
                    id = "schema-wrong-type"
                }
            case .invalidEnum: id = "schema-invalid-enum"
            case .missingRequired: id = "schema-missing-required"
            }
            let descriptor = descriptors.first { $0.id == id }
            return Finding(ruleID: id, severity: .error, message: message, object: object.ref,
                           span: violation.span ?? object.span, path: violation.path,
                           remediation: remediation ?? descriptor?.remediation)
        }
    }
}
