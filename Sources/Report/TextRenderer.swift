import Findings
import KubeModel

/// `file:line:col: severity rule-id: message`, grouped by file, colour only when asked (a TTY), then a
/// summary line. A run that could not read everything says "incomplete", never "clean".
public struct TextRenderer: Renderer {
    public init() {}

    public func render(_ result: RunResult, _ context: ReportContext) -> String {
        var out = ""
        let shown = result.activeFindings + (context.quiet ? [] : result.notes)
        let sorted = shown.sorted(by: Finding.reportOrder)
        var lastFile: String?
        for finding in sorted {
            let file = finding.span?.file.path
            if let lastFile, file != lastFile { out += "\n" }
            lastFile = file
            out += line(finding, context) + "\n"
        }
        if !sorted.isEmpty { out += "\n" }
        for failure in result.failures {
            out += paint("error", .red, context) + ": could not read \(failure.source): \(failure.reason)\n"
        }
        if context.quiet && result.failures.isEmpty && result.activeFindings.isEmpty { return out }
        out += summary(result, context) + "\n"
        return out
    }

    func line(_ finding: Finding, _ context: ReportContext) -> String {
        let location: String
        if let span = finding.span { location = "\(span.file.path):\(span.line):\(span.column)" }
        else if let object = finding.object { location = object.description }
        else { location = "<input>" }
        let severity: String
        switch finding.severity {
        case .error: severity = paint("error", .red, context)
        case .warning: severity = paint("warning", .yellow, context)
        case .info: severity = paint("info", .blue, context)
        }
        // One line per finding, whatever the message holds.
        let message = finding.message.replacingAll("\r", "\\r").replacingAll("\n", "\\n")
        return "\(location): \(severity) \(paint(finding.ruleID, .bold, context)): \(message)"
    }

    func summary(_ result: RunResult, _ context: ReportContext) -> String {
        let scope = "\(plural(result.filesRead, "file")), \(plural(result.objectsChecked, "object"))"
        var extras: [String] = []
        if result.suppressedCount > 0 { extras.append("\(result.suppressedCount) waived") }
        if !result.notes.isEmpty { extras.append(plural(result.notes.count, "note")) }
        let tail = extras.isEmpty ? "" : " (" + extras.joined(separator: ", ") + ")"
        if result.isIncomplete {
            return paint("incomplete", .red, context)
                + ": \(plural(result.failures.count, "input")) could not be read; \(result.countsPhrase) in what was read (\(scope))\(tail)"
        }
        if result.activeFindings.isEmpty { return paint("clean", .green, context) + ": no findings in \(scope)\(tail)" }
        return "\(result.countsPhrase) in \(scope)\(tail)"
    }

    enum Color: String { case red = "31", yellow = "33", blue = "34", green = "32", bold = "1" }
    func paint(_ s: String, _ color: Color, _ context: ReportContext) -> String {
        context.useColor ? "\u{1B}[\(color.rawValue)m\(s)\u{1B}[0m" : s
    }
}
