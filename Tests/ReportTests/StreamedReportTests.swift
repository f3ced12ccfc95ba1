import Testing
import KubeModel
import Findings
@testable import Report

/// `ballast ... --format json` streams standard output (`Renderer.write`): the pieces must add up to the
/// very bytes `renderUTF8` gives, whatever the report's size.
@Suite struct StreamedReportTests {
    /// The sample result, with enough findings that the JSON spans several megabyte pieces.
    func largeResult() -> RunResult {
        var result = sampleResult()
        let file = FileID("apps/bulk/statefulset.yaml")
        for i in 0..<12_000 {
            let ref = ObjectRef(group: "apps", kind: "StatefulSet", namespace: "ns-\(i % 40)", name: "db-\(i)")
            result.findings.append(Finding(ruleID: "probes-missing", severity: i % 3 == 0 ? .error : .warning,
                                           message: "container \"db\" of db-\(i) has no readinessProbe: \"quoted\" \u{1}",
                                           object: ref, span: SourceSpan(file: file, line: i + 1, column: 7),
                                           path: "spec.template.spec.containers[name=db].readinessProbe"))
        }
        result.sort()
        return result
    }

    @Test("JSON streamed in pieces is renderUTF8's bytes", arguments: [false, true])
    func jsonPiecesAddUp(large: Bool) {
        let result = large ? largeResult() : sampleResult()
        let whole = JSONRenderer().renderUTF8(result, ReportContext())
        var pieces: [[UInt8]] = []
        JSONRenderer().write(result, ReportContext()) { pieces.append($0) }
        #expect(pieces.flatMap { $0 } == whole)
        if large {
            #expect(whole.count > 2 << 20)
            #expect(pieces.count > 2, "a report of \(whole.count) bytes came in \(pieces.count) pieces")
            #expect(pieces.dropLast().allSatisfy { $0.count >= 1 << 20 && $0.count < (1 << 20) + 4096 })
        }
    }

    @Test("renderers that do not stream hand over their whole report once")
    func textInOnePiece() {
        let result = sampleResult()
        var pieces: [[UInt8]] = []
        TextRenderer().write(result, ReportContext()) { pieces.append($0) }
        #expect(pieces == [TextRenderer().renderUTF8(result, ReportContext())])
    }
}
