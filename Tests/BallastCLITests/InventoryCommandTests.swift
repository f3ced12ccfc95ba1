import Foundation
import Testing

/// `ballast inventory` beyond the goldens: what manifests write cannot drive the page, Velero and
/// live-only stores are found, and unreadable input is exit 3.
@Suite("ballast inventory")
struct InventoryCommandTests {
    static let hostile = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata:
          name: cache
          namespace: team-a
          annotations: {ballast.dev/rpo: "<script>alert(1)</script>", ballast.dev/rto: "a|b\\u001b[31m"}
        spec:
          replicas: 2
          serviceName: cache
          selector: {matchLabels: {app: cache}}
          template:
            metadata: {labels: {app: cache}}
            spec: {containers: [{name: valkey, image: "registry.example/valkey/valkey:8@sha256:abc"}]}
          volumeClaimTemplates:
          - metadata: {name: data}
            spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1.5Gi}}}
        ---
        apiVersion: velero.io/v1
        kind: Schedule
        metadata: {name: nightly, namespace: velero}
        spec: {schedule: "0 3 * * *", template: {includedNamespaces: [team-a]}}
        ---
        apiVersion: velero.io/v1
        kind: Schedule
        metadata: {name: others, namespace: velero}
        spec: {schedule: "0 4 * * *", template: {includedNamespaces: ["*"], excludedNamespaces: [team-a]}}
        """

    func write(_ text: String) throws -> URL {
        let dir = try temporaryDirectory()
        try text.write(to: dir.appendingPathComponent("cache.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func valuesFromManifestsStayText() throws {
        let dir = try write(Self.hostile)
        defer { try? FileManager.default.removeItem(at: dir) }
        let html = try ballast(["inventory", dir.path, "--format", "html"])
        #expect(html.status == 0, "\(html.stderr)")
        #expect(!html.stdout.contains("<script>") && html.stdout.contains("&lt;script&gt;"))
        #expect(!html.stdout.contains("\u{1B}"))
        let markdown = try ballast(["inventory", dir.path])
        #expect(!markdown.stdout.contains("<script>") && !markdown.stdout.contains("\u{1B}"))
        #expect(markdown.stdout.contains("a\\|b\\u{1B}[31m"), "\(markdown.stdout)")
    }

    @Test func veleroScheduleOfTheNamespaceAndExactSizes() throws {
        let dir = try write(Self.hostile)
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try ballast(["inventory", dir.path, "--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let store = try #require((report["stores"] as? [[String: Any]])?.first)
        #expect(store["engine"] as? String == "valkey")
        #expect(store["totalSize"] as? String == "3Gi", "1.5Gi × 2, exactly")
        let backups = store["backups"] as? [[String: Any]] ?? []
        #expect(backups.map { $0["object"] as? String } == ["velero/nightly"], "\(backups)")
        #expect(backups.first?["mechanism"] as? String == "Velero Schedule")
    }

    @Test func unreadableSnapshotIsIncomplete() throws {
        let run = try ballast(["inventory", "fixtures/gitops", "--snapshot", "/nonexistent/snapshot"])
        #expect(run.status == 3, "\(run.stderr)")
    }

    /// A snapshot that says it is incomplete: exit 3, and every format says so before the tables.
    @Test func missingKindIsIncompleteInEveryFormat() throws {
        let snapshot = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: snapshot) }
        let source = packageRoot.appendingPathComponent("fixtures/cluster")
        for name in try FileManager.default.contentsOfDirectory(atPath: source.path) {
            try FileManager.default.copyItem(at: source.appendingPathComponent(name), to: snapshot.appendingPathComponent(name))
        }
        let meta = snapshot.appendingPathComponent("snapshot.json")
        let text = try String(contentsOf: meta, encoding: .utf8)
        try text.replacingOccurrences(of: "\"complete\": true", with: "\"complete\": false").write(to: meta, atomically: true, encoding: .utf8)
        for format in ["markdown", "json", "html"] {
            let run = try ballast(["inventory", "fixtures/gitops", "--snapshot", snapshot.path, "--format", format])
            #expect(run.status == 3, "\(format): \(run.stderr)")
            #expect(run.stdout.contains("ncomplete"), "\(format): \(run.stdout.prefix(400))")
            #expect(!run.stdout.contains("\"incomplete\": []"), "\(format)")
        }
    }

    @Test func oneClusterSourceAtMost() throws {
        let run = try ballast(["inventory", "fixtures/gitops", "--snapshot", "fixtures/cluster", "--in-cluster"])
        #expect(run.status == 2)
    }
}
