import Testing
import KubeModel
@testable import Findings

/// The exit code is the product's contract (DESIGN §1): 2 > 3 > 1 > 0, computed once from the result.
@Suite struct ExitCodeTests {
    let ref = ObjectRef(group: "apps", kind: "StatefulSet", namespace: "db", name: "redis")

    func finding(_ severity: Severity, waived: Bool = false) -> Finding {
        Finding(ruleID: "r", severity: severity, message: "m", object: ref, waiver: waived ? Waiver(reason: "ok") : nil)
    }

    func drift(_ status: DriftStatus? = nil, waived: Bool = false) -> DriftItem {
        DriftItem(object: ref, path: "spec.replicas", desired: "3", live: "2", driftClass: .inPlace,
                  remediation: "apply", status: status, waiver: waived ? Waiver(reason: "ok") : nil)
    }

    @Test func cleanIsZero() { #expect(RunResult().exitCode(failOn: .error) == 0) }

    @Test func findingsAtOrAboveFailOnAreOne() {
        let result = RunResult(findings: [finding(.warning)])
        #expect(result.exitCode(failOn: .error) == 0)
        #expect(result.exitCode(failOn: .warning) == 1)
        #expect(result.exitCode(failOn: .info) == 1)
        #expect(result.exitCode(failOn: .never) == 0)
    }

    @Test func waivedFindingsDoNotCount() {
        #expect(RunResult(findings: [finding(.error, waived: true)]).exitCode(failOn: .error) == 0)
    }

    @Test func notesNeverCount() {
        #expect(RunResult(notes: [finding(.info)]).exitCode(failOn: .info) == 0)
    }

    @Test func incompleteWinsOverFindings() {
        let result = RunResult(findings: [finding(.error)], failures: [ReadFailure(source: "x", reason: "gone")])
        #expect(result.exitCode(failOn: .error) == 3)
        #expect(result.exitCode(failOn: .never) == 3)
    }

    @Test func driftIsOneWhateverFailOn() {
        var result = RunResult()
        result.drift = [drift()]
        #expect(result.exitCode(failOn: .error) == 1)
        #expect(result.exitCode(failOn: .never) == 1)
    }

    @Test func resolvedOrWaivedDriftDoesNotCount() {
        var result = RunResult()
        result.drift = [drift(.resolved), drift(waived: true)]
        #expect(result.exitCode(failOn: .error) == 0)
        result.drift.append(drift(.persisting))
        #expect(result.exitCode(failOn: .error) == 1)
    }

    @Test func anUncomparedObjectIsIncomplete() {
        var result = RunResult()
        result.drift = [drift()]
        result.uncompared = [UncomparedObject(object: ref, reason: "kind not served")]
        #expect(result.isIncomplete)
        #expect(result.exitCode(failOn: .error) == 3)
    }
}
