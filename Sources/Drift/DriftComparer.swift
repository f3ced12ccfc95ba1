public import KubeModel
import Findings

/// Compares the desired state (git, rendered, with effective namespaces) with the live cluster
/// (DESIGN §6, research/drift.md (e)). Pure: it never talks to a cluster; the caller reads `LiveState`.
public struct DriftComparer: Sendable {
    /// Ignore rules, management marks and appliers.
    public var options: DriftOptions

    /// A comparer with `options` (defaults: Argo CD, Flux, kubectl and Helm as appliers; nothing ignored).
    public init(options: DriftOptions = DriftOptions()) { self.options = options }

    /// Annotation on a desired object that waives all its drift items, with the reason as value.
    public static let waiverAnnotation = "ballast.dev/waive.drift"

    /// Every desired object compared with live: field items, objects missing live, unmanaged live objects
    /// (with `options.management`), orphaned VCT claims, PVs whose reclaim policy differs from their class
    /// in git. Objects of kinds not read completely are `uncompared`, never "no drift"; Secrets are never
    /// compared (an info note each). Items come in report order; waived and ignored items carry a waiver.
    public func compare(desired: [KubeObject], live: LiveState) -> DriftComparison {
        compare(desired: CompactObjects(desired), live: live)
    }

    /// The same over packed desired objects: each desired and live object is rebuilt only while it is
    /// compared, so memory stays near the packed size of both sides.
    public func compare(desired: CompactObjects, live: LiveState) -> DriftComparison {
        var result = DriftComparison()
        let index = LiveIndex(live.objects)
        var desiredRefs: [ObjectRef: Int] = [:]
        desiredRefs.reserveCapacity(desired.count)
        for k in desired.indices { desiredRefs[desired.ref(at: k)] = k }

        var storageClasses: [String: Value] = [:]
        for object in live.objects.objects(kind: "StorageClass") { storageClasses[object.name] = object.value }
        for object in desired.objects(kind: "StorageClass") { storageClasses[object.name] = object.value }
        let classifier = Classifier(context: ClassificationContext(storageClasses: storageClasses, applyHint: options.applyHint))
        let injectedKeys = Set(options.management.map(\.key))
        let comparison = ObjectComparison(options: options, classifier: classifier,
                                          autoscaled: Self.autoscaled(desired, index: index),
                                          injectedKeys: injectedKeys)
        let namespaces = live.namespaces.map(Set.init)

        var claimOwners: [ClaimOwner] = []
        for (k, object) in desired.enumerated() {
            let qualifiedKind = object.ref.qualifiedKind
            let livePosition = index.position(object.ref)
            var liveObject: KubeObject?
            if object.kind == "StatefulSet" && object.ref.group == "apps" {
                liveObject = livePosition.map { index.all[$0] }
                if let owner = ClaimOwner(object, position: k, live: liveObject) { claimOwners.append(owner) }
            }
            if object.ref.group.isEmpty && object.kind == "Secret" {
                result.notes.append(Finding(ruleID: "secret-not-compared", severity: .info,
                                            message: "Secret \(object.name) is not compared with the cluster (Ballast never reads Secret data)",
                                            object: object.ref, span: object.span, category: .live))
                continue
            }
            if let reason = live.unreadKinds[qualifiedKind] {
                result.uncompared.append(UncomparedObject(object: object.ref, reason: "\(qualifiedKind) could not be read: \(reason)", span: object.span))
                continue
            }
            if let namespaces, let namespace = object.namespace, !namespaces.contains(namespace) {
                result.uncompared.append(UncomparedObject(object: object.ref, reason: "namespace \(namespace) was not read from the cluster", span: object.span))
                continue
            }
            let waiver = object.annotations[Self.waiverAnnotation].map { Waiver(reason: $0) }
            var items: [DriftItem]
            if let livePosition {
                items = comparison.items(desired: object, live: liveObject ?? index.all[livePosition])
            } else if live.completeKinds.contains(qualifiedKind) {
                items = [ObjectItems.missing(object, applyHint: options.applyHint)]
            } else {
                result.uncompared.append(UncomparedObject(object: object.ref, reason: "\(qualifiedKind) was not listed from the cluster", span: object.span))
                continue
            }
            result.compared += 1
            if let waiver { for k in items.indices { items[k].waiver = waiver } }
            result.items.append(contentsOf: items)
        }

        var objectItems = ObjectItems(options: options, desired: desired, desiredRefs: desiredRefs, index: index, live: live)
        result.items.append(contentsOf: objectItems.orphanedClaims(claimOwners))
        result.items.append(contentsOf: objectItems.reclaimPolicies())
        result.items.append(contentsOf: objectItems.unmanaged())

        for k in result.items.indices where result.items[k].waiver == nil {
            if let rule = options.ignore.first(where: { $0.matches(result.items[k].object, path: result.items[k].path) }) {
                result.items[k].waiver = Waiver(reason: rule.reason)
            }
        }
        result.items.sort(by: DriftItem.reportOrder)
        return result
    }

    /// The workloads HorizontalPodAutoscalers (in git or live) scale.
    static func autoscaled(_ desired: CompactObjects, index: LiveIndex) -> Set<ObjectRef> {
        var targets: Set<ObjectRef> = []
        let autoscalers = desired.objects(kind: "HorizontalPodAutoscaler") + index.objects(ofKind: "HorizontalPodAutoscaler")
        for object in autoscalers {
            guard let target = object.value[path: "spec", "scaleTargetRef"], let kind = target["kind"]?.stringValue,
                  let name = target["name"]?.stringValue else { continue }
            let group = target["apiVersion"]?.stringValue.map { splitAPIVersion($0).group }
                ?? KindCatalog.info(qualifiedKind: kind)?.group ?? ""
            targets.insert(ObjectRef(group: group, kind: kind, namespace: object.namespace, name: name))
        }
        return targets
    }
}

/// Live objects by identity, and by kind for the few whole-kind passes (HPAs, PVCs, PVs). The objects
/// stay packed: a lookup rebuilds the one object it returns. Identities are found by their hash (a
/// dictionary of integers, not of tens of thousands of identities), checked against the object.
struct LiveIndex {
    private var byHash: [Int: Int32] = [:]
    /// Identities whose hash another identity took first.
    private var collided: [ObjectRef: Int] = [:]
    private var byKind: [String: [Int]] = [:]
    let all: CompactObjects

    init(_ objects: CompactObjects) {
        all = objects
        byHash.reserveCapacity(objects.count)
        for k in objects.indices {
            let ref = objects.ref(at: k)
            let hash = ref.hashValue
            // The last object read of an identity wins, as a list that repeats one would be read.
            if let first = byHash[hash], objects.ref(at: Int(first)) != ref { collided[ref] = k } else { byHash[hash] = Int32(k) }
            byKind[ref.kind, default: []].append(k)
        }
    }

    /// The position of the object with identity `ref`.
    func position(_ ref: ObjectRef) -> Int? {
        if let k = collided[ref] { return k }
        guard let k = byHash[ref.hashValue].map(Int.init), all.ref(at: k) == ref else { return nil }
        return k
    }

    /// The objects of a kind (any group), rebuilt.
    func objects(ofKind kind: String) -> [KubeObject] { (byKind[kind] ?? []).map { all[$0] } }
    /// The positions of the objects of a kind (any group), none rebuilt.
    func positions(ofKind kind: String) -> [Int] { byKind[kind] ?? [] }
}
