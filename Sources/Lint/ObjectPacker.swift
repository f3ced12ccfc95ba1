import KubeModel
import Policy
import Findings

/// What one worker of phase one shares among the objects it keeps for the whole run: a key table (each
/// distinct key stored once, entries refer to it by index) and one copy of each repeated string of the
/// objects' identities and facts. Owned by one worker, written by it alone.
struct ObjectPacker {
    let keys = KeyTable()

    /// `object` in compact form, with its waivers and facts.
    mutating func pack(_ object: KubeObject, waivers: [String: Waiver], facts: ObjectFacts) -> StoredObject {
        var stored = StoredObject(object, keys: keys)
        stored.waivers = waivers
        stored.facts = facts
        return stored
    }
}
