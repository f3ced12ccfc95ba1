import Findings
import KubeModel

/// GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=RULE::message`, so findings appear
/// as annotations on the pull request's diff.
public struct GitHubRenderer: Renderer {
    public init() {}

    public func render(_ result: RunResult, _ context: ReportContext) -> String {
        var out = ""
        for f in result.activeFindings.sorted(by: Finding.reportOrder) {
            let command: String
            switch f.severity { case .error: command = "error"; case .warning: command = "warning"; case .info: command = "notice" }
            var properties: [String] = []
            if let span = f.span {
                properties += ["file=\(property(span.file.path))", "line=\(span.line)", "col=\(span.column)"]
            }
            properties.append("title=\(property(f.ruleID))")
            let subject = f.object.map { "\($0): " } ?? ""
            out += "::\(command) \(properties.joined(separator: ","))::\(data(subject + f.message))\n"
        }
        for failure in result.failures {
            out += "::error title=incomplete::\(data("could not read \(failure.source): \(failure.reason)"))\n"
        }
        return out
    }

    /// Message escaping of the workflow command syntax.
    func data(_ s: String) -> String {
        s.replacingAll("%", "%25").replacingAll("\r", "%0D").replacingAll("\n", "%0A")
    }

    /// Property escaping: also `:` and `,`.
    func property(_ s: String) -> String { data(s).replacingAll(":", "%3A").replacingAll(",", "%2C") }
}

