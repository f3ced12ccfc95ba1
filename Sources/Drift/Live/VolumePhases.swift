import KubeModel
import Findings

/// `pv-released-or-failed`: a PersistentVolume whose claim is gone (Released) or whose reclaim failed.
enum PVReleasedOrFailed {
    static let id = "pv-released-or-failed"

    static let rule = LiveRule(
        descriptor: RuleDescriptor(
            id: id, severity: .warning, summary: "No PersistentVolume is left Released or Failed",
            description: "A Released volume kept its data (reclaimPolicy Retain) after its claim was deleted: no new claim binds it until someone acts, and it costs money meanwhile. A Failed volume's automatic reclaim failed: the disk may or may not still exist. Released is a warning, Failed an error.",
            remediation: "Released: recover the data (or rebind it: remove `spec.claimRef` so a claim naming `volumeName` can bind), then delete the PV and its disk when nothing needs it. Failed: read `status.message` and the provisioner's events, and clean up the disk by hand."),
        examples: examples, check: check)

    static func check(_ context: LiveContext) -> [Finding] {
        var findings: [Finding] = []
        for object in context.live(group: "", kind: "PersistentVolume") {
            let phase = object.value[path: "status", "phase"]?.stringValue ?? ""
            guard phase == "Released" || phase == "Failed" else { continue }
            var message = "PersistentVolume \(object.name) is \(phase)"
            if let claim = object.value[path: "spec", "claimRef"],
               let name = claim["name"]?.stringValue {
                message += " (it was bound to claim \(claim["namespace"]?.stringValue.map { $0 + "/" } ?? "")\(name))"
            }
            if let policy = object.value[path: "spec", "persistentVolumeReclaimPolicy"]?.stringValue { message += "; reclaim policy \(policy)" }
            if let reason = object.value[path: "status", "message"]?.stringValue, !reason.isEmpty { message += ": \(reason)" }
            findings.append(context.finding(id, phase == "Failed" ? .error : .warning, message, object: object.ref,
                                            span: context.span(of: object.ref), path: "status.phase"))
        }
        return findings
    }

    static func pv(_ phase: String) -> String {
        """
        apiVersion: v1
        kind: PersistentVolume
        metadata: {name: pvc-0145cc37}
        spec: {capacity: {storage: 20Gi}, accessModes: [ReadWriteOnce], persistentVolumeReclaimPolicy: Retain, storageClassName: fast-ssd,
               claimRef: {kind: PersistentVolumeClaim, namespace: redis, name: data-redis-4}, csi: {driver: pd.csi.storage.gke.io, volumeHandle: disk-1}}
        status: {phase: \(phase)}
        """
    }

    static let examples: [LiveExample] = [
        .pass("Bound", live: pv("Bound")),
        .pass("Available (a pre-provisioned volume waiting for its claim)", live: pv("Available")),
        .fail("Released after its claim was deleted", live: pv("Released")),
        .fail("Failed reclaim; the PV is in git", live: pv("Failed, message: \"error getting deleter volume plugin\""), desired: pv("Bound")),
    ]
}

/// `pvc-pending-or-lost`: a claim that never bound, or whose volume is gone.
enum PVCPendingOrLost {
    static let id = "pvc-pending-or-lost"

    static let rule = LiveRule(
        descriptor: RuleDescriptor(
            id: id, severity: .warning, summary: "Claims are bound",
            description: "A claim Pending longer than `pvcPendingSeconds` (15 min) keeps its pod from starting: no class, no capacity, a zone mismatch or a `WaitForFirstConsumer` claim whose pod cannot schedule. A Lost claim's PersistentVolume is gone: the data is unreachable. Pending is a warning, Lost an error.",
            remediation: "Pending: `kubectl -n NS describe pvc NAME` shows the provisioner's reason (class, quota, zone). Lost: find the disk behind the old PV and recreate a PV for it with `claimRef` set to this claim, or restore from backup."),
        examples: examples, check: check)

    static func check(_ context: LiveContext) -> [Finding] {
        var findings: [Finding] = []
        for object in context.live(group: "", kind: "PersistentVolumeClaim") {
            let phase = object.value[path: "status", "phase"]?.stringValue ?? ""
            let namespace = object.namespace ?? ""
            let message: String
            switch phase {
            case "Lost":
                let volume = object.value[path: "spec", "volumeName"]?.stringValue.map { " (its PersistentVolume \($0) is gone)" } ?? ""
                message = "PersistentVolumeClaim \(namespace)/\(object.name) is Lost\(volume)"
            case "Pending":
                let created = object.value[path: "metadata", "creationTimestamp"]?.stringValue.flatMap(LiveTime.parse)
                if let created, context.now - created <= context.params.pvcPendingSeconds { continue }
                message = "PersistentVolumeClaim \(namespace)/\(object.name) is Pending"
                    + (created.map { " \(LiveTime.describe(context.now - $0)) after its creation" } ?? "")
            default:
                continue
            }
            findings.append(context.finding(id, phase == "Lost" ? .error : .warning, message, object: object.ref,
                                            span: context.claimSpan(namespace: namespace, name: object.name, field: ["spec"]),
                                            path: "status.phase"))
        }
        return findings
    }

    static func pvc(_ phase: String, created: String = "2026-11-20T00:00:00Z", name: String = "data-pg-0") -> String {
        """
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: \(name), namespace: pg, creationTimestamp: "\(created)"}
        spec: {accessModes: [ReadWriteOnce], storageClassName: fast-ssd, volumeName: pvc-9e1, resources: {requests: {storage: 20Gi}}}
        status: {phase: \(phase)}
        """
    }
    static let statefulSet = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: pg, namespace: pg}
        spec:
          replicas: 1
          serviceName: pg
          selector: {matchLabels: {app: pg}}
          template: {metadata: {labels: {app: pg}}, spec: {containers: [{name: pg, image: "postgres:16.4"}]}}
          volumeClaimTemplates:
          - metadata: {name: data}
            spec: {accessModes: [ReadWriteOnce], storageClassName: fast-ssd, resources: {requests: {storage: 20Gi}}}
        """

    static let examples: [LiveExample] = [
        .pass("Bound", live: pvc("Bound")),
        .pass("Pending for 5 minutes (waiting for its first consumer)", live: pvc("Pending", created: "2026-11-30T23:55:00Z")),
        .fail("Pending for 10 days; points at the template in git", live: pvc("Pending"), desired: statefulSet),
        .fail("Lost", live: pvc("Lost", name: "backup")),
    ]
}
