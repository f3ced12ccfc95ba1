import KubeModel
import Policy
import Findings
import ManifestIO

extension BuiltinRule {
    /// `statefulset-selector-matches-labels`: the API server rejects a StatefulSet whose selector does not
    /// select its own pod template; the selector is immutable, so the mistake costs a recreate later.
    static let statefulSetSelectorMatchesLabels = BuiltinRule(
        id: "statefulset-selector-matches-labels", severity: .error,
        summary: "A StatefulSet's selector selects its own pod template",
        description: """
            spec.selector must match spec.template.metadata.labels, or the API server rejects the StatefulSet \
            ("selector does not match template labels"). The selector cannot be changed later without \
            deleting the StatefulSet.
            """,
        remediation: "Make spec.selector.matchLabels a subset of spec.template.metadata.labels.",
        kinds: ["apps/StatefulSet"],
        pass: [
            """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: pg, namespace: db}
            spec:
              serviceName: pg
              selector:
                matchLabels: {app: pg}
                matchExpressions: [{key: role, operator: In, values: [primary, standby]}]
              template:
                metadata: {labels: {app: pg, role: primary}}
                spec: {containers: [{name: pg, image: "postgres:16.3"}]}
            """,
        ],
        fail: [
            (yaml: """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: pg, namespace: db}
            spec:
              serviceName: pg
              selector: {matchLabels: {app: postgres}}
              template:
                metadata: {labels: {app: pg}}
                spec: {containers: [{name: pg, image: "postgres:16.3"}]}
            """, at: "spec.selector"),
            (yaml: """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: pg, namespace: db}
            spec:
              serviceName: pg
              selector: {}
              template:
                metadata: {labels: {app: pg}}
                spec: {containers: [{name: pg, image: "postgres:16.3"}]}
            """, at: "spec.selector"),
        ],
        check: .object { rule, parsed in
        let object = parsed.object
        guard let selectorValue = object.value[path: "spec", "selector"], selectorValue.isMap else { return [] }
        let path = FieldPath("spec", "selector")
        let selector = LabelSelector(labelSelector: selectorValue)
        if let reason = selector.invalidReason { return [rule.finding(object, reason, at: selectorValue, path: path)] }
        if selector.isEmpty {
            return [rule.finding(object, "empty selector: apps/v1 requires a non-empty selector", at: selectorValue, path: path)]
        }
        let labels = object.value[path: "spec", "template", "metadata", "labels"]?.stringMap ?? [:]
        if !selector.matches(labels) {
            return [rule.finding(object, "selector \(selector.description) does not match the pod template labels",
                                 at: selectorValue, path: path)]
        }
        return []
    })
}
