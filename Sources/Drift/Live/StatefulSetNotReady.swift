import KubeModel
import Findings

/// `statefulset-not-ready`: fewer ready pods than replicas.
enum StatefulSetNotReady {
    static let id = "statefulset-not-ready"

    static let rule = LiveRule(
        descriptor: RuleDescriptor(
            id: id, severity: .warning, summary: "StatefulSets have every replica ready",
            description: "A data store short of ready replicas has lost redundancy (or quorum), and an ordered StatefulSet stops at the first pod that does not become ready. `status.readyReplicas` below `spec.replicas` is a warning, and an error when no replica is ready. A StatefulSet created, or in a rollout started, less than `rolloutStuckSeconds` (30 min) ago is given that time to come up (a rolling update takes one pod down at a time); past it, `statefulset-rollout-stuck` says why.",
            remediation: "Look at the pods (`kubectl -n NS get pods`, `kubectl describe pod NAME`): a pod may wait for its volume (claim Pending, volume in another zone), crash-loop, or fail its readiness probe."),
        examples: examples, check: check)

    static func check(_ context: LiveContext) -> [Finding] {
        var findings: [Finding] = []
        for object in context.live(group: "apps", kind: "StatefulSet") {
            let replicas = LiveContext.integer(object.value[path: "spec", "replicas"]) ?? 1   // the API's default
            let ready = LiveContext.integer(object.value[path: "status", "readyReplicas"]) ?? 0
            guard replicas > 0, ready < replicas else { continue }
            // Coming up: created, or rolling since a spec change, within the rollout allowance.
            let grace = context.params.rolloutStuckSeconds
            let created = object.value[path: "metadata", "creationTimestamp"]?.stringValue.flatMap(LiveTime.parse)
            if let created, context.now - created <= grace { continue }
            if StatefulSetRolloutStuck.Rollout(object.value) != nil,
               let started = StatefulSetRolloutStuck.lastSpecChange(object.value), context.now - started <= grace { continue }
            let message = "StatefulSet \(object.namespace ?? "")/\(object.name) has \(ready) of \(replicas) replicas ready"
            findings.append(context.finding(id, ready == 0 ? .error : .warning, message, object: object.ref,
                                            span: context.span(of: object.ref, at: ["spec", "replicas"]), path: "status.readyReplicas"))
        }
        return findings
    }

    static func sts(replicas: String, status: String, metadata: String = "") -> String {
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: pg, namespace: pg, generation: 2\(metadata)}
        spec: {\(replicas)serviceName: pg, selector: {matchLabels: {app: pg}}, template: {metadata: {labels: {app: pg}}, spec: {containers: [{name: pg, image: "postgres:16.4"}]}}}
        status: \(status)
        """
    }

    static let examples: [LiveExample] = [
        .pass("3 of 3 ready", live: sts(replicas: "replicas: 3, ", status: "{observedGeneration: 2, replicas: 3, readyReplicas: 3}")),
        .pass("scaled to zero", live: sts(replicas: "replicas: 0, ", status: "{observedGeneration: 2, replicas: 0}")),
        .pass("replicas defaulted to 1, ready", live: sts(replicas: "", status: "{replicas: 1, readyReplicas: 1}")),
        .pass("created 5 minutes ago, pods still starting",
              live: sts(replicas: "replicas: 3, ", status: "{replicas: 1, readyReplicas: 0}", metadata: ", creationTimestamp: \"2026-11-30T23:55:00Z\"")),
        .pass("a rollout started 10 minutes ago takes one pod down",
              live: sts(replicas: "replicas: 3, ", status: "{observedGeneration: 2, replicas: 3, readyReplicas: 2, updatedReplicas: 1, currentRevision: pg-a, updateRevision: pg-b}",
                        metadata: ", managedFields: [{manager: argocd-controller, operation: Apply, time: \"2026-11-30T23:50:00Z\", fieldsV1: {\"f:spec\": {}}}]")),
        .fail("2 of 3 ready for days on one revision (no rollout)",
              live: sts(replicas: "replicas: 3, ", status: "{observedGeneration: 2, replicas: 3, readyReplicas: 2, updatedReplicas: 3, currentRevision: pg-a, updateRevision: pg-a}",
                        metadata: ", creationTimestamp: \"2026-10-01T00:00:00Z\", managedFields: [{manager: argocd-controller, operation: Apply, time: \"2026-11-30T23:50:00Z\", fieldsV1: {\"f:spec\": {}}}]")),
        .fail("2 of 3 ready; points at spec.replicas in git", live: sts(replicas: "replicas: 3, ", status: "{replicas: 3, readyReplicas: 2}"),
              desired: sts(replicas: "replicas: 3, ", status: "{}")),
        .fail("none ready (readyReplicas absent)", live: sts(replicas: "replicas: 2, ", status: "{replicas: 2}")),
    ]
}
