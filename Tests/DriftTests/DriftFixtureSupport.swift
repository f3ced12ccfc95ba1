import Foundation
import Testing
import KubeModel
import Findings
import ManifestIO
@testable import Drift

let driftRepositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
let driftFixtures = driftRepositoryRoot.appendingPathComponent("fixtures/drift")

/// The case directories of `fixtures/drift`, sorted.
func driftCaseNames() -> [String] {
    let names = (try? FileManager.default.contentsOfDirectory(atPath: driftFixtures.path)) ?? []
    return names.filter { name in
        FileManager.default.fileExists(atPath: driftFixtures.appendingPathComponent(name).appendingPathComponent("expected.txt").path)
    }.sorted()
}

/// One case read from disk: desired objects, live state and options.
struct DriftCase {
    var desired: [KubeObject]
    var live: LiveState
    var options: DriftOptions
    var expected: [String]

    init(name: String) throws {
        let directory = driftFixtures.appendingPathComponent(name)
        desired = try Self.objects(directory.appendingPathComponent("desired.yaml"), json: false)
        let liveObjects = try Self.objects(directory.appendingPathComponent("live.json"), json: true)
        options = DriftOptions()
        var completeKinds = Set((desired + liveObjects).map(\.ref.qualifiedKind))
        var unreadKinds: [String: String] = [:]
        let optionsFile = directory.appendingPathComponent("options.yaml")
        if FileManager.default.fileExists(atPath: optionsFile.path) {
            let documents = try OwnFormatReader.documents(atPath: optionsFile.path)
            let config = documents.first ?? Value(.map([]))
            for selector in config["management"]?.listValue ?? [] {
                if let key = selector["label"]?.stringValue {
                    options.management.append(ManagementSelector(.label, key: key, value: selector["value"]?.stringValue))
                } else if let key = selector["annotation"]?.stringValue {
                    options.management.append(ManagementSelector(.annotation, key: key, value: selector["value"]?.stringValue))
                }
            }
            for rule in config["ignore"]?.listValue ?? [] {
                options.ignore.append(DriftIgnoreRule(kind: rule["kind"]?.stringValue, namespace: rule["namespace"]?.stringValue,
                                                      name: rule["name"]?.stringValue,
                                                      paths: (rule["paths"]?.listValue ?? []).compactMap(\.stringValue),
                                                      reason: rule["reason"]?.stringValue ?? ""))
            }
            for entry in config["unreadKinds"]?.mapEntries ?? [] {
                unreadKinds[entry.key] = entry.value.stringValue ?? ""
                completeKinds.remove(entry.key)
            }
            for kind in config["incompleteKinds"]?.listValue ?? [] { if let k = kind.stringValue { completeKinds.remove(k) } }
        }
        live = LiveState(objects: liveObjects, completeKinds: completeKinds, unreadKinds: unreadKinds, serverVersion: "v1.33.4")
        let text = try String(contentsOf: directory.appendingPathComponent("expected.txt"), encoding: .utf8)
        expected = text.split(separator: "\n").map { String($0).trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    static func objects(_ url: URL, json: Bool) throws -> [KubeObject] {
        let bytes = [UInt8](try Data(contentsOf: url))
        let result = ManifestReader().parse(bytes, file: FileID(url.path), json: json)
        if let error = result.errors.first { throw FixtureError(message: "\(url.lastPathComponent): \(error)") }
        return result.objects.map(\.object)
    }
}

struct FixtureError: Error, CustomStringConvertible { var message: String; var description: String { message } }

/// An item as `expected.txt` spells it: `Kind/ns/name path: desired -> live [class]`, `<object>` for the
/// object itself, ` waived` when a waiver or ignore rule suppresses it.
func expectedLine(_ item: DriftItem, withClass: Bool) -> String {
    var line = "\(item.object) \(item.path.isEmpty ? "<object>" : item.path): \(item.desired) -> \(item.live)"
    if withClass { line += " [\(item.driftClass.rawValue)]" }
    if item.waiver != nil { line += " waived" }
    return line
}

/// The lines a comparison gives, matched against expected lines: an expected line without `[class]`
/// matches an item's line without it.
func renderedLines(_ comparison: DriftComparison, expected: [String]) -> [String] {
    var lines: [String] = []
    for item in comparison.items {
        let full = expectedLine(item, withClass: true)
        lines.append(expected.contains(full) ? full : expectedLine(item, withClass: false))
    }
    for object in comparison.uncompared { lines.append("uncompared: \(object.object)") }
    for note in comparison.notes { lines.append("note: \(note.ruleID) \(note.object.map(\.description) ?? "")") }
    return lines.isEmpty ? ["none"] : lines.sorted()
}
