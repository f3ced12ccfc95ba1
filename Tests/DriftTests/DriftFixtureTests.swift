import Testing
import KubeModel
import Findings
@testable import Drift

@Suite("fixtures/drift")
struct DriftFixtureTests {
    @Test("each case gives exactly the items its expected.txt names", arguments: driftCaseNames())
    func fixtureCase(_ name: String) throws {
        let fixture = try DriftCase(name: name)
        let comparison = DriftComparer(options: fixture.options).compare(desired: fixture.desired, live: fixture.live)
        let actual = renderedLines(comparison, expected: fixture.expected)
        #expect(actual == fixture.expected.sorted(), "\(name): got\n\(actual.joined(separator: "\n"))")
        // Every item points into git when its object comes from git.
        for item in comparison.items where item.desired != "<absent>" {
            #expect(item.span != nil, "\(name): \(item.path) has no span")
        }
    }

    @Test("the case set is large enough and covers every false positive and real drift of research/drift.md (c)")
    func coverage() {
        let names = driftCaseNames()
        #expect(names.count >= 40, "only \(names.count) cases")
        for k in 1...15 { #expect(names.contains { $0.hasPrefix("fp\(k)-") }, "no case for FP\(k)") }
        for k in 1...10 { #expect(names.contains { $0.hasPrefix("rd\(k)-") }, "no case for RD\(k)") }
    }
}
