import KubeModel
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
        check: .index { rule, object, context in
        let path = FieldPath("spec", "serviceName")
        guard let nameValue = object.value[path: "spec", "serviceName"], let name = nameValue.stringValue, !name.isEmpty else {
            return [rule.finding(object, "no serviceName: the pods get no stable DNS names from a governing headless Service",
                                 at: object.value["spec"], path: path, severity: .warning)]
        }
        guard let service = context.index.lookup("Service", namespace: object.namespace, name: name) else {
            return [rule.finding(object, "serviceName \(jsonQuoted(name)) names no Service in namespace \(object.namespace ?? "")",
                                 at: nameValue, path: path)]
        }
        let clusterIP = service.value[path: "spec", "clusterIP"]?.stringValue
        guard clusterIP == "None" else {
            let shown = clusterIP.map { "clusterIP: \($0)" } ?? "no clusterIP: None"
            return [rule.finding(object, "Service \(jsonQuoted(name)) is not headless (\(shown))", at: nameValue, path: path)]
        }
        let selector = LabelSelector(mapSelector: service.value[path: "spec", "selector"] ?? .null)
        let podLabels = object.value[path: "spec", "template", "metadata", "labels"]?.stringMap ?? [:]
        if selector.isEmpty {
            return [rule.finding(object, "Service \(jsonQuoted(name)) has no selector: its DNS records do not follow the pods",
                                 at: nameValue, path: path)]
        }
        if !selector.matches(podLabels) {
            return [rule.finding(object, "Service \(jsonQuoted(name)) selects \(selector.description), which does not match the pod labels",
                                 at: nameValue, path: path)]
        }
        return []
    })
}
