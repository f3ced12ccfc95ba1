import Findings
import KubeModel

/// The documented, stable JSON report (`schemaVersion: 1`; see the README). Adding optional fields keeps
/// the version; removing or renaming one bumps it.
public struct JSONRenderer: Renderer {
    public init() {}

    public func render(_ result: RunResult, _ context: ReportContext) -> String {
        var out = "{\n  \"schemaVersion\": 1,\n  \"tool\": {\"name\": \"ballast\", \"version\": \(jsonQuoted(context.toolVersion))},\n"
        out += "  \"findings\": ["
        out += result.findings.sorted(by: Finding.reportOrder).map { "\n    " + object($0) }.joined(separator: ",")
        out += result.findings.isEmpty ? "],\n" : "\n  ],\n"
        out += "  \"notes\": ["
        out += result.notes.map { "\n    " + object($0) }.joined(separator: ",")
        out += result.notes.isEmpty ? "],\n" : "\n  ],\n"
        out += "  \"summary\": {"
        out += "\"errors\": \(result.count(.error)), \"warnings\": \(result.count(.warning)), \"infos\": \(result.count(.info)), "
        out += "\"suppressed\": \(result.suppressedCount), \"notes\": \(result.notes.count), "
        out += "\"files\": \(result.filesRead), \"objects\": \(result.objectsChecked), "
        if result.changedObjects > 0 || result.preexistingCount > 0 {
            out += "\"changedObjects\": \(result.changedObjects), \"preexisting\": \(result.preexistingCount), "
        }
        out += "\"incomplete\": \(result.isIncomplete), \"failures\": ["
        out += result.failures.map { "{\"source\": \(jsonQuoted($0.source)), \"reason\": \(jsonQuoted($0.reason))}" }
            .joined(separator: ", ")
        out += "]}\n}\n"
        return out
    }

    func object(_ f: Finding) -> String {
        var fields: [String] = [
            "\"rule\": \(jsonQuoted(f.ruleID))",
            "\"severity\": \(jsonQuoted(f.severity.rawValue))",
            "\"message\": \(jsonQuoted(f.message))",
            "\"object\": \(f.object.map { jsonQuoted($0.description) } ?? "null")",
            "\"file\": \(f.span.map { jsonQuoted($0.file.path) } ?? "null")",
            "\"line\": \(f.span.map { String($0.line) } ?? "null")",
            "\"column\": \(f.span.map { String($0.column) } ?? "null")",
            "\"path\": \(f.path.map(jsonQuoted) ?? "null")",
            "\"category\": \(jsonQuoted(f.category.rawValue))",
        ]
        if let remediation = f.remediation { fields.append("\"remediation\": \(jsonQuoted(remediation))") }
        if let before = f.before { fields.append("\"before\": \(jsonQuoted(before))") }
        if let after = f.after { fields.append("\"after\": \(jsonQuoted(after))") }
        if let waiver = f.waiver {
            fields.append("\"suppressed\": true")
            fields.append("\"waiver\": {\"reason\": \(jsonQuoted(waiver.reason)), \"until\": \(waiver.until.map(jsonQuoted) ?? "null")}")
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }
}
