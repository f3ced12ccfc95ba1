import Foundation
import Testing
@testable import ClusterSource

/// `ballast drift` end to end: the built binary, a real git repository made from fixtures/gitops, and the
/// stand-in API server serving fixtures/cluster over TLS. The fixture holds exactly four hand-made drifts
/// (fixtures/cluster/make_fixtures.py); the report must name those four and nothing else.
@Suite("ballast drift (CLI, stand-in cluster)", .serialized)
struct DriftCommandTests {
    /// A git repository (one commit) holding a copy of fixtures/gitops.
    static func gitopsRepository(in directory: String) throws -> String {
        let repo = directory + "/gitops"
        let source = TestPaths.repository + "/fixtures/gitops"
        let script = """
        set -e
        cp -R '\(source)' '\(repo)'
        cd '\(repo)'
        git init -q -b main .
        git add -A
        git -c user.name=test -c user.email=test@example.com -c commit.gpgsign=false commit -q -m 'fixtures/gitops'
        """
        let made = shell(script)
        guard made.status == 0 else { throw ClusterError.unreachable(server: "git", detail: made.err) }
        return repo
    }

    /// The kubectl that renders kustomizations: ci/setup's (kustomize v5) when present, else PATH's.
    static var kubectlEnvironment: String {
        let venv = TestPaths.repository + "/.tools/venv/bin/kubectl"
        return FileManager.default.isExecutableFile(atPath: venv) ? "BALLAST_KUBECTL='\(venv)' " : ""
    }

    @Test func reportsExactlyTheFixturesFourDrifts() throws {
        let server = try StandIn()
        let kubeconfig = try server.write("config", server.kubeconfig())
        let repo = try Self.gitopsRepository(in: server.directory)
        let report = server.directory + "/drift.json"
        let run = shell("\(Self.kubectlEnvironment)'\(SnapshotCommandTests.binary)' drift --repo '\(repo)' --kubeconfig '\(kubeconfig)' "
                        + "--format json='\(report)' --format text 2>&1")
        #expect(run.status == 1, "exit \(run.status): \(run.out)")
        let data = try #require(FileManager.default.contents(atPath: report), "no JSON report: \(run.out)")
        let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let items = try #require(json["drift"] as? [[String: Any]], "no drift key")

        func item(_ object: String, _ path: String) -> [String: Any]? {
            items.first { $0["object"] as? String == object && $0["path"] as? String == path }
        }
        func manager(_ item: [String: Any]?) -> String? {
            ((item?["attribution"] as? [[String: Any]])?.first)?["manager"] as? String
        }
        let summary = items.map { "\($0["object"] ?? "?") \($0["path"] ?? "?") \($0["desired"] ?? "?") → \($0["live"] ?? "?")" }
        #expect(items.count == 4, "\(summary)")

        let replicas = item("StatefulSet/redis/redis", "spec.replicas")
        #expect(replicas?["desired"] as? String == "3" && replicas?["live"] as? String == "4", "\(summary)")
        #expect(manager(replicas) == "kubectl")
        let scale = (replicas?["attribution"] as? [[String: Any]])?.first
        #expect(scale?["subresource"] as? String == "scale")

        let image = item("StatefulSet/postgres/postgres", "spec.template.spec.containers[name=postgres].image")
        #expect(image?["live"] as? String == "\"postgres:16.6\"", "\(summary)")
        #expect(manager(image) == "kubectl-edit")

        let storage = item("PersistentVolumeClaim/postgres/data-postgres-0", "spec.resources.requests.storage")
        #expect(storage?["desired"] as? String == "\"50Gi\"" && storage?["live"] as? String == "\"80Gi\"", "\(summary)")
        #expect(storage?["class"] as? String == "git-behind")

        let orphan = item("PersistentVolumeClaim/rabbitmq/data-rabbitmq-3", "")
        #expect(orphan?["desired"] as? String == "<orphaned>", "\(summary)")
        #expect((orphan?["live"] as? String)?.contains("Bound") == true)

        // The run read every kind it needed: drift found is exit 1, not an incomplete run (3).
        #expect(run.out.contains("drift in StatefulSet/redis/redis"), "\(run.out)")
        #expect(!run.out.contains(StandIn.aliceToken))
    }
}
