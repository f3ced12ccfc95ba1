import Findings
import KubeModel

/// `file:line:col: severity rule-id: message`, grouped by file, colour only when asked (a TTY), then a
/// summary line. A run that could not read everything says "incomplete", never "clean".
public struct TextRenderer: Renderer {
    public init() {}

    public func render(_ result: RunResult, _ context: ReportContext) -> String {
        String(decoding: renderUTF8(result, context), as: UTF8.self)
    }

    public func renderUTF8(_ result: RunResult, _ context: ReportContext) -> [UInt8] {
        let shown = result.activeFindings + (context.quiet ? [] : result.notes)
        var out = ReportBuffer(capacity: 200 * shown.count + 256)
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
        for failure in result.failures {
            out.append(paint("error", .red, context) + ": could not read \(failure.source): \(failure.reason)\n")
        }
        if context.quiet && result.failures.isEmpty && result.activeFindings.isEmpty { return out.bytes }
        out.append(summary(result, context) + "\n")
        return out.bytes
    }

    private func line(_ finding: Finding, _ context: ReportContext, into out: inout ReportBuffer, _ paths: inout PathCache) {
        if let span = finding.span {
            out.append(paths.path(of: span.file)); out.append(":"); out.append(span.line); out.append(":"); out.append(span.column)
        } else if let object = finding.object {
            out.append(object.description)
        } else {
            out.append("<input>")
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
        // One line per finding, whatever the message holds.
        out.append(finding.message, replacing: Self.lineBreaks)
    }

    private static let lineBreaks = ByteReplacements([("\r", "\\r"), ("\n", "\\n")])

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
