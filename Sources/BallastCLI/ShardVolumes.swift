import KubeModel
import ClusterSource
import Drift

/// How a shard reads PersistentVolumes from a cluster. PVs are cluster-scoped, so shard 0 reports on
/// them; a full list of them is a third of what a cluster of claim-per-replica StatefulSets sends, and
/// would put shard 0 far over its share. So shard 0 reads the volume index (the Table `kubectl get pv`
/// prints, a sixth of the bytes) and fetches in full only the volumes a check can report on
/// (`ReportedVolumes`: declared in git, Released or Failed, reclaim policy unlike git's class); the
/// other shards read no PV at all (nothing of their namespaces needs one). The report is the one a full
/// list gives: a volume not fetched yields nothing in any check.
extension Comparison {
    static func isVolume(_ kind: (group: String, kind: String)) -> Bool { kind.group.isEmpty && kind.kind == "PersistentVolume" }

    /// Shard 0: the index, then the volumes `ReportedVolumes` names, into `read`; the kind is complete
    /// when the index and every fetch succeeded, else unread with the reason (fail closed).
    static func readShardVolumes(_ client: ClusterClient, desired: CompactObjects, into read: inout LiveRead) {
        let qualified = "PersistentVolume"
        do {
            let index = try client.readVolumeIndex()
            if let record = index.record { read.lists.append(record) }
            if index.isFull {
                read.objects.append(contentsOf: index.volumes)
            } else {
                let reported = ReportedVolumes(desired: desired)
                for volume in index.volumes where reported.needsObject(volume) {
                    if let full = try client.persistentVolume(named: volume.name, in: index) { read.objects.append(full) }
                }
            }
            read.completeKinds.insert(qualified)
        } catch {
            read.objects.removeAll(whereRef: { $0.group.isEmpty && $0.kind == qualified })
            read.unreadKinds[qualified] = ClusterClient.unreadReason(error)
        }
    }
}
