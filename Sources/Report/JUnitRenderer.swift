import Findings
import KubeModel

/// JUnit XML, as CI systems read it: one test suite per file, one failing test case per finding
/// (warnings and infos as skipped-free passes with system-out), a `drift` suite with one failing test case
/// per drift item and one error per object that could not be compared, unread inputs as errors.
public struct JUnitRenderer: Renderer {
    public init() {}

    public func render(_ result: RunResult, _ context: ReportContext) -> String {
        let findings = result.activeFindings.sorted(by: Finding.reportOrder)
        var byFile: [(String, [Finding])] = []
        for f in findings {
            let file = f.span?.file.path ?? f.object?.description ?? "<input>"
            if byFile.last?.0 == file { byFile[byFile.count - 1].1.append(f) } else { byFile.append((file, [f])) }
        }
        let drift = result.activeDrift.sorted(by: DriftItem.reportOrder)
        let failures = findings.filter { $0.severity == .error }.count + drift.count
        let errors = result.failures.count + result.uncompared.count
        let tests = findings.count + drift.count + errors
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"ballast \(xml(context.command))\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"\(errors)\">\n"
        for (file, list) in byFile {
            let suiteFailures = list.filter { $0.severity == .error }.count
            out += "  <testsuite name=\"\(xml(file))\" tests=\"\(list.count)\" failures=\"\(suiteFailures)\" errors=\"0\">\n"
            for f in list {
                let location = f.span.map { "\($0.file.path):\($0.line):\($0.column)" } ?? file
                let name = "\(f.ruleID) \(f.object?.description ?? location)"
                out += "    <testcase classname=\"\(xml(f.ruleID))\" name=\"\(xml(name))\" file=\"\(xml(f.span?.file.path ?? ""))\""
                out += f.span.map { " line=\"\($0.line)\"" } ?? ""
                out += ">\n"
                let subject = f.span != nil ? f.object.map { "\($0): " } ?? "" : ""
                let text = "\(location): \(f.severity.rawValue) \(f.ruleID): \(subject)\(f.message)"
                    + (f.remediation.map { "\nremediation: \($0)" } ?? "")
                if f.severity == .error {
                    out += "      <failure type=\"\(xml(f.ruleID))\" message=\"\(xml(f.message))\">\(xml(text))</failure>\n"
                } else {
                    out += "      <system-out>\(xml(text))</system-out>\n"
                }
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        if result.hasComparison { driftSuite(drift, result.uncompared, into: &out) }
        if !result.failures.isEmpty {
            out += "  <testsuite name=\"inputs\" tests=\"\(result.failures.count)\" failures=\"0\" errors=\"\(result.failures.count)\">\n"
            for failure in result.failures {
                out += "    <testcase classname=\"incomplete\" name=\"\(xml(failure.source))\">\n"
                out += "      <error type=\"incomplete\" message=\"\(xml("could not read \(failure.source): \(failure.reason)"))\"/>\n"
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        out += "</testsuites>\n"
        return out
    }

    /// The `drift` suite: a failing case per drift item (named `drift/<class> Kind/ns/name path`), an error
    /// per object that could not be compared.
    private func driftSuite(_ drift: [DriftItem], _ uncompared: [UncomparedObject], into out: inout String) {
        out += "  <testsuite name=\"drift\" tests=\"\(drift.count + uncompared.count)\" failures=\"\(drift.count)\" errors=\"\(uncompared.count)\">\n"
        for item in drift {
            let name = "\(item.ruleID) \(item.object) \(item.displayPath)"
            out += "    <testcase classname=\"\(xml(item.ruleID))\" name=\"\(xml(name))\" file=\"\(xml(item.span?.file.path ?? ""))\""
            out += item.span.map { " line=\"\($0.line)\"" } ?? ""
            out += ">\n"
            let summary = "\(item.displayPath): \(item.desired) → \(item.live)"
            var text = "\(item.object): \(summary) [\(item.driftClass.rawValue)] by \(item.whoAndWhen)"
            if !item.message.isEmpty { text += "\n" + item.message }
            if !item.remediation.isEmpty { text += "\nremediation: " + item.remediation }
            out += "      <failure type=\"\(xml(item.ruleID))\" message=\"\(xml(summary))\">\(xml(text))</failure>\n"
            out += "    </testcase>\n"
        }
        for item in uncompared {
            out += "    <testcase classname=\"incomplete\" name=\"\(xml(item.object.description))\">\n"
            out += "      <error type=\"incomplete\" message=\"\(xml("could not compare \(item.object): \(item.reason)"))\"/>\n"
            out += "    </testcase>\n"
        }
        out += "  </testsuite>\n"
    }

    /// Text for an attribute or element. Byte by byte: every character it changes is ASCII, and bytes
    /// below 0x80 are ASCII characters in UTF-8.
    func xml(_ s: String) -> String {
        let s = visibleText(s, keepingLineBreaks: true)
        guard s.utf8.contains(where: { $0 < 0x80 && Self.xmlEscapes[Int($0)] != nil }) else { return s }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count + 16)
        for byte in s.utf8 {
            if byte < 0x80, let escape = Self.xmlEscapes[Int(byte)] { out.append(contentsOf: escape) } else { out.append(byte) }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static let xmlEscapes: [[UInt8]?] = (0..<128).map { (byte: Int) -> [UInt8]? in
        switch byte {
        case Int(UInt8(ascii: "&")): Array("&amp;".utf8)
        case Int(UInt8(ascii: "<")): Array("&lt;".utf8)
        case Int(UInt8(ascii: ">")): Array("&gt;".utf8)
        case Int(UInt8(ascii: "\"")): Array("&quot;".utf8)
        case Int(UInt8(ascii: "'")): Array("&apos;".utf8)
        // XML 1.0 forbids most control characters even as references.
        case 0x09, 0x0A, 0x0D: nil
        case 0..<0x20: Array("?".utf8)
        default: nil
        }
    }
}
