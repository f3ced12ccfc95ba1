import Foundation
import KubeModel
import ManifestIO

extension Snapshot {
    /// Loads a snapshot directory into the shape `readLive` gives, for the kinds git holds: a kind is
    /// complete when `snapshot.json` lists it and its file reads whole (and is not named among the
    /// snapshot's incomplete reads); a kind the snapshot lacks is unread ("not in the snapshot"); a kind
    /// the snapshot failed to read is unread with the snapshot's reason. A snapshot marked
    /// `complete: false` without saying what failed makes every kind unread. The namespaces are the
    /// snapshot's (when it was taken for some namespaces only) intersected with `namespaces`; objects
    /// outside them are dropped. Objects keep their spans in the list files. Core Secrets are refused.
    /// Throws `ClusterError.snapshot` when the directory is not a snapshot.
    public static func load(_ directory: String, kinds: [(group: String, kind: String)],
                            namespaces: [String]? = nil) throws(ClusterError) -> LiveRead {
        let snapshot = try read(from: directory)
        let metaPath = directory + "/" + metadataFile
        let meta = (try? JSONReader.parse([UInt8](FileManager.default.contents(atPath: metaPath) ?? Data()),
                                          file: FileID(metaPath))) ?? .null   // read() has just parsed it
        var result = LiveRead()
        result.serverVersion = snapshot.serverVersion
        result.readAt = snapshot.readAt
        result.notes = snapshot.notes
        switch (snapshot.namespaces, namespaces) {
        case (nil, let wanted): result.namespaces = wanted
        case (let taken?, nil): result.namespaces = taken
        case (let taken?, let wanted?): result.namespaces = wanted.filter(taken.contains)
        }
        let saysIncomplete = meta["complete"]?.boolValue == false && snapshot.incomplete.isEmpty
        let failed = Dictionary(snapshot.incomplete.map { ($0.what, $0.reason) }, uniquingKeysWith: { a, _ in a })
        let listed = Set(snapshot.lists.map { Snapshot.qualifiedKind($0) })
        var complete: Set<String> = []
        for pair in kinds {
            let kind = GroupKind(group: pair.group, kind: pair.kind)
            let name = kind.qualifiedKind
            if kind.isSecret {
                result.unreadKinds[name] = ClusterClient.secretsReason
            } else if let reason = failed[name] ?? (kind.group.isEmpty ? nil : failed[kind.kind]) {
                result.unreadKinds[name] = "snapshot: \(reason)"
            } else if saysIncomplete {
                result.unreadKinds[name] = "the snapshot says it is incomplete without naming what failed"
            } else if listed.contains(name) {
                complete.insert(name)
            } else if let reason = failed["discovery"] {
                result.unreadKinds[name] = "not in the snapshot (its discovery failed: \(reason))"
            } else {
                result.unreadKinds[name] = "not in the snapshot"
            }
        }
        result.completeKinds = complete
        let inScope = result.namespaces.map(Set.init)
        result.objects = snapshot.objects
        result.objects.removeAll(whereRef: { ref in
            guard complete.contains(ref.qualifiedKind) else { return true }
            guard let inScope else { return false }
            if ref.group.isEmpty && ref.kind == "Namespace" { return !inScope.contains(ref.name) }
            return ref.namespace.map { !inScope.contains($0) } ?? false
        })
        var counts: [String: Int] = [:]
        for ref in result.objects.refs { counts[ref.qualifiedKind, default: 0] += 1 }
        result.lists = snapshot.lists.filter { complete.contains(Snapshot.qualifiedKind($0)) }.map { record in
            var record = record
            record.count = counts[Snapshot.qualifiedKind(record)] ?? 0
            return record
        }
        return result
    }
}
