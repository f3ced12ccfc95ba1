import Testing
import Foundation
import KubeModel
import Findings
import ManifestIO
@testable import Policy
@testable import Lint

/// Lints YAML text as one file.
func lint(_ yaml: String, name: String = "example.yaml") -> RunResult {
    let file = ManifestReader().parse(Array(yaml.utf8), file: FileID(name), json: false)
    return Linter().lint([file])
}

/// The example shifted below a comment block and a document separator: findings must follow the lines.
func shifted(_ yaml: String) -> String { "# a comment block\n# of three\n# lines\n---\n" + yaml }

/// The example's documents as the items of a `v1 List`.
func asList(_ yaml: String) -> String {
    let documents = yaml.components(separatedBy: "\n---\n")
    var out = "apiVersion: v1\nkind: List\nitems:\n"
    for document in documents {
        let lines = document.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() { out += (i == 0 ? "- " : "  ") + line + "\n" }
    }
    return out
}

extension RuleExample: CustomTestStringConvertible {
    public var testDescription: String { description }
}

@Suite("Built-in rules carry their examples")
struct RuleExampleTests {
    @Test("examples", arguments: BuiltinRule.all.flatMap(\.examples))
    func example(_ example: RuleExample) {
        for (variant, text, lineShift) in [("as written", example.yaml, 0), ("shifted", shifted(example.yaml), 4)] {
            let result = lint(text)
            #expect(result.findings.filter { $0.ruleID.hasPrefix("invalid") }.isEmpty, "\(example) \(variant): does not parse")
            let findings = result.findings.filter { $0.ruleID == example.ruleID }
            switch example.expectation {
            case .pass:
                #expect(findings.isEmpty, "\(example) \(variant): pass example fired: \(findings.map(\.message))")
            case .fail:
                #expect(!findings.isEmpty, "\(example) \(variant): fail example did not fire")
                let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
                for finding in findings {
                    let line = finding.span?.line ?? 0
                    #expect(line > lineShift && line <= lines, "\(example) \(variant): points outside the example")
                    if let at = example.at { #expect(finding.path == at, "\(example) \(variant): path") }
                }
            }
        }
        // Inside a v1 List the same verdict holds.
        let listed = lint(asList(example.yaml)).findings.filter { $0.ruleID == example.ruleID }
        #expect(listed.isEmpty == (example.expectation == .pass), "\(example) in a v1 List")
    }

    @Test func catalogue() {
        var seen = Set<String>()
        for rule in BuiltinRule.all {
            #expect(!seen.contains(rule.id), "\(rule.id) used twice")
            seen.insert(rule.id)
            #expect(rule.id.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" }, "\(rule.id) is not kebab-case")
            #expect(!rule.descriptor.summary.isEmpty && !rule.descriptor.description.isEmpty && !rule.descriptor.remediation.isEmpty)
            #expect(rule.examples.contains { $0.expectation == .pass }, "\(rule.id) has no pass example")
            #expect(rule.examples.contains { $0.expectation == .fail }, "\(rule.id) has no fail example")
        }
    }
}
