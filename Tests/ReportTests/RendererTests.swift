import Testing
import Foundation
import KubeModel
import Findings
@testable import Report

let goldenDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appendingPathComponent("Golden")

/// Compares with a golden file; `BALLAST_RECORD=1` records it (and fails, so nothing is committed unread).
func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = goldenDirectory.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["BALLAST_RECORD"] != nil {
        try actual.write(to: url, atomically: true, encoding: .utf8)
        Issue.record("recorded \(name): review the diff, then rerun", sourceLocation: sourceLocation)
    } else {
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(name) differs (BALLAST_RECORD=1 re-records)", sourceLocation: sourceLocation)
    }
}

/// A result with one of everything: an error with a path, a warning, a waived finding, a parse error
/// without object, a note, and characters every format must escape.
func sampleResult(incomplete: Bool = false) -> RunResult {
    let sts = FileID("apps/redis/statefulset.yaml"), cfg = FileID("apps/redis/config map.yaml")
    let redis = ObjectRef(group: "apps", kind: "StatefulSet", namespace: "redis", name: "redis")
    let sc = ObjectRef(group: "storage.k8s.io", kind: "StorageClass", namespace: nil, name: "fast-ssd")
    var result = RunResult(
        findings: [
            Finding(ruleID: "vct-storageclass-undefined", severity: .error,
                    message: "StorageClass \"fast-nvme\" is not defined in the input", object: redis,
                    span: SourceSpan(file: sts, line: 42, column: 29),
                    path: "spec.volumeClaimTemplates[name=data].spec.storageClassName",
                    remediation: "Define the StorageClass, or name one that exists."),
            Finding(ruleID: "statefulset-headless-service", severity: .warning,
                    message: "no serviceName: <pods> get no DNS names, 100% sure; a,b:c\nnext line", object: redis,
                    span: SourceSpan(file: sts, line: 7, column: 3), path: "spec.serviceName"),
            Finding(ruleID: "data-storageclass-reclaim-retain", severity: .error, message: "reclaimPolicy is Delete",
                    object: sc, span: SourceSpan(file: FileID("platform/storage.yaml"), line: 5, column: 16),
                    path: "reclaimPolicy", waiver: Waiver(reason: "scratch class & tests", until: "2027-01-31")),
            Finding(ruleID: "invalid-yaml", severity: .error, message: "mapping values are not allowed in this context",
                    span: SourceSpan(file: cfg, line: 3, column: 9)),
        ],
        notes: [Finding(ruleID: "kustomization-skipped", severity: .info, message: "kustomization skipped",
                        span: SourceSpan(file: FileID("apps/kustomization.yaml"), line: 1, column: 1))],
        filesRead: 3, objectsChecked: 7,
        rules: [RuleDescriptor(id: "vct-storageclass-undefined", severity: .error, summary: "Claims name a defined StorageClass",
                               description: "A claim whose class is missing stays Pending.", remediation: "Define it.")]
    )
    if incomplete { result.failures = [ReadFailure(source: "apps/secret.yaml", reason: "Permission denied")] }
    result.startedAt = "2026-12-03T02:00:00Z"   // the Prometheus report's timestamp: now when unknown
    result.sort()
    return result
}

@Suite("Renderers")
struct RendererTests {
    @Test("golden", arguments: OutputFormat.allCases)
    func golden(_ format: OutputFormat) throws {
        let ext = format.goldenExtension
        try expectGolden(format.renderer.render(sampleResult(), ReportContext()), "report.\(ext)")
        try expectGolden(format.renderer.render(sampleResult(incomplete: true), ReportContext()), "report-incomplete.\(ext)")
    }

    @Test("golden with drift", arguments: OutputFormat.allCases)
    func goldenDrift(_ format: OutputFormat) throws {
        let context = ReportContext(command: "check")
        try expectGolden(format.renderer.render(driftResult(), context), "drift.\(format.goldenExtension)")
        try expectGolden(format.renderer.render(driftResult(incomplete: true), context), "drift-incomplete.\(format.goldenExtension)")
    }

    @Test func incompleteNeverSaysClean() {
        var result = RunResult(filesRead: 2, objectsChecked: 2)
        result.failures = [ReadFailure(source: "x.yaml", reason: "Permission denied")]
        for format in OutputFormat.allCases {
            let text = format.renderer.render(result, ReportContext()).lowercased()
            #expect(!text.contains("clean") && !text.contains("passed ✅"), "\(format) claims clean when incomplete")
        }
        // Not compared is incomplete too, and never "no drift".
        var uncompared = RunResult(filesRead: 2, objectsChecked: 2)
        uncompared.objectsCompared = 1
        uncompared.uncompared = [UncomparedObject(object: ObjectRef(group: "", kind: "ConfigMap", namespace: "a", name: "b"), reason: "forbidden")]
        for format in OutputFormat.allCases {
            let text = format.renderer.render(uncompared, ReportContext()).lowercased()
            #expect(!text.contains("clean") && !text.contains("no drift") && !text.contains("passed ✅"), "\(format) claims no drift when incomplete")
        }
        var compared = RunResult(filesRead: 2, objectsChecked: 2)
        compared.objectsCompared = 2
        #expect(TextRenderer().render(compared, ReportContext()) == "clean: no findings in 2 files, 2 objects; no drift in 2 objects compared\n")
        let clean = TextRenderer().render(RunResult(filesRead: 2, objectsChecked: 2), ReportContext())
        #expect(clean == "clean: no findings in 2 files, 2 objects\n")
    }

    @Test func colourOnlyWhenAsked() {
        let plain = TextRenderer().render(sampleResult(), ReportContext(useColor: false))
        let colour = TextRenderer().render(sampleResult(), ReportContext(useColor: true))
        #expect(!plain.contains("\u{1B}["))
        #expect(colour.contains("\u{1B}[31merror\u{1B}[0m"))
    }

    @Test func jsonParsesAndKeepsFields() throws {
        let text = JSONRenderer().render(sampleResult(), ReportContext())
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(object?["schemaVersion"] as? Int == 1)
        let findings = object?["findings"] as? [[String: Any]] ?? []
        #expect(findings.count == 4)
        let first = findings.first { $0["rule"] as? String == "vct-storageclass-undefined" }
        #expect(first?["object"] as? String == "StatefulSet/redis/redis")
        #expect(first?["line"] as? Int == 42 && first?["column"] as? Int == 29)
        let waived = findings.first { $0["suppressed"] as? Bool == true }
        #expect((waived?["waiver"] as? [String: Any])?["until"] as? String == "2027-01-31")
        #expect(findings.first { $0["rule"] as? String == "data-storageclass-reclaim-retain" }?["object"] as? String == "StorageClass/fast-ssd")
        let sarif = try JSONSerialization.jsonObject(with: Data(SARIFRenderer().render(sampleResult(), ReportContext()).utf8)) as? [String: Any]
        #expect(sarif?["version"] as? String == "2.1.0")
    }
}

extension OutputFormat {
    /// The golden file extension of each format.
    var goldenExtension: String {
        switch self {
        case .text: "txt"
        case .json: "json"
        case .sarif: "sarif"
        case .github: "github"
        case .junit: "xml"
        case .markdown: "md"
        case .html: "html"
        case .prometheus: "prom"
        }
    }
}

@Suite("Renderers: a rule listed twice")
struct DuplicateRuleTests {
    /// gate carries the rules of its lint and change passes: one id twice once crashed the SARIF renderer
    /// (Dictionary(uniqueKeysWithValues:)); every format renders it, SARIF lists the rule once.
    @Test(arguments: OutputFormat.allCases)
    func renders(_ format: OutputFormat) throws {
        var result = sampleResult()
        result.rules += result.rules
        let text = String(decoding: format.renderer.renderUTF8(result, ReportContext()), as: UTF8.self)
        #expect(!text.isEmpty)
        if format == .sarif {
            #expect(text.components(separatedBy: "\"id\": \"vct-storageclass-undefined\"").count - 1 <= 1, "\(text.prefix(800))")
        }
    }
}
