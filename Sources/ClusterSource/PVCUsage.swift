import KubeModel

/// Filesystem usage of one PVC, from a kubelet's `/stats/summary` (statfs numbers: `used + available`
/// is less than `capacity` by the reserved blocks). Every field may be unknown.
public struct PVCUsage: Sendable, Equatable {
    public var namespace: String
    public var name: String
    public var node: String
    public var capacityBytes: Int64?
    public var usedBytes: Int64?
    public var availableBytes: Int64?
    public var inodes: Int64?
    public var inodesUsed: Int64?
    public var inodesFree: Int64?

    /// `1 - available/capacity`, as `df` counts (reserved space is used); nil when unknown.
    public var usedFraction: Double? {
        guard let capacity = capacityBytes, let available = availableBytes, capacity > 0 else { return nil }
        return 1 - Double(available) / Double(capacity)
    }
    /// `1 - inodesFree/inodes`; nil when unknown or when the node reports 0 inodes (Windows).
    public var inodesUsedFraction: Double? {
        guard let inodes, let free = inodesFree, inodes > 0 else { return nil }
        return 1 - Double(free) / Double(inodes)
    }
}

extension PVCUsage {
    /// The PVC volumes of one kubelet `/stats/summary` (other volumes have no `pvcRef`), skipping claims
    /// already in `seen` (a claim mounted by several pods appears once).
    static func fromSummary(_ summary: Value, node: String, seen: inout Set<String>) -> [PVCUsage] {
        var usage: [PVCUsage] = []
        for pod in summary["pods"]?.listValue ?? [] {
            for volume in pod["volume"]?.listValue ?? [] {
                guard let ref = volume["pvcRef"], let name = ref["name"]?.stringValue,
                      let namespace = ref["namespace"]?.stringValue else { continue }   // not a PVC
                guard seen.insert("\(namespace)/\(name)").inserted else { continue }
                func number(_ key: String) -> Int64? {
                    guard let v = volume[key] else { return nil }
                    if let i = v.intValue { return i }
                    if case .number(let text) = v.kind { return Int64(text.split(separator: ".").first ?? "") }
                    return nil
                }
                usage.append(PVCUsage(namespace: namespace, name: name, node: node,
                                      capacityBytes: number("capacityBytes"), usedBytes: number("usedBytes"),
                                      availableBytes: number("availableBytes"), inodes: number("inodes"),
                                      inodesUsed: number("inodesUsed"), inodesFree: number("inodesFree")))
            }
        }
        return usage
    }
}

/// The usage of every mounted PVC, and what could not be read.
public struct PVCUsageResult: Sendable {
    public var usage: [PVCUsage] = []
    /// Nodes whose stats could not be read, and why.
    public var incomplete: [Incomplete] = []
    /// Why usage was skipped altogether (e.g. `nodes/proxy` denied), or other information.
    public var notes: [String] = []
    public var isSkipped: Bool { usage.isEmpty && !notes.isEmpty }
    public init() {}
}

extension ClusterClient {
    /// Reads each node's `/api/v1/nodes/NAME/proxy/stats/summary` and returns the usage per PVC (deduplicated:
    /// a PVC mounted by several pods appears once). `nodes/proxy` is not read-only RBAC, so a 403 skips
    /// usage with a note instead of failing. Never throws. With `statsDirectory`, each node's summary is
    /// also written there as `NODE.json`, as the server sent it (0600; what `Snapshot.readUsage` reads).
    public func pvcUsage(statsDirectory: String? = nil) -> PVCUsageResult {
        var result = PVCUsageResult()
        guard let nodeKind = KindCatalog.info(group: "", kind: "Node") else { return result }
        let nodes: [KubeObject]
        do { nodes = try list(kind: nodeKind) } catch {
            if case .forbidden = error {
                result.notes.append("PVC usage skipped: \(error.description)")
            } else {
                result.incomplete.append(Incomplete(what: "nodes", reason: error.description))
            }
            return result
        }
        var seen: Set<String> = []
        for node in nodes.sorted(by: { $0.name < $1.name }) {
            let path = "/api/v1/nodes/\(queryEscape(node.name))/proxy/stats/summary"
            let summary: Value
            do {
                let body = try getBody(path, resource: ("get", "nodes/proxy", nil))
                do { summary = try ResponseJSON.parse(body) } catch {
                    throw ClusterError.invalidResponse(path: path, problem: "\(error.problem) (at byte \(error.offset) of \(body.count) received)")
                }
                if let statsDirectory {
                    try Snapshot.makePrivateDirectory(statsDirectory)
                    try Snapshot.writePrivateFile(statsDirectory + "/" + Snapshot.statsFileName(node.name), body)
                }
            } catch {
                if case .forbidden? = error as? ClusterError {
                    result.notes.append("PVC usage skipped: \((error as? ClusterError)?.description ?? "")")
                    return result
                }
                result.incomplete.append(Incomplete(what: "stats of node \(node.name)", reason: (error as? ClusterError)?.description ?? "\(error)"))
                continue
            }
            result.usage += PVCUsage.fromSummary(summary, node: node.name, seen: &seen)
        }
        result.usage.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        return result
    }
}
