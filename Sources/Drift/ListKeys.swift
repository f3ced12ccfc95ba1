import KubeModel
import Synchronization

/// How the items of one list are matched between git and live.
enum ListMatching: Equatable, Sendable {
    /// By position (atomic lists: `args`, `accessModes`, Ingress rules, CRD lists).
    case position
    /// By the values of these keys (a dotted key names a nested field: `metadata.name`); the first names
    /// items in paths.
    case keys(ItemKeys)
    /// As a set of scalars: every desired item must be live, in any order (`finalizers`).
    case set
}

/// The keys that name a list's items, split once for every item they name: `metadata.name` is the path
/// `["metadata", "name"]`, and paths and FieldsV1 call it by its last component, `name`.
struct ItemKeys: Equatable, Sendable, ExpressibleByArrayLiteral {
    /// As the schema writes them (`metadata.name`).
    let keys: [String]
    /// Each key as a path of field names.
    let paths: [[String]]
    /// Each key's last component.
    let names: [String]
    /// One key without a dot: the common case, read with one lookup.
    let isSinglePlain: Bool

    init(_ keys: [String]) {
        self.keys = keys
        paths = keys.map { $0.split(separator: ".").map(String.init) }
        names = zip(keys, paths).map { $1.last ?? $0 }
        isSinglePlain = keys.count == 1 && paths[0].count == 1
    }

    init(arrayLiteral keys: String...) { self.init(keys) }

    static func == (a: ItemKeys, b: ItemKeys) -> Bool { a.keys == b.keys }
}

/// The list-map keys of lists: the schema's `x-kubernetes-list-map-keys` where the generated table has the
/// kind, else the server-side-apply keys of the pod and Service types (research/drift.md FP10).
enum ListKeys {
    private struct MatchingKey: Hashable {
        var apiVersion: String, kind: String, names: [String]
    }

    /// What `matching` answered, by kind and field names: a walk asks the same few paths for every object.
    private static let answered = Mutex<[MatchingKey: ListMatching]>([:])

    /// The matching for the list at `steps` of an object of `apiVersion`/`kind`.
    static func matching(apiVersion: String, kind: String, steps: [PathStep]) -> ListMatching {
        let names = steps.fieldNames
        guard !names.isEmpty else { return .position }
        let key = MatchingKey(apiVersion: apiVersion, kind: kind, names: names)
        if let known = answered.withLock({ $0[key] }) { return known }
        let matching = computeMatching(apiVersion: apiVersion, kind: kind, names: names)
        answered.withLock { answers in
            // A bounded memo: CRDs can bring any number of paths.
            if answers.count >= 4_096 { answers.removeAll() }
            answers[key] = matching
        }
        return matching
    }

    private static func computeMatching(apiVersion: String, kind: String, names: [String]) -> ListMatching {
        guard let last = names.last else { return .position }
        if last == "finalizers" { return .set }
        if kind == "StatefulSet" && names == ["spec", "volumeClaimTemplates"] { return .keys(["metadata.name"]) }
        if let keys = KubeSchema.listMapKeys(apiVersion: apiVersion, kind: kind, path: names), !keys.isEmpty {
            return .keys(ItemKeys(keys))
        }
        let parent = names.count >= 2 ? names[names.count - 2] : ""
        switch last {
        case "containers", "initContainers", "ephemeralContainers", "volumes", "imagePullSecrets",
             "resourceClaims", "env":
            return .keys(["name"])
        case "volumeMounts": return .keys(["mountPath"])
        case "volumeDevices": return .keys(["devicePath"])
        case "hostAliases": return .keys(["ip"])
        case "readinessGates": return .keys(["conditionType"])
        case "topologySpreadConstraints": return .keys(["topologyKey", "whenUnsatisfiable"])
        case "ports":
            if parent.hasSuffix("ontainers") { return .keys(["containerPort", "protocol"]) }
            if kind == "Service" && names == ["spec", "ports"] { return .keys(["port", "protocol"]) }
            return .position
        default: return .position
        }
    }

    /// The value a key takes when an item omits it (ports default to TCP: research/drift.md FP10,
    /// kubernetes/kubernetes#98576).
    static func defaultKeyValue(_ key: String) -> Value? {
        key == "protocol" ? .string("TCP") : nil
    }

    /// The value of key `k` of `keys` in an item.
    static func keyValue(_ item: Value, _ keys: ItemKeys, _ k: Int) -> Value? {
        let path = keys.paths[k]
        if path.count == 1 { return item[path[0]] ?? defaultKeyValue(path[0]) }
        return item[path: path]
    }

    /// The step naming `item` in a list matched by `keys`, or nil when the item lacks a key.
    static func step(for item: Value, keys: ItemKeys) -> PathStep? {
        // The common case (name, mountPath): one plain key with a string value.
        if keys.isSinglePlain, let value = item[keys.keys[0]], let text = value.stringValue {
            return .keyed(label: keys.keys[0], value: text, key: ItemKey(names: keys.keys, string: text))
        }
        var values: [Value] = []
        values.reserveCapacity(keys.keys.count)
        for k in keys.keys.indices {
            guard let value = keyValue(item, keys, k) else { return nil }
            values.append(value)
        }
        let label = values[0].stringValue ?? values[0].json
        return .keyed(label: keys.names[0], value: label, key: ItemKey(names: keys.names, values: values))
    }

    /// The key of `item`, or nil when it lacks one.
    static func key(for item: Value, keys: ItemKeys) -> ItemKey? {
        guard case .keyed(_, _, let key)? = step(for: item, keys: keys) else { return nil }
        return key
    }
}
