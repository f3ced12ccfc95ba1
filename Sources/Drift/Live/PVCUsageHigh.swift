import KubeModel
import Findings

/// `pvc-usage-high`: a mounted claim filling up (kubelet stats, `1 - available/capacity`).
enum PVCUsageHigh {
    static let id = "pvc-usage-high"

    static let rule = LiveRule(
        descriptor: RuleDescriptor(
            id: id, severity: .warning, summary: "Persistent volume claims have room to grow",
            description: "A full volume stops a database from writing (Redis refuses writes, PostgreSQL panics, RabbitMQ blocks publishers), and growing a claim takes a resize that the StorageClass must allow. Usage is `1 - availableBytes/capacityBytes` from the kubelet's stats (reserved blocks count as used, as `df` shows): a warning at `pvcUsageWarning` percent (80), an error at `pvcUsageError` (90).",
            remediation: "Grow the claim: raise `spec.resources.requests.storage` on the PVC (a StatefulSet's volumeClaimTemplates do not resize existing claims: patch each PVC, and update the template to match); the StorageClass must set `allowVolumeExpansion: true`. Or free space (retention, compaction, old WAL)."),
        examples: examples, check: check)

    static func check(_ context: LiveContext) -> [Finding] {
        var findings: [Finding] = []
        // Thresholds in percent compared to a millionth of a percent: 0.8 × 100 is 80 (not 79.99…).
        let epsilon = 1e-6
        for sample in context.usage {
            let percent = sample.usedFraction * 100
            let severity: Severity
            if percent + epsilon >= context.params.pvcUsageError { severity = .error }
            else if percent + epsilon >= context.params.pvcUsageWarning { severity = .warning }
            else { continue }
            let ref = ObjectRef(group: "", kind: "PersistentVolumeClaim", namespace: sample.namespace, name: sample.name)
            let threshold = severity == .error ? context.params.pvcUsageError : context.params.pvcUsageWarning
            var message = "PersistentVolumeClaim \(sample.namespace)/\(sample.name) is \(LiveContext.percent(sample.usedFraction)) % full "
            message += "(1 - available/capacity), at or above the \(LiveContext.percent(threshold / 100)) % \(severity == .error ? "error" : "warning") threshold"
            let field = ["spec", "resources", "requests", "storage"]
            if let owner = context.claimTemplate(namespace: sample.namespace, claim: sample.name),
               context.desired[ref] == nil {
                message += "; it comes from volumeClaimTemplates[name=\(owner.name)] of StatefulSet \(owner.statefulSet.name)"
            }
            findings.append(context.finding(id, severity, message, object: ref,
                                            span: context.claimSpan(namespace: sample.namespace, name: sample.name, field: field),
                                            path: "spec.resources.requests.storage"))
        }
        return findings
    }

    static let claim = """
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: data-redis-0, namespace: redis}
        spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
        status: {phase: Bound}
        """
    static let statefulSet = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: redis, namespace: redis}
        spec:
          replicas: 1
          serviceName: redis
          selector: {matchLabels: {app: redis}}
          template: {metadata: {labels: {app: redis}}, spec: {containers: [{name: redis, image: "redis:7.4"}]}}
          volumeClaimTemplates:
          - metadata: {name: data}
            spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
        """

    static let examples: [LiveExample] = [
        .pass("79.9 % is below the warning", live: claim,
              usage: [PVCUsageSample(namespace: "redis", name: "data-redis-0", usedFraction: 0.799)]),
        .pass("no stats: nothing to say (usage unknown is not high)", live: claim),
        .fail("exactly 80 % warns; the finding points at the template in git", live: claim, desired: statefulSet,
              usage: [PVCUsageSample(namespace: "redis", name: "data-redis-0", usedFraction: 0.8)]),
        .fail("92.3 % is an error; the claim is in git", live: claim, desired: claim,
              usage: [PVCUsageSample(namespace: "redis", name: "data-redis-0", usedFraction: 0.923)]),
    ]
}
