import Foundation
import KubeModel
import ManifestIO

extension Snapshot {
    /// The directory of a snapshot's kubelet summaries, one `NODE.json` per node.
    public static let statsDirectory = "stats"

    /// `node-1.json`; node names are DNS subdomains, so a `/` never reaches the path.
    static func statsFileName(_ node: String) -> String { node.replacingAll("/", "_") + ".json" }

    /// Reads each node's `/stats/summary` into `directory/stats/` (see `ClusterClient.pvcUsage`), beside a
    /// snapshot: what `drift --snapshot` needs for `pvc-usage-high`. Never throws: nodes that could not be
    /// read are in `incomplete`, a denied `nodes/proxy` is a note.
    @discardableResult
    public static func captureUsage(from client: ClusterClient, to directory: String) -> PVCUsageResult {
        do { try makePrivateDirectory(directory) } catch {
            var result = PVCUsageResult()
            result.incomplete.append(Incomplete(what: "PVC usage", reason: error.description))
            return result
        }
        return client.pvcUsage(statsDirectory: directory + "/" + statsDirectory)
    }

    /// The PVC usage kept in a snapshot (`stats/*.json`, kubelet summaries as the API served them, as in
    /// `fixtures/cluster`), deduplicated as `pvcUsage` does. A snapshot without `stats/` has a note and no
    /// usage (usage unknown, never 0 %); a summary that cannot be read is incomplete.
    public static func readUsage(from directory: String) -> PVCUsageResult {
        var result = PVCUsageResult()
        let stats = directory + "/" + statsDirectory
        guard let files = try? FileManager.default.contentsOfDirectory(atPath: stats) else {   // absent: no usage kept
            result.notes.append("PVC usage unknown: the snapshot has no \(statsDirectory)/ directory")
            return result
        }
        var seen: Set<String> = []
        for file in files.sorted() where file.hasSuffix(".json") {
            let node = String(file.dropLast(5))
            let path = stats + "/" + file
            guard let bytes = FileManager.default.contents(atPath: path) else {
                result.incomplete.append(Incomplete(what: "stats of node \(node)", reason: "snapshot file \(statsDirectory)/\(file) cannot be read"))
                continue
            }
            do {
                result.usage += PVCUsage.fromSummary(try ResponseJSON.parse([UInt8](bytes)), node: node, seen: &seen)
            } catch {
                result.incomplete.append(Incomplete(what: "stats of node \(node)",
                                                    reason: "snapshot file \(statsDirectory)/\(file): \(error.problem) (at byte \(error.offset))"))
            }
        }
        result.usage.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        return result
    }
}
