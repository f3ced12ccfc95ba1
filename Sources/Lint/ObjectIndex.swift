public import KubeModel
public import Findings
import ManifestIO
public import Policy

/// An object kept for the whole run in compact form: identity and position at hand, the tree rebuilt
/// only when a cross-object rule needs it.
public struct StoredObject: Sendable {
    public var ref: ObjectRef
    public var apiVersion: String
    public var span: SourceSpan?
    public var helmSource: String?
    public var compact: CompactValue
    /// Valid waivers from the object's annotations, by rule id.
    public var waivers: [String: Waiver] = [:]
    /// What the policy functions' indexes need of it (Policy's `ObjectFacts`), recorded as it is read.
    public var facts = ObjectFacts()
    public var dataTierClaimClasses: [String] { facts.dataTierClaimClasses }
    public var podLabels: [String: String]? { facts.podLabels }
    public var selector: LabelSelector? { facts.selector }
    public var backupOf: [String] { facts.backupOf }
    /// A Service's `spec.clusterIP` ("None" when headless), for `statefulset-headless-service`.
    public var clusterIP: String? { facts.clusterIP }

    /// `object` packed; with `keys`, its keys are interned there (the objects one worker keeps share a table).
    public init(_ object: KubeObject, keys: KeyTable? = nil) {
        ref = object.ref; apiVersion = object.apiVersion; span = object.span; helmSource = object.helmSource
        compact = CompactValue(object.value, keys: keys)
    }

    /// The object with its whole tree.
    public var object: KubeObject {
        KubeObject(ref: ref, apiVersion: apiVersion, value: compact.value, span: span, helmSource: helmSource)
    }
}

/// Every object of a run, indexed once: `lookup` is a dictionary hit, never a scan.
public struct ObjectIndex: Sendable {
    public private(set) var stored: [StoredObject] = []
    /// The first position of each identity: open addressing over `stored` (position + 1, 0 when empty), four
    /// bytes a slot where a dictionary keyed by `ObjectRef` held a copy of every identity.
    private var refSlots: [Int32] = []
    private var byKind: [String: [Int]] = [:]
    private var byKindNamespace: [String: [Int]] = [:]
    private var byNamespace: [String: [Int]] = [:]
    /// Selectors (PDBs, Services) by one label pair they require, so that finding the selectors of a
    /// workload never tries every selector of its namespace; selectors that require no pair are `unkeyed`.
    private var selectorsByPair: [LabelPair: [Int]] = [:]
    private var unkeyedSelectors: [LabelPair: [Int]] = [:]
    /// Pod templates by each of their labels, and how many a namespace has.
    private var podTemplatesByPair: [LabelPair: [Int]] = [:]
    private var podTemplateCounts: [String: Int] = [:]
    /// Backup CronJobs by the StatefulSet they back up (namespace, name): named in `ballast.dev/backup-of`,
    /// or the job is named `<name>-backup...`.
    private var backupJobs: [LabelPair: [Int]] = [:]
    /// Restore-test CronJobs by the StatefulSet they restore (namespace, name).
    private var restoreJobs: [LabelPair: [Int]] = [:]

    /// A label `key=value` in a scope (a kind and namespace, or a namespace).
    struct LabelPair: Hashable, Sendable {
        var scope: String, namespace: String, key: String, value: String
    }

    public init(_ stored: [StoredObject]) {
        self.stored = stored
        var slotCount = 16
        while slotCount < stored.count * 2 { slotCount *= 2 }
        refSlots = [Int32](repeating: 0, count: slotCount)
        for (i, object) in stored.enumerated() {
            var slot = object.ref.hashValue & (slotCount - 1)
            while refSlots[slot] != 0 && stored[Int(refSlots[slot]) - 1].ref != object.ref { slot = (slot + 1) & (slotCount - 1) }
            if refSlots[slot] == 0 { refSlots[slot] = Int32(i + 1) }
            let namespace = object.ref.namespace ?? "", qualifiedKind = object.ref.qualifiedKind
            byKind[qualifiedKind, default: []].append(i)
            byKindNamespace[qualifiedKind + "\u{0}" + namespace, default: []].append(i)
            byNamespace[namespace, default: []].append(i)
            if let selector = object.selector, !selector.isEmpty {
                if let pair = selector.matchLabels.min(by: { $0.key < $1.key }) {
                    selectorsByPair[LabelPair(scope: qualifiedKind, namespace: namespace, key: pair.key, value: pair.value), default: []].append(i)
                } else {
                    unkeyedSelectors[LabelPair(scope: qualifiedKind, namespace: namespace, key: "", value: ""), default: []].append(i)
                }
            }
            if qualifiedKind == "batch/CronJob" {
                var targets = Set(object.backupOf)
                let name = Array(object.ref.name.utf8), suffix = Array("-backup".utf8)
                if name.count >= suffix.count {
                    for start in 0...(name.count - suffix.count) where name[start..<(start + suffix.count)].elementsEqual(suffix) {
                        targets.insert(String(decoding: name[..<start], as: UTF8.self))
                    }
                }
                for target in targets {
                    backupJobs[LabelPair(scope: "", namespace: namespace, key: target, value: ""), default: []].append(i)
                }
                for target in Set(object.facts.restoreTestOf) {
                    restoreJobs[LabelPair(scope: "", namespace: namespace, key: target, value: ""), default: []].append(i)
                }
            }
            if let labels = object.podLabels {
                podTemplateCounts[namespace, default: 0] += 1
                for (key, value) in labels {
                    podTemplatesByPair[LabelPair(scope: "", namespace: namespace, key: key, value: value), default: []].append(i)
                }
            }
        }
    }

    /// Positions of the objects of a kind in a namespace whose non-empty selector selects `labels`, in
    /// input order.
    public func selecting(kind qualifiedKind: String, namespace: String, labels: [String: String]) -> [Int] {
        var candidates = unkeyedSelectors[LabelPair(scope: qualifiedKind, namespace: namespace, key: "", value: "")] ?? []
        for (key, value) in labels {
            candidates += selectorsByPair[LabelPair(scope: qualifiedKind, namespace: namespace, key: key, value: value)] ?? []
        }
        return candidates.sorted().filter { i in stored[i].selector.map { !$0.isEmpty && $0.matches(labels) } ?? false }
    }

    /// Positions of the CronJobs of a namespace that back up the StatefulSet `name`, in input order.
    public func backupCronJobs(namespace: String, statefulSet name: String) -> [Int] {
        backupJobs[LabelPair(scope: "", namespace: namespace, key: name, value: "")] ?? []
    }

    /// How many pod templates (workloads and pods) a namespace has, and how many of them `selector` selects
    /// (an empty selector selects none).
    public func podTemplates(namespace: String, selectedBy selector: LabelSelector) -> (total: Int, selected: Int) {
        let total = podTemplateCounts[namespace] ?? 0
        guard !selector.isEmpty else { return (total, 0) }
        let candidates: [Int]
        if let pair = selector.matchLabels.min(by: { $0.key < $1.key }) {
            candidates = podTemplatesByPair[LabelPair(scope: "", namespace: namespace, key: pair.key, value: pair.value)] ?? []
        } else {
            candidates = byNamespace[namespace] ?? []
        }
        let selected = candidates.count { i in stored[i].podLabels.map(selector.matches) ?? false }
        return (total, selected)
    }

    public init(_ objects: [KubeObject]) { self.init(objects.map { StoredObject($0) }) }

    /// The first object with this identity.
    public func object(_ ref: ObjectRef) -> KubeObject? { firstPosition(ref).map { stored[$0].object } }

    /// The first stored object with this identity (facts and position, no tree).
    public func stored(_ ref: ObjectRef) -> StoredObject? { firstPosition(ref).map { stored[$0] } }

    /// Where the first object with this identity starts, without rebuilding it.
    public func firstSpan(_ ref: ObjectRef) -> SourceSpan?? { firstPosition(ref).map { stored[$0].span } }

    /// The position of the first object with this identity.
    private func firstPosition(_ ref: ObjectRef) -> Int? {
        guard !refSlots.isEmpty else { return nil }
        let mask = refSlots.count - 1
        var slot = ref.hashValue & mask
        while refSlots[slot] != 0 {
            let position = Int(refSlots[slot]) - 1
            if stored[position].ref == ref { return position }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// Objects of a kind, by its qualified name (`apps/StatefulSet`, `Service`).
    public func objects(ofKind qualifiedKind: String) -> [KubeObject] {
        (byKind[qualifiedKind] ?? []).map { stored[$0].object }
    }

    /// Positions (in `stored`) of the objects of a kind, optionally in one namespace.
    public func indices(ofKind qualifiedKind: String, namespace: String?) -> [Int] {
        guard let namespace else { return byKind[qualifiedKind] ?? [] }
        return byKindNamespace[qualifiedKind + "\u{0}" + namespace] ?? []
    }

    /// Positions of the objects of a namespace.
    public func indices(inNamespace namespace: String) -> [Int] { byNamespace[namespace] ?? [] }

    /// `lookup(kind, namespace, name)`: kind group-qualified unless core.
    public func lookup(_ qualifiedKind: String, namespace: String?, name: String) -> KubeObject? {
        position(qualifiedKind, namespace: namespace, name: name).map { stored[$0].object }
    }

    /// The position in `stored` of what `lookup` finds (the namespace is ignored for cluster-scoped kinds).
    public func position(_ qualifiedKind: String, namespace: String?, name: String) -> Int? {
        let (group, kind) = splitQualifiedKind(qualifiedKind)
        let scoped = KindCatalog.info(group: group, kind: kind)?.isClusterScoped == true ? nil : namespace
        return firstPosition(ObjectRef(group: group, kind: kind, namespace: scoped, name: name))
    }

    /// Whether an object with this identity exists, without rebuilding it.
    public func contains(_ qualifiedKind: String, namespace: String?, name: String) -> Bool {
        position(qualifiedKind, namespace: namespace, name: name) != nil
    }
}

/// The index as the policy language reads it.
extension ObjectIndex: ObjectLookup {
    public var objectCount: Int { stored.count }
    public func value(at position: Int) -> Value { stored[position].compact.value }
    public func facts(at position: Int) -> ObjectFacts { stored[position].facts }
    public func span(at position: Int) -> SourceSpan? { stored[position].span }
    public func positions(ofKind qualifiedKind: String, namespace: String?) -> [Int] { indices(ofKind: qualifiedKind, namespace: namespace) }
    public func positions(inNamespace namespace: String) -> [Int] { indices(inNamespace: namespace) }
    public func positions(selecting qualifiedKind: String, namespace: String, labels: [String: String]) -> [Int] {
        selecting(kind: qualifiedKind, namespace: namespace, labels: labels)
    }
    public func positions(backingUp statefulSet: String, namespace: String) -> [Int] {
        backupCronJobs(namespace: namespace, statefulSet: statefulSet)
    }
    public func positions(restoreTesting statefulSet: String, namespace: String) -> [Int] {
        restoreJobs[LabelPair(scope: "", namespace: namespace, key: statefulSet, value: "")] ?? []
    }
}
