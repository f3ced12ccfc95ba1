import Foundation
import Testing

/// `docs/rules.md` is generated from the pack; a rule changed without regenerating it fails here.
@Suite("docs/rules.md")
struct RuleDocsTests {
    static let command = "ballast policies explain --all --format markdown > docs/rules.md"

    @Test func isUpToDate() throws {
        let run = try ballast(["policies", "explain", "--all", "--format", "markdown"])
        #expect(run.status == 0, "\(run.stderr)")
        let committed = try String(contentsOf: packageRoot.appendingPathComponent("docs/rules.md"), encoding: .utf8)
        #expect(run.stdout == committed, "docs/rules.md is out of date: regenerate it with `\(Self.command)`")
    }

    /// Every rule `policies list` shows, and every live rule, has its section.
    @Test func documentsEveryRule() throws {
        let list = try ballast(["policies", "list", "--format", "json"])
        let rules = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])["rules"] as? [[String: Any]]
        let doc = try ballast(["policies", "explain", "--all", "--format", "markdown"]).stdout
        for id in try #require(rules).compactMap({ $0["id"] as? String }) + ["pvc-usage-high", "backup-stale"] {
            #expect(doc.contains("\n## \(id)\n"), "no section for \(id)")
        }
    }

    /// `explain` knows the live rules and the reader's rules too, not only the pack's.
    @Test func explainsLiveAndReaderRules() throws {
        for id in ["pvc-usage-high", "invalid-yaml"] {
            let run = try ballast(["policies", "explain", id])
            #expect(run.status == 0, "\(id): \(run.stderr)")
            #expect(run.stdout.hasPrefix("\(id) ("), "\(run.stdout)")
        }
        let all = try ballast(["policies", "explain", "--all"])
        #expect(all.status == 0 && all.stdout.contains("\npvc-usage-high (warning, on: live) — live (Swift)\n"))
    }

    @Test func explainTakesARuleOrAll() throws {
        #expect(try ballast(["policies", "explain"]).status == 2)
        #expect(try ballast(["policies", "explain", "--all", "storageclass-allow-volume-expansion"]).status == 2)
        #expect(try ballast(["policies", "explain", "storageclass-allow-volume-expansion", "--format", "markdown"]).status == 2)
    }
}
