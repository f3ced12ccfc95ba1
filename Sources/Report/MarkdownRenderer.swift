import Findings
import KubeModel

/// A pull-request comment: the verdict and a summary table first, then each finding with its file:line,
/// message and remediation.
public struct MarkdownRenderer: Renderer {
    public init() {}

    public func render(_ result: RunResult, _ context: ReportContext) -> String {
        let findings = result.activeFindings.sorted(by: Finding.reportOrder)
        var out = "## Ballast \(context.command): "
        if result.isIncomplete {
            out += "incomplete ⚠️\n\nSome inputs could not be read, so this is not a verdict:\n\n"
            for failure in result.failures { out += "- `\(code(failure.source))`: \(text(failure.reason))\n" }
            out += "\n"
        } else if findings.contains(where: { $0.severity == .error }) {
            out += "blocked ❌\n\n"
        } else if findings.isEmpty {
            out += "passed ✅\n\n"
        } else {
            out += "passed with warnings ⚠️\n\n"
        }
        out += "| severity | count |\n|---|---|\n"
        for severity in [Severity.error, .warning, .info] { out += "| \(severity.rawValue) | \(result.count(severity)) |\n" }
        if result.suppressedCount > 0 { out += "| waived | \(result.suppressedCount) |\n" }
        out += "\n\(plural(result.filesRead, "file")), \(plural(result.objectsChecked, "object")) checked"
        if result.changedObjects > 0 { out += "; \(plural(result.changedObjects, "object")) changed" }
        if result.preexistingCount > 0 { out += "; \(plural(result.preexistingCount, "pre-existing finding")) not shown" }
        out += ".\n"
        let waived = result.findings.filter(\.isSuppressed)
        if !waived.isEmpty {
            out += "\n**Waived** (let through by a waiver with a reason):\n\n"
            for f in waived {
                out += "- `\(f.ruleID)` on `\(code(f.object?.description ?? ""))`: \(text(f.waiver?.reason ?? ""))"
                out += (f.waiver?.until).map { " (until \($0))" } ?? ""
                out += "\n"
            }
        }
        if findings.isEmpty { return out }
        out += "\n### Findings\n\n"
        for f in findings {
            let location = f.span.map { "`\(code($0.file.path)):\($0.line)`" } ?? "`\(code(f.object?.description ?? "input"))`"
            out += "- **\(f.severity.rawValue)** `\(f.ruleID)` \(location)"
            if let object = f.object { out += " — `\(code(object.description))`" }
            out += "\n  \(text(f.message))\n"
            if let before = f.before, let after = f.after {
                out += "  `\(code(f.path ?? ""))`: `\(code(before))` → `\(code(after))`\n"
            }
            if let remediation = f.remediation { out += "  _Fix:_ \(text(remediation))\n" }
        }
        return out
    }

    /// Text inside backticks cannot hold a backtick.
    func code(_ s: String) -> String { s.replacingAll("`", "'") }
    /// Markdown special characters that would change the rendering of plain text.
    func text(_ s: String) -> String {
        s.replacingAll("\n", " ").replacingAll("|", "\\|").replacingAll("<", "&lt;").replacingAll(">", "&gt;")
    }
}
