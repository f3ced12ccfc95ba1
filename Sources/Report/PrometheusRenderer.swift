import Findings
import Foundation
import KubeModel
import Prometheus

/// The Prometheus text exposition format (`--format prometheus`), for the node-exporter textfile collector
/// or a push to a Pushgateway from the nightly CronJob. Samples are written by swift-prometheus
/// (`PrometheusCollectorRegistry`: metric and label names checked, label values escaped); Ballast only
/// decides the families and their order.
///
/// | family | labels | value |
/// |---|---|---|
/// | `ballast_findings` | rule, severity | active (not waived) findings |
/// | `ballast_drift_items` | class, kind, namespace | active drift items ("" namespace: cluster-scoped) |
/// | `ballast_pvc_usage_ratio` | namespace, persistentvolumeclaim | used fraction, 0...1 |
/// | `ballast_backup_age_seconds` | namespace, cronjob | since the last success; +Inf when none |
/// | `ballast_check_success` | | 1 when the run read and compared everything, else 0 |
/// | `ballast_last_run_timestamp_seconds` | | when the run started (now when unknown) |
/// | `ballast_run_duration_seconds` | | how long it took (0 when unknown) |
public struct PrometheusRenderer: Renderer {
    public init() {}

    public func render(_ result: RunResult, _ context: ReportContext) -> String {
        String(decoding: renderUTF8(result, context), as: UTF8.self)
    }

    public func renderUTF8(_ result: RunResult, _ context: ReportContext) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(200 * (result.liveMetrics.pvcUsage.count + result.liveMetrics.backupAges.count) + 4096)

        var findings: [Key: Double] = [:]
        for i in result.findings.indices where result.findings[i].waiver == nil {   // by index: no copy of each finding
            findings[Key(result.findings[i].ruleID, result.findings[i].severity.rawValue), default: 0] += 1
        }
        family("ballast_findings", help: "Active (not waived) findings of the last run, by rule and severity.",
               labels: ["rule", "severity"], findings, into: &out)

        var drift: [Key: Double] = [:]
        for i in result.drift.indices where result.drift[i].isActive {
            let object = result.drift[i].object
            drift[Key(result.drift[i].driftClass.rawValue, object.kind, object.namespace ?? ""), default: 0] += 1
        }
        family("ballast_drift_items", help: "Active drift items of the last run, by class, kind and namespace.",
               labels: ["class", "kind", "namespace"], drift, into: &out)

        var usage: [Key: Double] = [:]
        for pvc in result.liveMetrics.pvcUsage { usage[Key(pvc.namespace, pvc.name)] = pvc.usedRatio }
        family("ballast_pvc_usage_ratio", help: "Used fraction of each mounted PersistentVolumeClaim (kubelet stats).",
               labels: ["namespace", "persistentvolumeclaim"], usage, into: &out)

        var backups: [Key: Double] = [:]
        for b in result.liveMetrics.backupAges {
            backups[Key(b.namespace, b.cronJob)] = b.ageSeconds.map(Double.init) ?? .infinity
        }
        family("ballast_backup_age_seconds", help: "Seconds since the last successful run of each backup CronJob (+Inf: never).",
               labels: ["namespace", "cronjob"], backups, into: &out)

        let started = result.startedAt.flatMap(Self.epochSeconds) ?? Date().timeIntervalSince1970
        single("ballast_check_success", help: "1 when the last run read and compared everything it had to, else 0.",
               result.isIncomplete ? 0 : 1, into: &out)
        single("ballast_last_run_timestamp_seconds", help: "When the last run started, in seconds since the Unix epoch.",
               started, into: &out)
        single("ballast_run_duration_seconds", help: "How long the last run took.", result.durationSeconds ?? 0, into: &out)
        return out
    }

    /// Label values of one series, in the order of the family's label names.
    struct Key: Hashable {
        var values: [String]
        init(_ values: String...) { self.values = values }
    }

    /// Series per registry. swift-prometheus 2.4.1 copies a family's whole series table each time it adds
    /// a series (`MetricFamily.adding`), so one registry holding n series costs O(n²); blocks of this size
    /// keep it linear (see the README's Prometheus section for the measurement).
    static let seriesPerRegistry = 256

    /// One gauge family: HELP and TYPE once, then its samples sorted (the registry's own order follows a
    /// hash table, which changes from run to run). Nothing when the family has no series.
    private func family(_ name: String, help: String, labels names: [String], _ series: [Key: Double],
                        into out: inout [UInt8]) {
        guard !series.isEmpty else { return }
        let keys = series.keys.sorted { $0.values.lexicographicallyPrecedes($1.values) }
        var header: [ArraySlice<UInt8>] = []
        var samples: [ArraySlice<UInt8>] = []
        samples.reserveCapacity(keys.count)
        var start = 0
        while start < keys.count {
            let registry = PrometheusCollectorRegistry()
            for key in keys[start..<min(start + Self.seriesPerRegistry, keys.count)] {
                registry.makeGauge(name: name, labels: Array(zip(names, key.values.map { visibleText($0) })), help: help).set(series[key] ?? 0)
            }
            let lines = registry.emitToBuffer().split(separator: UInt8(ascii: "\n"))
            for line in lines {
                if line.first == UInt8(ascii: "#") { if start == 0 { header.append(line) } } else { samples.append(line) }
            }
            start += Self.seriesPerRegistry
        }
        samples.sort { $0.lexicographicallyPrecedes($1) }
        for line in header + samples {
            out.append(contentsOf: line)
            out.append(UInt8(ascii: "\n"))
        }
    }

    /// A family of one unlabelled gauge.
    private func single(_ name: String, help: String, _ value: Double, into out: inout [UInt8]) {
        let registry = PrometheusCollectorRegistry()
        registry.makeGauge(name: name, help: help).set(value)
        registry.emit(into: &out)
    }

    /// Seconds since the epoch of an RFC 3339 time (`2026-12-03T02:00:00Z`, fractions and offsets too).
    static func epochSeconds(_ rfc3339: String) -> Double? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: rfc3339) { return date.timeIntervalSince1970 }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: rfc3339)?.timeIntervalSince1970
    }
}
