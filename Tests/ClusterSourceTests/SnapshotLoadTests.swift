import Foundation
import KubeModel
import Testing
@testable import ClusterSource

@Suite("loading a snapshot into the live read")
struct SnapshotLoadTests {
    @Test("fixtures/cluster: listed kinds complete, kinds it lacks unread, Secrets refused, spans kept")
    func fixtures() throws {
        let read = try Snapshot.load(TestPaths.fixtures, kinds: [
            ("apps", "StatefulSet"), ("", "PersistentVolumeClaim"), ("batch", "CronJob"), ("", "Secret"),
            ("velero.io", "Schedule"), ("apps", "Deployment"), ("", "PersistentVolumeClaim"),
        ])
        #expect(read.completeKinds == ["apps/StatefulSet", "PersistentVolumeClaim", "batch/CronJob"])
        #expect(read.unreadKinds == ["Secret": "Ballast never reads Secrets", "velero.io/Schedule": "not in the snapshot",
                                     "apps/Deployment": "not in the snapshot"])
        #expect(read.serverVersion == "v1.32.4-gke.1106000")
        #expect(read.readAt == "2026-11-29T00:00:00Z")
        #expect(read.namespaces == nil)
        #expect(Set(read.objects.map(\.ref.qualifiedKind)) == read.completeKinds)   // only the kinds asked for
        #expect(read.objects.filter { $0.kind == "PersistentVolumeClaim" }.count == 13)
        #expect(read.lists.map(\.kind).sorted() == ["CronJob", "PersistentVolumeClaim", "StatefulSet"])
        let postgres = try #require(read.objects.first { $0.kind == "StatefulSet" && $0.name == "postgres" })
        #expect(postgres.span?.description == TestPaths.fixtures + "/statefulsets.apps.json:2:1")
        #expect(postgres.apiVersion == "apps/v1")
    }

    @Test("a snapshot taken for some namespaces limits the read; failed kinds are unread with the snapshot's reason")
    func partialSnapshot() throws {
        let server = try StandIn()
        try server.control("deny", "{\"deny\":{\"alice\":[\"list cronjobs.batch\"]}}")
        let client = try server.client()
        let kinds = ClusterClient.defaultKinds.filter { ["StatefulSet", "CronJob", "PersistentVolume", "Namespace"].contains($0.kind) }
        let dir = server.directory + "/partial"
        let captured = try Snapshot.capture(from: client, kinds: kinds, namespaces: ["redis", "postgres"], to: dir)
        #expect(!captured.isComplete)
        let meta = try String(contentsOfFile: dir + "/snapshot.json", encoding: .utf8)
        #expect(meta.contains("\"namespaces\":[\"redis\",\"postgres\"]"))

        let read = try Snapshot.load(dir, kinds: [("apps", "StatefulSet"), ("batch", "CronJob"), ("", "PersistentVolume"), ("", "Namespace")])
        #expect(read.completeKinds == ["apps/StatefulSet", "PersistentVolume", "Namespace"])
        #expect(read.unreadKinds["batch/CronJob"]?.hasPrefix("snapshot: permission denied: cannot list cronjobs.batch in namespace redis") == true)
        #expect(read.namespaces == ["redis", "postgres"])
        #expect(read.objects.filter { $0.kind == "StatefulSet" }.map(\.name).sorted() == ["postgres", "redis"])
        #expect(read.objects.filter { $0.kind == "Namespace" }.map(\.name).sorted() == ["postgres", "redis"])
        #expect(read.objects.filter { $0.kind == "PersistentVolume" }.count == 13)   // cluster-scoped: all

        // Asking for fewer namespaces narrows it; asking for one the snapshot lacks leaves it out.
        let narrowed = try Snapshot.load(dir, kinds: [("apps", "StatefulSet")], namespaces: ["redis", "rabbitmq"])
        #expect(narrowed.namespaces == ["redis"])
        #expect(narrowed.objects.map(\.name) == ["redis"])
    }

    @Test("a snapshot that says it is incomplete without naming why is unread for every kind")
    func unexplainedIncomplete() throws {
        let server = try StandIn()
        let dir = server.directory + "/odd"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: TestPaths.fixtures + "/storageclasses.storage.k8s.io.json",
                                         toPath: dir + "/storageclasses.storage.k8s.io.json")
        try """
        {"apiVersion":"ballast.dev/v1alpha1","kind":"ClusterSnapshot","serverVersion":"v1.32.4","readAt":"2026-11-29T00:00:00Z",
         "complete":false,"lists":[{"kind":"StorageClass","apiVersion":"storage.k8s.io/v1","file":"storageclasses.storage.k8s.io.json","count":3}],
         "incomplete":[],"notes":[]}
        """.write(toFile: dir + "/snapshot.json", atomically: true, encoding: .utf8)
        let read = try Snapshot.load(dir, kinds: [("storage.k8s.io", "StorageClass")])
        #expect(read.completeKinds.isEmpty)
        #expect(read.unreadKinds["storage.k8s.io/StorageClass"] == "the snapshot says it is incomplete without naming what failed")
        #expect(read.objects.isEmpty)
        #expect(throws: ClusterError.self) { try Snapshot.load(server.directory + "/none", kinds: [("", "Service")]) }
    }
}

@Suite("PVC usage kept in a snapshot")
struct SnapshotUsageTests {
    @Test("fixtures/cluster/stats: the usage of every mounted claim, once each")
    func fixtures() {
        let usage = Snapshot.readUsage(from: TestPaths.fixtures)
        #expect(usage.incomplete.isEmpty && usage.notes.isEmpty)
        #expect(usage.usage.count == 9)
        let rabbit = usage.usage.first { $0.namespace == "rabbitmq" && $0.name == "data-rabbitmq-0" }
        #expect((rabbit?.usedFraction ?? 0) > 0.95)
        #expect(Set(usage.usage.map { "\($0.namespace)/\($0.name)" }).count == 9)
        let none = Snapshot.readUsage(from: TestPaths.repository + "/fixtures")
        #expect(none.usage.isEmpty && none.isSkipped)
    }

    @Test("captured beside a snapshot, read back equal to the live read; nodes/proxy denied writes nothing")
    func captureAndRead() throws {
        let server = try StandIn()
        let client = try server.client()
        let dir = server.directory + "/with-usage"
        let live = Snapshot.captureUsage(from: client, to: dir)
        #expect(live.incomplete.isEmpty)
        #expect(live.usage.count == 9)
        let files = try FileManager.default.contentsOfDirectory(atPath: dir + "/stats").sorted()
        #expect(files == ["gke-prod-pool-1-6f2a9c1e-4bq7.json", "gke-prod-pool-1-6f2a9c1e-9kzd.json", "gke-prod-pool-1-6f2a9c1e-x2lm.json"])
        var st = stat()
        #expect(stat(dir + "/stats/" + files[0], &st) == 0 && st.st_mode & 0o777 == 0o600)
        #expect(Snapshot.readUsage(from: dir).usage == live.usage)

        try server.control("deny", "{\"deny\":{\"alice\":[\"get nodes/proxy\"]}}")
        let denied = Snapshot.captureUsage(from: try server.client(), to: server.directory + "/denied")
        #expect(denied.isSkipped)
        #expect(!FileManager.default.fileExists(atPath: server.directory + "/denied/stats"))
    }
}
