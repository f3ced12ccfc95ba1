import Testing
import DesiredState
import Foundation
import KubeModel
import Findings
import ManifestIO
@testable import Policy
@testable import Lint

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// One expectation from a fixture's header: `# expect: <rule-id> <line>[:<column>]`, `# expect: none`,
/// `# expect-note: <rule-id> <line>`.
struct Expectation: Equatable, CustomStringConvertible {
    var rule: String
    var line: Int
    var column: Int?
    var isNote: Bool
    var description: String { "\(isNote ? "note " : "")\(rule) \(line)" + (column.map { ":\($0)" } ?? "") }
}

func expectations(in url: URL) -> [Expectation]? {
    // Files that cannot hold a comment (JSON, binary) keep their header in `<name>.expect`.
    let sidecar = URL(fileURLWithPath: url.path + ".expect")
    guard let data = (try? Data(contentsOf: sidecar)) ?? (try? Data(contentsOf: url)) else { return nil }
    let text = String(decoding: data, as: UTF8.self)
    var out: [Expectation] = []
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        let isNote = line.hasPrefix("# expect-note:")
        guard line.hasPrefix("# expect:") || isNote else { continue }
        let words = line.split(separator: ":", maxSplits: 1)[1].split(separator: " ").map(String.init)
        if words == ["none"] { continue }
        guard words.count >= 2 else { continue }
        let position = words[1].split(separator: ":")
        out.append(Expectation(rule: words[0], line: Int(position[0]) ?? 0,
                               column: position.count > 1 ? Int(position[1]) : nil, isNote: isNote))
    }
    return out
}

func fixtureFiles(_ directory: String) -> [URL] {
    let root = repositoryRoot.appendingPathComponent(directory)
    guard let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) else { return [] }
    return enumerator.compactMap { $0 as? URL }
        .filter { ["yaml", "yml", "json"].contains($0.pathExtension) }
        .sorted { $0.path < $1.path }
}

@Suite("Fixtures")
struct FixtureTests {
    @Test("fixtures/bad: each file gives exactly the findings its header names",
          arguments: fixtureFiles("fixtures/bad").map(\.lastPathComponent))
    func bad(_ name: String) async throws {
        let url = repositoryRoot.appendingPathComponent("fixtures/bad").appendingPathComponent(name)
        let expected = try #require(expectations(in: url))
        let pack = try PolicyPack.builtIn()
        let result = await Linter(pack: pack).lint([ManifestInput(name: name, source: .path(url.path))], reader: ManifestReader())
        #expect(result.failures.isEmpty)
        let actual = result.findings.map { Expectation(rule: $0.ruleID, line: $0.span?.line ?? 0, column: $0.span?.column, isNote: false) }
            + result.notes.map { Expectation(rule: $0.ruleID, line: $0.span?.line ?? 0, column: $0.span?.column, isNote: true) }
        for want in expected {
            #expect(actual.contains { $0.rule == want.rule && $0.line == want.line && $0.isNote == want.isNote
                && (want.column == nil || $0.column == want.column) },
                    "\(name): expected \(want), got \(actual)")
        }
        // The foundation's rules must report exactly what the header says; the policy pack's hygiene rules
        // may add their own findings on these deliberately minimal objects, but never a policy-error.
        let foundation = Set(BuiltinRule.all.map(\.id) + BuiltinRule.readerRules.map(\.id) + SchemaChecks.descriptors.map(\.id)
                             + WaiverParser.descriptors.map(\.id) + ["policy-error"])
        let unexpected = result.findings.filter { foundation.contains($0.ruleID) }.filter { finding in
            !expected.contains { !$0.isNote && $0.rule == finding.ruleID && $0.line == finding.span?.line }
        }
        #expect(unexpected.isEmpty, "\(name): unexpected \(unexpected.map { "\($0.ruleID) \($0.span?.line ?? 0): \($0.message)" })")
    }

    @Test func gitopsLintsClean() async throws {
        var options = DesiredStateOptions()
        options.directory = repositoryRoot.path
        let venv = repositoryRoot.appendingPathComponent(".tools/venv/bin/kubectl").path
        if FileManager.default.isExecutableFile(atPath: venv) { options.kubectl = venv }
        let desired = await DesiredState.load(paths: ["fixtures/gitops"], options: options)
        try #require(!desired.inputs.isEmpty, "fixtures/gitops is empty")
        #expect(desired.notes.filter { $0.ruleID.hasPrefix("kustomization") }.isEmpty, "\(desired.notes)")
        let pack = try PolicyPack.builtIn()
        let result = await Linter(pack: pack).lint(desired.inputs, reader: desired.reader, prepared: desired.rendered)
        #expect(result.failures.isEmpty && desired.failures.isEmpty)
        #expect(result.findings.isEmpty, "\(result.findings.map { "\($0.span?.description ?? ""): \($0.ruleID): \($0.message)" })")
        #expect(result.objectsChecked > 20)
    }
}
