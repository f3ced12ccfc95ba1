import KubeModel
import Findings

/// `restore-drill-stale`: the CronJob that proves a backup restores has not succeeded lately.
enum RestoreDrillStale {
    static let id = "restore-drill-stale"

    static let rule = LiveRule(
        descriptor: RuleDescriptor(
            id: id, severity: .warning, summary: "Restore drills succeed at least every restoreDrillMaxDays days",
            description: "A backup that was never restored is a hope, not a backup. A restore drill CronJob (annotated `ballast.dev/restore-test-of: <statefulset>`) must have succeeded within `restoreDrillMaxDays` (30); one that never succeeded is stale once it is that old.",
            remediation: "Look at the drill's last Jobs (`kubectl -n NS get jobs`, `kubectl logs job/NAME`), fix what fails (often the backup itself), and run one by hand (`kubectl create job --from=cronjob/NAME NAME-manual`)."),
        examples: examples, check: check)

    static func check(_ context: LiveContext) -> [Finding] {
        var findings: [Finding] = []
        let maxAge = context.params.restoreDrillMaxDays * 86_400
        for object in context.live(group: "batch", kind: "CronJob") {
            let targets = LiveContext.annotationList("ballast.dev/restore-test-of", object, context.desired[object.ref])
            guard !targets.isEmpty else { continue }
            let name = "restore drill CronJob \(object.namespace ?? "")/\(object.name) (of \(targets.joined(separator: ", ")))"
            let message: String
            if let last = object.value[path: "status", "lastSuccessfulTime"]?.stringValue.flatMap(LiveTime.parse) {
                guard context.now - last > maxAge else { continue }
                message = "\(name) last succeeded \(LiveTime.describe(context.now - last)) ago, more than \(context.params.restoreDrillMaxDays) days"
            } else {
                let created = object.value[path: "metadata", "creationTimestamp"]?.stringValue.flatMap(LiveTime.parse)
                if let created, context.now - created <= maxAge { continue }
                message = "\(name) has never succeeded" + (created.map { ", created \(LiveTime.describe(context.now - $0)) ago" } ?? "")
            }
            findings.append(context.finding(id, .warning, message, object: object.ref,
                                            span: context.span(of: object.ref, at: ["spec", "schedule"]), path: "status.lastSuccessfulTime"))
        }
        return findings
    }

    static func drill(_ status: String, annotated: Bool = true, created: String = "2026-06-01T00:00:00Z") -> String {
        """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: pg-restore-test, namespace: pg, creationTimestamp: "\(created)"\(annotated ? ", annotations: {ballast.dev/restore-test-of: pg}" : "")}
        spec: {schedule: "0 4 * * 0", jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: r, image: "postgres:16.4"}]}}}}}
        status: \(status)
        """
    }

    static let examples: [LiveExample] = [
        .pass("weekly drill, last success 6 days ago", live: drill("{lastSuccessfulTime: \"2026-11-25T04:10:00Z\"}")),
        .pass("new drill, created last week, never run", live: drill("{}", created: "2026-11-24T00:00:00Z")),
        .pass("not a drill (no annotation)", live: drill("{lastSuccessfulTime: \"2026-01-01T00:00:00Z\"}", annotated: false)),
        .fail("last success 45 days ago; the finding points at the schedule in git",
              live: drill("{lastSuccessfulTime: \"2026-10-17T04:10:00Z\"}"), desired: drill("{}")),
        .fail("never succeeded in six months", live: drill("{lastScheduleTime: \"2026-11-29T04:00:00Z\"}")),
    ]
}
