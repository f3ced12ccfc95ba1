import KubeModel
import Findings

/// `backup-stale`: a backup CronJob whose last success is older than its schedule allows or than the RPO
/// of what it backs up, or that never succeeded.
enum BackupStale {
    static let id = "backup-stale"

    static let rule = LiveRule(
        descriptor: RuleDescriptor(
            id: id, severity: .error, summary: "Backups succeed as often as their schedule and RPO promise",
            description: "A backup CronJob (annotated `ballast.dev/backup-of: <statefulset>`, or named `<statefulset>-backup…`) that stopped succeeding leaves the data without a recovery point while everything looks green in git. Its `status.lastSuccessfulTime` must be younger than the longest gap of its schedule plus `startingDeadlineSeconds` plus the Job's `activeDeadlineSeconds` (or `backupGraceSeconds`, 1 h, without one), and younger than the RPO of each StatefulSet it backs up (`ballast.dev/rpo: 15m|1h|24h` on the StatefulSet, else `rpoSeconds`, 24 h). A backup that never succeeded is stale once its first run was due.",
            remediation: "Look at the CronJob's last Jobs (`kubectl -n NS get jobs`, `kubectl logs job/NAME`): fix the failing run (credentials, target storage, `activeDeadlineSeconds` too short), unsuspend it if `spec.suspend` is true, then run one by hand (`kubectl create job --from=cronjob/NAME NAME-manual`)."),
        examples: examples, check: check)

    static func check(_ context: LiveContext) -> [Finding] {
        var findings: [Finding] = []
        for job in context.backupJobs {
            let spec = job.object.value["spec"]
            let schedule = spec?["schedule"]?.stringValue ?? ""
            let interval = CronSchedule(schedule)?.gaps(from: context.now).flatMap { $0.runs < 2 ? nil : $0.longest }
            let runTime = LiveContext.integer(spec?[path: "jobTemplate", "spec", "activeDeadlineSeconds"]) ?? context.params.backupGraceSeconds
            let allowed = interval.map { $0 + (LiveContext.integer(spec?["startingDeadlineSeconds"]) ?? 0) + runTime }
            // The tightest RPO among the StatefulSets it backs up: declared, else the default.
            var rpo: (seconds: Int64, source: String)?
            for target in job.targets {
                let namespace = job.object.namespace ?? ""
                let store = context.statefulSet(namespace: namespace, name: target)
                // A store that archives continuously meets its RPO through the archive, not this job.
                if let store, context.archivesContinuously(store) { continue }
                let declared = store?.annotations["ballast.dev/rpo"]
                if let text = declared, let seconds = LiveTime.duration(text) {
                    if rpo == nil || seconds < rpo!.seconds { rpo = (seconds, "the RPO of \(text) declared on StatefulSet \(target)") }
                } else if let seconds = context.params.rpoSeconds, rpo == nil || seconds < rpo!.seconds {
                    rpo = (seconds, "the default RPO of \(LiveTime.describe(seconds))")
                }
            }
            let suspended = spec?["suspend"]?.boolValue == true ? " (the CronJob is suspended)" : ""
            let name = "CronJob \(job.object.namespace ?? "")/\(job.object.name)"
            var problems: [String] = []
            if let last = job.lastSuccess {
                let age = context.now - last
                if let allowed, age > allowed {
                    problems.append("its schedule \"\(schedule)\" runs at least every \(LiveTime.describe(interval ?? 0)), allowing \(LiveTime.describe(allowed)) with deadlines")
                }
                if let rpo, age > rpo.seconds { problems.append("beyond \(rpo.source)") }
                if interval == nil && rpo == nil {
                    problems.append("its schedule \"\(schedule)\" cannot be read and no RPO applies, so freshness cannot be told")
                }
                guard !problems.isEmpty else { continue }
                findings.append(finding(context, job, "\(name) last succeeded \(LiveTime.describe(age)) ago; " + problems.joined(separator: ", and ") + suspended))
            } else {
                // A CronJob younger than its first due run has not failed yet.
                let created = job.object.value[path: "metadata", "creationTimestamp"]?.stringValue.flatMap(LiveTime.parse)
                let due = [allowed, rpo?.seconds].compactMap { $0 }.min()
                if let created, let due, context.now - created <= due { continue }
                let since = created.map { ", created \(LiveTime.describe(context.now - $0)) ago" } ?? ""
                findings.append(finding(context, job, "\(name) has never succeeded (no status.lastSuccessfulTime)\(since)" + suspended))
            }
        }
        return findings
    }

    private static func finding(_ context: LiveContext, _ job: BackupJob, _ message: String) -> Finding {
        context.finding(id, .error, message, object: job.object.ref,
                        span: context.span(of: job.object.ref, at: ["spec", "schedule"]), path: "status.lastSuccessfulTime")
    }

    static let desiredJob = """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: redis-backup, namespace: redis, annotations: {ballast.dev/backup-of: redis}}
        spec: {schedule: "0 */6 * * *", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: b, image: "redis:7.4"}]}}}}}
        """
    static func liveJob(_ status: String, name: String = "redis-backup", annotations: String = "", schedule: String = "0 */6 * * *",
                        created: String = "2026-09-01T00:00:00Z") -> String {
        """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: \(name), namespace: redis, creationTimestamp: "\(created)"\(annotations)}
        spec: {schedule: "\(schedule)", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: b, image: "redis:7.4"}]}}}}}
        status: \(status)
        """
    }
    static func statefulSet(rpo: String?) -> String {
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: redis, namespace: redis\(rpo.map { ", annotations: {ballast.dev/rpo: \"\($0)\"}" } ?? "")}
        spec: {replicas: 1, serviceName: redis, selector: {matchLabels: {app: redis}}, template: {metadata: {labels: {app: redis}}, spec: {containers: [{name: redis, image: "redis:7.4"}]}}}
        """
    }

    static let examples: [LiveExample] = [
        .pass("six-hourly backup, last success 5 h ago", live: liveJob("{lastSuccessfulTime: \"2026-11-30T19:00:00Z\"}"), desired: desiredJob),
        .pass("a nightly job that is no backup (no annotation, no -backup name)",
              live: liveJob("{lastSuccessfulTime: \"2026-10-01T00:00:00Z\"}", name: "report-mailer")),
        .pass("created an hour ago, never run yet",
              live: liveJob("{}", created: "2026-11-30T23:00:00Z")),
        .pass("a 1h RPO met by an hourly backup 40 minutes ago",
              live: liveJob("{lastSuccessfulTime: \"2026-11-30T23:20:00Z\"}", schedule: "20 * * * *") + "\n---\n" + statefulSet(rpo: "1h")),
        .fail("six-hourly backup, last success 2 days ago (named <sts>-backup)",
              live: liveJob("{lastSuccessfulTime: \"2026-11-29T00:00:00Z\"}"), desired: desiredJob),
        .fail("annotated in git only; never succeeded since September",
              live: liveJob("{lastScheduleTime: \"2026-11-30T18:00:00Z\"}", name: "nightly-dump"),
              desired: desiredJob.replacingAll("redis-backup", "nightly-dump")),
        .fail("on schedule but beyond the 15m RPO declared on the StatefulSet",
              live: liveJob("{lastSuccessfulTime: \"2026-11-30T21:00:00Z\"}") + "\n---\n" + statefulSet(rpo: "15m"),
              desired: desiredJob),
        .fail("weekly backup 3 days old: beyond the default 24 h RPO",
              live: liveJob("{lastSuccessfulTime: \"2026-11-28T00:00:00Z\"}", annotations: ", annotations: {ballast.dev/backup-of: redis}",
                            schedule: "0 0 * * 6")),
    ]
}
