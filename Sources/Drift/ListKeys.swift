import KubeModel

/// How the items of one list are matched between git and live.
enum ListMatching: Equatable {
    /// By position (atomic lists: `args`, `accessModes`, Ingress rules, CRD lists).
    case position
    /// By the values of these keys (a dotted key names a nested field: `metadata.name`); the first names
    /// items in paths.
    case keys([String])
    /// As a set of scalars: every desired item must be live, in any order (`finalizers`).
    case set
}

/// The list-map keys of lists: the schema's `x-kubernetes-list-map-keys` where the generated table has the
/// kind, else the server-side-apply keys of the pod and Service types (research/drift.md FP10).
enum ListKeys {
    /// The matching for the list at `steps` of an object of `apiVersion`/`kind`.
    static func matching(apiVersion: String, kind: String, steps: [PathStep]) -> ListMatching {
        let names = steps.fieldNames
        guard let last = names.last else { return .position }
        if last == "finalizers" { return .set }
        if kind == "StatefulSet" && names == ["spec", "volumeClaimTemplates"] { return .keys(["metadata.name"]) }
        if let keys = KubeSchema.listMapKeys(apiVersion: apiVersion, kind: kind, path: names), !keys.isEmpty {
            return .keys(keys)
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

    /// The value of a dotted key in an item.
    static func keyValue(_ item: Value, _ key: String) -> Value? {
        if !key.utf8.contains(UInt8(ascii: ".")) { return item[key] ?? defaultKeyValue(key) }   // not Foundation's contains: this is hot
        return item[path: key.split(separator: ".").map(String.init)]
    }

    /// The step naming `item` in a list matched by `keys`, or nil when the item lacks a key.
    static func step(for item: Value, keys: [String]) -> PathStep? {
        // The common case (name, mountPath): one plain key with a string value.
        if keys.count == 1, !keys[0].utf8.contains(UInt8(ascii: ".")), let value = item[keys[0]], let text = value.stringValue {
            return .keyed(label: keys[0], value: text, key: ItemKey(names: keys, string: text))
        }
        var values: [Value] = []
        values.reserveCapacity(keys.count)
        for key in keys {
            guard let value = keyValue(item, key) else { return nil }
            values.append(value)
        }
        let label = values[0].stringValue ?? values[0].json
        let labelKey = keys[0].split(separator: ".").last.map(String.init) ?? keys[0]
        return .keyed(label: labelKey, value: label, key: ItemKey(names: keys.map { $0.split(separator: ".").last.map(String.init) ?? $0 }, values: values))
    }

    /// The key of `item`, or nil when it lacks one.
    static func key(for item: Value, keys: [String]) -> ItemKey? {
        guard case .keyed(_, _, let key)? = step(for: item, keys: keys) else { return nil }
        return key
    }
}
