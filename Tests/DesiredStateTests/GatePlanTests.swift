import Foundation
import Testing
import GitSource
@testable import DesiredState

/// What `gate` reads when a pull request deletes an object: every unchanged file that names it, found through
/// the names index, whatever the kind of reference, and nothing else.
@Suite("GatePlan: referrers of deleted objects")
struct GatePlanTests {
    static let referents = [
        "platform/storage/classes.yaml": "apiVersion: storage.k8s.io/v1\nkind: StorageClass\nmetadata: {name: fast-ssd}\nprovisioner: p\n",
        "platform/network/redis-headless.yaml":
            "apiVersion: v1\nkind: Service\nmetadata: {name: redis-headless, namespace: redis}\nspec: {clusterIP: None, selector: {app: redis}}\n",
        "platform/config/redis-config.yaml":
            "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: redis-config, namespace: redis}\ndata: {redis.conf: \"appendonly yes\\n\"}\n",
        "platform/disruption/pdb.yaml":
            "apiVersion: policy/v1\nkind: PodDisruptionBudget\nmetadata: {name: cache-budget, namespace: redis}\nspec: {maxUnavailable: 1, selector: {matchLabels: {app: redis}}}\n",
        "platform/backup/claim.yaml":
            "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata: {name: dumps, namespace: redis}\nspec: {storageClassName: standard, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}\n",
    ]
    static let referrers = [
        "apps/redis/statefulset.yaml": """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: redis, namespace: redis}
            spec:
              serviceName: redis-headless
              selector: {matchLabels: {app: redis}}
              template:
                metadata: {labels: {app: redis}}
                spec:
                  containers: [{name: redis, image: "redis:7.2.4"}]
                  volumes: [{name: conf, configMap: {name: redis-config}}]
              volumeClaimTemplates: [{metadata: {name: data}, spec: {storageClassName: fast-ssd}}]

            """,
        "apps/backup/cronjob.yaml": """
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: nightly, namespace: redis}
            spec:
              schedule: "0 3 * * *"
              jobTemplate:
                spec:
                  template:
                    spec:
                      containers: [{name: dump, image: "redis:7.2.4"}]
                      volumes: [{name: out, persistentVolumeClaim: {claimName: dumps}}]

            """,
        "apps/other/app.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: unrelated, namespace: other}\ndata: {a: b}\n",
    ]

    /// The plan of a pull request that deletes `path` from the repository of `referents` and `referrers`,
    /// or writes `edit` there.
    func plan(deleting path: String, edit: String? = nil, extra: [String: String] = [:]) throws -> GatePlan {
        let dir = try tree(Self.referents.merging(Self.referrers) { a, _ in a }.merging(extra) { a, _ in a })
        defer { try? FileManager.default.removeItem(at: dir) }
        try run(["git", "init", "-q", "-b", "main", "."], in: dir)
        try run(["git", "add", "-A"], in: dir)
        try run(["git", "commit", "-q", "-m", "base"], in: dir)
        if let edit {
            try edit.write(to: dir.appendingPathComponent(path), atomically: true, encoding: .utf8)
            try run(["git", "add", "-A"], in: dir)
        } else {
            try run(["git", "rm", "-q", path], in: dir)
        }
        try run(["git", "commit", "-q", "-m", "head"], in: dir)
        let git = try GitRepository.open(path: dir.path)
        return try GatePlan.make(git, base: git.resolve("HEAD~1"), head: git.resolve("HEAD"), paths: [], maxBlobSize: 1 << 20)
    }

    @Test("deleting a referent reads its referrers", arguments: [
        ("platform/storage/classes.yaml", "apps/redis/statefulset.yaml"),       // volumeClaimTemplates storageClassName
        ("platform/network/redis-headless.yaml", "apps/redis/statefulset.yaml"), // serviceName
        ("platform/config/redis-config.yaml", "apps/redis/statefulset.yaml"),   // a configMap volume
        ("platform/disruption/pdb.yaml", "apps/redis/statefulset.yaml"),        // the labels a selector requires
        ("platform/backup/claim.yaml", "apps/backup/cronjob.yaml"),             // a claimName volume
    ])
    func referrersAreRead(deleted: String, referrer: String) throws {
        let plan = try plan(deleting: deleted)
        #expect(plan.baseInputs.map(\.name) == [deleted])
        #expect(plan.headInputs.isEmpty)
        let shared = plan.sharedInputs.map(\.name)
        #expect(shared.contains(referrer), "\(shared)")
        #expect(!shared.contains("apps/other/app.yaml"), "\(shared)")
    }

    /// An edit that deletes nothing reads the files declaring what it names, not every other user of its
    /// class, Service or labels: the gate's cost follows the change.
    @Test func anEditDoesNotReadTheOtherUsersOfItsClass() throws {
        let other = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: queue, namespace: queue}
            spec:
              serviceName: queue-headless
              selector: {matchLabels: {app: queue}}
              template:
                metadata: {labels: {app: queue}}
                spec: {containers: [{name: rabbitmq, image: "rabbitmq:3.13"}]}
              volumeClaimTemplates: [{metadata: {name: data}, spec: {storageClassName: fast-ssd}}]

            """
        let sts = try #require(Self.referrers["apps/redis/statefulset.yaml"])
        let plan = try plan(deleting: "apps/redis/statefulset.yaml", edit: sts.replacingOccurrences(of: "7.2.4", with: "7.2.5"),
                            extra: ["apps/queue/statefulset.yaml": other])
        let shared = plan.sharedInputs.map(\.name)
        #expect(shared.contains("platform/storage/classes.yaml") && shared.contains("platform/network/redis-headless.yaml"), "\(shared)")
        #expect(!shared.contains("apps/queue/statefulset.yaml"), "\(shared)")
    }

    /// A selector requires all its labels: deleting the budget of one Redis reads that Redis, not every file
    /// that says `app.kubernetes.io/name: redis`.
    @Test func aDeletedSelectorReadsWhatCarriesAllItsLabels() throws {
        func redis(_ name: String) -> String {
            """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: \(name), namespace: redis}
            spec:
              serviceName: \(name)
              selector: {matchLabels: {app.kubernetes.io/name: redis, app.kubernetes.io/instance: \(name)}}
              template:
                metadata: {labels: {app.kubernetes.io/name: redis, app.kubernetes.io/instance: \(name)}}
                spec: {containers: [{name: server, image: "redis:7.2.4"}]}

            """
        }
        let budget = """
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: budget, namespace: redis}
            spec: {maxUnavailable: 1, selector: {matchLabels: {app.kubernetes.io/name: redis, app.kubernetes.io/instance: cache}}}

            """
        let plan = try plan(deleting: "platform/budgets/cache.yaml", extra: [
            "platform/budgets/cache.yaml": budget, "apps/cache/statefulset.yaml": redis("cache"), "apps/session/statefulset.yaml": redis("session"),
        ])
        let shared = plan.sharedInputs.map(\.name)
        #expect(shared.contains("apps/cache/statefulset.yaml"), "\(shared)")
        #expect(!shared.contains("apps/session/statefulset.yaml") && !shared.contains("apps/redis/statefulset.yaml"), "\(shared)")
    }
}

/// The names index: what a first gate learns is found again in the same run and, once saved, by the next.
@Suite("NameIndex: learned, saved, read again")
struct NameIndexTests {
    @Test func recordSaveReload() throws {
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-names-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: cache) }
        let environment = ["XDG_CACHE_HOME": cache.path]
        let blob = String(repeating: "a", count: 40), other = String(repeating: "b", count: 40), empty = String(repeating: "c", count: 40)
        let found = NameIndex.extract(Array("metadata: {name: redis}\nspec: {storageClassName: fast-ssd, serviceName: \"redis-headless\"}\n".utf8))
        #expect(found.names == ["redis"] && found.references == ["fast-ssd", "redis-headless"])
        var index = NameIndex(repositoryPath: "/repo", environment: environment)
        #expect(index.names(of: blob) == nil)
        index.record(blob, found)
        index.record(empty, BlobNames())
        #expect(index.names(of: blob) == found)
        #expect(index.names(of: empty) == BlobNames())
        index.save()
        var again = NameIndex(repositoryPath: "/repo", environment: environment)
        #expect(again.names(of: blob) == found)
        #expect(again.names(of: empty) == BlobNames())
        #expect(again.names(of: other) == nil)
        let second = BlobNames(names: ["x"], references: [])
        again.record(other, second)
        again.record(blob, BlobNames())   // known already: kept as it was
        again.save()
        let third = NameIndex(repositoryPath: "/repo", environment: environment)
        #expect(third.names(of: other) == second && third.names(of: blob) == found)
        #expect(NameIndex(repositoryPath: "/elsewhere", environment: environment).names(of: blob) == nil)
    }
}
