import Testing
import KubeModel
import Findings
import DesiredState

@Suite("Shard")
struct ShardTests {
    @Test func parsesOnlyIndexOverCount() {
        #expect(Shard(parsing: "2/4").map { [$0.index, $0.count] } == [2, 4])
        #expect(Shard(parsing: "0/1") != nil)
        for bad in ["4/4", "1", "-1/2", "a/b", "1/0", "0/", "/2", "+1/2", "1/2/3", " 1/2", "١/٢"] {
            #expect(Shard(parsing: bad) == nil, "\(bad)")
        }
    }

    /// FNV-1a 64 test vectors (Fowler–Noll–Vo reference: "" and "a", "foobar").
    @Test func hashIsFNV1a64() {
        #expect(Shard.hash("") == 0xcbf29ce484222325)
        #expect(Shard.hash("a") == 0xaf63dc4c8601ec8c)
        #expect(Shard.hash("foobar") == 0x85944171f73967e8)
    }

    @Test func clusterScopedObjectsAreShardZero() throws {
        let zero = try #require(Shard(parsing: "0/3")), one = try #require(Shard(parsing: "1/3"))
        #expect(zero.contains(namespace: nil) && !one.contains(namespace: nil))
        let everyNamespace = (0..<50).map { "ns-\($0)" }
        for name in everyNamespace {
            let holders = (0..<3).filter { Shard(parsing: "\($0)/3")!.contains(namespace: name) }
            #expect(holders.count == 1, "\(name) is in \(holders)")
        }
    }

    @Test func namespacesAreGitsAndLiveOnlyOnesOfTheShard() throws {
        let shard = try #require(Shard(parsing: "3/4"))
        let refs = ["redis", "postgres", "rabbitmq"].map { ObjectRef(group: "apps", kind: "StatefulSet", namespace: $0, name: "x") }
        #expect(shard.namespaces(desired: refs, live: ["monitoring", "kube-system"], restrictedTo: nil) == ["monitoring", "rabbitmq"])
        #expect(shard.namespaces(desired: refs, live: ["monitoring"], restrictedTo: ["rabbitmq"]) == ["rabbitmq"])
    }

    @Test func restrictedResultKeepsItsOwnAndFileLevelOnShardZero() throws {
        let redis = ObjectRef(group: "apps", kind: "StatefulSet", namespace: "redis", name: "r")
        let postgres = ObjectRef(group: "apps", kind: "StatefulSet", namespace: "postgres", name: "p")
        let result = RunResult(findings: [
            Finding(ruleID: "a", severity: .error, message: "m", object: redis),
            Finding(ruleID: "b", severity: .error, message: "m", object: postgres),
            Finding(ruleID: "invalid-yaml", severity: .error, message: "m"),
        ], failures: [ReadFailure(source: "x.yaml", reason: "unreadable")])
        let zero = result.restricted(to: try #require(Shard(parsing: "0/4")))
        let two = result.restricted(to: try #require(Shard(parsing: "2/4")))
        #expect(zero.findings.map(\.ruleID) == ["a", "invalid-yaml"])
        #expect(two.findings.map(\.ruleID) == ["b"])
        #expect(two.failures.count == 1, "a read failure makes every shard incomplete")
    }
}
