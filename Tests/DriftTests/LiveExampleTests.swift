import Testing
import KubeModel
import Findings
import ManifestIO
@testable import Drift

/// One example of one live rule, named for a failure report.
struct LiveExampleCase: Sendable, CustomTestStringConvertible {
    var rule: String
    var index: Int
    var example: LiveExample
    var testDescription: String { "\(rule) \(example.expectation.rawValue) #\(index + 1): \(example.note)" }

    static let all: [LiveExampleCase] = LiveRule.all.flatMap { rule in
        rule.examples.enumerated().map { LiveExampleCase(rule: rule.descriptor.id, index: $0.offset, example: $0.element) }
    }

    var fileStem: String { "live-examples/\(rule)-\(example.expectation.rawValue)-\(index + 1)" }
}

/// Objects of a YAML text (several documents), failing the test on a parse error.
func liveObjects(_ yaml: String, file: String, sourceLocation: SourceLocation = #_sourceLocation) -> [KubeObject] {
    guard !yaml.isEmpty else { return [] }
    let result = ManifestReader().parse(Array(yaml.utf8), file: FileID(file), json: false)
    #expect(result.errors.isEmpty, "\(file): \(result.errors)", sourceLocation: sourceLocation)
    return result.objects.map(\.object)
}

@Suite("live rules: catalogue and examples")
struct LiveExampleTests {
    @Test("every example of every live rule", arguments: LiveExampleCase.all)
    func example(_ c: LiveExampleCase) {
        let live = liveObjects(c.example.live, file: c.fileStem + "-live.yaml")
        let desired = liveObjects(c.example.desired, file: c.fileStem + "-desired.yaml")
        #expect(!live.isEmpty)
        let findings = LiveChecks().run(desired: desired, live: live, usage: c.example.usage, now: LiveExample.now)
            .findings.filter { $0.ruleID == c.rule }
        switch c.example.expectation {
        case .pass:
            #expect(findings.isEmpty, "pass example fired: \(findings.map(\.message))")
        case .fail:
            #expect(!findings.isEmpty, "fail example did not fire")
            for finding in findings {
                #expect(finding.category == .live)
                #expect(finding.object != nil)
                #expect(finding.remediation?.isEmpty == false)
                #expect(!finding.message.isEmpty)
                // In git: it points into the desired object; not in git: nowhere (never at the live object).
                if desired.isEmpty {
                    #expect(finding.span == nil)
                } else {
                    #expect(finding.span?.file.path == c.fileStem + "-desired.yaml", "\(finding.message)")
                }
            }
        }
    }

    @Test("fail examples below a comment block and `---`: findings follow the shifted lines", arguments: LiveExampleCase.all.filter {
        $0.example.expectation == .fail && !$0.example.desired.isEmpty
    })
    func shifted(_ c: LiveExampleCase) {
        let live = liveObjects(c.example.live, file: c.fileStem + "-live.yaml")
        let plain = liveObjects(c.example.desired, file: c.fileStem + "-desired.yaml")
        let moved = liveObjects("# a comment\n# another\n---\n" + c.example.desired, file: c.fileStem + "-moved.yaml")
        func lines(_ desired: [KubeObject]) -> [Int] {
            LiveChecks().run(desired: desired, live: live, usage: c.example.usage, now: LiveExample.now)
                .findings.filter { $0.ruleID == c.rule }.map { $0.span?.line ?? 0 }
        }
        #expect(!lines(plain).isEmpty)
        #expect(lines(moved) == lines(plain).map { $0 + 3 })
    }

    @Test("the catalogue: unique kebab-case ids, texts present, at least one pass and one fail example each")
    func catalogue() {
        let ids = LiveChecks.rules.map(\.id)
        #expect(ids == ["pvc-usage-high", "backup-stale", "restore-drill-stale", "statefulset-not-ready",
                        "statefulset-rollout-stuck", "pv-released-or-failed", "pvc-pending-or-lost"])
        #expect(Set(ids).count == ids.count)
        for rule in LiveRule.all {
            let d = rule.descriptor
            #expect(d.id.allSatisfy { $0.isLowercase || $0.isNumber || $0 == "-" } && !d.id.hasPrefix("-") && !d.id.hasSuffix("-"))
            #expect(!d.summary.isEmpty && !d.description.isEmpty && !d.remediation.isEmpty, "\(d.id)")
            #expect(rule.examples.contains { $0.expectation == .pass }, "\(d.id)")
            #expect(rule.examples.contains { $0.expectation == .fail }, "\(d.id)")
        }
    }
}
