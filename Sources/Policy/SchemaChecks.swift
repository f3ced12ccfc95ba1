import ManifestIO
import KubeModel
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

    static func findings(for parsed: ParsedObject, disabled: Set<String>) -> [Finding] { [] }
}
