import KubeModel
import Policy
import Findings

/// What one worker of phase one shares among the objects it keeps for the whole run: a key table (each
/// distinct key stored once, entries refer to it by index) and one copy of each repeated string of the
/// objects' identities and facts (label keys and values, kinds, groups, namespaces). Owned by one worker,
/// written by it alone; dropped at the end of phase one, the shared copies stay with the objects.
struct ObjectPacker {
    let keys = KeyTable()
    /// Strings seen so far, longer than `String`'s inline capacity (shorter ones take no storage).
    private var strings = Set<String>()

    /// `object` in compact form, with its waivers and facts, its strings shared with the objects before it.
    mutating func pack(_ object: KubeObject, waivers: [String: Waiver], facts: ObjectFacts) -> StoredObject {
        var stored = StoredObject(object, keys: keys)
        stored.waivers = waivers
        stored.facts = share(facts)
        stored.apiVersion = shared(stored.apiVersion)
        stored.ref.group = shared(stored.ref.group)
        stored.ref.kind = shared(stored.ref.kind)
        stored.ref.namespace = stored.ref.namespace.map { shared($0) }
        // Names are mostly unique: shared when a label already holds the same text (an app's instance
        // label names its StatefulSet), never added.
        if let name = existing(stored.ref.name) { stored.ref.name = name }
        stored.helmSource = stored.helmSource.map { shared($0) }
        return stored
    }

    private mutating func share(_ facts: ObjectFacts) -> ObjectFacts {
        var facts = facts
        if let labels = facts.podLabels { facts.podLabels = share(labels) }
        if var selector = facts.selector {
            selector.matchLabels = share(selector.matchLabels)
            for i in selector.requirements.indices {
                selector.requirements[i].key = shared(selector.requirements[i].key)
                selector.requirements[i].values = selector.requirements[i].values.map { shared($0) }
            }
            facts.selector = selector
        }
        facts.dataTierClaimClasses = facts.dataTierClaimClasses.map { shared($0) }
        facts.backupOf = facts.backupOf.map { shared($0) }
        facts.restoreTestOf = facts.restoreTestOf.map { shared($0) }
        return facts
    }

    private mutating func share(_ labels: [String: String]) -> [String: String] {
        var out = [String: String](minimumCapacity: labels.count)
        for (key, value) in labels { out[shared(key)] = shared(value) }
        return out
    }

    /// The copy of `text` kept so far, or `text`, kept from now on.
    private mutating func shared(_ text: String) -> String {
        guard text.utf8.count > 15 else { return text }
        return strings.insert(text).memberAfterInsert
    }

    private func existing(_ text: String) -> String? {
        guard text.utf8.count > 15, let i = strings.firstIndex(of: text) else { return nil }
        return strings[i]
    }
}
