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

    /// PVs bound to claims of other shards' namespaces (Tests/Fixtures/shard/volumes-across-shards.json:
    /// Released in postgres, Delete against git's Retain class in rabbitmq, Failed in redis, one Available),
    /// served live: shard 0 lists the volumes as a Table and GETs only those a check reports on, the other
    /// shards read no PV at all, and the four reports together are the unsharded one.
    @Test func volumesAcrossShards() throws {
        let snapshot = try Self.snapshotWithVolumesAcrossShards()
        defer { try? FileManager.default.removeItem(atPath: snapshot) }
        let server = try StandIn(snapshot: snapshot)
        let kubeconfig = try server.write("config", server.kubeconfig())
        let gitops = TestPaths.repository + "/fixtures/gitops"
        func run(_ shard: String?) throws -> (items: [String], compared: Int, requests: [(path: String, accept: String)]) {
            try server.control("reset")
            let run = shell("'\(SnapshotCommandTests.binary)' check '\(gitops)' --kubeconfig '\(kubeconfig)' --format json"
                            + (shard.map { " --shard \($0)" } ?? ""))
            #expect([0, 1].contains(run.status), "\(shard ?? "unsharded"): \(run.err)")
            let report = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
            var items: [String] = []
            for key in ["findings", "drift"] {
                for item in report[key] as? [Any] ?? [] {
                    items.append(String(decoding: try JSONSerialization.data(withJSONObject: item, options: [.sortedKeys]), as: UTF8.self))
                }
            }
            let compared = (report["summary"] as? [String: Any])?["objectsCompared"] as? Int ?? 0
            let requests = try server.requests().map { ($0["path"]?.stringValue ?? "", $0["accept"]?.stringValue ?? "") }
            return (items, compared, requests)
        }
        let whole = try run(nil)
        for name in ["pvc-shard-released-postgres", "pvc-shard-delete-rabbitmq", "pvc-shard-failed-redis"] {
            #expect(whole.items.contains { $0.contains(name) }, "the unsharded report says nothing about \(name)")
        }
        var union: [String] = []
        var compared = 0
        for index in 0..<4 {
            let part = try run("\(index)/4")
            union += part.items
            compared += part.compared
            let volumeRequests = part.requests.filter { $0.path.hasPrefix("/api/v1/persistentvolumes") }
            if index == 0 {
                let lists = volumeRequests.filter { $0.path == "/api/v1/persistentvolumes" }
                #expect(!lists.isEmpty && lists.allSatisfy { $0.accept.contains("as=Table") }, "\(lists)")
                let fetched = Set(volumeRequests.map(\.path).filter { $0 != "/api/v1/persistentvolumes" })
                #expect(fetched == Set(["pvc-shard-released-postgres", "pvc-shard-delete-rabbitmq", "pvc-shard-failed-redis"]
                    .map { "/api/v1/persistentvolumes/" + $0 }), "\(fetched.sorted())")
            } else {
                #expect(volumeRequests.isEmpty, "shard \(index) read PVs: \(volumeRequests)")
            }
        }
        #expect(union.sorted() == whole.items.sorted(), "the shards' findings and drift differ from the unsharded run's")
        #expect(compared == whole.compared)
    }

    /// fixtures/cluster with the PVs of Tests/Fixtures/shard/volumes-across-shards.json added, in a new
    /// temporary directory (the caller removes it).
    static func snapshotWithVolumesAcrossShards() throws -> String {
        let directory = NSTemporaryDirectory() + "ballast-shard-volumes-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.copyItem(atPath: TestPaths.fixtures, toPath: directory)
        let extraPath = TestPaths.repository + "/Tests/Fixtures/shard/volumes-across-shards.json"
        let extra = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: extraPath))) as? [Any] ?? []
        let file = directory + "/persistentvolumes.json"
        var list = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        list["items"] = (list["items"] as? [Any] ?? []) + extra
        try JSONSerialization.data(withJSONObject: list).write(to: URL(fileURLWithPath: file))
        return directory
    }
}
