import KubeModel
import Findings

/// A `check` result with drift of every class: attribution with and without subresource, a baseline status,
/// a waived item, a resolved one, an object-level orphan, a cluster-scoped object, a `<script>` and a
/// terminal escape sequence in live values, PVC usage around the 80 % and 90 % marks and backup ages.
/// `incomplete` adds an object that could not be compared.
func driftResult(incomplete: Bool = false) -> RunResult {
    let sts = FileID("apps/redis/statefulset.yaml"), cm = FileID("apps/redis/configmap.yaml")
    let pvc = FileID("apps/redis/pvc.yaml"), storage = FileID("platform/storage.yaml")
    let redis = ObjectRef(group: "apps", kind: "StatefulSet", namespace: "db", name: "redis")
    let conf = ObjectRef(group: "", kind: "ConfigMap", namespace: "db", name: "redis-conf")
    let claim = ObjectRef(group: "", kind: "PersistentVolumeClaim", namespace: "db", name: "data-redis-0")
    let orphan = ObjectRef(group: "", kind: "PersistentVolumeClaim", namespace: "db", name: "data-redis-5")
    let sc = ObjectRef(group: "storage.k8s.io", kind: "StorageClass", namespace: nil, name: "fast-ssd")
    let headless = ObjectRef(group: "", kind: "Service", namespace: "db", name: "redis-headless")
    let rabbit = ObjectRef(group: "apps", kind: "StatefulSet", namespace: "mq", name: "rabbitmq")
    var result = RunResult(
        findings: [
            Finding(ruleID: "statefulset-headless-service", severity: .error,
                    message: "serviceName \"redis\" names no Service", object: redis,
                    span: SourceSpan(file: sts, line: 12, column: 7), path: "spec.serviceName",
                    remediation: "Add a headless Service named redis."),
            Finding(ruleID: "pvc-usage-high", severity: .warning, message: "claim is 93 % full", object: claim,
                    span: SourceSpan(file: pvc, line: 1, column: 1), category: .live),
        ],
        filesRead: 4, objectsChecked: 9
    )
    result.drift = [
        DriftItem(object: redis, path: "spec.replicas", desired: "3", live: "5", driftClass: .inPlace,
                  attribution: [Attribution(manager: "kubectl-scale", operation: "Update", subresource: "scale",
                                            time: "2026-11-28T10:00:00Z")],
                  remediation: "kubectl apply the git version, or set replicas: 5 in git",
                  span: SourceSpan(file: sts, line: 9, column: 13), message: "scaled live",
                  status: .persisting, firstSeen: "2026-11-20T02:00:00Z"),
        DriftItem(object: conf, path: "data[\"redis.conf\"]", desired: "\"maxmemory 1gb\"",
                  live: "\"<script>alert('x')</script>\u{1B}[31m\"", driftClass: .inPlace,
                  attribution: [Attribution(manager: "kubectl-edit", operation: "Update", time: "2026-11-28T10:00:00Z"),
                                Attribution(manager: "argocd-controller", operation: "Apply", time: "2026-11-01T00:00:00Z")],
                  remediation: "kubectl apply the git version",
                  span: SourceSpan(file: cm, line: 6, column: 3), status: .new, firstSeen: "2026-12-03T02:00:00Z"),
        DriftItem(object: claim, path: "spec.resources.requests.storage", desired: "\"10Gi\"", live: "\"20Gi\"",
                  driftClass: .gitBehind,
                  attribution: [Attribution(manager: "kubectl-patch", operation: "Update", time: "2026-11-30T08:15:00Z")],
                  remediation: "raise the request in git to 20Gi: a claim never shrinks",
                  span: SourceSpan(file: pvc, line: 11, column: 18), message: "claim expanded live beyond git"),
        DriftItem(object: orphan, path: "", desired: "<orphaned>", live: "{\"storage\":\"10Gi\"}",
                  driftClass: .recreateDataRisk, remediation: "scale redis back to 6, or delete the claim once its data is saved",
                  span: SourceSpan(file: sts, line: 1, column: 1), message: "ordinal 5 is outside [0, 3)"),
        DriftItem(object: sc, path: "reclaimPolicy", desired: "\"Retain\"", live: "\"Delete\"", driftClass: .recreate,
                  attribution: [Attribution(manager: "kubectl-create", operation: "Update", time: "2026-01-05T09:00:00Z")],
                  remediation: "recreate the StorageClass from git (existing PVs keep their own policy)",
                  span: SourceSpan(file: storage, line: 5, column: 16)),
        DriftItem(object: headless, path: "metadata.labels.team", desired: "\"storage\"", live: "\"platform\"",
                  driftClass: .inPlace, remediation: "kubectl apply the git version",
                  waiver: Waiver(reason: "labels are the platform's", until: "2027-03-01")),
        DriftItem(object: rabbit, path: "spec.replicas", desired: "3", live: "3", driftClass: .inPlace,
                  remediation: "", status: .resolved, firstSeen: "2026-11-02T02:00:00Z"),
    ]
    result.objectsCompared = 8
    if incomplete {
        result.uncompared = [UncomparedObject(object: ObjectRef(group: "", kind: "ConfigMap", namespace: "mq", name: "rabbitmq-conf"),
                                              reason: "the list of ConfigMaps in mq was cut short",
                                              span: SourceSpan(file: FileID("apps/rabbitmq/configmap.yaml"), line: 1, column: 1))]
    }
    result.liveMetrics = LiveMetrics(
        pvcUsage: [PVCUsageMetric(namespace: "db", name: "data-redis-0", usedRatio: 0.93),
                   PVCUsageMetric(namespace: "db", name: "data-redis-1", usedRatio: 0.85),
                   PVCUsageMetric(namespace: "db", name: "data-postgres-0", usedRatio: 0.42),
                   PVCUsageMetric(namespace: "mq", name: "data-rabbitmq-0", usedRatio: 0.07)],
        backupAges: [BackupAgeMetric(namespace: "db", cronJob: "redis-backup", ageSeconds: 30 * 3600),
                     BackupAgeMetric(namespace: "db", cronJob: "postgres-backup", ageSeconds: nil)])
    result.startedAt = "2026-12-03T02:00:00Z"
    result.durationSeconds = 12.34
    result.toolVersions = ["kustomize": "v5.8.1"]
    result.sort()
    return result
}
