import KubeModel
import Policy
import Findings
import ManifestIO

extension BuiltinRule {
    /// `statefulset-headless-service`: `serviceName` names a headless Service in the StatefulSet's namespace
    /// whose selector matches the pod labels; that Service gives each pod its stable DNS name.
    static let statefulSetHeadlessService = BuiltinRule(
        id: "statefulset-headless-service", severity: .error,
        summary: "StatefulSets are governed by a headless Service that selects their pods",
        description: """
            A StatefulSet's pods get stable network identities (redis-0.redis-headless...) only through the \
            headless Service named by spec.serviceName. If it is missing, not headless (clusterIP: None) or \
            does not select the pods, peers cannot find each other: Redis Cluster, RabbitMQ and PostgreSQL \
            replication break.
            """,
        remediation: "Create a Service with `clusterIP: None` in the same namespace, named as spec.serviceName, whose selector matches the pod template labels.",
        kinds: ["apps/StatefulSet"],
        pass: [
            """
            apiVersion: v1
            kind: Service
            metadata: {name: redis-headless, namespace: cache}
            spec:
              clusterIP: None
              selector: {app: redis}
              ports: [{name: redis, port: 6379}]
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: redis, namespace: cache}
            spec:
              serviceName: redis-headless
              selector: {matchLabels: {app: redis}}
              template:
                metadata: {labels: {app: redis, tier: cache}}
                spec: {containers: [{name: redis, image: "redis:7.2.4"}]}
            """,
        ],
        fail: [
            (yaml: """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: redis, namespace: cache}
            spec:
              serviceName: redis-headless
              selector: {matchLabels: {app: redis}}
              template:
                metadata: {labels: {app: redis}}
                spec: {containers: [{name: redis, image: "redis:7.2.4"}]}
            """, at: "spec.serviceName"),
            (yaml: """
            apiVersion: v1
            kind: Service
            metadata: {name: redis, namespace: cache}
            spec:
              selector: {app: redis}
              ports: [{name: redis, port: 6379}]
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: redis, namespace: cache}
            spec:
              serviceName: redis
              selector: {matchLabels: {app: redis}}
              template:
                metadata: {labels: {app: redis}}
                spec: {containers: [{name: redis, image: "redis:7.2.4"}]}
            """, at: "spec.serviceName"),
            (yaml: """
            apiVersion: v1
            kind: Service
            metadata: {name: redis-headless, namespace: cache}
            spec:
              clusterIP: None
              selector: {app: redis-cluster}
              ports: [{name: redis, port: 6379}]
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: redis, namespace: cache}
            spec:
              serviceName: redis-headless
              selector: {matchLabels: {app: redis}}
              template:
                metadata: {labels: {app: redis}}
                spec: {containers: [{name: redis, image: "redis:7.2.4"}]}
            """, at: "spec.serviceName"),
        ],
        check: .deferred { rule, parsed in
        let object = parsed.object
        let path = FieldPath("spec", "serviceName")
        guard let nameValue = object.value[path: "spec", "serviceName"], let name = nameValue.stringValue, !name.isEmpty else {
            let finding = rule.finding(object, "no serviceName: the pods get no stable DNS names from a governing headless Service",
                                       at: object.value["spec"], path: path, severity: .warning)
            return [DeferredCheck { _ in [finding] }]
        }
        // Nothing of the tree is captured: the name, where it is written and the pod labels (the stored
        // object's facts: `spec.template.metadata.labels` as strings) are read again when the check settles.
        let stamp = FindingStamp(rule)
        return [DeferredCheck { context, stored in
            let nameValue = stored.compact.value(at: ["spec", "serviceName"])
            // The stored object is the one phase one read (its serviceName is a non-empty string).
            guard let name = nameValue?.stringValue else { return [] }
            let namespace = stored.ref.namespace
            func finding(_ message: String) -> [Finding] {
                [stamp.finding(stored, message, at: nameValue?.span, path: FieldPath("spec", "serviceName"))]
            }
            let ref = ObjectRef(group: "", kind: "Service", namespace: namespace, name: name)
            guard let service = context.index.stored(ref) else {
                return finding("serviceName \(jsonQuoted(name)) names no Service in namespace \(namespace ?? "")")
            }
            guard service.clusterIP == "None" else {
                let shown = service.clusterIP.map { "clusterIP: \($0)" } ?? "no clusterIP: None"
                return finding("Service \(jsonQuoted(name)) is not headless (\(shown))")
            }
            guard let selector = service.selector, !selector.isEmpty else {
                return finding("Service \(jsonQuoted(name)) has no selector: its DNS records do not follow the pods")
            }
            if !selector.matches(stored.podLabels ?? [:]) {
                return finding("Service \(jsonQuoted(name)) selects \(selector.description), which does not match the pod labels")
            }
            return []
        }]
    })
}
