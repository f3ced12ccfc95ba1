import Foundation
import Testing
import KubeModel
import Findings
@testable import Drift

@Suite("baselines")
struct BaselineTests {
    let redis = ObjectRef(group: "apps", kind: "StatefulSet", namespace: "data", name: "redis")

    func item(_ path: String, object: ObjectRef? = nil) -> DriftItem {
        DriftItem(object: object ?? redis, path: path, desired: "3", live: "4", driftClass: .inPlace, remediation: "apply")
    }

    let previous = """
    {"schemaVersion": 1, "tool": {"name": "ballast", "version": "0.4.0"},
     "findings": [],
     "drift": [
      {"object": "StatefulSet/data/redis", "path": "spec.replicas", "desired": "3", "live": "5", "class": "in-place",
       "firstSeen": "2026-11-20T02:00:00Z", "status": "new"},
      {"object": "StorageClass/gp3", "path": "reclaimPolicy", "desired": "\\"Delete\\"", "live": "\\"Retain\\"",
       "class": "recreate", "firstSeen": "2026-11-01T02:00:00Z", "status": "persisting"},
      {"object": "ConfigMap/data/old", "path": "data.x", "firstSeen": "2026-10-01T02:00:00Z", "status": "resolved"}
     ]}
    """

    @Test("new, persisting with the first time seen, and resolved")
    func statuses() throws {
        let baseline = try Baseline.parse(Array(previous.utf8), path: "prev.json")
        #expect(baseline.entries.count == 2)
        let now = "2026-12-03T02:00:00Z"
        let out = baseline.apply(to: [item("spec.replicas"), item("spec.template.spec.containers[name=redis].image")], now: now)
        #expect(out.count == 3)
        let replicas = try #require(out.first { $0.path == "spec.replicas" })
        #expect(replicas.status == .persisting && replicas.firstSeen == "2026-11-20T02:00:00Z" && replicas.desired == "3")
        let image = try #require(out.first { $0.path.hasSuffix(".image") })
        #expect(image.status == .new && image.firstSeen == now)
        let resolved = try #require(out.first { $0.status == .resolved })
        #expect(resolved.object == ObjectRef(group: "storage.k8s.io", kind: "StorageClass", namespace: nil, name: "gp3"))
        #expect(resolved.firstSeen == "2026-11-01T02:00:00Z" && resolved.driftClass == .recreate && !resolved.isActive)
        #expect(resolved.live == "\"Retain\"")
    }

    @Test("a report of a run without drift is an empty baseline")
    func noDrift() throws {
        let baseline = try Baseline.parse(Array(#"{"schemaVersion":1,"tool":{"name":"ballast"},"findings":[]}"#.utf8), path: "p")
        #expect(baseline.entries.isEmpty)
        #expect(baseline.apply(to: [item("spec.replicas")], now: "t").map(\.status) == [.new])
    }

    @Test("files that are not Ballast reports are refused with the reason", arguments: [
        (#"[1, 2]"#, BaselineError.notABallastReport(path: "p", reason: "the top level is a array, not an object")),
        (#"{"schemaVersion": 1, "drift": []}"#, .notABallastReport(path: "p", reason: "tool.name is not \"ballast\"")),
        (#"{"tool": {"name": "ballast"}}"#, .notABallastReport(path: "p", reason: "no schemaVersion")),
        (#"{"schemaVersion": 2, "tool": {"name": "ballast"}}"#, .notABallastReport(path: "p", reason: "schemaVersion 2 is not supported (expected 1)")),
        (#"{"schemaVersion": 1, "tool": {"name": "ballast"}, "drift": {}}"#, .notABallastReport(path: "p", reason: "drift is a object, not an array")),
        (#"{"schemaVersion": 1, "tool": {"name": "ballast"}, "drift": [{"path": "x"}]}"#, .notABallastReport(path: "p", reason: "drift[0] has no object and path")),
    ])
    func refused(_ text: String, _ error: BaselineError) {
        #expect(throws: error) { try Baseline.parse(Array(text.utf8), path: "p") }
    }

    @Test("not JSON, and a missing file")
    func unreadable() {
        #expect { try Baseline.parse(Array("schemaVersion: 1".utf8), path: "p.yaml") } throws: { error in
            guard case BaselineError.invalidJSON(let path, _) = error else { return false }
            return path == "p.yaml"
        }
        #expect(throws: BaselineError.unreadable(path: "/nonexistent/prev.json", reason: "no such file")) {
            try Baseline.load(path: "/nonexistent/prev.json")
        }
    }

    @Test("load reads a file from disk")
    func load() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-baseline-\(getpid()).json").path
        try previous.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(try Baseline.load(path: path).entries.count == 2)
    }
}
