import Testing
import Foundation
import KubeModel
import Findings
@testable import Report

/// The Prometheus report read by a real exposition-format parser: `prometheus_client` from Debian's
/// `python3-prometheus-client` (ci/setup installs it). Debian's own python3 is called by path, since the
/// python3 first on PATH may be another installation without Debian's modules.
@Suite("Prometheus report")
struct PrometheusReportTests {
    static let parser = """
        import json, sys
        from prometheus_client.parser import text_string_to_metric_families
        out = {}
        for family in text_string_to_metric_families(sys.stdin.read()):
            out[family.name] = {"type": family.type, "help": family.documentation,
                                "samples": [[s.name, s.labels, repr(float(s.value))] for s in family.samples]}
        json.dump(out, sys.stdout)
        """

    /// Family name → (type, samples as (labels, value)).
    func parse(_ exposition: String) throws -> [String: (type: String, samples: [([String: String], Double)])] {
        let run = try runProgram("/usr/bin/python3", ["-c", Self.parser], stdin: exposition)
        try #require(run.status == 0, "prometheus_client could not parse the report (run ci/setup): \(run.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: [String: Any]])
        return json.mapValues { family in
            let samples = (family["samples"] as? [[Any]] ?? []).map { sample -> ([String: String], Double) in
                let value: Double = (sample[2] as? Double) ?? (sample[2] as? String).flatMap(Double.init) ?? .nan
                return (sample[1] as? [String: String] ?? [:], value)
            }
            return (family["type"] as? String ?? "", samples)
        }
    }

    @Test func parsesWithFamiliesAndValues() throws {
        let text = PrometheusRenderer().render(driftResult(), ReportContext(command: "check"))
        let families = try parse(text)
        #expect(Set(families.keys) == ["ballast_findings", "ballast_drift_items", "ballast_pvc_usage_ratio",
                                       "ballast_backup_age_seconds", "ballast_check_success",
                                       "ballast_last_run_timestamp_seconds", "ballast_run_duration_seconds"])
        #expect(families.values.allSatisfy { $0.type == "gauge" })
        let findings = try #require(families["ballast_findings"]?.samples)
        #expect(findings.contains { $0.0 == ["rule": "statefulset-headless-service", "severity": "error"] && $0.1 == 1 })
        #expect(findings.contains { $0.0 == ["rule": "pvc-usage-high", "severity": "warning"] && $0.1 == 1 })
        let drift = try #require(families["ballast_drift_items"]?.samples)
        #expect(drift.contains { $0.0 == ["class": "in-place", "kind": "ConfigMap", "namespace": "db"] && $0.1 == 1 })
        #expect(drift.contains { $0.0 == ["class": "recreate", "kind": "StorageClass", "namespace": ""] && $0.1 == 1 })
        #expect(drift.map(\.1).reduce(0, +) == 5, "waived and resolved items are not counted")
        let usage = try #require(families["ballast_pvc_usage_ratio"]?.samples)
        #expect(usage.contains { $0.0 == ["namespace": "db", "persistentvolumeclaim": "data-redis-0"] && $0.1 == 0.93 })
        let backups = try #require(families["ballast_backup_age_seconds"]?.samples)
        #expect(backups.contains { $0.0 == ["namespace": "db", "cronjob": "redis-backup"] && $0.1 == 108_000 })
        #expect(backups.contains { $0.0 == ["namespace": "db", "cronjob": "postgres-backup"] && $0.1 == .infinity })
        #expect(families["ballast_check_success"]?.samples.first?.1 == 1)
        #expect(families["ballast_last_run_timestamp_seconds"]?.samples.first?.1 == 1_796_263_200)
        #expect(families["ballast_run_duration_seconds"]?.samples.first?.1 == 12.34)
    }

    @Test func incompleteRunIsNotASuccess() throws {
        let families = try parse(PrometheusRenderer().render(driftResult(incomplete: true), ReportContext()))
        #expect(families["ballast_check_success"]?.samples.first?.1 == 0)
        let lint = try parse(PrometheusRenderer().render(sampleResult(incomplete: true), ReportContext()))
        #expect(lint["ballast_check_success"]?.samples.first?.1 == 0)
    }

    @Test func withoutStartTimeUsesNow() throws {
        let before = Date().timeIntervalSince1970
        let families = try parse(PrometheusRenderer().render(RunResult(), ReportContext()))
        let stamp = try #require(families["ballast_last_run_timestamp_seconds"]?.samples.first?.1)
        #expect(stamp >= before.rounded(.down) && stamp <= Date().timeIntervalSince1970 + 1)
        #expect(families["ballast_run_duration_seconds"]?.samples.first?.1 == 0)
        #expect(families["ballast_check_success"]?.samples.first?.1 == 1)
    }

    /// Many series: more than one registry block, every series once, in order.
    @Test func manyClaimsAllAppearSorted() throws {
        var result = RunResult()
        result.liveMetrics.pvcUsage = (0..<1_000).map { PVCUsageMetric(namespace: "ns\($0 % 7)", name: "data-\($0)", usedRatio: Double($0) / 1000) }
        let text = PrometheusRenderer().render(result, ReportContext())
        let lines = text.split(separator: "\n").filter { $0.hasPrefix("ballast_pvc_usage_ratio{") }
        #expect(lines.count == 1_000)
        #expect(lines == lines.sorted())
        #expect(text.components(separatedBy: "# TYPE ballast_pvc_usage_ratio gauge").count == 2)
        let families = try parse(text)
        #expect(families["ballast_pvc_usage_ratio"]?.samples.count == 1_000)
    }
}
