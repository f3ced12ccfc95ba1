import Testing
import Foundation
import KubeModel
import Findings
@testable import Report

@Suite("Drift in reports")
struct DriftReportTests {
    @Test func jsonCarriesDriftUncomparedAndCounts() throws {
        let text = JSONRenderer().render(driftResult(incomplete: true), ReportContext(command: "check"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        #expect(object["schemaVersion"] as? Int == 1)
        let drift = try #require(object["drift"] as? [[String: Any]])
        #expect(drift.count == 7)
        let replicas = try #require(drift.first { $0["object"] as? String == "StatefulSet/db/redis" && $0["path"] as? String == "spec.replicas" })
        #expect(replicas["desired"] as? String == "3" && replicas["live"] as? String == "5")
        #expect(replicas["class"] as? String == "in-place")
        #expect(replicas["status"] as? String == "persisting" && replicas["firstSeen"] as? String == "2026-11-20T02:00:00Z")
        #expect(replicas["file"] as? String == "apps/redis/statefulset.yaml" && replicas["line"] as? Int == 9 && replicas["column"] as? Int == 13)
        let who = try #require((replicas["attribution"] as? [[String: Any]])?.first)
        #expect(who["manager"] as? String == "kubectl-scale" && who["operation"] as? String == "Update")
        #expect(who["subresource"] as? String == "scale" && who["time"] as? String == "2026-11-28T10:00:00Z")
        let orphan = try #require(drift.first { $0["object"] as? String == "PersistentVolumeClaim/db/data-redis-5" })
        #expect(orphan["path"] as? String == "" && orphan["desired"] as? String == "<orphaned>")
        #expect(drift.first { $0["object"] as? String == "StorageClass/fast-ssd" } != nil)
        let waived = try #require(drift.first { $0["suppressed"] as? Bool == true })
        #expect((waived["waiver"] as? [String: Any])?["reason"] as? String == "labels are the platform's")
        let uncompared = try #require(object["uncompared"] as? [[String: Any]])
        #expect(uncompared.first?["object"] as? String == "ConfigMap/mq/rabbitmq-conf")
        #expect(uncompared.first?["reason"] as? String == "the list of ConfigMaps in mq was cut short")
        let summary = try #require(object["summary"] as? [String: Any])
        #expect(summary["objectsCompared"] as? Int == 8 && summary["incomplete"] as? Bool == true)
        let counts = try #require(summary["drift"] as? [String: Any])
        #expect(counts["total"] as? Int == 5 && counts["in-place"] as? Int == 2 && counts["git-behind"] as? Int == 1)
        #expect(counts["recreate"] as? Int == 1 && counts["recreate-data-risk"] as? Int == 1 && counts["in-place-if"] as? Int == 0)
        #expect(counts["suppressed"] as? Int == 1 && counts["resolved"] as? Int == 1 && counts["uncompared"] as? Int == 1)
        // The findings array is the lint report's, unchanged.
        #expect((object["findings"] as? [[String: Any]])?.count == 2)
    }

    @Test func lintJSONHasNoDriftKeys() {
        let text = JSONRenderer().render(sampleResult(), ReportContext())
        #expect(!text.contains("\"drift\"") && !text.contains("\"uncompared\"") && !text.contains("objectsCompared"))
    }

    @Test func textGroupsDriftByObjectOneLinePerPath() {
        let text = TextRenderer().render(driftResult(), ReportContext(command: "check"))
        #expect(text.contains("""
            drift in StatefulSet/db/redis (apps/redis/statefulset.yaml):
              (object): <orphaned> → {"storage":"10Gi"} [recreate-data-risk] by unknown writer (line 1)
            """) == false)   // the orphan is its own object
        #expect(text.contains("drift in StatefulSet/db/redis (apps/redis/statefulset.yaml):\n  spec.replicas: 3 → 5 [in-place, persisting since 2026-11-20T02:00:00Z] by kubectl-scale Update/scale 2026-11-28T10:00:00Z (line 9): scaled live; fix: "))
        #expect(text.contains("drift in PersistentVolumeClaim/db/data-redis-5 (apps/redis/statefulset.yaml):\n  (object): <orphaned> → "))
        #expect(!text.contains("metadata.labels.team"), "a waived item is not listed in text")
        #expect(text.hasSuffix("1 error, 1 warning in 4 files, 9 objects; 5 drift items (2 in-place, 1 recreate, 1 recreate-data-risk, 1 git-behind) in 8 objects compared (1 drift waived, 1 drift resolved since the baseline)\n"), "\(text)")
        let incomplete = TextRenderer().render(driftResult(incomplete: true), ReportContext(command: "check"))
        #expect(incomplete.contains("not compared: ConfigMap/mq/rabbitmq-conf (apps/rabbitmq/configmap.yaml:1:1): the list of ConfigMaps in mq was cut short\n"))
        #expect(incomplete.hasSuffix("incomplete: 1 object not compared; 1 error, 1 warning in what was read (4 files, 9 objects); 5 drift items in what was compared (8 objects compared) (1 drift waived, 1 drift resolved since the baseline)\n"), "\(incomplete)")
    }

    @Test func findingLinesNameTheirObject() {
        let text = TextRenderer().render(driftResult(), ReportContext(command: "check"))
        #expect(text.contains("apps/redis/statefulset.yaml:12:7: error statefulset-headless-service: StatefulSet/db/redis: serviceName \"redis\" names no Service\n"))
        let github = GitHubRenderer().render(driftResult(), ReportContext())
        #expect(github.contains("::error file=apps/redis/statefulset.yaml,line=12,col=7,title=statefulset-headless-service::StatefulSet/db/redis: serviceName"))
        let junit = JUnitRenderer().render(driftResult(), ReportContext())
        #expect(junit.contains("apps/redis/statefulset.yaml:12:7: error statefulset-headless-service: StatefulSet/db/redis: serviceName"))
    }

    @Test func sarifDriftResultsAtTheirGitLocation() throws {
        let text = SARIFRenderer().render(driftResult(), ReportContext())
        let sarif = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let run = try #require((sarif["runs"] as? [[String: Any]])?.first)
        let results = try #require(run["results"] as? [[String: Any]])
        let drift = results.filter { ($0["ruleId"] as? String)?.hasPrefix("drift/") == true }
        #expect(drift.count == 7)
        let gitBehind = try #require(drift.first { $0["ruleId"] as? String == "drift/git-behind" })
        let location = try #require((gitBehind["locations"] as? [[String: Any]])?.first?["physicalLocation"] as? [String: Any])
        #expect((location["artifactLocation"] as? [String: Any])?["uri"] as? String == "apps/redis/pvc.yaml")
        #expect((location["region"] as? [String: Any])?["startLine"] as? Int == 11)
        let rules = try #require(((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]])
        for result in results {
            let index = try #require(result["ruleIndex"] as? Int)
            #expect(rules[index]["id"] as? String == result["ruleId"] as? String)
        }
    }

    /// A manifest or cluster value holding an escape sequence reaches no terminal as one, in any format.
    @Test("escape sequences are shown as text", arguments: OutputFormat.allCases)
    func escapeSequencesAreText(_ format: OutputFormat) {
        var result = driftResult(incomplete: true)
        result.findings.append(Finding(ruleID: "policy-error", severity: .error, message: "bad \u{1B}]0;owned\u{07} title \u{9B}2J",
                                       object: ObjectRef(group: "", kind: "ConfigMap", namespace: "x\u{1B}[2J", name: "y"),
                                       span: SourceSpan(file: FileID("a\u{1B}[1m.yaml"), line: 1, column: 1)))
        result.failures = [ReadFailure(source: "z\u{1B}[31m.yaml", reason: "denied\u{1B}[0m")]
        let bytes = format.renderer.renderUTF8(result, ReportContext(useColor: false))
        #expect(!bytes.contains(0x1B) && !bytes.contains(0x07), "\(format) passes a control character through")
        #expect(!String(decoding: bytes, as: UTF8.self).unicodeScalars.contains { $0.value == 0x9B }, "\(format) passes a C1 control through")
    }

    @Test func visibleTextSpellsOutControls() {
        #expect(visibleText("plain text, ünïcödé") == "plain text, ünïcödé")
        #expect(visibleText("a\u{1B}[31mb\nc\td") == "a\\x1B[31mb\\nc\td")
        #expect(visibleText("\u{9B}x\u{202E}y") == "\\x9Bx\\u{202E}y")
        #expect(visibleText("a\nb", keepingLineBreaks: true) == "a\nb")
        #expect(visibleText("→ ‘quotes’") == "→ ‘quotes’")
    }
}
