import KubeModel

/// One step of a field path inside an object, as the comparator walks it.
enum PathStep: Hashable, Sendable {
    /// A map key.
    case field(String)
    /// A list item named by its keys: `label`=`value` is what reports print (`name=redis`).
    case keyed(label: String, value: String, key: ItemKey)
    /// A list item by position.
    case index(Int)

    var fieldName: String? { if case .field(let name) = self { return name }; return nil }
}

/// The values of a list item's keys. Equal and hashed by a cheap identity; the FieldsV1 spelling is
/// made only when attribution or a removal needs it. Items of most keyed lists are named by one string
/// (`name`, `mountPath`): that key is held as it is, without text or arrays made for it.
struct ItemKey: Hashable, Sendable {
    private enum Identity: Hashable, Sendable {
        /// One key whose value is a string.
        case string(String)
        /// Any other key: each value as text (`s` + a string, or JSON), separated by U+001F.
        case composite(String)
    }
    private let identity: Identity
    let names: [String]
    private let others: [Value]

    init(names: [String], values: [Value]) {
        self.names = names
        if values.count == 1, let s = values[0].stringValue {
            identity = .string(s); others = []
            return
        }
        identity = .composite(values.map { $0.stringValue.map { "s" + $0 } ?? $0.json }.joined(separator: "\u{1F}"))
        others = values
    }

    /// One key whose value is the string `value`.
    init(names: [String], string value: String) {
        self.names = names; identity = .string(value); others = []
    }

    var values: [Value] {
        if case .string(let s) = identity { return [.string(s)] }
        return others
    }

    static func == (a: ItemKey, b: ItemKey) -> Bool { a.identity == b.identity }
    func hash(into hasher: inout Hasher) { hasher.combine(identity) }

    /// How FieldsV1 writes the key of the item: `{"containerPort":6379,"protocol":"TCP"}` (keys sorted).
    var canonical: String {
        let pairs = zip(names, values).sorted { $0.0 < $1.0 }
        return "{" + pairs.map { jsonQuoted($0.0) + ":" + $0.1.json }.joined(separator: ",") + "}"
    }
}

extension Array where Element == PathStep {
    /// The DESIGN §6 text of the path: `spec.template.spec.containers[name=redis].image`.
    var text: String {
        var path = FieldPath()
        for step in self {
            switch step {
            case .field(let name): path = path.key(name)
            case .keyed(let label, let value, _): path = path.item(label, value)
            case .index(let i): path = path.index(i)
            }
        }
        return path.description
    }

    /// The path with list items abstracted (`spec.template.spec.containers[].image`): how the default,
    /// allocation and quantity tables name fields.
    var pattern: String {
        var out = ""
        for step in self {
            switch step {
            case .field(let name):
                if !out.isEmpty { out += "." }
                out += name
            case .keyed, .index: out += "[]"
            }
        }
        return out
    }

    /// The field names only (list steps dropped), for schema lookups.
    var fieldNames: [String] { compactMap(\.fieldName) }

    /// The last map key of the path, skipping list steps.
    var lastField: String? { last(where: { $0.fieldName != nil })?.fieldName }

    func hasPrefix(_ prefix: [PathStep]) -> Bool { count >= prefix.count && Array(self[0..<prefix.count]) == prefix }
}

/// The pod template of a kind, as steps from the object root (nil for kinds without one).
func podTemplatePrefix(kind: String) -> [String]? {
    switch kind {
    case "StatefulSet", "Deployment", "DaemonSet", "ReplicaSet", "Job", "ReplicationController": ["spec", "template"]
    case "CronJob": ["spec", "jobTemplate", "spec", "template"]
    case "PodTemplate": ["template"]
    default: nil
    }
}
