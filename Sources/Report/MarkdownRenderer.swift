import Findings
import KubeModel

/// A pull-request or nightly comment: the verdict and summary tables first, then each finding with its
/// file:line, object, message and remediation, then drift as a table (object, path, desired → live, class,
/// who and when).
public struct MarkdownRenderer: Renderer {
    public init() {}

    public func render(_ result: RunResult, _ context: ReportContext) -> String {
        let findings = result.activeFindings.sorted(by: Finding.reportOrder)
        var out = "## Ballast \(context.command): "
        switch result.verdict {
        case .incomplete:
            out += "incomplete ⚠️\n\nSome inputs could not be read or compared, so this is not a verdict:\n\n"
            for failure in result.failures { out += "- `\(code(failure.source))`: \(text(failure.reason))\n" }
            for item in result.uncompared {
                out += "- `\(code(item.object.description))` not compared: \(text(item.reason))\n"
            }
            out += "\n"
        case .blocked: out += "blocked ❌\n\n"
        case .drift: out += "drift found ❌\n\n"
        case .passed: out += "passed ✅\n\n"
        case .warnings: out += "passed with warnings ⚠️\n\n"
        }
        out += "| severity | count |\n|---|---|\n"
        for severity in [Severity.error, .warning, .info] { out += "| \(severity.rawValue) | \(result.count(severity)) |\n" }
        if result.suppressedCount > 0 { out += "| waived | \(result.suppressedCount) |\n" }
        if result.hasComparison {
            out += "\n| drift class | items |\n|---|---|\n"
            for (driftClass, n) in result.driftCountsByClass { out += "| \(driftClass.rawValue) | \(n) |\n" }
            let waived = result.drift.filter(\.isSuppressed).count
            if waived > 0 { out += "| waived | \(waived) |\n" }
            let resolved = result.drift.filter { $0.status == .resolved }.count
            if resolved > 0 { out += "| resolved since the baseline | \(resolved) |\n" }
        }
        out += "\n\(plural(result.filesRead, "file")), \(plural(result.objectsChecked, "object")) checked"
        if let compared = result.objectsCompared { out += "; \(plural(compared, "object")) compared with the cluster" }
        if result.changedObjects > 0 { out += "; \(plural(result.changedObjects, "object")) changed" }
        if result.preexistingCount > 0 { out += "; \(plural(result.preexistingCount, "pre-existing finding")) not shown" }
        out += ".\n"
        let waived = result.findings.filter(\.isSuppressed)
        if !waived.isEmpty {
            out += "\n**Waived** (let through by a waiver with a reason):\n\n"
            for f in waived {
                out += "- `\(f.ruleID)` on `\(code(f.object?.description ?? ""))`: \(text(f.waiver?.reason ?? ""))"
                out += (f.waiver?.until).map { " (until \(text($0)))" } ?? ""
                out += "\n"
            }
        }
        if !findings.isEmpty {
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
        }
        let drift = result.activeDrift.sorted(by: DriftItem.reportOrder)
        if !drift.isEmpty {
            out += "\n### Drift\n\n| object | path | desired → live | class | who | when | fix |\n|---|---|---|---|---|---|---|\n"
            for item in drift {
                let who = item.attribution.first.map { "\($0.manager) \($0.operation)" + ($0.subresource.map { "/" + $0 } ?? "") } ?? "unknown"
                let location = item.span.map { " (`\(cell($0.file.path)):\($0.line)`)" } ?? ""
                out += "| `\(cell(item.object.description))`\(location) | `\(cell(item.displayPath))` "
                out += "| `\(cell(item.desired))` → `\(cell(item.live))` | \(item.driftClass.rawValue)"
                out += item.status.map { " (\($0.rawValue))" } ?? ""
                out += " | \(text(who)) | \(text(item.attribution.first?.time ?? "")) "
                out += "| \(text(item.message.isEmpty ? item.remediation : item.message + "; " + item.remediation)) |\n"
            }
        }
        return out
    }

    /// Text inside backticks cannot hold a backtick (nor a line break: control characters are spelt out).
    func code(_ s: String) -> String { visibleText(s).replacingAll("`", "'") }
    /// The same inside a table cell, which a `|` would end (GitHub reads `\|` in a code span as `|`).
    func cell(_ s: String) -> String { code(s).replacingAll("|", "\\|") }
    /// Markdown special characters that would change the rendering of plain text.
    func text(_ s: String) -> String {
        visibleText(s, keepingLineBreaks: true)
            .replacingAll("\n", " ").replacingAll("|", "\\|").replacingAll("<", "&lt;").replacingAll(">", "&gt;")
    }
}
