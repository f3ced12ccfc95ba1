import KubeModel
import Findings

/// What the rest of the run knows that classification needs: the StorageClasses (git first, then live).
struct ClassificationContext {
    var storageClasses: [String: Value]
    var applyHint: String
}

/// How a difference can be reconciled (research/drift.md b.2 and (e) 9): per field, from the kind
/// catalogue's immutable fields and the storage rules.
struct Classifier {
    let context: ClassificationContext

    struct Verdict { var driftClass: DriftClass; var remediation: String; var note: String? }

    func classify(_ difference: Difference, desired: KubeObject, live: KubeObject?) -> Verdict {
        let names = difference.steps.fieldNames
        let dotted = names.joined(separator: ".")
        let ref = desired.ref
        let apply = context.applyHint
        let isImmutable = desired.kindInfo?.immutableFields.contains { dotted == $0 || dotted.hasPrefix($0 + ".") } ?? false
        switch ref.kind {
        case "StatefulSet" where isImmutable:
            let hasClaims = !(desired.value[path: "spec", "volumeClaimTemplates"]?.listValue ?? []).isEmpty
            var remediation = "kubectl delete statefulset \(ref.name)\(namespaceFlag(ref)) --cascade=orphan, then \(apply) (pods and claims are kept)"
            if names.last == "storage", names.first == "spec", names.count > 1, names[1] == "volumeClaimTemplates",
               let size = difference.desired.flatMap(Quantity.init), let vct = vctName(difference.steps) {
                remediation += "; existing claims keep their size: expand each, kubectl patch pvc \(vct)-\(ref.name)-<ordinal>\(namespaceFlag(ref)) -p '{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"\(size)\"}}}}' (needs allowVolumeExpansion)"
            }
            return Verdict(driftClass: hasClaims ? .recreateDataRisk : .recreate, remediation: remediation,
                           note: "spec.\(names.count > 1 ? names[1] : "") of a StatefulSet cannot change in place")
        case "StorageClass" where isImmutable:
            var remediation = "kubectl delete storageclass \(ref.name), then \(apply)"
            if dotted == "reclaimPolicy" { remediation += "; PVs provisioned before keep their policy: patch each (kubectl patch pv NAME -p '{\"spec\":{\"persistentVolumeReclaimPolicy\":\"\(difference.desired?.stringValue ?? "Retain")\"}}')" }
            return Verdict(driftClass: .recreate, remediation: remediation, note: "a StorageClass field cannot change in place")
        case "PersistentVolumeClaim" where dotted == "spec.resources.requests.storage":
            return claimSize(difference, desired: desired, live: live)
        case "PersistentVolumeClaim" where isImmutable, "PersistentVolume" where isImmutable:
            return Verdict(driftClass: .recreateDataRisk,
                           remediation: "restore the live value in git, or migrate the data to a new \(ref.kind == "PersistentVolume" ? "volume" : "claim")",
                           note: "\(dotted) of a \(ref.kind) cannot change once created")
        case "Service" where isImmutable:
            return Verdict(driftClass: .recreate, remediation: "kubectl delete service \(ref.name)\(namespaceFlag(ref)), then \(apply) (the cluster IP changes)",
                           note: "\(dotted) of a Service cannot change in place")
        case "ConfigMap", "Secret":
            if desired.value["immutable"]?.boolValue == true && (names.first == "data" || names.first == "binaryData") {
                return Verdict(driftClass: .recreate, remediation: "kubectl delete \(ref.kind.lowercased()) \(ref.name)\(namespaceFlag(ref)), then \(apply)",
                               note: "the \(ref.kind) is immutable")
            }
        case "Job" where names.count >= 2 && names[0] == "spec" && ["template", "selector", "completions", "completionMode"].contains(names[1]):
            return Verdict(driftClass: .recreate, remediation: "kubectl delete job \(ref.name)\(namespaceFlag(ref)), then \(apply)",
                           note: "spec.\(names[1]) of a Job cannot change")
        case "Deployment", "DaemonSet", "ReplicaSet":
            if dotted == "spec.selector" || dotted.hasPrefix("spec.selector.") {
                return Verdict(driftClass: .recreate, remediation: "kubectl delete \(ref.kind.lowercased()) \(ref.name)\(namespaceFlag(ref)), then \(apply)",
                               note: "spec.selector cannot change")
            }
        default:
            break
        }
        return Verdict(driftClass: .inPlace, remediation: apply, note: nil)
    }

    /// research/drift.md b.2: a claim never shrinks (git is behind); it grows when Bound and its class
    /// allows expansion (RD10: a class without it makes growth a migration).
    private func claimSize(_ difference: Difference, desired: KubeObject, live: KubeObject?) -> Verdict {
        guard let want = difference.desired.flatMap(Quantity.init), let have = difference.live.flatMap(Quantity.init) else {
            return Verdict(driftClass: .inPlace, remediation: context.applyHint, note: nil)
        }
        if want < have {
            return Verdict(driftClass: .gitBehind, remediation: "update git to \(difference.live?.stringValue ?? have.description) (a claim cannot shrink)",
                           note: "the claim was expanded live beyond git")
        }
        let className = desired.value[path: "spec", "storageClassName"]?.stringValue
            ?? live?.value[path: "spec", "storageClassName"]?.stringValue
        if let className, let storageClass = context.storageClasses[className],
           storageClass["allowVolumeExpansion"]?.boolValue != true {
            return Verdict(driftClass: .recreateDataRisk,
                           remediation: "StorageClass \(className) does not allow volume expansion: set allowVolumeExpansion: true on it, or migrate the data to a larger claim",
                           note: "the resize admission plugin rejects growing this claim")
        }
        let phase = live?.value[path: "status", "phase"]?.stringValue
        var remediation = "\(context.applyHint): the claim grows to \(want) if it is Bound"
        remediation += className.map { " and StorageClass \($0) allows volume expansion" } ?? " and its StorageClass allows volume expansion"
        if let phase, phase != "Bound" { remediation += " (it is \(phase) now)" }
        return Verdict(driftClass: .inPlaceIf, remediation: remediation, note: "git asks for a larger claim")
    }

    private func vctName(_ steps: [PathStep]) -> String? {
        for step in steps { if case .keyed(_, let value, _) = step { return value } }
        return nil
    }
}

/// ` -n NAMESPACE` for namespaced objects.
func namespaceFlag(_ ref: ObjectRef) -> String { ref.namespace.map { " -n \($0)" } ?? "" }
