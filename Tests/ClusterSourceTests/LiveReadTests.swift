import Foundation
import KubeModel
import Testing
@testable import ClusterSource

/// The kinds of a repository with CRDs and kinds outside the catalog's in-scope set.
private let gitKinds: [(group: String, kind: String)] = [
    ("apps", "StatefulSet"), ("", "PersistentVolumeClaim"), ("", "PersistentVolume"), ("storage.k8s.io", "StorageClass"),
    ("apps", "Deployment"), ("", "ServiceAccount"), ("autoscaling", "HorizontalPodAutoscaler"),
    ("velero.io", "Schedule"), ("monitoring.coreos.com", "PrometheusRule"),
    ("ops.example.com", "Widget"), ("ops.example.com", "Gadget"),
]

private func names(_ read: LiveRead, _ qualifiedKind: String) -> [String] {
    read.objects.filter { $0.ref.qualifiedKind == qualifiedKind }.map { "\($0.namespace.map { $0 + "/" } ?? "")\($0.name)" }.sorted()
}

private func put(_ server: StandIn, group: String, plural: String, _ items: String) throws {
    try server.control("put", "{\"group\":\"\(group)\",\"plural\":\"\(plural)\",\"items\":[\(items)]}")
}

/// A velero Schedule, a PrometheusRule, a Deployment, an HPA, a ServiceAccount, operator CRs.
private func seed(_ server: StandIn) throws {
    try put(server, group: "velero.io", plural: "schedules",
            #"{"metadata":{"name":"nightly","namespace":"velero"},"spec":{"schedule":"0 3 * * *","template":{"includedNamespaces":["redis"]}},"status":{"phase":"Enabled","lastBackup":"2026-11-28T03:00:00Z"}}"#)
    try put(server, group: "monitoring.coreos.com", plural: "prometheusrules",
            #"{"metadata":{"name":"redis-rules","namespace":"redis"},"spec":{"groups":[{"name":"redis","rules":[{"alert":"RedisDown","expr":"up == 0"}]}]}}"#
            + "," + #"{"metadata":{"name":"pg-rules","namespace":"postgres"},"spec":{"groups":[]}}"#)
    try put(server, group: "apps", plural: "deployments",
            #"{"metadata":{"name":"exporter","namespace":"redis"},"spec":{"replicas":1}}"#)
    try put(server, group: "autoscaling", plural: "horizontalpodautoscalers",
            #"{"metadata":{"name":"exporter","namespace":"redis"},"spec":{"minReplicas":1,"maxReplicas":3}}"#)
    try put(server, group: "", plural: "serviceaccounts",
            #"{"metadata":{"name":"postgres","namespace":"postgres"}}"#)
    try put(server, group: "ops.example.com", plural: "widgets",
            #"{"metadata":{"name":"w1","namespace":"redis"},"spec":{"size":2}}"#)
    try put(server, group: "ops.example.com", plural: "gadgets", #"{"metadata":{"name":"g1"},"spec":{}}"#)
}

@Suite("reading every kind git holds from the stand-in")
struct LiveReadTests {
    @Test("CRDs and kinds outside the catalog are found by discovery, listed, and given apiVersion/kind from their list")
    func everyKind() throws {
        let server = try StandIn()
        try seed(server)
        let client = try server.client()
        let read = client.readLive(kinds: gitKinds)
        #expect(read.unreadKinds.isEmpty, "\(read.unreadKinds)")
        #expect(read.isComplete)
        #expect(read.completeKinds == Set(gitKinds.map { GroupKind(group: $0.group, kind: $0.kind).qualifiedKind }))
        #expect(read.serverVersion == "v1.32.4")
        #expect(names(read, "velero.io/Schedule") == ["velero/nightly"])
        #expect(names(read, "monitoring.coreos.com/PrometheusRule") == ["postgres/pg-rules", "redis/redis-rules"])
        #expect(names(read, "apps/StatefulSet") == ["postgres/postgres", "rabbitmq/rabbitmq", "redis/redis"])
        #expect(names(read, "ops.example.com/Gadget") == ["g1"])   // cluster-scoped, from discovery
        let schedule = try #require(read.objects.first { $0.kind == "Schedule" })
        #expect(schedule.apiVersion == "velero.io/v1")
        #expect(schedule.value.mapEntries?.prefix(2).map(\.key) == ["apiVersion", "kind"])
        #expect(schedule.value["kind"]?.stringValue == "Schedule")
        #expect(schedule.value[path: "spec", "schedule"]?.stringValue == "0 3 * * *")
        // Preferred version first: autoscaling/v2 (the group also serves v1); a kind only in a
        // non-preferred version is read from that one.
        #expect(read.objects.first { $0.kind == "HorizontalPodAutoscaler" }?.apiVersion == "autoscaling/v2")
        #expect(read.objects.first { $0.kind == "Widget" }?.apiVersion == "ops.example.com/v1")
        #expect(read.objects.first { $0.kind == "Gadget" }?.apiVersion == "ops.example.com/v1alpha1")
        #expect(read.lists.first { $0.kind == "PrometheusRule" }?.count == 2)
        let paths = Set(try server.requests().compactMap { $0["path"]?.stringValue })
        #expect(paths.isSuperset(of: ["/apis/velero.io/v1/schedules", "/apis/monitoring.coreos.com/v1/prometheusrules",
                                      "/apis/autoscaling/v2/horizontalpodautoscalers", "/apis/ops.example.com/v1alpha1/gadgets",
                                      "/api/v1/serviceaccounts", "/apis/apps/v1/deployments"]))
        #expect(!paths.contains("/apis/autoscaling/v1/horizontalpodautoscalers"))
        #expect(!paths.contains { $0.hasSuffix("/secrets") })
    }

    @Test("a kind not served is reported, never skipped; a Secret is refused without a request; a denied list is forbidden")
    func unread() throws {
        let server = try StandIn()
        try seed(server)
        try server.control("deny", "{\"deny\":{\"alice\":[\"list prometheusrules.monitoring.coreos.com\"]}}")
        let client = try server.client()
        let read = client.readLive(kinds: gitKinds + [("", "Secret"), ("cert-manager.io", "Certificate"),
                                                      ("velero.io", "Restore"), ("apps", "StatefulSet")])
        #expect(read.unreadKinds["Secret"] == "Ballast never reads Secrets")
        #expect(read.unreadKinds["cert-manager.io/Certificate"] == "not served by this cluster")   // no such group
        #expect(read.unreadKinds["velero.io/Restore"] == "not served by this cluster")            // group served, kind not
        #expect(read.unreadKinds["monitoring.coreos.com/PrometheusRule"]
                == "forbidden: cannot list prometheusrules.monitoring.coreos.com at the cluster scope")
        #expect(read.unreadKinds.count == 4)
        #expect(!read.isComplete)
        #expect(!read.completeKinds.contains("monitoring.coreos.com/PrometheusRule"))
        #expect(read.objects.allSatisfy { $0.kind != "PrometheusRule" && $0.kind != "Secret" })
        #expect(read.completeKinds.contains("velero.io/Schedule"))
        let requests = try server.requests().compactMap { $0["path"]?.stringValue }
        #expect(!requests.contains { $0.contains("secrets") })
        #expect(requests.filter { $0 == "/apis/apps/v1/statefulsets" }.count == 1)   // asked twice, listed once
    }

    @Test("namespaced lists when namespaces are given; cluster-scoped kinds whole; a list cut short is unread")
    func namespaces() throws {
        let server = try StandIn()
        try seed(server)
        let client = try server.client()
        try server.inject("/apis/velero.io/v1/namespaces/velero/schedules", "\"type\":\"truncate\"")
        let read = client.readLive(kinds: gitKinds + [("", "Namespace")], namespaces: ["redis", "velero"])
        #expect(read.namespaces == ["redis", "velero"])
        #expect(names(read, "monitoring.coreos.com/PrometheusRule") == ["redis/redis-rules"])
        #expect(names(read, "apps/StatefulSet") == ["redis/redis"])
        #expect(names(read, "ops.example.com/Gadget") == ["g1"])
        #expect(names(read, "Namespace") == ["redis"])   // velero has no Namespace object in the fixture
        let reason = try #require(read.unreadKinds["velero.io/Schedule"])
        #expect(reason.hasPrefix("list cut short: GET /apis/velero.io/v1/namespaces/velero/schedules?limit=500: invalid response"))
        #expect(!read.completeKinds.contains("velero.io/Schedule"))
        let paths = try server.requests().compactMap { $0["path"]?.stringValue }
        #expect(paths.contains("/apis/monitoring.coreos.com/v1/namespaces/redis/prometheusrules"))
        #expect(paths.contains("/apis/ops.example.com/v1alpha1/gadgets"))
        #expect(!paths.contains("/apis/monitoring.coreos.com/v1/prometheusrules"))
    }

    @Test("discovery that fails leaves every kind unread with the reason; a group/version that fails leaves its kinds unread")
    func discoveryFailures() throws {
        let server = try StandIn()
        try server.inject("/apis/velero.io/v1", "\"type\":\"status\",\"code\":503,\"message\":\"service unavailable\"",
                          "\"type\":\"status\",\"code\":503,\"message\":\"service unavailable\"",
                          "\"type\":\"status\",\"code\":503,\"message\":\"service unavailable\"",
                          "\"type\":\"status\",\"code\":503,\"message\":\"service unavailable\"",
                          "\"type\":\"status\",\"code\":503,\"message\":\"service unavailable\"",
                          "\"type\":\"status\",\"code\":503,\"message\":\"service unavailable\"")
        let client = try server.client()
        let read = client.readLive(kinds: [("velero.io", "Schedule"), ("apps", "StatefulSet")])
        #expect(read.unreadKinds["velero.io/Schedule"]?.hasPrefix("discovery failed: GET /apis/velero.io/v1: 503") == true)
        #expect(read.completeKinds == ["apps/StatefulSet"])

        try server.inject("/apis", "\"type\":\"garbage\"")
        let broken = try server.client().readLive(kinds: [("velero.io", "Schedule"), ("apps", "StatefulSet")])
        #expect(broken.completeKinds.isEmpty)
        #expect(broken.unreadKinds.count == 2)
        #expect(broken.unreadKinds.values.allSatisfy { $0.hasPrefix("discovery failed: GET /apis: invalid response") })
    }

    @Test("410 on every continue: restart once, then one full list without limit (client-go's FullListIfExpired)")
    func fullListIfExpired() throws {
        let server = try StandIn()
        var options = StandIn.fastOptions
        options.pageSize = 4
        let client = try server.client(options: options)
        let pvcs = try #require(KindCatalog.info(group: "", kind: "PersistentVolumeClaim"))
        _ = try client.discover()
        try server.control("expire", "{\"always\":true}")
        try server.control("reset")
        let objects = try client.list(kind: pvcs)
        #expect(objects.count == 13)
        #expect(Set(objects.map(\.ref)).count == 13)
        let queries = try server.requests().filter { $0["path"]?.stringValue == "/api/v1/persistentvolumeclaims" }
            .compactMap { $0["query"]?.stringValue }
        // page 1, 410; page 1 again, 410; the full list.
        #expect(queries.count == 5)
        #expect(queries[0] == "limit=4" && queries[2] == "limit=4")
        #expect(queries[1].hasPrefix("limit=4&continue=") && queries[3].hasPrefix("limit=4&continue="))
        #expect(queries[4] == "")
        #expect(client.stats.listRequests == 5)

        // A snapshot through the same path: restarted twice, whole at the end.
        let dir = server.directory + "/expired-snap"
        let result = try Snapshot.capture(from: client, kinds: [pvcs], to: dir)
        #expect(result.isComplete)
        #expect(try Snapshot.read(from: dir).objects.count == 13)

        // When the full list fails too (410 again), the list is not complete.
        try server.inject("/api/v1/persistentvolumeclaims", "\"type\":\"expire\",\"when\":\"full\"")
        #expect(throws: ClusterError.expired(path: "/api/v1/persistentvolumeclaims")) { try client.list(kind: pvcs) }
        let read = client.readLive(kinds: [("", "PersistentVolumeClaim")])
        #expect(read.unreadKinds["PersistentVolumeClaim"] == nil)   // the fault was used up: read whole
        try server.inject("/api/v1/persistentvolumeclaims", "\"type\":\"expire\",\"when\":\"full\"")
        let cut = client.readLive(kinds: [("", "PersistentVolumeClaim")])
        #expect(cut.unreadKinds["PersistentVolumeClaim"]?.hasPrefix("list cut short: GET /api/v1/persistentvolumeclaims: the list expired twice") == true)
        #expect(cut.objects.isEmpty)
    }
}

@Suite("the stand-in's fleet for the drift benchmark")
struct FleetTests {
    @Test("--fleet N: N StatefulSets, 3N PVCs bound to 3N PVs; the written snapshot loads to the same objects")
    func fleet() throws {
        let scratch = NSTemporaryDirectory() + "ballast-fleet-\(getpid())-\(UUID().uuidString.prefix(6))"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let server = try StandIn(snapshot: nil, fleet: 120,
                                 extraArguments: ["--write-snapshot", scratch + "/snapshot", "--write-repo", scratch + "/repo"])
        let kinds: [(group: String, kind: String)] = [("apps", "StatefulSet"), ("", "PersistentVolumeClaim"),
                                                      ("", "PersistentVolume"), ("", "Service"), ("", "Namespace")]
        let read = try server.client().readLive(kinds: kinds)
        #expect(read.isComplete)
        func count(_ kind: String) -> Int { read.objects.filter { $0.kind == kind }.count }
        let counts: [Int] = [count("StatefulSet"), count("PersistentVolumeClaim"), count("PersistentVolume"), count("Service"), count("Namespace")]
        #expect(counts == [120, 360, 360, 120, 100])
        let volumes = Dictionary(uniqueKeysWithValues: read.objects.filter { $0.kind == "PersistentVolume" }.map { ($0.name, $0) })
        for claim in read.objects where claim.kind == "PersistentVolumeClaim" {
            let volume = try #require(volumes[claim.value[path: "spec", "volumeName"]?.stringValue ?? ""])
            #expect(volume.value[path: "spec", "claimRef", "name"]?.stringValue == claim.name)
            #expect(volume.value[path: "spec", "claimRef", "namespace"]?.stringValue == claim.namespace)
        }
        let sts = try #require(read.objects.first { $0.kind == "StatefulSet" && $0.name == "sts-000007" })
        #expect(sts.namespace == "ns-007")
        #expect(read.objects.contains { $0.kind == "PersistentVolumeClaim" && $0.name == "data-sts-000007-2" && $0.namespace == "ns-007" })

        let snapshot = try Snapshot.load(scratch + "/snapshot", kinds: kinds)
        #expect(snapshot.isComplete)
        #expect(Set(snapshot.objects.map(\.ref)) == Set(read.objects.map(\.ref)))
        let repo = try String(contentsOfFile: scratch + "/repo/ns-007.yaml", encoding: .utf8)
        #expect(repo.contains("name: sts-000007\n  namespace: ns-007"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch + "/repo").count == 100)
    }
}

@Suite("snapshots of every kind git holds")
struct SnapshotOfKindsTests {
    @Test("capture(groupKinds:) then load gives what readLive gives; unserved kinds are incomplete, Secrets noted")
    func captureKinds() throws {
        let server = try StandIn()
        try seed(server)
        let client = try server.client()
        let dir = server.directory + "/kinds"
        let kinds = gitKinds + [("", "Secret"), ("cert-manager.io", "Certificate")]
        let captured = try Snapshot.capture(from: client, groupKinds: kinds, namespaces: nil, to: dir)
        #expect(captured.incomplete == [Incomplete(what: "cert-manager.io/Certificate", reason: "not served by this cluster")])
        #expect(captured.notes.contains("Secret: Ballast never reads Secrets; not read"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).contains("prometheusrules.monitoring.coreos.com.json"))

        let loaded = try Snapshot.load(dir, kinds: kinds)
        let live = client.readLive(kinds: kinds)
        #expect(loaded.completeKinds == live.completeKinds)
        #expect(loaded.unreadKinds["cert-manager.io/Certificate"] == "snapshot: not served by this cluster")
        #expect(loaded.unreadKinds["Secret"] == "Ballast never reads Secrets")
        #expect(Set(loaded.objects.map(\.ref)) == Set(live.objects.map(\.ref)))
        for object in live.objects {
            let twin = loaded.objects.first { $0.ref == object.ref }
            #expect(twin?.value == object.value, "\(object.ref)")
            #expect(twin?.apiVersion == object.apiVersion, "\(object.ref)")
        }
        #expect(loaded.objects.first { $0.kind == "Gadget" }?.namespace == nil)   // cluster-scoped CRD stays so
    }
}
