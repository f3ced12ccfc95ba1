import Foundation
import Testing

/// Issue 15 item 1: a pull request that deletes or renames an object is judged against everything in head
/// that refers to it, also in files the pull request does not touch (found through the names index), and a
/// moved file keeps its findings.
@Suite("ballast gate across files", .serialized)
struct GateReferrerTests {
    static let classes = """
        apiVersion: storage.k8s.io/v1
        kind: StorageClass
        metadata: {name: fast-ssd}
        provisioner: pd.csi.storage.gke.io
        reclaimPolicy: Retain
        allowVolumeExpansion: true
        volumeBindingMode: WaitForFirstConsumer

        """
    static let claim = """
        apiVersion: v1
        kind: PersistentVolumeClaim
        metadata: {name: redis-backup, namespace: redis}
        spec:
          storageClassName: fast-ssd
          accessModes: [ReadWriteOnce]
          resources: {requests: {storage: 20Gi}}

        """
    static let service = """
        apiVersion: v1
        kind: Service
        metadata: {name: redis-headless, namespace: redis}
        spec:
          clusterIP: None
          selector: {app: redis}
          ports: [{name: client, port: 6379}]

        """
    static let statefulSet = """
        # The Redis StatefulSet: its class and its Service live in other directories.
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: redis, namespace: redis}
        spec:
          replicas: 3
          serviceName: redis-headless
          selector: {matchLabels: {app: redis}}
          template:
            metadata: {labels: {app: redis}}
            spec: {containers: [{name: redis, image: "redis:7.2.4"}]}
          volumeClaimTemplates:
          - metadata: {name: data}
            spec: {storageClassName: fast-ssd, accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}

        """
    static let stack = [
        "platform/storage/classes.yaml": classes,
        "platform/network/redis-headless.yaml": service,
        "apps/redis/statefulset.yaml": statefulSet,
        "apps/backup/claim.yaml": claim,
    ]

    /// Runs the gate twice (names index cold, then warm): both runs must give the same report.
    func gate(_ repo: URL) throws -> (status: Int32, findings: [[String: Any]], summary: [String: Any], stdout: String) {
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: cache) }
        var outputs: [RunOutput] = []
        for _ in 0..<2 {
            outputs.append(try ballast(["gate", "--repo", repo.path, "--base", "base", "--head", "head", "--format", "json"],
                                       environment: ["XDG_CACHE_HOME": cache.path]))
        }
        #expect(outputs[0].stdout == outputs[1].stdout, "the warm names index changed the verdict")
        let report = try JSONSerialization.jsonObject(with: Data(outputs[1].stdout.utf8)) as? [String: Any]
        return (outputs[1].status, report?["findings"] as? [[String: Any]] ?? [], report?["summary"] as? [String: Any] ?? [:],
                outputs[1].stdout)
    }

    @Test func deletingTheStorageClassFileNamesEveryReferrer() throws {
        let repo = try pullRequest(Self.stack, change: ["platform/storage/classes.yaml": nil])
        defer { try? FileManager.default.removeItem(at: repo) }
        let r = try gate(repo)
        #expect(r.status == 1, "\(r.stdout)")
        let deleted = try #require(r.findings.first { $0["rule"] as? String == "storageclass-in-use-deleted" }, "\(r.stdout)")
        #expect(deleted["file"] as? String == "platform/storage/classes.yaml")
        let message = deleted["message"] as? String ?? ""
        #expect(message.contains("PersistentVolumeClaim redis/redis-backup (apps/backup/claim.yaml:1)"), "\(message)")
        #expect(message.contains("StatefulSet redis/redis (apps/redis/statefulset.yaml:2)"), "\(message)")
    }

    @Test func renamingAStorageClassIsADeletionForItsReferrers() throws {
        let repo = try pullRequest(Self.stack, change: [
            "platform/storage/classes.yaml": Self.classes.replacingOccurrences(of: "name: fast-ssd", with: "name: fast-ssd-v2"),
        ])
        defer { try? FileManager.default.removeItem(at: repo) }
        let r = try gate(repo)
        #expect(r.status == 1, "\(r.stdout)")
        let deleted = try #require(r.findings.first { $0["rule"] as? String == "storageclass-in-use-deleted" }, "\(r.stdout)")
        #expect(deleted["object"] as? String == "StorageClass/fast-ssd")
        let message = deleted["message"] as? String ?? ""
        #expect(message.contains("(apps/backup/claim.yaml:1)") && message.contains("(apps/redis/statefulset.yaml:2)"), "\(message)")
    }

    @Test func deletingTheServiceOfAnUnchangedStatefulSet() throws {
        let repo = try pullRequest(Self.stack, change: ["platform/network/redis-headless.yaml": nil])
        defer { try? FileManager.default.removeItem(at: repo) }
        let r = try gate(repo)
        #expect(r.status == 1, "\(r.stdout)")
        // Introduced by head on an object of a file the pull request does not touch.
        let headless = try #require(r.findings.first { $0["rule"] as? String == "statefulset-headless-service" }, "\(r.stdout)")
        #expect(headless["object"] as? String == "StatefulSet/redis/redis")
        #expect(headless["file"] as? String == "apps/redis/statefulset.yaml")
        // The StatefulSet's other findings were there in base: counted, not shown.
        #expect(!r.findings.contains { $0["object"] as? String == "StatefulSet/redis/redis" && $0["rule"] as? String != "statefulset-headless-service" },
                "\(r.stdout)")
    }

    @Test func deletingThePodDisruptionBudgetOfAnUnchangedStatefulSet() throws {
        var files = Self.stack
        files["platform/disruption/redis.yaml"] = """
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: cache-budget, namespace: redis}
            spec: {maxUnavailable: 1, selector: {matchLabels: {app: redis}}}

            """
        let repo = try pullRequest(files, change: ["platform/disruption/redis.yaml": nil])
        defer { try? FileManager.default.removeItem(at: repo) }
        let r = try gate(repo)
        #expect(r.status == 1, "\(r.stdout)")
        let coverage = try #require(r.findings.first { $0["rule"] as? String == "pdb-coverage-quorum" }, "\(r.stdout)")
        #expect(coverage["object"] as? String == "StatefulSet/redis/redis")
        #expect(coverage["file"] as? String == "apps/redis/statefulset.yaml")
    }

    @Test func movingADirectoryKeepsTheFindingsOfItsFiles() throws {
        let broken = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: broken, namespace: redis\ndata: {a: b}\n"
        let duplicate = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: twice, namespace: redis}\ndata: {a: b}\ndata: {c: d}\n"
        var files = Self.stack
        files["apps/redis/broken.yaml"] = broken
        files["apps/redis/duplicate.yaml"] = duplicate
        var move: [String: String?] = [:]
        for (path, text) in files where path.hasPrefix("apps/") {
            move[path] = .some(nil)
            move["stacks/" + path.dropFirst("apps/".count)] = text
        }
        let repo = try pullRequest(files, change: move)
        defer { try? FileManager.default.removeItem(at: repo) }
        let r = try gate(repo)
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.findings.isEmpty, "\(r.stdout)")
        #expect((r.summary["preexisting"] as? Int ?? 0) >= 2, "\(r.summary)")
    }
}
