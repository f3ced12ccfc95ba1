import Findings
import KubeModel

/// SARIF 2.1.0 (OASIS): rule metadata in `tool.driver.rules`, one result per finding with a real region,
/// waived findings as `suppressions`, unread inputs as tool execution notifications. Drift items are results
/// too, at the desired field's place in git, with rule ids `drift/<class>`, the values and attribution in
/// `properties`, the baseline status as `baselineState`; objects not compared are notifications.
public struct SARIFRenderer: Renderer {
    public init() {}

    public func render(_ result: RunResult, _ context: ReportContext) -> String {
        String(decoding: renderUTF8(result, context), as: UTF8.self)
    }

    public func renderUTF8(_ result: RunResult, _ context: ReportContext) -> [UInt8] {
        // One descriptor per id: a run may carry a rule twice (gate holds the lint and change passes' rules), and
        // SARIF's ruleIndex must name one entry.
        var known = Set<String>()
        var rules = result.rules.filter { known.insert($0.id).inserted }
        for finding in result.findings + result.notes where !known.contains(finding.ruleID) {
            rules.append(RuleDescriptor(id: finding.ruleID, severity: finding.severity, summary: finding.ruleID))
            known.insert(finding.ruleID)
        }
        for item in result.drift where !known.contains(item.ruleID) {
            rules.append(Self.driftRule(item.driftClass))
            known.insert(item.ruleID)
        }
        rules.sort { $0.id < $1.id }
        let ruleIndex = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($0.element.id, $0.offset) })

        var out = ReportBuffer(capacity: 512 * (result.findings.count + result.notes.count) + 256 * rules.count + 1024)
        out.append("{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [{\n")
        out.append("    \"tool\": {\"driver\": {\"name\": \"ballast\", \"version\": ")
        out.appendJSON(context.toolVersion)
        out.append(", \"informationUri\": \"https://github.com/ballast-dev/ballast\", \"rules\": [")
        for (i, r) in rules.enumerated() {
            out.append(i == 0 ? "\n      " : ",\n      ")
            rule(r, into: &out)
        }
        out.append("\n    ]}},\n")
        out.append("    \"invocations\": [{\"executionSuccessful\": "); out.append(!result.isIncomplete)
        out.append(", \"toolExecutionNotifications\": [")
        for (i, failure) in result.failures.enumerated() {
            if i > 0 { out.append(", ") }
            out.append("{\"level\": \"error\", \"message\": {\"text\": ")
            out.appendJSON("could not read \(failure.source): \(failure.reason)")
            out.append("}}")
        }
        for (i, item) in result.uncompared.enumerated() {
            if i > 0 || !result.failures.isEmpty { out.append(", ") }
            out.append("{\"level\": \"error\", \"message\": {\"text\": ")
            out.appendJSON("could not compare \(item.object): \(item.reason)")
            out.append("}}")
        }
        out.append("]}],\n")
        out.append("    \"results\": [")
        var paths = PathCache()
        let findings = (result.findings + result.notes).sorted(by: Finding.reportOrder)
        for i in findings.indices {
            out.append(i == 0 ? "\n      " : ",\n      ")
            resultObject(findings[i], ruleIndex[findings[i].ruleID] ?? 0, into: &out, &paths)
        }
        for (i, item) in result.drift.enumerated() {
            out.append(i == 0 && findings.isEmpty ? "\n      " : ",\n      ")
            driftResult(item, ruleIndex[item.ruleID] ?? 0, into: &out, &paths)
        }
        out.append("\n    ]\n  }]\n}\n")
        return out.bytes
    }

    func level(_ s: Severity) -> String {
        switch s { case .error: "error"; case .warning: "warning"; case .info: "note" }
    }

    private func rule(_ r: RuleDescriptor, into out: inout ReportBuffer) {
        out.append("{\"id\": "); out.appendJSON(r.id)
        out.append(", \"shortDescription\": {\"text\": "); out.appendJSON(r.summary); out.append("}")
        if !r.description.isEmpty { out.append(", \"fullDescription\": {\"text\": "); out.appendJSON(r.description); out.append("}") }
        if !r.remediation.isEmpty { out.append(", \"help\": {\"text\": "); out.appendJSON(r.remediation); out.append("}") }
        out.append(", \"defaultConfiguration\": {\"level\": "); out.appendJSON(level(r.severity)); out.append("}}")
    }

    private func resultObject(_ f: Finding, _ index: Int, into out: inout ReportBuffer, _ paths: inout PathCache) {
        out.append("{\"ruleId\": "); out.appendJSON(f.ruleID)
        out.append(", \"ruleIndex\": "); out.append(index)
        out.append(", \"level\": "); out.appendJSON(level(f.severity))
        out.append(", \"message\": {\"text\": "); out.appendJSON(f.message); out.append("}")
        if let span = f.span {
            out.append(", \"locations\": [{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"")
            uri(paths.path(of: span.file), into: &out)
            out.append("\"}, \"region\": {\"startLine\": "); out.append(span.line)
            out.append(", \"startColumn\": "); out.append(span.column); out.append("}}")
            if let object = f.object {
                out.append(", \"logicalLocations\": [{\"fullyQualifiedName\": ")
                out.appendJSON(object.description + (f.path.map { "." + $0 } ?? ""))
                out.append(", \"kind\": \"object\"}]")
            }
            out.append("}]")
        }
        if let waiver = f.waiver {
            out.append(", \"suppressions\": [{\"kind\": \"inSource\", \"justification\": "); out.appendJSON(waiver.reason)
            out.append("}]")
        }
        out.append("}")
    }

    static func driftRule(_ driftClass: DriftClass) -> RuleDescriptor {
        let summary: String
        switch driftClass {
        case .inPlace: summary = "The live object differs from git; an apply fixes it"
        case .inPlaceIf: summary = "The live object differs from git; an apply fixes it under a condition"
        case .recreate: summary = "The live object differs from git in an immutable field; it must be recreated"
        case .recreateDataRisk: summary = "The live object differs from git where recreating it would lose data"
        case .gitBehind: summary = "The cluster is right and git is behind; only a git change reconciles it"
        }
        return RuleDescriptor(id: "drift/" + driftClass.rawValue, severity: .error, summary: summary)
    }

    private func driftResult(_ item: DriftItem, _ index: Int, into out: inout ReportBuffer, _ paths: inout PathCache) {
        out.append("{\"ruleId\": "); out.appendJSON(item.ruleID)
        out.append(", \"ruleIndex\": "); out.append(index)
        // Drift fails the run whatever its class; an item resolved since the baseline is history, not a problem.
        out.append(item.status == .resolved ? ", \"level\": \"none\"" : ", \"level\": \"error\"")
        out.append(", \"message\": {\"text\": ")
        var text = "\(item.object) \(item.displayPath): \(item.desired) → \(item.live) (\(item.whoAndWhen))"
        if !item.message.isEmpty { text += ": " + item.message }
        if !item.remediation.isEmpty { text += ". Fix: " + item.remediation }
        out.appendJSON(text); out.append("}, \"locations\": [{")
        if let span = item.span {
            out.append("\"physicalLocation\": {\"artifactLocation\": {\"uri\": \"")
            uri(paths.path(of: span.file), into: &out)
            out.append("\"}, \"region\": {\"startLine\": "); out.append(span.line)
            out.append(", \"startColumn\": "); out.append(span.column); out.append("}}, ")
        }
        out.append("\"logicalLocations\": [{\"fullyQualifiedName\": ")
        out.appendJSON(item.object.description + (item.path.isEmpty ? "" : "." + item.path))
        out.append(", \"kind\": \"object\"}]}]")
        if let status = item.status {
            out.append(", \"baselineState\": ")
            switch status { case .new: out.append("\"new\""); case .persisting: out.append("\"unchanged\""); case .resolved: out.append("\"absent\"") }
        }
        if let waiver = item.waiver {
            out.append(", \"suppressions\": [{\"kind\": \"external\", \"justification\": "); out.appendJSON(waiver.reason)
            out.append("}]")
        }
        out.append(", \"properties\": {\"desired\": "); out.appendJSON(item.desired)
        out.append(", \"live\": "); out.appendJSON(item.live)
        out.append(", \"driftClass\": "); out.appendJSON(item.driftClass.rawValue)
        out.append(", \"remediation\": "); out.appendJSON(item.remediation)
        if let firstSeen = item.firstSeen { out.append(", \"firstSeen\": "); out.appendJSON(firstSeen) }
        out.append(", \"attribution\": [")
        out.appendAttributionItems(item.attribution)
        out.append("]}}")
    }

    /// A relative URI reference: spaces and the like percent-encoded, slashes kept. Only ASCII letters,
    /// digits and `-._~/` remain, so the result needs no JSON escaping.
    func uri(_ path: String) -> String {
        var out = ReportBuffer(capacity: path.utf8.count)
        uri(path, into: &out)
        return String(decoding: out.bytes, as: UTF8.self)
    }

    private func uri(_ path: String, into out: inout ReportBuffer) {
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.append(byte: byte)
            default:
                out.append(byte: UInt8(ascii: "%"))
                out.append(byte: upperHex[Int(byte >> 4)])
                out.append(byte: upperHex[Int(byte & 0xF)])
            }
        }
    }
}

private let upperHex = Array("0123456789ABCDEF".utf8)
