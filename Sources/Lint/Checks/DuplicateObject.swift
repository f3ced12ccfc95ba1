import KubeModel
import Policy
import Findings
import ManifestIO

extension BuiltinRule {
    /// `duplicate-object`: two documents with one identity (group, kind, namespace, name; the version is not
    /// part of it). Whichever is applied last wins, silently.
    static let duplicateObject = BuiltinRule(
        id: "duplicate-object", severity: .error,
        summary: "Each object is defined once",
        description: """
            Two documents with the same group, kind, namespace and name describe one object: the one applied \
            last silently wins, and reviews read the other. apps/v1 and apps/v1beta1 of one name are the same \
            object.
            """,
        remediation: "Remove one of the two definitions, or give them different names.",
        kinds: [],
        pass: [
            """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: a, namespace: x}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: a, namespace: y}
            """,
        ],
        fail: [
            (yaml: """
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: a, namespace: x}
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: a, namespace: x}
            data: {k: v}
            """, at: nil),
        ],
        check: .identity { rule, object, context in
        guard !object.ref.name.isEmpty, let first = context.index.firstSpan(object.ref), first != object.span else { return [] }
        let firstAt = first.map { "\($0.file.path):\($0.line)" } ?? "elsewhere"
        return [Finding(ruleID: rule.id, severity: rule.descriptor.severity, message: "\(object.ref) is defined twice (first at \(firstAt))",
                        object: object.ref, span: object.span, category: .lint, remediation: rule.descriptor.remediation)]
    })
}
