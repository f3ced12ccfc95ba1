import Foundation
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
    /// usage with a note instead of failing. Never throws.
    public func pvcUsage() -> PVCUsageResult {
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
            do { summary = try getJSON(path, resource: ("get", "nodes/proxy", nil)) } catch {
                if case .forbidden = error {
                    result.notes.append("PVC usage skipped: \(error.description)")
                    return result
                }
                result.incomplete.append(Incomplete(what: "stats of node \(node.name)", reason: error.description))
                continue
            }
            result.usage += PVCUsage.fromSummary(summary, node: node.name, seen: &seen)
        }
        result.usage.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        return result
    }
}

extension PVCUsage {
    /// The PVCs of one kubelet `/stats/summary` document, skipping those already `seen` (a PVC mounted by
    /// several pods appears once).
    public static func fromSummary(_ summary: Value, node: String, seen: inout Set<String>) -> [PVCUsage] {
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

    /// The usage kept in a snapshot directory: `stats/<node>.json`, one kubelet summary per node (absent:
    /// no usage was saved).
    public static func fromSnapshot(_ directory: String) -> PVCUsageResult {
        var result = PVCUsageResult()
        let statsDirectory = directory + "/stats"
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: statsDirectory) else { return result }   // none saved
        var seen: Set<String> = []
        for name in names.sorted() where name.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: statsDirectory + "/" + name) else {
                result.incomplete.append(Incomplete(what: "stats/\(name)", reason: "could not be read"))
                continue
            }
            do {
                let summary = try ResponseJSON.parse(Array(data))
                result.usage += fromSummary(summary, node: String(name.dropLast(5)), seen: &seen)
            } catch {
                result.incomplete.append(Incomplete(what: "stats/\(name)", reason: "\(error.problem)"))
            }
        }
        result.usage.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        return result
    }
}
