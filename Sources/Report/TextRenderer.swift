import Findings
import KubeModel

/// `file:line:col: severity rule-id: Kind/namespace/name: message` (kube-linter names the object too),
/// grouped by file; then drift grouped by object, one line per path; then what could not be read or
/// compared, and a summary line. Colour only when asked (a TTY). Every value from a manifest or the cluster
/// goes through `appendVisible`, so an escape sequence in it is printed, not obeyed. A run that could not
/// read or compare everything says "incomplete", never "clean" or "no drift".
public struct TextRenderer: Renderer {
    public init() {}

    public func render(_ result: RunResult, _ context: ReportContext) -> String {
        String(decoding: renderUTF8(result, context), as: UTF8.self)
    }

    public func renderUTF8(_ result: RunResult, _ context: ReportContext) -> [UInt8] {
        let shown = result.activeFindings + (context.quiet ? [] : result.notes)
        var out = ReportBuffer(capacity: 200 * (shown.count + result.drift.count) + 256)
        let sorted = shown.sorted(by: Finding.reportOrder)
        var lastFile: FileID?   // one id per path, so ids compare as paths do
        var paths = PathCache()
        for i in sorted.indices {
            let file = sorted[i].span?.file
            if let lastFile, file != lastFile { out.append("\n") }
            lastFile = file
            line(sorted[i], context, into: &out, &paths)
            out.append("\n")
        }
        if !sorted.isEmpty { out.append("\n") }
        let drift = result.activeDrift.sorted(by: DriftItem.reportOrder)
        driftSection(drift, context, into: &out, &paths)
        for item in result.uncompared {
            out.append(paint("not compared", .red, context)); out.append(": ")
            out.appendVisible(item.object.description)
            if let span = item.span {
                out.append(" ("); out.appendVisible(paths.path(of: span.file))
                out.append(":"); out.append(span.line); out.append(":"); out.append(span.column); out.append(")")
            }
            out.append(": "); out.appendVisible(item.reason); out.append("\n")
        }
        for failure in result.failures {
            out.append(paint("error", .red, context) + ": could not read ")
            out.appendVisible(failure.source); out.append(": "); out.appendVisible(failure.reason); out.append("\n")
        }
        if context.quiet && !result.isIncomplete && result.activeFindings.isEmpty && drift.isEmpty { return out.bytes }
        out.append(summary(result, context) + "\n")
        return out.bytes
    }

    private func line(_ finding: Finding, _ context: ReportContext, into out: inout ReportBuffer, _ paths: inout PathCache) {
        if let span = finding.span {
            out.appendVisible(paths.path(of: span.file))
            out.append(":"); out.append(span.line); out.append(":"); out.append(span.column)
        } else if let object = finding.object {
            out.appendVisible(object.description)
        } else {
            // Not from a file or an object: what the cluster said (a live read), or the run itself.
            out.append(finding.category == .live ? "cluster" : "ballast")
        }
        out.append(": ")
        switch finding.severity {
        case .error: out.append(paint("error", .red, context))
        case .warning: out.append(paint("warning", .yellow, context))
        case .info: out.append(paint("info", .blue, context))
        }
        out.append(" ")
        out.append(paint(finding.ruleID, .bold, context))
        out.append(": ")
        // The object, unless it already stands where the location would.
        if finding.span != nil, let object = finding.object {
            out.appendVisible(object.description)
            out.append(": ")
        }
        // One line per finding, whatever the message holds.
        out.appendVisible(finding.message)
    }

    /// `drift in Kind/ns/name (file):` then one line per path:
    /// `  path: desired → live [class] by manager Operation time: message; fix: remediation`.
    private func driftSection(_ drift: [DriftItem], _ context: ReportContext, into out: inout ReportBuffer,
                              _ paths: inout PathCache) {
        var i = 0
        while i < drift.count {
            let object = drift[i].object
            out.append(paint("drift", .yellow, context)); out.append(" in ")
            out.append(paint(visibleText(object.description), .bold, context))
            if let span = drift[i].span { out.append(" ("); out.appendVisible(paths.path(of: span.file)); out.append(")") }
            out.append(":\n")
            while i < drift.count && drift[i].object == object {
                let item = drift[i]
                out.append("  "); out.appendVisible(item.displayPath)
                out.append(": "); out.appendVisible(item.desired)
                out.append(" → "); out.appendVisible(item.live)
                out.append(" [")
                out.append(paint(item.driftClass.rawValue, item.driftClass == .recreateDataRisk ? .red : .yellow, context))
                if let status = item.status {
                    out.append(", "); out.append(status.rawValue)
                    if let firstSeen = item.firstSeen { out.append(" since "); out.appendVisible(firstSeen) }
                }
                out.append("] by "); out.appendVisible(item.whoAndWhen)
                if let span = item.span { out.append(" (line "); out.append(span.line); out.append(")") }
                if !item.message.isEmpty { out.append(": "); out.appendVisible(item.message) }
                if !item.remediation.isEmpty { out.append("; fix: "); out.appendVisible(item.remediation) }
                out.append("\n")
                i += 1
            }
        }
        if !drift.isEmpty { out.append("\n") }
    }

    func summary(_ result: RunResult, _ context: ReportContext) -> String {
        let scope = "\(plural(result.filesRead, "file")), \(plural(result.objectsChecked, "object"))"
        var extras: [String] = []
        if result.suppressedCount > 0 { extras.append("\(result.suppressedCount) waived") }
        let waivedDrift = result.drift.filter(\.isSuppressed).count
        if waivedDrift > 0 { extras.append("\(waivedDrift) drift waived") }
        let resolved = result.drift.filter { $0.status == .resolved }.count
        if resolved > 0 { extras.append("\(resolved) drift resolved since the baseline") }
        if !result.notes.isEmpty { extras.append(plural(result.notes.count, "note")) }
        let tail = extras.isEmpty ? "" : " (" + extras.joined(separator: ", ") + ")"
        let compared = plural(result.objectsCompared ?? 0, "object") + " compared"
        if result.isIncomplete {
            var missing: [String] = []
            if !result.failures.isEmpty { missing.append("\(plural(result.failures.count, "input")) could not be read") }
            if !result.uncompared.isEmpty { missing.append("\(plural(result.uncompared.count, "object")) not compared") }
            var s = paint("incomplete", .red, context) + ": " + missing.joined(separator: ", ")
                + "; \(result.countsPhrase) in what was read (\(scope))"
            if result.hasComparison {
                s += "; \(plural(result.activeDrift.count, "drift item")) in what was compared (\(compared))"
            }
            return s + tail
        }
        let driftPart = result.hasComparison ? "; \(result.driftPhrase) in \(compared)" : ""
        if result.activeFindings.isEmpty && !result.drift.contains(where: \.isActive) {
            return paint("clean", .green, context) + ": no findings in \(scope)\(driftPart)\(tail)"
        }
        return "\(result.countsPhrase) in \(scope)\(driftPart)\(tail)"
    }

    enum Color: String { case red = "31", yellow = "33", blue = "34", green = "32", bold = "1" }
    func paint(_ s: String, _ color: Color, _ context: ReportContext) -> String {
        context.useColor ? "\u{1B}[\(color.rawValue)m\(s)\u{1B}[0m" : s
    }
}
