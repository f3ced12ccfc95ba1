import KubeModel
import Findings
import ManifestIO

/// One entry of a live object's `metadata.managedFields`.
struct ManagedFieldsEntry {
    var manager: String
    var operation: String
    var subresource: String?
    var time: String?
    /// The `fieldsV1` set: a tree of `f:<field>`, `k:<json keys>`, `v:<json value>`, `i:<index>` and `.`.
    var fields: Value

    var attribution: Attribution {
        Attribution(manager: manager, operation: operation, subresource: subresource, time: time)
    }

    /// The entries of `live`, in the order the server keeps them.
    static func entries(of live: Value) -> [ManagedFieldsEntry] {
        guard let list = live[path: "metadata", "managedFields"]?.listValue else { return [] }
        return list.compactMap { item in
            guard let manager = item["manager"]?.stringValue else { return nil }
            return ManagedFieldsEntry(manager: manager, operation: item["operation"]?.stringValue ?? "",
                                      subresource: item["subresource"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 },
                                      time: item["time"]?.stringValue, fields: item["fieldsV1"] ?? Value(.map([])))
        }
    }

    /// Whether the entry's set holds the field at `steps`: the field itself, something below it, or an
    /// atomic ancestor (an empty `{}` owns its whole subtree: `f:volumeClaimTemplates: {}`).
    func owns(_ steps: [PathStep]) -> Bool {
        var node = fields
        for (depth, step) in steps.enumerated() {
            if depth > 0, let entries = node.mapEntries, entries.isEmpty { return true }
            guard let child = Self.child(of: node, for: step) else { return false }
            node = child
        }
        return true
    }

    /// The subtree of `node` for one path step.
    static func child(of node: Value, for step: PathStep) -> Value? {
        switch step {
        case .field(let name): return node["f:" + name]
        case .index(let i): return node["i:\(i)"]
        case .keyed(_, _, let key):
            let canonical = key.canonical
            for entry in node.mapEntries ?? [] where entry.key.hasPrefix("k:") {
                if canonicalKeys(entry.key) == canonical { return entry.value }
            }
            return nil
        }
    }

    /// A `k:{...}` member in the canonical spelling of `ListKeys.step` (keys sorted, compact values).
    static func canonicalKeys(_ member: String) -> String? {
        let json = Array(member.utf8.dropFirst(2))
        // Not FieldsV1 as the server writes it: no key to match, which is the correct answer.
        guard let value = try? JSONReader.parse(json, file: FileID("<managedFields>")),
              let entries = value.mapEntries else { return nil }
        let sorted = entries.sorted { $0.key < $1.key }
        return "{" + sorted.map { jsonQuoted($0.key) + ":" + $0.value.json }.joined(separator: ",") + "}"
    }
}

extension Array where Element == ManagedFieldsEntry {
    /// The managers whose sets hold `steps`, most recent first (entries without a time last).
    func attribution(for steps: [PathStep]) -> [Attribution] {
        let owners = filter { $0.owns(steps) }.map(\.attribution)
        return owners.enumerated().sorted { a, b in
            switch (a.element.time, b.element.time) {
            case let (x?, y?) where x != y: return x > y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.offset < b.offset
            }
        }.map(\.element)
    }
}
