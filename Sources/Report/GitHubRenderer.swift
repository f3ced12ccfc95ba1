import Findings
import KubeModel

/// GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=RULE::Kind/ns/name: message`, so
/// findings and drift appear as annotations on the pull request's diff (drift at the desired field's place
/// in git, titled `drift/<class>`).
public struct GitHubRenderer: Renderer {
    public init() {}

    public func render(_ result: RunResult, _ context: ReportContext) -> String {
        var out = ""
        for f in result.activeFindings.sorted(by: Finding.reportOrder) {
            let command: String
            switch f.severity { case .error: command = "error"; case .warning: command = "warning"; case .info: command = "notice" }
            let subject = f.object.map { "\($0): " } ?? ""
            out += annotation(command, f.span, title: f.ruleID, subject + f.message)
        }
        for item in result.activeDrift.sorted(by: DriftItem.reportOrder) {
            var text = "\(item.object): \(item.displayPath): \(item.desired) → \(item.live) [\(item.driftClass.rawValue)] by \(item.whoAndWhen)"
            if !item.message.isEmpty { text += ": " + item.message }
            if !item.remediation.isEmpty { text += "; fix: " + item.remediation }
            out += annotation("error", item.span, title: item.ruleID, text)
        }
        for item in result.uncompared {
            out += annotation("error", item.span, title: "incomplete", "could not compare \(item.object): \(item.reason)")
        }
        for failure in result.failures {
            out += "::error title=incomplete::\(data("could not read \(failure.source): \(failure.reason)"))\n"
        }
        return out
    }

    private func annotation(_ command: String, _ span: SourceSpan?, title: String, _ message: String) -> String {
        var properties: [String] = []
        if let span {
            properties += ["file=\(property(span.file.path))", "line=\(span.line)", "col=\(span.column)"]
        }
        properties.append("title=\(property(title))")
        return "::\(command) \(properties.joined(separator: ","))::\(data(message))\n"
    }

    /// Message escaping of the workflow command syntax; other control characters are spelt out, so that a
    /// manifest value cannot colour the log or start a workflow command of its own.
    func data(_ s: String) -> String {
        visibleText(s, keepingLineBreaks: true)
            .replacingAll("%", "%25").replacingAll("\r", "%0D").replacingAll("\n", "%0A")
    }

    /// Property escaping: also `:` and `,`.
    func property(_ s: String) -> String { data(s).replacingAll(":", "%3A").replacingAll(",", "%2C") }
}
