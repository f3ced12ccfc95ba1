import Foundation
import KubeModel
import Testing
@testable import ClusterSource

/// Whether `readAll`/`capture` (the in-scope kinds) read objects of this kind.
private func isDefaultKind(_ object: KubeObject) -> Bool {
    ClusterClient.defaultKinds.contains { $0.qualifiedKind == object.ref.qualifiedKind }
}

@Suite("snapshots, fixtures, PVC usage and kubectl as the oracle")
struct SnapshotTests {
    @Test("fixtures/cluster reads as a snapshot; its names line up with the GitOps repo")
    func fixtures() throws {
        let result = try Snapshot.read(from: TestPaths.fixtures)
        #expect(result.isComplete)
        #expect(result.serverVersion == "v1.32.4-gke.1106000")
        func names(_ kind: String) -> [String] {
            result.objects.filter { $0.kind == kind }.map { "\($0.namespace.map { $0 + "/" } ?? "")\($0.name)" }.sorted()
        }
        #expect(names("StatefulSet") == ["postgres/postgres", "rabbitmq/rabbitmq", "redis/redis"])
        #expect(names("StorageClass") == ["fast-ssd", "standard-hdd", "standard-rwo"])
        #expect(names("Service").filter { $0.hasSuffix("-headless") } == ["postgres/postgres-headless", "rabbitmq/rabbitmq-headless", "redis/redis-headless"])
        #expect(names("CronJob") == ["postgres/postgres-backup", "postgres/postgres-restore-test", "rabbitmq/rabbitmq-backup",
                                     "rabbitmq/rabbitmq-restore-test", "redis/redis-backup", "redis/redis-restore-test"])
        #expect(names("PodDisruptionBudget") == ["postgres/postgres-pdb", "rabbitmq/rabbitmq-pdb", "redis/redis-pdb"])
        #expect(names("ConfigMap").filter { $0.hasSuffix("-config") } == ["postgres/postgres-config", "rabbitmq/rabbitmq-config", "redis/redis-config"])
        #expect(names("PersistentVolumeClaim").contains("rabbitmq/data-rabbitmq-3"))   // the orphan
        // Every kind git holds is listed, beyond the in-scope ones (derived from fixtures/gitops).
        #expect(names("ServiceAccount") == ["postgres/postgres", "rabbitmq/rabbitmq-peer-discovery"])
        #expect(names("Role") == ["rabbitmq/rabbitmq-peer-discovery"] && names("RoleBinding") == ["rabbitmq/rabbitmq-peer-discovery"])
        #expect(names("PrometheusRule") == ["monitoring/data-volumes"])
        #expect(names("ServiceMonitor") == ["postgres/postgres", "rabbitmq/rabbitmq"] && names("PodMonitor") == ["redis/redis"])
        #expect(names("NetworkPolicy") == ["postgres/postgres", "rabbitmq/rabbitmq", "redis/redis"])
        #expect(result.lists.first { $0.kind == "NetworkPolicy" }?.apiVersion == "networking.k8s.io/v1")
        #expect(names("Secret").isEmpty)
        #expect(names("PersistentVolumeClaim").filter { $0.hasSuffix("-backup") } == ["postgres/postgres-backup", "rabbitmq/rabbitmq-backup", "redis/redis-backup"])
        let sts = Dictionary(uniqueKeysWithValues: result.objects.filter { $0.kind == "StatefulSet" }.map { ($0.name, $0) })
        #expect(sts["redis"]?.value[path: "spec", "replicas"]?.intValue == 4)   // kubectl scale
        #expect(sts["postgres"]?.value[path: "spec", "replicas"]?.intValue == 2)
        let vct = sts["rabbitmq"]?.value[path: "spec", "volumeClaimTemplates"]?.listValue?.first
        #expect(vct?[path: "spec", "storageClassName"]?.stringValue == "standard-hdd")
        #expect(vct?[path: "spec", "resources", "requests", "storage"]?.stringValue == "20Gi")
        let pg0 = result.objects.first { $0.kind == "PersistentVolumeClaim" && $0.name == "data-postgres-0" }
        #expect(pg0?.value[path: "spec", "resources", "requests", "storage"]?.stringValue == "80Gi")   // expanded by hand
        // Objects carry apiVersion/kind (restored) and spans into the list files.
        #expect(sts["redis"]?.value["apiVersion"]?.stringValue == "apps/v1")
        #expect(sts["postgres"]?.span?.description == TestPaths.fixtures + "/statefulsets.apps.json:2:1")
        #expect(sts["redis"]?.span?.line == 4)
    }

    @Test("write then read gives the same objects; files 0600 in a 0700 directory; items as the API sends them")
    func roundTrip() throws {
        let server = try StandIn()
        let live = try server.client().readAll()
        #expect(live.isComplete)
        let dir = server.directory + "/snap"
        try Snapshot.write(live, to: dir)
        var st = stat()
        #expect(stat(dir, &st) == 0 && st.st_mode & 0o777 == 0o700)
        for file in try FileManager.default.contentsOfDirectory(atPath: dir) {
            #expect(stat(dir + "/" + file, &st) == 0 && st.st_mode & 0o777 == 0o600, "\(file)")
        }
        let back = try Snapshot.read(from: dir)
        #expect(back.objects.count == live.objects.count)
        #expect(Set(back.objects.map(\.ref)) == Set(live.objects.map(\.ref)))
        for object in live.objects {
            #expect(back.objects.first { $0.ref == object.ref }?.value == object.value, "\(object.ref)")
        }
        // Same objects as the fixture the server served, of the kinds readAll reads (the fixture also holds
        // the other kinds git holds: ServiceAccounts, RBAC, NetworkPolicies, monitoring CRs).
        let fixture = try Snapshot.read(from: TestPaths.fixtures)
        #expect(Set(fixture.objects.filter(isDefaultKind).map(\.ref)) == Set(back.objects.map(\.ref)))
        let text = try String(contentsOfFile: dir + "/statefulsets.apps.json", encoding: .utf8)
        #expect(text.hasPrefix("{\"kind\":\"StatefulSetList\",\"apiVersion\":\"apps/v1\",\"metadata\":{\"resourceVersion\":"))
        #expect(text.contains("\n{\"metadata\":{\"name\":\"postgres\""))   // no per-item apiVersion/kind
        // An incomplete read stays incomplete through a snapshot.
        var partial = live
        partial.incomplete = [Incomplete(what: "apps/StatefulSet", reason: "permission denied")]
        try Snapshot.write(partial, to: dir)
        #expect(try Snapshot.read(from: dir).incomplete == partial.incomplete)
        #expect(throws: ClusterError.self) { try Snapshot.read(from: server.directory + "/nothing") }
        // A damaged list file makes the read incomplete, naming the file and position.
        try "{\"kind\":\"StatefulSetList\",\"items\":[\n{\"metadata\":".write(toFile: dir + "/statefulsets.apps.json", atomically: false, encoding: .utf8)
        let damaged = try Snapshot.read(from: dir)
        #expect(damaged.incomplete.last == Incomplete(what: "apps/StatefulSet", reason: "snapshot file statefulsets.apps.json:2:13: unexpected end of input, expected a value"))
        #expect(!damaged.objects.contains { $0.kind == "StatefulSet" })
    }

    @Test("capture streams pages into a snapshot (a 410 restart rewrites the file); it reads back like the fixture")
    func capture() throws {
        let server = try StandIn()
        var options = StandIn.fastOptions
        options.pageSize = 4
        let client = try server.client(options: options)
        try server.inject("/api/v1/persistentvolumeclaims", "\"type\":\"expire\",\"when\":\"continue\"")
        let dir = server.directory + "/captured"
        let summary = try Snapshot.capture(from: client, to: dir)
        #expect(summary.isComplete, "\(summary.incomplete)")
        #expect(summary.objects.isEmpty)
        let back = try Snapshot.read(from: dir)
        let fixture = try Snapshot.read(from: TestPaths.fixtures)
        #expect(back.objects.count == fixture.objects.filter(isDefaultKind).count)
        for object in fixture.objects where isDefaultKind(object) {
            #expect(back.objects.first { $0.ref == object.ref }?.value == object.value, "\(object.ref)")
        }
        #expect(back.lists.first { $0.kind == "PersistentVolumeClaim" }?.count == 13)
        var st = stat()
        #expect(stat(dir + "/persistentvolumeclaims.json", &st) == 0 && st.st_mode & 0o777 == 0o600)
        // Restricted to namespaces: namespaced lists per namespace, the Namespace list filtered.
        let redis = try Snapshot.capture(from: try server.client(), namespaces: ["redis"], to: server.directory + "/redis-only")
        #expect(redis.isComplete)
        let redisBack = try Snapshot.read(from: server.directory + "/redis-only")
        #expect(Set(redisBack.objects.compactMap(\.namespace)) == ["redis"])
        #expect(redisBack.objects.filter { $0.kind == "Namespace" }.map(\.name) == ["redis"])
    }

    @Test("PVC usage from node stats; deduplicated; skipped with a note when nodes/proxy is denied")
    func usage() throws {
        let server = try StandIn()
        let usage = try server.client().pvcUsage()
        #expect(usage.incomplete.isEmpty)
        #expect(usage.usage.count == 9)   // mounted data PVCs; the orphan and backup PVCs have no stats
        let pg0 = try #require(usage.usage.first { $0.name == "data-postgres-0" })
        #expect(pg0.namespace == "postgres")
        #expect(pg0.capacityBytes == 84_524_956_385)
        let fraction = try #require(pg0.usedFraction)
        #expect(fraction > 0.87 && fraction < 0.89)   // 83 % used + 5 % reserved, as df counts
        #expect(!usage.usage.contains { $0.name == "data-rabbitmq-3" })

        try server.control("deny", "{\"deny\":{\"alice\":[\"get nodes/proxy\"]}}")
        let denied = try server.client().pvcUsage()
        #expect(denied.usage.isEmpty && denied.incomplete.isEmpty)
        #expect(denied.notes.count == 1)
        #expect(denied.notes.first?.hasPrefix("PVC usage skipped: permission denied: cannot get nodes/proxy") == true)
    }

    @Test("kubectl agrees: the same objects through the stand-in's pagination, and it stops on 410")
    func kubectlOracle() throws {
        let server = try StandIn()
        let path = try server.write("kubectl-config", server.kubeconfig())
        let home = server.directory + "/home"
        let env = "HOME='\(home)' KUBECONFIG='\(path)' KUBECACHEDIR='\(home)/cache'"
        let run = shell("\(env) kubectl get persistentvolumeclaims -A --chunk-size=4 -o jsonpath='{range .items[*]}{.metadata.namespace}/{.metadata.name}{\"\\n\"}{end}'")
        #expect(run.status == 0, "\(run.err)")
        let kubectlNames = run.out.split(separator: "\n").map(String.init).sorted()
        var options = StandIn.fastOptions
        options.pageSize = 4
        let ours = try server.client(options: options).list(kind: KindCatalog.info(group: "", kind: "PersistentVolumeClaim")!)
        #expect(kubectlNames == ours.map { "\($0.namespace ?? "")/\($0.name)" }.sorted())
        #expect(kubectlNames.count == 13)
        let pages = try server.requests().filter {
            $0["path"]?.stringValue == "/api/v1/persistentvolumeclaims" && $0["agent"]?.stringValue?.hasPrefix("kubectl") == true
        }
        #expect(pages.count == 4)
        #expect(pages.first?["query"]?.stringValue == "limit=4")
        #expect(pages.dropFirst().allSatisfy { $0["query"]?.stringValue?.contains("continue=") == true })

        // Expired continue token on page 2: kubectl prints what it had and exits 1 (research §3.5).
        try server.inject("/api/v1/persistentvolumeclaims", "\"type\":\"expire\",\"when\":\"continue\"")
        let expired = shell("\(env) kubectl get persistentvolumeclaims -A --chunk-size=4 -o name")
        #expect(expired.status == 1)
        #expect(expired.err.contains("The provided continue parameter is too old"))
    }
}
