import Testing
import Foundation
import KubeModel
import Findings
import ManifestIO
@testable import Policy
@testable import Lint

/// The pull-request cases of `fixtures/change`: base.yaml → head.yaml, each with the findings its headers name.
@Suite("Gate: fixtures/change")
struct GateFixtureTests {
    static var cases: [String] {
        let root = repositoryRoot.appendingPathComponent("fixtures/change")
        // A missing directory must not turn into zero cases: it becomes one case that fails.
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: root.path) else { return ["<fixtures/change missing>"] }
        return names.filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).appendingPathComponent("head.yaml").path) }.sorted()
    }

    @Test func theCasesAreThere() { #expect(Self.cases.count >= 10, "\(Self.cases)") }

    @Test("case", arguments: cases)
    func pullRequest(_ name: String) throws {
        let dir = repositoryRoot.appendingPathComponent("fixtures/change").appendingPathComponent(name)
        let reader = ManifestReader()
        let base = reader.read(ManifestInput(name: "\(name)/base.yaml", source: .path(dir.appendingPathComponent("base.yaml").path)))
        let head = reader.read(ManifestInput(name: "\(name)/head.yaml", source: .path(dir.appendingPathComponent("head.yaml").path)))
        let result = Gate(options: LintOptions(), pack: try PolicyPack.builtIn()).run(base: [base], head: [head])
        var expected: [(file: String, rule: String, line: Int)] = []
        for file in ["base.yaml", "head.yaml"] {
            for e in expectations(in: dir.appendingPathComponent(file)) ?? [] where !e.isNote {
                expected.append(("\(name)/\(file)", e.rule, e.line))
            }
        }
        let actual = result.activeFindings.map { (file: $0.span?.file.path ?? "", rule: $0.ruleID, line: $0.span?.line ?? 0) }
        for want in expected {
            #expect(actual.contains { $0.file == want.file && $0.rule == want.rule && $0.line == want.line },
                    "\(name): expected \(want.rule) at \(want.file):\(want.line); got \(actual)")
        }
        let unexpected = actual.filter { got in !expected.contains { $0.file == got.file && $0.rule == got.rule && $0.line == got.line } }
        #expect(unexpected.isEmpty, "\(name): unexpected \(unexpected)")
        #expect(!result.findings.contains { $0.ruleID == "policy-error" })
    }
}
