import Testing
import Foundation
import KubeModel
import Findings
@testable import Report

/// The HTML report as a browser reads it: headless Chromium (Debian's `chromium`, which `ci/setup`
/// installs) loads the page from a file and dumps its DOM; the assertions read that DOM.
@Suite("HTML report")
struct HTMLReportTests {
    static let chromium = executable(["/usr/bin/chromium", "/usr/bin/chromium-browser"])

    /// Loads `html` in headless Chromium and returns the serialised DOM.
    func dumpDOM(_ html: String) throws -> String {
        let chromium = try #require(Self.chromium, "chromium is not installed: run ci/setup")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-html-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }   // cleanup only
        let page = dir.appendingPathComponent("report.html")
        try html.write(to: page, atomically: true, encoding: .utf8)
        let run = try runProgram(chromium, [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-extensions",
            "--user-data-dir=\(dir.appendingPathComponent("profile").path)", "--dump-dom", page.absoluteString,
        ])
        #expect(run.status == 0, "chromium: \(run.stderr)")
        return run.stdout
    }

    @Test func browserShowsCountsDriftAndKeepsScriptsAsText() throws {
        let html = HTMLRenderer().render(driftResult(), ReportContext(command: "check"))
        #expect(!html.contains("<script"), "the page has no script of its own, and a value's is escaped")
        #expect(html.contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        let dom = try dumpDOM(html)
        // The value's script stayed a text node: the DOM holds no script element at all.
        #expect(!dom.contains("<script"), "a <script> element came from a value")
        #expect(dom.contains(#"<code>"&lt;script&gt;alert('x')&lt;/script&gt;\x1B[31m"</code>"#))
        // Summary cards.
        #expect(dom.contains(#"<div class="card" id="errors"><div class="l">errors</div><div class="n">1</div>"#))
        #expect(dom.contains(#"<div class="card" id="warnings"><div class="l">warnings</div><div class="n">1</div>"#))
        #expect(dom.contains(#"<div class="card" id="drift-count"><div class="l">drift items</div><div class="n">5</div>"#))
        #expect(dom.contains("<li>2 in-place</li>") && dom.contains("<li>1 git-behind</li>"))
        #expect(dom.contains(#"<div class="n">blocked</div>"#), "an error finding outranks drift")
        // The drift table: one row per item shown (the resolved one is not), a row with its values.
        #expect(dom.components(separatedBy: #"<tr class="drift-item">"#).count - 1 == 6)
        #expect(dom.contains(#"<td><code>spec.replicas</code></td><td><code>3</code> <span class="arrow">→</span> <code>5</code></td><td class="cls-in-place">in-place (persisting since 2026-11-20T02:00:00Z)</td><td>kubectl-scale Update/scale</td><td>2026-11-28T10:00:00Z</td>"#))
        // Charts: PVC bars with both marks, drift by class.
        #expect(dom.contains(#"<svg id="pvc-usage""#) && dom.contains("80 %</text>") && dom.contains("90 %</text>"))
        #expect(dom.contains(">93 %</text>"))
        #expect(dom.contains(#"<svg id="drift-chart""#))
        // The findings table.
        #expect(dom.components(separatedBy: #"<tr class="finding">"#).count - 1 == 2)
    }

    @Test func incompletePageSaysSo() throws {
        let html = HTMLRenderer().render(driftResult(incomplete: true), ReportContext(command: "check"))
        #expect(html.contains(#"<div class="n">incomplete</div>"#))
        #expect(html.contains("not compared <code>ConfigMap/mq/rabbitmq-conf</code>"))
        #expect(!html.lowercased().contains("no drift"))
    }

    @Test func attributeValuesAreEscapedToo() {
        var result = RunResult(findings: [Finding(ruleID: "r", severity: .error, message: "\" onmouseover=\"x",
                                                  object: ObjectRef(group: "", kind: "ConfigMap", namespace: "a", name: "'><b>x</b>"))])
        result.sort()
        let html = HTMLRenderer().render(result, ReportContext())
        #expect(!html.contains("<b>x</b>") && html.contains("&#39;&gt;&lt;b&gt;x&lt;/b&gt;"))
        #expect(html.contains("&quot; onmouseover=&quot;x"))
    }

    /// A huge run renders a readable page quickly: the tables stop at `rowLimit` rows, most severe first,
    /// and say where the rest is; the per-rule table still counts everything.
    @Test func longTablesAreCut() {
        var result = RunResult()
        result.findings = (0..<1_500).map { i in
            Finding(ruleID: i % 3 == 0 ? "a-error" : "b-warning", severity: i % 3 == 0 ? .error : .warning, message: "m\(i)",
                    object: ObjectRef(group: "", kind: "ConfigMap", namespace: "n", name: "c\(i)"),
                    span: SourceSpan(file: FileID("f\(i).yaml"), line: 1, column: 1))
        }
        result.liveMetrics.pvcUsage = (0..<100).map { PVCUsageMetric(namespace: "n", name: "p\($0)", usedRatio: Double($0) / 100) }
        result.sort()
        let html = HTMLRenderer().render(result, ReportContext())
        #expect(html.components(separatedBy: #"<tr class="finding">"#).count - 1 == HTMLRenderer.rowLimit)
        #expect(html.contains("The 1000 most severe of 1500 findings; the JSON and SARIF reports have them all."))
        #expect(html.components(separatedBy: #"<tr class="finding"><td class="sev-error">"#).count - 1 == 500, "every error is shown")
        #expect(html.contains(#"<tr><td><code>b-warning</code></td><td class="sev-warning">warning</td><td>1000</td></tr>"#))
        #expect(html.contains("The 60 fullest of 100 claims"))
        #expect(html.contains(">99 %</text>") && !html.contains(">39 %</text>"))
    }
}
