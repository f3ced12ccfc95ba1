import KubeModel
import Findings

/// `statefulset-rollout-stuck`: a rollout that has not finished long after the spec changed.
///
/// The heuristic, from what a live StatefulSet carries (it has no Progressing condition, unlike a
/// Deployment):
/// - a rollout is under way when `status.observedGeneration` is behind `metadata.generation` (the
///   controller has not acted on the last change), or `status.currentRevision` differs from
///   `status.updateRevision` while pods remain to update (`updatedReplicas` below `replicas` minus the
///   `rollingUpdate.partition`: a partitioned canary that reached its partition is done);
/// - it started at the last change of `spec`: the latest `managedFields` time of an entry that owns
///   `f:spec` and is not a subresource write (status and scale writes do not start rollouts);
/// - it is stuck once that is more than `rolloutStuckSeconds` ago (30 min). Without any such time (a
///   snapshot stripped of managedFields) it is reported as in progress since an unknown time.
/// `OnDelete` StatefulSets never roll by themselves: their message says pods must be deleted.
enum StatefulSetRolloutStuck {
    static let id = "statefulset-rollout-stuck"

    static let rule = LiveRule(
        descriptor: RuleDescriptor(
            id: id, severity: .warning, summary: "StatefulSet rollouts finish",
            description: "A StatefulSet rolls one pod at a time and stops at the first that does not become ready, so a bad image, config or volume change leaves the data store half on each revision indefinitely. A rollout (`currentRevision` != `updateRevision` with pods left to update, or `observedGeneration` behind `generation`) still running `rolloutStuckSeconds` (30 min) after the last spec change is stuck.",
            remediation: "Find the pod that does not become ready (`kubectl -n NS rollout status statefulset/NAME`, `kubectl describe pod`): fix the template in git, or roll back; a pod stuck on a broken revision may need deleting once the template is fixed (kubernetes/kubernetes#67250)."),
        examples: examples, check: check)

    static func check(_ context: LiveContext) -> [Finding] {
        var findings: [Finding] = []
        for object in context.live(group: "apps", kind: "StatefulSet") {
            let value = object.value
            guard let rollout = Rollout(value) else { continue }
            let started = lastSpecChange(value)
            if let started, context.now - started <= context.params.rolloutStuckSeconds { continue }
            let name = "StatefulSet \(object.namespace ?? "")/\(object.name)"
            var message = rollout.revisionsDiffer
                ? "\(name) is rolling from revision \(rollout.current) to \(rollout.update) with \(rollout.updated) of \(rollout.target) pods updated"
                : "\(name) has observedGeneration \(rollout.observed) behind generation \(rollout.generation): the controller has not acted on the last change"
            message += started.map { ", \(LiveTime.describe(context.now - $0)) after the last spec change" }
                ?? ", since an unknown time (no managedFields time of a spec change)"
            if rollout.isOnDelete { message += "; updateStrategy OnDelete: pods move only when deleted" }
            findings.append(context.finding(id, .warning, message, object: object.ref,
                                            span: context.span(of: object.ref, at: ["spec", "template"]), path: "status.updateRevision"))
        }
        return findings
    }

    /// A rollout under way, as the heuristic above reads it from a live StatefulSet; nil when none is.
    struct Rollout {
        var generation: Int64, observed: Int64
        var current: String, update: String
        var updated: Int64, target: Int64
        var revisionsDiffer: Bool
        var isOnDelete: Bool

        init?(_ value: Value) {
            generation = LiveContext.integer(value[path: "metadata", "generation"]) ?? 0
            observed = LiveContext.integer(value[path: "status", "observedGeneration"]) ?? generation
            current = value[path: "status", "currentRevision"]?.stringValue ?? ""
            update = value[path: "status", "updateRevision"]?.stringValue ?? ""
            let replicas = LiveContext.integer(value[path: "spec", "replicas"]) ?? 1
            let partition = LiveContext.integer(value[path: "spec", "updateStrategy", "rollingUpdate", "partition"]) ?? 0
            updated = LiveContext.integer(value[path: "status", "updatedReplicas"]) ?? 0
            target = max(0, replicas - partition)
            isOnDelete = value[path: "spec", "updateStrategy", "type"]?.stringValue == "OnDelete"
            revisionsDiffer = !current.isEmpty && !update.isEmpty && current != update && updated < target
            guard observed < generation || revisionsDiffer else { return nil }
        }
    }

    /// The latest time a manager wrote `spec` other than through a subresource (Unix seconds).
    static func lastSpecChange(_ value: Value) -> Int64? {
        var latest: Int64?
        for entry in value[path: "metadata", "managedFields"]?.listValue ?? [] {
            if let sub = entry["subresource"]?.stringValue, !sub.isEmpty { continue }
            guard entry[path: "fieldsV1", "f:spec"] != nil,
                  let time = entry["time"]?.stringValue.flatMap(LiveTime.parse) else { continue }
            latest = max(latest ?? time, time)
        }
        return latest
    }

    static func sts(status: String, managedAt: String? = "2026-11-30T20:00:00Z", strategy: String = "") -> String {
        let fields = managedAt.map {
            ", managedFields: [{manager: argocd-controller, operation: Apply, apiVersion: apps/v1, time: \"\($0)\", fieldsType: FieldsV1, fieldsV1: {\"f:spec\": {\"f:template\": {}}}}, {manager: kube-controller-manager, operation: Update, apiVersion: apps/v1, time: \"2026-11-30T23:59:00Z\", fieldsType: FieldsV1, fieldsV1: {\"f:status\": {\"f:currentRevision\": {}}}, subresource: status}]"
        } ?? ""
        return """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: kafka, namespace: kafka, generation: 7\(fields)}
        spec: {replicas: 3, \(strategy)serviceName: kafka, selector: {matchLabels: {app: kafka}}, template: {metadata: {labels: {app: kafka}}, spec: {containers: [{name: kafka, image: "kafka:3.9"}]}}}
        status: \(status)
        """
    }

    static let done = "{observedGeneration: 7, replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentRevision: kafka-b, updateRevision: kafka-b}"
    static let halfway = "{observedGeneration: 7, replicas: 3, readyReplicas: 2, updatedReplicas: 1, currentRevision: kafka-a, updateRevision: kafka-b}"

    static let examples: [LiveExample] = [
        .pass("rollout finished", live: sts(status: done)),
        .pass("rollout started 10 minutes ago (the status write at 23:59 does not count)",
              live: sts(status: halfway, managedAt: "2026-11-30T23:50:00Z")),
        .pass("partitioned canary that reached its partition",
              live: sts(status: halfway, strategy: "updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 2}}, ")),
        .fail("halfway 4 hours after the spec change; points at the template in git", live: sts(status: halfway), desired: sts(status: "{}")),
        .fail("controller behind the generation for hours",
              live: sts(status: "{observedGeneration: 6, replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentRevision: kafka-a, updateRevision: kafka-a}")),
        .fail("revisions differ and no time is known", live: sts(status: halfway, managedAt: nil)),
    ]
}
