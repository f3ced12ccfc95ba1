import Foundation
import Testing
import KubeModel
@testable import ClusterSource

/// `ballast drift --shard i/n` against the stand-in API server: each shard lists namespaced kinds only
/// in its own namespaces (git's, and the live-only ones found by listing Namespaces first), never across
/// all namespaces.
@Suite("--shard requests (CLI)", .serialized)
struct ShardRequestTests {
    /// FNV-1a 64 of the name mod n, as `Shard` documents it (computed here independently).
    static func shard(of namespace: String, count: Int) -> Int {
        var hash: UInt64 = 0xcbf29ce484222325
        for byte in namespace.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100000001b3 }
        return Int(hash % UInt64(count))
    }

    @Test func eachShardListsOnlyItsNamespaces() throws {
        let gitops = TestPaths.repository + "/fixtures/gitops"
        var namespacesSeen: Set<String> = []
        for index in 0..<4 {
            let server = try StandIn()
            let kubeconfig = try server.write("config", server.kubeconfig())
            let run = shell("'\(SnapshotCommandTests.binary)' drift '\(gitops)' --kubeconfig '\(kubeconfig)' --shard \(index)/4 --format json")
            #expect([0, 1].contains(run.status), "shard \(index): \(run.err)")
            let paths = try server.requests().compactMap { $0["path"]?.stringValue }
            let namespaced = paths.compactMap { path -> String? in
                guard let range = path.range(of: "/namespaces/") else { return nil }
                return path[range.upperBound...].split(separator: "/").first.map(String.init)
            }
            for namespace in namespaced {
                #expect(Self.shard(of: namespace, count: 4) == index, "shard \(index) listed in namespace \(namespace)")
            }
            namespacesSeen.formUnion(namespaced)
            // Namespaced kinds are never listed across all namespaces: only cluster-scoped kinds and discovery.
            let statefulSetLists = paths.filter { $0.hasSuffix("/statefulsets") }
            #expect(statefulSetLists.allSatisfy { $0.contains("/namespaces/") }, "\(statefulSetLists)")
            #expect(paths.contains("/api/v1/namespaces"), "shard \(index) did not list the namespaces first")
        }
        // Together the shards read every namespace of the repository and the live-only ones.
        #expect(namespacesSeen.isSuperset(of: ["redis", "postgres", "rabbitmq", "monitoring"]), "\(namespacesSeen.sorted())")
        #expect(namespacesSeen.contains("kube-system"), "a live-only namespace was not read: \(namespacesSeen.sorted())")
    }

    /// A shard that cannot list the namespaces cannot know the live-only ones: incomplete, never clean.
    @Test func deniedNamespaceListIsIncomplete() throws {
        let server = try StandIn()
        try server.control("deny", "{\"deny\":{\"alice\":[\"list namespaces\"]}}")
        let kubeconfig = try server.write("config", server.kubeconfig())
        let gitops = TestPaths.repository + "/fixtures/gitops"
        let run = shell("'\(SnapshotCommandTests.binary)' drift '\(gitops)' --kubeconfig '\(kubeconfig)' --shard 1/4 2>&1")
        #expect(run.status == 3, "\(run.out)")
        #expect(run.out.contains("namespaces (for --shard 1/4)"), "\(run.out)")
    }
}
