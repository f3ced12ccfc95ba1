import Foundation
import Testing
import KubeModel
import Findings
import ManifestIO
@testable import Drift

private let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The objects of a snapshot directory's list files, with the apiVersion/kind the lists leave out.
private func snapshotObjects(_ directory: String) throws -> [KubeObject] {
    var objects: [KubeObject] = []
    for file in try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
    where file.hasSuffix(".json") && file != "snapshot.json" {
        let path = directory + "/" + file
        let list = try JSONReader.parse([UInt8](FileManager.default.contents(atPath: path) ?? Data()), file: FileID(path))
        guard let apiVersion = list["apiVersion"]?.stringValue, var kind = list["kind"]?.stringValue else { continue }
        kind.removeLast(4)   // "List"
        for item in list["items"]?.listValue ?? [] {
            guard case .map(var entries) = item.kind else { continue }
            entries.insert(Value.Entry(key: "kind", value: .string(kind)), at: 0)
            entries.insert(Value.Entry(key: "apiVersion", value: .string(apiVersion)), at: 0)
            if let object = ManifestReader.object(from: Value(.map(entries), span: item.span)) { objects.append(object) }
        }
    }
    return objects
}

/// The usage of every PVC in a snapshot's `stats/` (kubelet summaries), `1 - available/capacity`.
private func snapshotUsage(_ directory: String) throws -> [PVCUsageSample] {
    var samples: [PVCUsageSample] = []
    let stats = directory + "/stats"
    for file in try FileManager.default.contentsOfDirectory(atPath: stats).sorted() {
        let summary = try JSONReader.parse([UInt8](FileManager.default.contents(atPath: stats + "/" + file) ?? Data()), file: FileID(file))
        for pod in summary["pods"]?.listValue ?? [] {
            for volume in pod["volume"]?.listValue ?? [] {
                guard let ref = volume["pvcRef"], let capacity = volume["capacityBytes"]?.intValue,
                      let available = volume["availableBytes"]?.intValue, capacity > 0 else { continue }
                samples.append(PVCUsageSample(namespace: ref["namespace"]?.stringValue ?? "", name: ref["name"]?.stringValue ?? "",
                                              usedFraction: 1 - Double(available) / Double(capacity)))
            }
        }
    }
    return samples
}

private func gitopsObjects() -> [KubeObject] {
    let (inputs, _, _) = ManifestFinder.collect([repository + "/fixtures/gitops"])
    let reader = ManifestReader()
    return inputs.flatMap { reader.read($0).objects.map(\.object) }
}

private let claim = """
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata: {name: data-redis-0, namespace: redis}
    spec: {resources: {requests: {storage: 10Gi}}}
    status: {phase: Bound}
    """

@Suite("live checks")
struct LiveChecksTests {
    @Test("PVC usage at the 80 % / 90 % boundaries, and with other thresholds")
    func usageBoundaries() {
        let live = liveObjects(claim, file: "usage-live.yaml")
        func severity(_ fraction: Double, _ params: LiveCheckParams = LiveCheckParams()) -> Severity? {
            let sample = PVCUsageSample(namespace: "redis", name: "data-redis-0", usedFraction: fraction)
            let findings = LiveChecks(params: params).run(desired: [], live: live, usage: [sample], now: LiveExample.now).findings
            #expect(findings.count <= 1)
            return findings.first?.severity
        }
        #expect(severity(0.799) == nil)
        #expect(severity(0.8) == .warning)
        #expect(severity(1 - 0.2) == .warning)   // 0.7999999999999999… from the kubelet's numbers
        #expect(severity(0.899) == .warning)
        #expect(severity(0.9) == .error)
        #expect(severity(1 - 1_610_612_736.0 / 21_003_583_488.0) == .error)   // research A.6: 92.3 %
        var params = LiveCheckParams()
        params.pvcUsageWarning = 70
        params.pvcUsageError = 95
        #expect(severity(0.75, params) == .warning)
        #expect(severity(0.94, params) == .warning)
        #expect(severity(0.95, params) == .error)
        let finding = LiveChecks().run(desired: [], live: live,
                                       usage: [PVCUsageSample(namespace: "redis", name: "data-redis-0", usedFraction: 0.923)],
                                       now: LiveExample.now).findings[0]
        #expect(finding.message == "PersistentVolumeClaim redis/data-redis-0 is 92.3 % full (1 - available/capacity), at or above the 90.0 % error threshold")
        #expect(finding.object == ObjectRef(group: "", kind: "PersistentVolumeClaim", namespace: "redis", name: "data-redis-0"))
        #expect(finding.path == "spec.resources.requests.storage")
    }

    @Test("fixtures/cluster against fixtures/gitops at the snapshot's time: two full volumes, backups fresh, metrics")
    func fixtures() throws {
        let cluster = repository + "/fixtures/cluster"
        let live = try snapshotObjects(cluster)
        let usage = try snapshotUsage(cluster)
        let desired = gitopsObjects()
        #expect(desired.contains { $0.kind == "StatefulSet" && $0.name == "rabbitmq" })
        let readAt = try #require(LiveTime.parse("2026-11-29T00:00:00Z"))
        let result = LiveChecks().run(desired: desired, live: live, usage: usage, now: readAt)
        let summary = result.findings.map { "\($0.ruleID) \($0.severity) \($0.object?.description ?? "")" }
        #expect(summary == ["pvc-usage-high warning PersistentVolumeClaim/postgres/data-postgres-0",
                            "pvc-usage-high error PersistentVolumeClaim/rabbitmq/data-rabbitmq-0"])
        // data-rabbitmq-0 comes from the template of rabbitmq.yaml: the finding points at its storage request.
        let rabbit = try #require(result.findings.last)
        #expect(rabbit.span?.file.path.hasSuffix("fixtures/gitops/apps/rabbitmq/rabbitmq.yaml") == true)
        let sts = try #require(desired.first { $0.kind == "StatefulSet" && $0.name == "rabbitmq" })
        let template = try #require(sts.value[path: "spec", "volumeClaimTemplates"]?.listValue?.first)
        #expect(rabbit.span == template[path: "spec", "resources", "requests", "storage"]?.span)
        #expect(rabbit.message.hasSuffix("; it comes from volumeClaimTemplates[name=data] of StatefulSet rabbitmq"))

        #expect(result.metrics.pvcUsage.count == usage.count)
        #expect(result.metrics.pvcUsage.first?.name == "data-postgres-0")
        let ages = Dictionary(uniqueKeysWithValues: result.metrics.backupAges.map { ("\($0.namespace)/\($0.cronJob)", $0.ageSeconds) })
        #expect(ages == ["postgres/postgres-backup": 77_900, "rabbitmq/rabbitmq-backup": 77_900, "redis/redis-backup": 21_408])

        // Three days later every backup is stale, and the failures name the schedule in git.
        let later = LiveChecks().run(desired: desired, live: live, usage: [], now: readAt + 3 * 86_400)
        let stale = later.findings.filter { $0.ruleID == "backup-stale" }
        #expect(stale.count == 3)
        let redis = try #require(stale.first { $0.object?.name == "redis-backup" })
        #expect(redis.span?.file.path.hasSuffix("fixtures/gitops/apps/redis/backup.yaml") == true)
        #expect(redis.message.hasPrefix("CronJob redis/redis-backup last succeeded 3d5h ago; its schedule \"0 */6 * * *\" runs at least every 6h"))
        #expect(redis.severity == .error)
    }

    @Test("backup-stale: the tightest RPO of the StatefulSets backed up; a never-run job is stale once due")
    func backupRPO() throws {
        let live = liveObjects("""
            apiVersion: batch/v1
            kind: CronJob
            metadata: {name: shared-dump, namespace: db, creationTimestamp: "2026-11-01T00:00:00Z", annotations: {ballast.dev/backup-of: "a, b"}}
            spec: {schedule: "*/10 * * * *", jobTemplate: {spec: {activeDeadlineSeconds: 300, template: {spec: {containers: []}}}}}
            status: {lastSuccessfulTime: "2026-11-30T23:00:00Z"}
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: a, namespace: db, annotations: {ballast.dev/rpo: 2h}}
            spec: {replicas: 1}
            status: {readyReplicas: 1}
            ---
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: b, namespace: db, annotations: {ballast.dev/rpo: 30m}}
            spec: {replicas: 1}
            status: {readyReplicas: 1}
            """, file: "rpo-live.yaml")
        let findings = LiveChecks().run(desired: [], live: live, usage: [], now: LiveExample.now).findings
        #expect(findings.map(\.ruleID) == ["backup-stale"])
        #expect(findings.first?.message == "CronJob db/shared-dump last succeeded 1h ago; its schedule \"*/10 * * * *\" runs at least every 10m, allowing 15m with deadlines, and beyond the RPO of 30m declared on StatefulSet b")
        var noDefault = LiveCheckParams()
        noDefault.rpoSeconds = nil
        let metrics = LiveChecks(params: noDefault).run(desired: [], live: live, usage: [], now: LiveExample.now).metrics
        #expect(metrics.backupAges == [BackupAgeMetric(namespace: "db", cronJob: "shared-dump", ageSeconds: 3600)])
    }

    @Test("times, durations and cron intervals")
    func timeHelpers() {
        #expect(LiveTime.parse("2026-12-01T00:00:00Z") == LiveExample.now)
        #expect(LiveTime.parse("2026-12-01T01:00:00.250+01:00") == LiveExample.now)
        #expect(LiveTime.parse("2026-12-01") == nil)
        #expect(LiveTime.parse("2026-13-01T00:00:00Z") == nil)
        #expect(LiveTime.duration("15m") == 900)
        #expect(LiveTime.duration("1h") == 3600)
        #expect(LiveTime.duration("24h") == 86_400)
        #expect(LiveTime.duration("1h30m") == 5400)
        #expect(LiveTime.duration("7d") == 604_800)
        #expect(LiveTime.duration("15") == nil)
        #expect(LiveTime.duration("0m") == nil)
        #expect(LiveTime.duration("-1h") == nil)
        #expect(LiveTime.duration("1 hour") == nil)
        #expect(CronSchedule("0 */6 * * *")?.gaps(from: LiveExample.now)?.longest == 21_600)
        #expect(CronSchedule("30 1 * * *")?.gaps(from: LiveExample.now)?.longest == 86_400)
        #expect(CronSchedule("0 3 * * 1-5")?.gaps(from: LiveExample.now)?.longest == 259_200)   // Friday to Monday
        #expect(CronSchedule("@weekly")?.gaps(from: LiveExample.now)?.longest == 604_800)
        #expect(CronSchedule("not a schedule") == nil)
        #expect(LiveTime.describe(77_900) == "21h38m")
        #expect(LiveTime.describe(3 * 86_400 + 5 * 3600 + 60) == "3d5h")
    }
}
