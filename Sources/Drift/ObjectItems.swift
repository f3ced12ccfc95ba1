import KubeModel
import Findings

/// What judging a desired StatefulSet's claims needs, noted while the StatefulSet is compared (so that
/// it is not rebuilt again for its claims).
struct ClaimOwner {
    /// Its position among the desired objects.
    var position: Int
    /// Each claim template's name and size (the template itself is rebuilt only for an item).
    var templates: [(name: String?, size: Quantity?)]
    var desiredReplicas: Int64?
    var liveReplicas: Int64?
    var start: Int64
    var waiver: Waiver?

    /// nil when the StatefulSet has no claim templates.
    init?(_ statefulSet: KubeObject, position: Int, live: KubeObject?) {
        guard let templates = statefulSet.value[path: "spec", "volumeClaimTemplates"]?.listValue, !templates.isEmpty else { return nil }
        self.position = position
        self.templates = templates.map { template in
            (template[path: "metadata", "name"]?.stringValue,
             template[path: "spec", "resources", "requests", "storage"].flatMap { Quantity($0) })
        }
        desiredReplicas = statefulSet.value[path: "spec", "replicas"]?.intValue
        liveReplicas = live?.value[path: "spec", "replicas"]?.intValue
        start = statefulSet.value[path: "spec", "ordinals", "start"]?.intValue ?? 0
        waiver = statefulSet.annotations[DriftComparer.waiverAnnotation].map { Waiver(reason: $0) }
    }
}

/// Object-level drift (path ""): desired objects missing live, live objects the repository's applier
/// marks but git lacks, claims of StatefulSet templates beyond the desired ordinals, and PVs whose
/// reclaim policy differs from their StorageClass in git (DESIGN §6, research/drift.md RD4, RD5).
struct ObjectItems {
    let options: DriftOptions
    let desired: CompactObjects
    let desiredRefs: [ObjectRef: Int]
    let index: LiveIndex
    let live: LiveState
    /// Live claims named `<template>-<statefulset>-<ordinal>` of a desired StatefulSet (never unmanaged).
    private var templateClaims: Set<Int> = []   // positions in `index.all`

    init(options: DriftOptions, desired: CompactObjects, desiredRefs: [ObjectRef: Int], index: LiveIndex, live: LiveState) {
        self.options = options; self.desired = desired; self.desiredRefs = desiredRefs; self.index = index; self.live = live
    }

    /// `{"kind":"StatefulSet","name":"redis"}`: how object-level items show an object.
    static func summary(_ object: KubeObject) -> String {
        Value.map([("kind", .string(object.kind)), ("name", .string(object.name))]).json
    }

    static func missing(_ object: KubeObject, applyHint: String) -> DriftItem {
        DriftItem(object: object.ref, path: "", desired: summary(object), live: "<absent>", driftClass: .inPlace,
                  remediation: applyHint, span: object.span, message: "declared in git, absent from the cluster")
    }

    /// research/drift.md RD4: claims `<template>-<sts>-<ordinal>` (anchored) whose ordinal is outside
    /// `[spec.ordinals.start, start + replicas)`, with the replicas git declares (live's when git leaves
    /// them to an autoscaler). Claims are found through one index by name prefix, never a scan per
    /// StatefulSet.
    mutating func orphanedClaims(_ owners: [ClaimOwner]) -> [DriftItem] {
        // Claims by identity only: a claim is rebuilt when it is judged, not to be indexed.
        var claimsByPrefix: [String: [(ordinal: Int, position: Int)]] = [:]
        for position in index.positions(ofKind: "PersistentVolumeClaim") {
            let claim = index.all.ref(at: position)
            guard claim.group.isEmpty, let dash = claim.name.lastIndex(of: "-") else { continue }
            let suffix = claim.name[claim.name.index(after: dash)...]
            guard !suffix.isEmpty, suffix.utf8.count <= 9, suffix.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                  let ordinal = Int(suffix) else { continue }
            claimsByPrefix["\(claim.namespace ?? "")/\(claim.name[..<dash])", default: []].append((ordinal, position))
        }
        guard !claimsByPrefix.isEmpty else { return [] }
        var items: [DriftItem] = []
        for owner in owners {
            let k = owner.position, ref = desired.ref(at: k)
            let templates = owner.templates
            // A claim is orphaned when no pod can mount it, in git or live: a claim of a pod that a
            // `kubectl scale` up created is in use (the replicas drift is reported on the StatefulSet),
            // and a claim that re-applying git would reattach is not orphaned either.
            let replicas = max(owner.desiredReplicas ?? owner.liveReplicas ?? 1, owner.liveReplicas ?? 0)
            let start = owner.start, waiver = owner.waiver
            var rebuilt: KubeObject?
            func statefulSet() -> KubeObject {
                if let rebuilt { return rebuilt }
                let object = desired[k]
                rebuilt = object
                return object
            }
            func template(_ t: Int) -> Value {
                statefulSet().value[path: "spec", "volumeClaimTemplates"]?.listValue?[t] ?? .null
            }
            for (t, (name, wantedSize)) in templates.enumerated() {
                guard let templateName = name else { continue }
                let prefix = "\(templateName)-\(ref.name)"
                for (ordinal, position) in claimsByPrefix["\(ref.namespace ?? "")/\(prefix)"] ?? [] {
                    let claimRef = index.all.ref(at: position)
                    templateClaims.insert(position)
                    if Int64(ordinal) >= start && Int64(ordinal) < start + replicas {
                        // The size alone first: a claim of the template's size is not rebuilt.
                        if let wantedSize, let size = index.all.value(at: position, path: ["spec", "resources", "requests", "storage"]),
                           Quantity(size) == wantedSize { continue }
                        if let item = sizeDrift(index.all[position], template: template(t), statefulSet: statefulSet(), waiver: waiver) { items.append(item) }
                        continue
                    }
                    if desiredRefs[claimRef] != nil { continue }
                    let claim = index.all[position]
                    let set = statefulSet()
                    items.append(orphan(claim, statefulSet: set, replicas: replicas, start: start,
                                        span: template(t).span ?? set.span, waiver: waiver))
                }
            }
        }
        return items
    }

    /// A claim made from a volumeClaimTemplate whose size differs from the template in git. Expanded live
    /// beyond git (`kubectl edit`, an expansion done by hand): a claim never shrinks, so git is behind.
    /// Smaller than git: the template grew, which the StatefulSet never applies to existing claims; each
    /// must be expanded, if its class allows it.
    private func sizeDrift(_ claim: KubeObject, template: Value, statefulSet: KubeObject, waiver: Waiver?) -> DriftItem? {
        guard let wanted = template[path: "spec", "resources", "requests", "storage"],
              let liveValue = claim.value[path: "spec", "resources", "requests", "storage"],
              let desiredSize = Quantity(wanted), let liveSize = Quantity(liveValue), desiredSize != liveSize else { return nil }
        let path = "spec.resources.requests.storage"
        let templateName = template[path: "metadata", "name"]?.stringValue ?? ""
        let ns = namespaceFlag(claim.ref)
        if liveSize > desiredSize {
            return DriftItem(object: claim.ref, path: path, desired: wanted.json, live: liveValue.json, driftClass: .gitBehind,
                             attribution: ManagedFieldsEntry.entries(of: claim.value).attribution(for: [.field("spec"), .field("resources"), .field("requests"), .field("storage")]),
                             remediation: "set volumeClaimTemplates[name=\(templateName)] of StatefulSet \(statefulSet.name) to \(liveValue.stringValue ?? liveValue.json) in git (a claim cannot shrink; changing a template needs kubectl delete statefulset \(statefulSet.name) --cascade=orphan\(ns) and a re-apply)",
                             span: wanted.span ?? template.span ?? statefulSet.span,
                             message: "claim expanded live beyond its template in git", waiver: waiver)
        }
        return DriftItem(object: claim.ref, path: path, desired: wanted.json, live: liveValue.json, driftClass: .inPlaceIf,
                         attribution: ManagedFieldsEntry.entries(of: claim.value).attribution(for: [.field("spec"), .field("resources"), .field("requests"), .field("storage")]),
                         remediation: "kubectl patch pvc \(claim.name)\(ns) -p '{\"spec\":{\"resources\":{\"requests\":{\"storage\":\"\(wanted.stringValue ?? wanted.json)\"}}}}' (the claim must be bound and its StorageClass must allow volume expansion)",
                         span: wanted.span ?? template.span ?? statefulSet.span,
                         message: "claim smaller than its template in git: the StatefulSet never grows existing claims", waiver: waiver)
    }

    private func orphan(_ claim: KubeObject, statefulSet: KubeObject, replicas: Int64, start: Int64,
                        span: SourceSpan?, waiver: Waiver?) -> DriftItem {
        var state: [(String, Value)] = []
        if let phase = claim.value[path: "status", "phase"] { state.append(("phase", phase)) }
        if let size = claim.value[path: "status", "capacity", "storage"] ?? claim.value[path: "spec", "resources", "requests", "storage"] {
            state.append(("storage", size))
        }
        let range = start == 0 ? "0..\(replicas - 1)" : "\(start)..\(start + replicas - 1)"
        let retention = statefulSet.value[path: "spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"]?.stringValue ?? "Retain"
        return DriftItem(object: claim.ref, path: "", desired: "<orphaned>", live: Value.map(state).json,
                         driftClass: .recreateDataRisk,
                         remediation: "back up its data, then kubectl delete pvc \(claim.name)\(namespaceFlag(claim.ref)); or scale StatefulSet \(statefulSet.name) up to reattach it",
                         span: span, message: "claim of StatefulSet \(statefulSet.name) outside its ordinals \(range) (whenScaled: \(retention)): kept, and still billed",
                         waiver: waiver)
    }

    /// research/drift.md RD5: a live PV of a StorageClass in git whose reclaim policy differs from the
    /// class's (omitted: `Delete`). PVs copy the policy when provisioned and never follow later changes.
    func reclaimPolicies() -> [DriftItem] {
        let classes = ReportedVolumes.storageClasses(in: desired.objects(group: "storage.k8s.io", kind: "StorageClass"))
        guard !classes.isEmpty else { return [] }
        var items: [DriftItem] = []
        for position in index.positions(ofKind: "PersistentVolume") {
            let ref = index.all.ref(at: position)
            guard ref.group.isEmpty && desiredRefs[ref] == nil else { continue }
            let volume = index.all[position]
            guard let mismatch = ReportedVolumes.reclaimMismatch(volume, classes: classes) else { continue }
            let (storageClass, declared, policy, want) = mismatch
            let className = storageClass.name
            let patch = "kubectl patch pv \(volume.name) -p '{\"spec\":{\"persistentVolumeReclaimPolicy\":\"\(want)\"}}'"
            let remediation = want == "Delete"
                ? "\(patch) (the volume is then deleted with its claim), or set reclaimPolicy: \(policy) on StorageClass \(className) in git"
                : patch
            let attribution = ManagedFieldsEntry.entries(of: volume.value)
                .attribution(for: [.field("spec"), .field("persistentVolumeReclaimPolicy")])
            items.append(DriftItem(object: volume.ref, path: "spec.persistentVolumeReclaimPolicy", desired: jsonQuoted(want),
                                   live: jsonQuoted(policy), driftClass: .inPlace, attribution: attribution, remediation: remediation,
                                   span: declared?.span ?? storageClass.span,
                                   message: "PV of StorageClass \(className) keeps the reclaim policy it was provisioned with" + (declared == nil ? " (git omits reclaimPolicy: Delete)" : ""),
                                   waiver: storageClass.annotations[DriftComparer.waiverAnnotation].map { Waiver(reason: $0) }))
        }
        return items
    }

    /// Live objects that carry the repository's management mark but are not in git. Controller-made
    /// objects (with owner references), PVs and StatefulSet claims are not the applier's.
    func unmanaged() -> [DriftItem] {
        guard !options.management.isEmpty else { return [] }
        var items: [DriftItem] = []
        for position in index.all.indices {
            let ref = index.all.ref(at: position)
            guard desiredRefs[ref] == nil && !templateClaims.contains(position) else { continue }
            if ref.kind == "PersistentVolume" || (ref.kind == "Secret" && ref.group.isEmpty) { continue }
            let object = index.all[position]
            let metadata = object.metadata
            if let owners = metadata?["ownerReferences"]?.listValue, !owners.isEmpty { continue }
            guard let selector = options.management.first(where: { $0.matches(metadata) }) else { continue }
            items.append(DriftItem(object: object.ref, path: "", desired: "<absent>", live: Self.summary(object),
                                   driftClass: .inPlace, attribution: ManagedFieldsEntry.entries(of: object.value).attribution(for: []),
                                   remediation: "add it to git, or delete it: kubectl delete \(object.kind.lowercased()) \(object.name)\(namespaceFlag(object.ref))",
                                   span: nil,   // not in git; the live object's span would point into a snapshot
                                   message: "not in git but carries the repository's \(selector.place.rawValue) \(selector.key)"))
        }
        return items
    }
}
