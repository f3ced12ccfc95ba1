import Findings
import KubeModel
import Mustache

/// One self-contained page for nightly reports (`--format html`): summary cards (verdict, errors and
/// warnings, drift items by class, incomplete sources), the findings table, drift by class as an inline SVG
/// chart and the drift table, PVC usage bars with 80 % and 90 % marks, backup ages. No script and no
/// external asset: it opens from a file or a mail attachment as it is.
///
/// Rendered through the Mustache template `htmlReportTemplate`, which HTML-escapes every value: a
/// `<script>` in a manifest stays text. The values are plain dictionaries, so Mustache looks keys up
/// without reflection.
public struct HTMLRenderer: Renderer {
    public init() {}

    /// Compiled once per process. The template is a constant of this module (never input), and the golden
    /// test renders it, so a parse error is a programming error.
    private static let template: MustacheTemplate = {
        do { return try MustacheTemplate(string: htmlReportTemplate) } catch {
            preconditionFailure("HTML report template does not parse: \(error)")
        }
    }()

    public func render(_ result: RunResult, _ context: ReportContext) -> String {
        Self.template.render(page(result, context))
    }

    /// The template's data: a dictionary of strings, booleans and lists of dictionaries.
    func page(_ result: RunResult, _ context: ReportContext) -> [String: Any] {
        let counts = result.severityCounts
        let verdict = result.verdict
        var page: [String: Any] = [
            "command": context.command,
            "toolVersion": context.toolVersion,
            "toolVersions": result.toolVersions.sorted { $0.key < $1.key }.map { ["name": v($0.key), "version": v($0.value)] },
            "verdict": verdict.rawValue,
            "verdictLabel": Self.label(verdict),
            "errors": String(counts.errors),
            "warnings": String(counts.warnings),
            "objects": plural(result.objectsChecked, "object"),
            "files": plural(result.filesRead, "file"),
            "incompleteCount": String(result.failures.count + result.uncompared.count),
            "isIncomplete": result.isIncomplete,
            "hasComparison": result.hasComparison,
        ]
        if let startedAt = result.startedAt { page["startedAt"] = v(startedAt) }
        if let duration = result.durationSeconds { page["duration"] = Self.seconds(duration) }
        if let compared = result.objectsCompared { page["compared"] = plural(compared, "object") }
        if counts.suppressed > 0 { page["waived"] = plural(counts.suppressed, "finding") }
        page["failures"] = result.failures.map { ["source": v($0.source), "reason": v($0.reason)] }
        var paths = PathCache()
        page["uncompared"] = result.uncompared.map { item -> [String: Any] in
            var row: [String: Any] = ["object": v(item.object.description), "reason": v(item.reason)]
            if let span = item.span { row["location"] = v("\(paths.path(of: span.file)):\(span.line)") }
            return row
        }

        // Most severe first, waived last; a page of tens of thousands of rows is read by no one and costs
        // seconds to render, so the table stops at `rowLimit` and says where the rest is.
        let ordered = result.findings.inReportOrder
        var findings: [Finding] = []
        for severity in [Severity.error, .warning, .info] {
            for i in ordered.indices where ordered[i].severity == severity && ordered[i].waiver == nil {
                if findings.count == Self.rowLimit { break }
                findings.append(ordered[i])
            }
        }
        for i in ordered.indices where ordered[i].waiver != nil && findings.count < Self.rowLimit { findings.append(ordered[i]) }
        if ordered.count > findings.count {
            page["findingsMore"] = "The \(findings.count) most severe of \(ordered.count) findings; the JSON and SARIF reports have them all."
        }
        page["rules"] = ruleSummary(ordered)
        page["hasFindings"] = !findings.isEmpty
        page["findings"] = findings.map { f -> [String: Any] in
            var row: [String: Any] = ["severity": f.severity.rawValue, "rule": v(f.ruleID), "message": v(f.message)]
            if let object = f.object { row["object"] = v(object.description) }
            if let span = f.span { row["location"] = v("\(paths.path(of: span.file)):\(span.line):\(span.column)") }
            if let remediation = f.remediation { row["remediation"] = v(remediation) }
            if let waiver = f.waiver { row["waiver"] = v(waiver.reason + (waiver.until.map { ", until " + $0 } ?? "")) }
            return row
        }

        if result.hasComparison {
            let byClass = result.driftCountsByClass
            page["driftTotal"] = String(byClass.reduce(0) { $0 + $1.1 })
            page["driftClasses"] = byClass.map { ["name": $0.0.rawValue, "count": String($0.1), "nonzero": $0.1 > 0] }
            page["driftChart"] = driftChart(byClass)
            let (drift, shown) = Self.firstInReportOrder(result.drift, limit: Self.rowLimit)
            if shown > drift.count {
                page["driftMore"] = "The first \(drift.count) of \(shown) drift items; the JSON and SARIF reports have them all."
            }
            page["hasDrift"] = !drift.isEmpty
            page["noDriftText"] = result.isIncomplete
                ? "0 drift items in what was compared; the comparison is incomplete (see above)."
                : "No drift: every compared object matches git."
            page["drift"] = drift.map { item -> [String: Any] in
                var row: [String: Any] = [
                    "object": v(item.object.description), "path": v(item.displayPath), "desired": v(item.desired),
                    "live": v(item.live), "class": item.driftClass.rawValue, "remediation": v(item.remediation),
                    "who": v(item.attribution.first.map { "\($0.manager) \($0.operation)" + ($0.subresource.map { "/" + $0 } ?? "") } ?? "unknown"),
                    "when": v(item.attribution.first?.time ?? ""),
                ]
                if let span = item.span { row["location"] = v("\(paths.path(of: span.file)):\(span.line)") }
                if !item.message.isEmpty { row["message"] = v(item.message) }
                if let waiver = item.waiver { row["status"] = "waived: " + v(waiver.reason) }
                else if let status = item.status { row["status"] = status.rawValue }
                if let firstSeen = item.firstSeen { row["firstSeen"] = v(firstSeen) }
                return row
            }
        }
        if !result.liveMetrics.pvcUsage.isEmpty { page["pvcChart"] = pvcChart(result.liveMetrics.pvcUsage) }
        if result.liveMetrics.pvcUsage.count > Self.barLimit {
            page["pvcMore"] = "The \(Self.barLimit) fullest of \(result.liveMetrics.pvcUsage.count) claims; the Prometheus report has them all."
        }
        let backups = result.liveMetrics.backupAges.sorted { ($0.namespace, $0.cronJob) < ($1.namespace, $1.cronJob) }
        page["hasBackups"] = !backups.isEmpty
        page["backups"] = backups.map { b -> [String: Any] in
            ["name": v("\(b.namespace)/\(b.cronJob)"), "age": b.ageSeconds.map { Self.age($0) + " ago" } ?? "never succeeded"]
        }
        return page
    }

    /// Mustache escapes HTML; control characters (an escape sequence in a manifest value) are spelt out
    /// too, so the page is harmless even printed on a terminal.
    private func v(_ s: String) -> String { visibleText(s) }

    /// Horizontal bars, one per drift class, scaled to the largest count.
    private func driftChart(_ byClass: [(DriftClass, Int)]) -> [String: Any] {
        let largest = max(byClass.map(\.1).max() ?? 0, 1)
        let bars = byClass.enumerated().map { (i, entry) -> [String: Any] in
            let width = entry.1 == 0 ? 0 : max(2, entry.1 * 400 / largest)
            return ["name": entry.0.rawValue, "count": String(entry.1), "y": String(i * 24 + 4),
                    "textY": String(i * 24 + 17), "barWidth": String(width), "countX": String(150 + width + 6),
                    "color": Self.color(entry.0)]
        }
        return ["bars": bars, "width": "620", "height": String(byClass.count * 24 + 4)]
    }

    /// The first `limit` drift items not resolved, in report order, and how many there are in all. A run's
    /// items are sorted once before rendering, so the order is checked (one pass) and the rows taken from the
    /// front; only items out of order (a caller that did not sort) are copied and sorted.
    static func firstInReportOrder(_ items: [DriftItem], limit: Int) -> (rows: [DriftItem], total: Int) {
        var total = 0
        for i in items.indices where items[i].status != .resolved { total += 1 }
        let isSorted = !items.indices.dropFirst().contains { DriftItem.reportOrder(items[$0], items[$0 - 1]) }
        guard isSorted else {
            return (Array(items.filter { $0.status != .resolved }.sorted(by: DriftItem.reportOrder).prefix(limit)), total)
        }
        var rows: [DriftItem] = []
        rows.reserveCapacity(min(limit, total))
        for i in items.indices where items[i].status != .resolved {
            if rows.count == limit { break }
            rows.append(items[i])
        }
        return (rows, total)
    }

    /// Rows of the findings and drift tables at most.
    static let rowLimit = 1_000
    /// PVC usage bars at most (the fullest claims).
    static let barLimit = 60

    /// Active findings per rule and severity, most severe and most frequent first: the whole picture when
    /// the table is cut.
    private func ruleSummary(_ findings: [Finding]) -> [[String: Any]] {
        struct RuleKey: Hashable { var rule: String; var severity: Severity }
        var counts: [RuleKey: Int] = [:]
        for i in findings.indices where findings[i].waiver == nil {
            counts[RuleKey(rule: findings[i].ruleID, severity: findings[i].severity), default: 0] += 1
        }
        return counts.sorted { ($1.key.severity, $1.value, $0.key.rule) < ($0.key.severity, $0.value, $1.key.rule) }
            .map { ["rule": v($0.key.rule), "severity": $0.key.severity.rawValue, "count": String($0.value)] }
    }

    /// One bar per claim (fullest first, at most `barLimit`), the track standing for 100 %, dashed marks at
    /// 80 % and 90 %.
    private func pvcChart(_ usage: [PVCUsageMetric]) -> [String: Any] {
        let trackX = 320, trackWidth = 600
        let sorted = usage.sorted { ($1.usedRatio, $0.namespace, $0.name) < ($0.usedRatio, $1.namespace, $1.name) }
            .prefix(Self.barLimit)
        let bars = sorted.enumerated().map { (i, pvc) -> [String: Any] in
            let ratio = pvc.usedRatio.isFinite ? pvc.usedRatio : 0
            let width = Int((min(max(ratio, 0), 1) * Double(trackWidth)).rounded())
            let color = ratio >= 0.9 ? "#cf222e" : ratio >= 0.8 ? "#d4a72c" : "#2da44e"
            return ["name": v("\(pvc.namespace)/\(pvc.name)"), "y": String(i * 22 + 4), "textY": String(i * 22 + 15),
                    "trackX": String(trackX), "trackWidth": String(trackWidth), "barWidth": String(width),
                    "color": color, "percent": String(Int((ratio * 100).rounded())) + " %",
                    "percentX": String(trackX + trackWidth + 8)]
        }
        let bottom = sorted.count * 22 + 4
        return ["bars": bars, "width": String(trackX + trackWidth + 60), "height": String(bottom + 18),
                "mark80": String(trackX + trackWidth * 8 / 10), "mark90": String(trackX + trackWidth * 9 / 10),
                "marksBottom": String(bottom), "labelY": String(bottom + 14)]
    }

    static func label(_ verdict: Verdict) -> String {
        switch verdict {
        case .incomplete: "incomplete"
        case .blocked: "blocked"
        case .drift: "drift found"
        case .warnings: "passed with warnings"
        case .passed: "passed"
        }
    }

    static func color(_ driftClass: DriftClass) -> String {
        switch driftClass {
        case .inPlace: "#0969da"
        case .inPlaceIf: "#54aeff"
        case .recreate: "#d4a72c"
        case .recreateDataRisk: "#cf222e"
        case .gitBehind: "#8250df"
        }
    }

    /// `12.3 s`.
    static func seconds(_ s: Double) -> String {
        let tenths = Int((s * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }

    /// `3 d 4 h`, `5 h 10 min`, `42 min`, `17 s`.
    static func age(_ seconds: Int64) -> String {
        let d = seconds / 86_400, h = seconds % 86_400 / 3_600, m = seconds % 3_600 / 60
        if d > 0 { return "\(d) d \(h) h" }
        if h > 0 { return "\(h) h \(m) min" }
        if m > 0 { return "\(m) min" }
        return "\(seconds) s"
    }
}
