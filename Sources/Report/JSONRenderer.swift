import Findings
import KubeModel

/// The documented, stable JSON report (`schemaVersion: 1`; see the README). Adding optional fields keeps
/// the version; removing or renaming one bumps it.
public struct JSONRenderer: Renderer {
    public init() {}

    public func render(_ result: RunResult, _ context: ReportContext) -> String {
        String(decoding: renderUTF8(result, context), as: UTF8.self)
    }

    public func renderUTF8(_ result: RunResult, _ context: ReportContext) -> [UInt8] {
        var out = ReportBuffer(capacity: 512 * (result.findings.count + result.notes.count + result.drift.count) + 1024)
        render(result, context, into: &out)
        return out.bytes
    }

    /// The same bytes, streamed a megabyte at a time.
    public func write(_ result: RunResult, _ context: ReportContext, to sink: ([UInt8]) -> Void) {
        withoutActuallyEscaping(sink) { sink in
            var out = ReportBuffer(sink: sink)
            render(result, context, into: &out)
            sink(out.bytes)
        }
    }

    private func render(_ result: RunResult, _ context: ReportContext, into out: inout ReportBuffer) {
        out.append("{\n  \"schemaVersion\": 1,\n  \"tool\": {\"name\": \"ballast\", \"version\": ")
        out.appendJSON(context.toolVersion)
        out.append("},\n")
        var paths = PathCache()
        out.append("  \"findings\": [")
        list(result.findings.inReportOrder, into: &out, &paths)
        out.append("  \"notes\": [")
        list(result.notes, into: &out, &paths)
        if result.hasComparison { driftArrays(result, into: &out, &paths) }
        let counts = result.severityCounts
        out.append("  \"summary\": {\"errors\": "); out.append(counts.errors)
        out.append(", \"warnings\": "); out.append(counts.warnings)
        out.append(", \"infos\": "); out.append(counts.infos)
        out.append(", \"suppressed\": "); out.append(counts.suppressed)
        out.append(", \"notes\": "); out.append(result.notes.count)
        out.append(", \"files\": "); out.append(result.filesRead)
        out.append(", \"objects\": "); out.append(result.objectsChecked)
        out.append(", ")
        if result.changedObjects > 0 || result.preexistingCount > 0 {
            out.append("\"changedObjects\": "); out.append(result.changedObjects)
            out.append(", \"preexisting\": "); out.append(result.preexistingCount)
            out.append(", ")
        }
        if result.hasComparison {
            out.append("\"objectsCompared\": "); out.appendJSON(result.objectsCompared)
            out.append(", \"drift\": {\"total\": "); out.append(result.activeDrift.count)
            for (driftClass, n) in result.driftCountsByClass {
                out.append(", "); out.appendJSON(driftClass.rawValue); out.append(": "); out.append(n)
            }
            out.append(", \"suppressed\": "); out.append(result.drift.filter(\.isSuppressed).count)
            out.append(", \"resolved\": "); out.append(result.drift.filter { $0.status == .resolved }.count)
            out.append(", \"uncompared\": "); out.append(result.uncompared.count)
            out.append("}, ")
        }
        out.append("\"incomplete\": "); out.append(result.isIncomplete)
        out.append(", \"failures\": [")
        for (i, failure) in result.failures.enumerated() {
            if i > 0 { out.append(", ") }
            out.append("{\"source\": "); out.appendJSON(failure.source)
            out.append(", \"reason\": "); out.appendJSON(failure.reason)
            out.append("}")
        }
        out.append("]}\n}\n")
    }

    /// The `drift` and `uncompared` arrays (only when a comparison ran: a lint report stays as it was).
    private func driftArrays(_ result: RunResult, into out: inout ReportBuffer, _ paths: inout PathCache) {
        out.append("  \"drift\": [")
        let drift = result.drift
        for i in drift.indices {
            out.append(i == 0 ? "\n    " : ",\n    ")
            driftObject(drift[i], into: &out, &paths)
            out.spill()
        }
        out.append(drift.isEmpty ? "],\n" : "\n  ],\n")
        out.append("  \"uncompared\": [")
        for (i, item) in result.uncompared.enumerated() {
            out.append(i == 0 ? "\n    " : ",\n    ")
            out.append("{\"object\": "); out.appendJSON(item.object)
            out.append(", \"reason\": "); out.appendJSON(item.reason)
            out.append(", \"file\": "); out.appendJSON(item.span.map { paths.path(of: $0.file) })
            out.append(", \"line\": "); out.appendJSON(item.span?.line)
            out.append("}")
        }
        out.append(result.uncompared.isEmpty ? "],\n" : "\n  ],\n")
    }

    /// One drift item as a JSON object; `desired` and `live` are the compact JSON texts as strings.
    private func driftObject(_ item: DriftItem, into out: inout ReportBuffer, _ paths: inout PathCache) {
        out.append("{\"object\": "); out.appendJSON(item.object)
        out.append(", \"path\": "); out.appendJSON(item.path)
        out.append(", \"desired\": "); out.appendJSON(item.desired)
        out.append(", \"live\": "); out.appendJSON(item.live)
        out.append(", \"class\": "); out.appendJSON(item.driftClass.rawValue)
        out.append(", \"attribution\": [")
        out.appendAttributionItems(item.attribution)
        out.append("], \"remediation\": "); out.appendJSON(item.remediation)
        out.append(", \"message\": "); out.appendJSON(item.message)
        out.append(", \"file\": "); out.appendJSON(item.span.map { paths.path(of: $0.file) })
        out.append(", \"line\": "); out.appendJSON(item.span?.line)
        out.append(", \"column\": "); out.appendJSON(item.span?.column)
        if let status = item.status { out.append(", \"status\": "); out.appendJSON(status.rawValue) }
        if let firstSeen = item.firstSeen { out.append(", \"firstSeen\": "); out.appendJSON(firstSeen) }
        if let waiver = item.waiver {
            out.append(", \"suppressed\": true, \"waiver\": {\"reason\": "); out.appendJSON(waiver.reason)
            out.append(", \"until\": "); out.appendJSON(waiver.until)
            out.append("}")
        }
        out.append("}")
    }

    /// The items of the `findings` or `notes` array, one per line, and its closing bracket.
    private func list(_ findings: [Finding], into out: inout ReportBuffer, _ paths: inout PathCache) {
        for i in findings.indices {
            out.append(i == 0 ? "\n    " : ",\n    ")
            object(findings, i, into: &out, &paths)
            out.spill()
        }
        out.append(findings.isEmpty ? "],\n" : "\n  ],\n")
    }

    /// One finding as a JSON object. Takes the array and an index: its fields are read in place, where
    /// passing `findings[i]` would copy the whole finding.
    private func object(_ findings: [Finding], _ i: Int, into out: inout ReportBuffer, _ paths: inout PathCache) {
        out.append("{\"rule\": "); out.appendJSON(findings[i].ruleID)
        out.append(", \"severity\": "); out.appendJSON(findings[i].severity.rawValue)
        out.append(", \"message\": "); out.appendJSON(findings[i].message)
        out.append(", \"object\": "); out.appendJSON(findings[i].object)
        out.append(", \"file\": "); out.appendJSON(findings[i].span.map { paths.path(of: $0.file) })
        out.append(", \"line\": "); out.appendJSON(findings[i].span?.line)
        out.append(", \"column\": "); out.appendJSON(findings[i].span?.column)
        out.append(", \"path\": "); out.appendJSON(findings[i].path)
        out.append(", \"category\": "); out.appendJSON(findings[i].category.rawValue)
        if let remediation = findings[i].remediation { out.append(", \"remediation\": "); out.appendJSON(remediation) }
        if let before = findings[i].before { out.append(", \"before\": "); out.appendJSON(before) }
        if let after = findings[i].after { out.append(", \"after\": "); out.appendJSON(after) }
        if let waiver = findings[i].waiver {
            out.append(", \"suppressed\": true, \"waiver\": {\"reason\": "); out.appendJSON(waiver.reason)
            out.append(", \"until\": "); out.appendJSON(waiver.until)
            out.append("}")
        }
        out.append("}")
    }
}
