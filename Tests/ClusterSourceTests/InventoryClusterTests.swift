import Foundation
import Testing
@testable import ClusterSource

/// `ballast inventory` against the stand-in API server.
@Suite("ballast inventory (CLI, cluster)", .serialized)
struct InventoryClusterTests {
    /// `ballast inventory` from the cluster: live replicas and the claims' usage from kubelet stats.
    @Test func inventoryReadsTheCluster() throws {
        let server = try StandIn()
        let kubeconfig = try server.write("config", server.kubeconfig())
        let gitops = TestPaths.repository + "/fixtures/gitops"
        let run = shell("'\(SnapshotCommandTests.binary)' inventory '\(gitops)' --kubeconfig '\(kubeconfig)'")
        #expect(run.status == 0, "\(run.err)")
        #expect(run.out.contains("live state read"), "\(run.out)")
        #expect(run.out.contains("| 3 (live 4) |"), "the hand-made kubectl scale of redis: \(run.out)")
        #expect(run.out.contains("`redis/data-redis-0`"), "no usage from kubelet stats: \(run.out)")
    }
}
