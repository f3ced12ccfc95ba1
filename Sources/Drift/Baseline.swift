import Foundation
import KubeModel
public import Findings
import ManifestIO

/// Why `--baseline FILE` cannot be used. The CLI reports it as a configuration error (exit 2).
public enum BaselineError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, reason: String)
    /// The file is not JSON; `problem` is the reader's message with its position.
    case invalidJSON(path: String, problem: String)
    /// The file is JSON but not a Ballast report (`schemaVersion: 1`, `tool.name: ballast`).
    case notABallastReport(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "\(path): cannot read baseline: \(reason)"
        case .invalidJSON(_, let problem): "baseline is not JSON: \(problem)"
        case .notABallastReport(let path, let reason): "\(path): not a Ballast JSON report: \(reason)"
        }
    }
}

/// The drift items of a previous Ballast JSON report, to give this run's items a status (new,
/// persisting, resolved) and an age (`firstSeen`).
public struct Baseline: Sendable {
    /// One item of the previous report.
    public struct Entry: Sendable, Hashable {
        /// `Kind/namespace/name` or `Kind/name`, as the report's `object`.
        public var object: String
        /// The API group, when the report wrote one (else the kind catalogue's).
        public var group: String?
        /// The DESIGN §6 path; "" for object-level items.
        public var path: String
        /// The values and class the report showed (used for resolved items).
        public var desired: String?
        public var live: String?
        public var driftClass: DriftClass?
        /// When the item was first seen, and its status in that report.
        public var firstSeen: String?
        public var status: DriftStatus?
        /// `object|path`, as `DriftItem.fingerprint`.
        public var fingerprint: String { "\(object)|\(path)" }

        /// An entry as a report spells it.
        public init(object: String, group: String? = nil, path: String, desired: String? = nil, live: String? = nil,
                    driftClass: DriftClass? = nil, firstSeen: String? = nil, status: DriftStatus? = nil) {
            self.object = object; self.group = group; self.path = path; self.desired = desired; self.live = live
            self.driftClass = driftClass; self.firstSeen = firstSeen; self.status = status
        }
    }

    /// The previous report's items that were still present then (resolved ones are history).
    public var entries: [Entry]

    /// A baseline of `entries` (tests, or a caller that read the report itself).
    public init(entries: [Entry]) { self.entries = entries }

    /// Reads a previous report. Throws when the file cannot be read, is not JSON, or is not a Ballast
    /// report (`schemaVersion: 1`, `tool.name: "ballast"`, `drift` an array of items with `object` and
    /// `path`).
    public static func load(path: String) throws(BaselineError) -> Baseline {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .unreadable(path: path, reason: FileManager.default.fileExists(atPath: path) ? "permission denied or not a file" : "no such file")
        }
        return try parse([UInt8](data), path: path)
    }

    /// Parses a previous report held in memory (`path` names it in errors and spans).
    public static func parse(_ bytes: [UInt8], path: String) throws(BaselineError) -> Baseline {
        let value: Value
        do { value = try JSONReader.parse(bytes, file: FileID(path)) } catch {
            throw .invalidJSON(path: path, problem: error.description)
        }
        guard value.isMap else { throw .notABallastReport(path: path, reason: "the top level is a \(value.typeName), not an object") }
        guard value["tool"]?["name"]?.stringValue == "ballast" else {
            throw .notABallastReport(path: path, reason: "tool.name is not \"ballast\"")
        }
        guard let version = value["schemaVersion"]?.intValue else { throw .notABallastReport(path: path, reason: "no schemaVersion") }
        guard version == 1 else { throw .notABallastReport(path: path, reason: "schemaVersion \(version) is not supported (expected 1)") }
        guard let drift = value["drift"] else { return Baseline(entries: []) }   // a report of a run without drift
        guard let items = drift.listValue else { throw .notABallastReport(path: path, reason: "drift is a \(drift.typeName), not an array") }
        var entries: [Entry] = []
        for (k, item) in items.enumerated() {
            guard let object = item["object"]?.stringValue, let itemPath = item["path"]?.stringValue else {
                throw .notABallastReport(path: path, reason: "drift[\(k)] has no object and path")
            }
            let status = item["status"]?.stringValue.flatMap(DriftStatus.init(rawValue:))
            if status == .resolved { continue }
            entries.append(Entry(object: object, group: item["group"]?.stringValue, path: itemPath,
                                 desired: text(item["desired"]), live: text(item["live"]),
                                 driftClass: item["class"]?.stringValue.flatMap(DriftClass.init(rawValue:)),
                                 firstSeen: item["firstSeen"]?.stringValue, status: status))
        }
        return Baseline(entries: entries)
    }

    /// A value the report wrote as text (`"3"`) or as JSON (`3`).
    private static func text(_ value: Value?) -> String? {
        guard let value else { return nil }
        return value.stringValue ?? value.json
    }

    /// This run's items with a status: `new` (first seen `now`), `persisting` (first seen when the
    /// baseline first saw them), and a `resolved` item for each baseline item no longer present.
    public func apply(to items: [DriftItem], now: String) -> [DriftItem] {
        var previous: [String: Entry] = [:]
        for entry in entries { previous[entry.fingerprint] = entry }
        var seen: Set<String> = []
        var out = items
        for k in out.indices {
            let fingerprint = out[k].fingerprint
            seen.insert(fingerprint)
            if let entry = previous[fingerprint] {
                out[k].status = .persisting
                out[k].firstSeen = entry.firstSeen ?? now
            } else {
                out[k].status = .new
                out[k].firstSeen = now
            }
        }
        for entry in entries where !seen.contains(entry.fingerprint) {
            seen.insert(entry.fingerprint)
            guard let ref = Self.objectRef(entry.object, group: entry.group) else { continue }
            out.append(DriftItem(object: ref, path: entry.path, desired: entry.desired ?? "", live: entry.live ?? "",
                                 driftClass: entry.driftClass ?? .inPlace, remediation: "",
                                 message: "no longer differs", status: .resolved, firstSeen: entry.firstSeen))
        }
        out.sort(by: DriftItem.reportOrder)
        return out
    }

    /// `Kind/ns/name` or `Kind/name` back to an identity (group from the report, else the kind catalogue).
    static func objectRef(_ text: String, group: String?) -> ObjectRef? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty else { return nil }
        let group = group ?? KindCatalog.info(qualifiedKind: parts[0])?.group ?? ""
        return ObjectRef(group: group, kind: parts[0], namespace: parts.count == 3 ? parts[1] : nil, name: parts[parts.count - 1])
    }
}
