import Findings
import KubeModel

/// SARIF 2.1.0 (OASIS): rule metadata in `tool.driver.rules`, one result per finding with a real region,
/// waived findings as `suppressions`, unread inputs as tool execution notifications.
public struct SARIFRenderer: Renderer {
    public init() {}

    public func render(_ result: RunResult, _ context: ReportContext) -> String {
        var rules = result.rules
        var known = Set(rules.map(\.id))
        for finding in result.findings + result.notes where !known.contains(finding.ruleID) {
            rules.append(RuleDescriptor(id: finding.ruleID, severity: finding.severity, summary: finding.ruleID))
            known.insert(finding.ruleID)
        }
        rules.sort { $0.id < $1.id }
        let ruleIndex = Dictionary(uniqueKeysWithValues: rules.enumerated().map { ($0.element.id, $0.offset) })

        var out = "{\n  \"$schema\": \"https://json.schemastore.org/sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [{\n"
        out += "    \"tool\": {\"driver\": {\"name\": \"ballast\", \"version\": \(jsonQuoted(context.toolVersion)), "
        out += "\"informationUri\": \"https://github.com/ballast-dev/ballast\", \"rules\": ["
        out += rules.map { "\n      " + rule($0) }.joined(separator: ",")
        out += "\n    ]}},\n"
        out += "    \"invocations\": [{\"executionSuccessful\": \(!result.isIncomplete), \"toolExecutionNotifications\": ["
        out += result.failures.map {
            "{\"level\": \"error\", \"message\": {\"text\": \(jsonQuoted("could not read \($0.source): \($0.reason)"))}}"
        }.joined(separator: ", ")
        out += "]}],\n"
        out += "    \"results\": ["
        let findings = (result.findings + result.notes).sorted(by: Finding.reportOrder)
        out += findings.map { "\n      " + resultObject($0, ruleIndex[$0.ruleID] ?? 0) }.joined(separator: ",")
        out += "\n    ]\n  }]\n}\n"
        return out
    }

    func level(_ s: Severity) -> String {
        switch s { case .error: "error"; case .warning: "warning"; case .info: "note" }
    }

    func rule(_ r: RuleDescriptor) -> String {
        var fields = ["\"id\": \(jsonQuoted(r.id))", "\"shortDescription\": {\"text\": \(jsonQuoted(r.summary))}"]
        if !r.description.isEmpty { fields.append("\"fullDescription\": {\"text\": \(jsonQuoted(r.description))}") }
        if !r.remediation.isEmpty { fields.append("\"help\": {\"text\": \(jsonQuoted(r.remediation))}") }
        fields.append("\"defaultConfiguration\": {\"level\": \(jsonQuoted(level(r.severity)))}")
        return "{" + fields.joined(separator: ", ") + "}"
    }

    func resultObject(_ f: Finding, _ index: Int) -> String {
        var fields = [
            "\"ruleId\": \(jsonQuoted(f.ruleID))", "\"ruleIndex\": \(index)", "\"level\": \(jsonQuoted(level(f.severity)))",
            "\"message\": {\"text\": \(jsonQuoted(f.message))}",
        ]
        if let span = f.span {
            var location = "{\"physicalLocation\": {\"artifactLocation\": {\"uri\": \(jsonQuoted(uri(span.file.path)))}, "
            location += "\"region\": {\"startLine\": \(span.line), \"startColumn\": \(span.column)}}"
            if let object = f.object {
                location += ", \"logicalLocations\": [{\"fullyQualifiedName\": \(jsonQuoted(object.description + (f.path.map { "." + $0 } ?? ""))), \"kind\": \"object\"}]"
            }
            location += "}"
            fields.append("\"locations\": [\(location)]")
        }
        if let waiver = f.waiver {
            fields.append("\"suppressions\": [{\"kind\": \"inSource\", \"justification\": \(jsonQuoted(waiver.reason))}]")
        }
        return "{" + fields.joined(separator: ", ") + "}"
    }

    /// A relative URI reference: spaces and the like percent-encoded, slashes kept.
    func uri(_ path: String) -> String {
        var out = ""
        for byte in path.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return out
    }
}
