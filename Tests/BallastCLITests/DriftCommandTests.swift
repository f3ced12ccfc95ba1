import Foundation
import Testing

/// `ballast drift` and `ballast check` end to end on the bundled example: fixtures/gitops against
/// fixtures/cluster, a snapshot of the cluster running it with four drifts made by hand.
@Suite("ballast drift and check")
struct DriftCommandTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    func driftLines(_ report: [String: Any]) -> [String] {
        ((report["drift"] as? [[String: Any]]) ?? []).map { item in
            "\(item["object"] ?? "") \(item["path"] ?? ""): \(item["desired"] ?? "") -> \(item["live"] ?? "") [\(item["class"] ?? "")]"
        }.sorted()
    }

    @Test func theFourDriftsOfTheExample() throws {
        let run = try ballast(["drift", "fixtures/gitops", "--snapshot", "fixtures/cluster", "--format", "json"])
        #expect(run.status == 1, "\(run.stderr)")
        let report = try json(run.stdout)
        #expect(driftLines(report) == [
            #"PersistentVolumeClaim/postgres/data-postgres-0 spec.resources.requests.storage: "50Gi" -> "80Gi" [git-behind]"#,
            #"PersistentVolumeClaim/rabbitmq/data-rabbitmq-3 : <orphaned> -> {"phase":"Bound","storage":"20Gi"} [recreate-data-risk]"#,
            #"StatefulSet/postgres/postgres spec.template.spec.containers[name=postgres].image: "europe-west1-docker.pkg.dev/acme-platform/images/postgres-walg:16.4-walg3.0.3" -> "postgres:16.6" [in-place]"#,
            #"StatefulSet/redis/redis spec.replicas: 3 -> 4 [in-place]"#,
        ])
        let items = try #require(report["drift"] as? [[String: Any]])
        let replicas = try #require(items.first { ($0["path"] as? String) == "spec.replicas" })
        let who = try #require((replicas["attribution"] as? [[String: Any]])?.first)
        #expect(who["manager"] as? String == "kubectl")
        #expect(who["subresource"] as? String == "scale")
        #expect(replicas["file"] as? String == "fixtures/gitops/apps/redis/statefulset.yaml")
        #expect((report["uncompared"] as? [Any])?.isEmpty ?? true)
    }

    @Test func checkPutsLintDriftAndLiveInOneReport() throws {
        let run = try ballast(["check", "fixtures/gitops", "--snapshot", "fixtures/cluster", "--format", "json"])
        #expect(run.status == 1, "\(run.stderr)")
        let report = try json(run.stdout)
        let findings = (report["findings"] as? [[String: Any]]) ?? []
        let live = findings.filter { ($0["category"] as? String) == "live" }.map { "\($0["rule"] ?? "") \($0["object"] ?? "")" }.sorted()
        #expect(live == ["pvc-usage-high PersistentVolumeClaim/postgres/data-postgres-0",
                         "pvc-usage-high PersistentVolumeClaim/rabbitmq/data-rabbitmq-0"])
        #expect(!findings.contains { ($0["category"] as? String) == "lint" }, "fixtures/gitops lints clean")
        #expect(driftLines(report).count == 4)
    }

    @Test func theTextReportGroupsByObjectAndSaysWho() throws {
        let run = try ballast(["check", "fixtures/gitops", "--snapshot", "fixtures/cluster", "--quiet"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("drift in StatefulSet/redis/redis (fixtures/gitops/apps/redis/statefulset.yaml):"))
        #expect(run.stdout.contains("spec.replicas: 3 → 4 [in-place] by kubectl Update/scale 2026-11-27T22:41:07Z"))
    }

    @Test func aBaselineAgesTheDrift() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let first = dir.appendingPathComponent("night1.json").path
        let one = try ballast(["drift", "fixtures/gitops", "--snapshot", "fixtures/cluster", "--format", "json=\(first)"])
        #expect(one.status == 1)
        let two = try ballast(["drift", "fixtures/gitops", "--snapshot", "fixtures/cluster", "--baseline", first, "--format", "json"])
        #expect(two.status == 1)
        let items = (try json(two.stdout)["drift"] as? [[String: Any]]) ?? []
        #expect(items.count == 4)
        #expect(items.allSatisfy { ($0["status"] as? String) == "persisting" && $0["firstSeen"] != nil }, "\(items)")
        // Not a Ballast report: a configuration error.
        let bogus = dir.appendingPathComponent("bogus.json").path
        try #"{"hello": "world"}"#.write(toFile: bogus, atomically: true, encoding: .utf8)
        let bad = try ballast(["drift", "fixtures/gitops", "--snapshot", "fixtures/cluster", "--baseline", bogus])
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("bogus.json"))
    }

    @Test func driftIgnoreAndWaiversKeepItemsOutOfTheVerdict() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let config = dir.appendingPathComponent("ballast.yaml").path
        try """
            drift:
              ignore:
              - {kinds: [StatefulSet], names: [redis, postgres], reason: "the on-call team scales and patches these by hand"}
              - {kinds: [PersistentVolumeClaim], namespaces: [postgres, rabbitmq], reason: "claims are handled in the storage migration"}
            """.write(toFile: config, atomically: true, encoding: .utf8)
        let run = try ballast(["drift", "fixtures/gitops", "--snapshot", "fixtures/cluster", "--config", config, "--format", "json"])
        #expect(run.status == 0, "every item is waived: \(run.stdout)")
        let items = (try json(run.stdout)["drift"] as? [[String: Any]]) ?? []
        #expect(items.count == 4)
        #expect(items.allSatisfy { ($0["suppressed"] as? Bool) == true })
    }

    @Test func anObjectNotComparedIsNeverNoDrift() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try """
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            metadata: {name: web, namespace: redis}
            spec: {rules: [{host: web.example}]}
            """.write(to: dir.appendingPathComponent("ingress.yaml"), atomically: true, encoding: .utf8)
        let run = try ballast(["drift", dir.path, "--snapshot", "fixtures/cluster"])
        #expect(run.status == 3, "\(run.stdout)")
        #expect(run.stdout.contains("not compared: Ingress/redis/web"))
        #expect(!run.stdout.contains("no drift"))
        #expect(!run.stdout.contains("clean"))
    }
}
