import KubeModel
import ManifestIO

/// Fields removed from git that the applier had set (research/drift.md RD1): only counted when proven by
/// `kubectl.kubernetes.io/last-applied-configuration` or by the applier's `Apply` entry in
/// `managedFields`, minus what appliers inject and what the server allocates.
struct RemovalFinder {
    let apiVersion: String
    let kind: String
    /// Label and annotation keys the repository's applier writes itself (management selectors).
    let injectedKeys: Set<String>
    private var steps: [PathStep] = []
    private(set) var differences: [Difference] = []

    init(apiVersion: String, kind: String, injectedKeys: Set<String>) {
        self.apiVersion = apiVersion; self.kind = kind; self.injectedKeys = injectedKeys
    }

    /// Walks the last configuration `kubectl apply` recorded.
    mutating func walk(lastApplied: Value, desired: Value, live: Value) {
        walkApplied(lastApplied, desired: desired, live: live, evidence: "last-applied-configuration")
    }

    /// Walks the set of an applier's `Apply` entry.
    mutating func walk(fieldsOf entry: ManagedFieldsEntry, desired: Value, live: Value) {
        walkFields(entry.fields, desired: desired, live: live, evidence: "managedFields: \(entry.manager) Apply")
    }

    private mutating func walkApplied(_ applied: Value, desired: Value?, live: Value, evidence: String) {
        if let desired, applied == desired { return }   // nothing of it was removed
        switch (applied.kind, live.kind) {
        case (.map(let entries), .map):
            for entry in entries {
                guard let liveValue = live[entry.key] else { continue }
                steps.append(.field(entry.key))
                if !isExcused() {
                    if let desiredValue = desired?[entry.key], !desiredValue.isNull {
                        walkApplied(entry.value, desired: desiredValue, live: liveValue, evidence: evidence)
                    } else if entry.value.isMap && liveValue.isMap && !ValueSemantics.isEmpty(entry.value) {
                        // Report the fields, not the map: some of them may be the applier's own.
                        walkApplied(entry.value, desired: nil, live: liveValue, evidence: evidence)
                    } else {
                        removed(liveValue, evidence: evidence)
                    }
                }
                steps.removeLast()
            }
        case (.list(let items), .list(let liveItems)):
            guard case .keys(let keys) = ListKeys.matching(apiVersion: apiVersion, kind: kind, steps: steps) else { return }
            let liveByKey = Self.byKey(liveItems, keys)
            let desiredByKey = Self.byKey(desired?.listValue ?? [], keys)
            for item in items {
                guard let step = ListKeys.step(for: item, keys: keys), case .keyed(_, _, let key) = step,
                      let liveItem = liveByKey[key], !isExcused() else { continue }
                steps.append(step)
                if let desiredItem = desiredByKey[key] {
                    walkApplied(item, desired: desiredItem, live: liveItem, evidence: evidence)
                } else {
                    removed(liveItem, evidence: evidence)
                }
                steps.removeLast()
            }
        default:
            return
        }
    }

    private mutating func walkFields(_ fields: Value, desired: Value?, live: Value, evidence: String) {
        // For `k:` members: the list's keys and its items by canonical key, made on the first member.
        var keyed: (keys: ItemKeys, live: [String: Value], desired: [String: Value])?   // by FieldsV1 key
        for entry in fields.mapEntries ?? [] {
            if entry.key.hasPrefix("f:") {
                let name = String(entry.key.dropFirst(2))
                guard let liveValue = live[name] else { continue }
                steps.append(.field(name))
                if !isExcused() {
                    let hasChildren = !(entry.value.mapEntries ?? []).allSatisfy { $0.key == "." }
                    if let desiredValue = desired?[name], !desiredValue.isNull {
                        if hasChildren { walkFields(entry.value, desired: desiredValue, live: liveValue, evidence: evidence) }
                    } else if hasChildren && (liveValue.isMap || liveValue.listValue != nil) {
                        // Report the fields or items, not the whole map or list: some may be the applier's own.
                        walkFields(entry.value, desired: nil, live: liveValue, evidence: evidence)
                    } else {
                        removed(liveValue, evidence: evidence)
                    }
                }
                steps.removeLast()
            } else if entry.key.hasPrefix("k:"), live.listValue != nil {
                if keyed == nil {
                    guard case .keys(let keys) = ListKeys.matching(apiVersion: apiVersion, kind: kind, steps: steps) else { return }
                    keyed = (keys, Self.byCanonical(live.listValue ?? [], keys), Self.byCanonical(desired?.listValue ?? [], keys))
                }
                guard let (keys, liveByKey, desiredByKey) = keyed, let canonical = ManagedFieldsEntry.canonicalKeys(entry.key),
                      let liveItem = liveByKey[canonical], let step = ListKeys.step(for: liveItem, keys: keys) else { continue }
                steps.append(step)
                if !isExcused() {
                    if let desiredItem = desiredByKey[canonical] {
                        walkFields(entry.value, desired: desiredItem, live: liveItem, evidence: evidence)
                    } else {
                        removed(liveItem, evidence: evidence)
                    }
                }
                steps.removeLast()
            }
        }
    }

    private mutating func removed(_ live: Value, evidence: String) {
        if ValueSemantics.isEmpty(live) { return }
        // Once git drops a defaulted field the server defaults it again: drift only if live is not the default.
        if let defaults = Defaults.values(kind: kind, steps: steps, parent: nil) {
            let isQuantity = ValueSemantics.isQuantityField(steps)
            if defaults.contains(where: { ValueSemantics.scalarsEqual($0, live, isQuantity: isQuantity) }) { return }
            differences.append(Difference(steps: steps, desired: defaults.first, live: live, span: nil,
                                          reason: .removed(evidence: evidence)))
            return
        }
        differences.append(Difference(steps: steps, desired: nil, live: live, span: nil, reason: .removed(evidence: evidence)))
    }

    /// Items by key (the first of repeated keys wins, as the server keeps only one).
    private static func byKey(_ items: [Value], _ keys: ItemKeys) -> [ItemKey: Value] {
        var table: [ItemKey: Value] = [:]
        table.reserveCapacity(items.count)
        for item in items { if let key = ListKeys.key(for: item, keys: keys), table[key] == nil { table[key] = item } }
        return table
    }

    /// Items by the FieldsV1 spelling of their key, to meet `k:` members.
    private static func byCanonical(_ items: [Value], _ keys: ItemKeys) -> [String: Value] {
        var table: [String: Value] = [:]
        table.reserveCapacity(items.count)
        for item in items { if let key = ListKeys.key(for: item, keys: keys)?.canonical, table[key] == nil { table[key] = item } }
        return table
    }

    /// Fields that are not git's to remove: server metadata and status, applier-injected labels and
    /// annotations, allocated fields (research/drift.md FP6, FP8, FP9, FP11).
    private func isExcused() -> Bool {
        guard case .field(let first)? = steps.first else { return false }
        if first == "status" || first == "apiVersion" || first == "kind" { return true }
        if first == "metadata" {
            let names = steps.fieldNames
            guard names.count >= 2 else { return false }
            if FieldComparer.serverMetadata.contains(names[1]) || names[1] == "name" || names[1] == "namespace" { return true }
            if names.count == 3 && (names[1] == "labels" || names[1] == "annotations") {
                return Self.isApplierInjected(names[2]) || injectedKeys.contains(names[2])
            }
            return names[1] == "finalizers" || names[1] == "ownerReferences"
        }
        if steps.last == .field("creationTimestamp") { return true }
        return Allocation.isAllocated(kind: kind, steps: steps)
    }

    /// Label and annotation keys appliers write (Argo CD tracking, Flux and Helm ownership, kubectl).
    static func isApplierInjected(_ key: String) -> Bool {
        key.hasPrefix("kubectl.kubernetes.io/") || key.hasPrefix("argocd.argoproj.io/")
            || key.hasPrefix("kustomize.toolkit.fluxcd.io/") || key.hasPrefix("helm.toolkit.fluxcd.io/")
            || key.hasPrefix("meta.helm.sh/") || key == "app.kubernetes.io/instance"
    }
}

/// Fields whose values the cluster allocates (kapp's rebase rules; research/drift.md b.1 and (e) 1).
enum Allocation {
    private static let patterns: Set<String> = [
        "Service|spec.clusterIP", "Service|spec.clusterIPs", "Service|spec.ipFamilies", "Service|spec.ipFamilyPolicy",
        "Service|spec.ports[].nodePort", "Service|spec.healthCheckNodePort",
        "PersistentVolumeClaim|spec.volumeName", "PersistentVolumeClaim|spec.storageClassName",
        "PersistentVolume|spec.claimRef.uid", "PersistentVolume|spec.claimRef.resourceVersion",
        "PersistentVolume|spec.claimRef.kind", "PersistentVolume|spec.claimRef.apiVersion",
    ]

    static func isAllocated(kind: String, steps: [PathStep]) -> Bool {
        guard kind == "Service" || kind == "PersistentVolumeClaim" || kind == "PersistentVolume",
              case .field("spec")? = steps.first, steps.count <= 4 else { return false }
        return patterns.contains(kind + "|" + steps.pattern)
    }
}
