import Testing
import Foundation
import KubeModel
import Findings
import ManifestIO
@testable import Policy
@testable import Lint

func config(_ yaml: String) throws -> BallastConfig {
    let documents = try OwnFormatReader.documents(Array(yaml.utf8), file: FileID(".ballast.yaml"))
    return try BallastConfig.parse(documents.first ?? .null)
}

func lint(_ yaml: String, options: LintOptions) -> RunResult {
    let file = ManifestReader().parse(Array(yaml.utf8), file: FileID("apps/x.yaml"), json: false)
    return Linter(options: options).lint([file])
}

let missingClass = """
    apiVersion: v1
    kind: PersistentVolumeClaim
    metadata:
      name: data
      namespace: db
      annotations:
        ballast.dev/waive.vct-storageclass-undefined: "class is made by the cloud; until=2099-01-01"
    spec:
      storageClassName: managed-premium
      accessModes: [ReadWriteOnce]
      resources: {requests: {storage: 1Gi}}
    """

@Suite("Waivers and .ballast.yaml")
struct ConfigAndWaiverTests {
    @Test func annotationWaiverSuppressesButKeepsTheFinding() {
        var options = LintOptions()
        options.today = "2026-11-28"
        let result = lint(missingClass, options: options)
        let finding = result.findings.first { $0.ruleID == "vct-storageclass-undefined" }
        #expect(finding?.waiver == Waiver(reason: "class is made by the cloud", until: "2099-01-01"))
        #expect(result.activeFindings.isEmpty)
        #expect(result.exitCode(failOn: .error) == 0)
    }

    @Test func expiredAndReasonlessWaiversSuppressNothing() {
        var options = LintOptions()
        options.today = "2099-02-01"
        let expired = lint(missingClass, options: options)
        #expect(expired.activeFindings.map(\.ruleID).sorted() == ["vct-storageclass-undefined", "waiver-expired"])
        #expect(expired.findings.first { $0.ruleID == "waiver-expired" }?.span?.line == 7)
        let noReason = lint(missingClass.replacingOccurrences(of: "class is made by the cloud; ", with: ""), options: LintOptions())
        #expect(noReason.activeFindings.map(\.ruleID).sorted() == ["vct-storageclass-undefined", "waiver-invalid"])
        let badDate = lint(missingClass.replacingOccurrences(of: "2099-01-01", with: "soon"), options: LintOptions())
        #expect(badDate.activeFindings.contains { $0.ruleID == "waiver-invalid" && $0.message.contains("unreadable date") })
    }

    @Test func configSelectsRulesAndSeverities() throws {
        var options = LintOptions()
        options.config = try config("rules:\n  severity: {vct-storageclass-undefined: warning}\n")
        let plain = missingClass.replacingOccurrences(of: "ballast.dev/waive.", with: "note/")
        let result = lint(plain, options: options)
        #expect(result.activeFindings.map(\.severity) == [.warning])
        options.config = try config("rules:\n  exclude: [vct-storageclass-undefined]\n")
        #expect(lint(plain, options: options).findings.isEmpty)
        options.config = try config("rules:\n  include: [duplicate-object]\n")
        #expect(lint(plain, options: options).findings.isEmpty)
    }

    @Test func configWaiversByObjectAndPath() throws {
        let plain = missingClass.replacingOccurrences(of: "ballast.dev/waive.", with: "note/")
        var options = LintOptions()
        options.today = "2026-11-28"
        options.config = try config("""
            waivers:
            - rule: vct-storageclass-undefined
              objects: ["PersistentVolumeClaim/db/*"]
              reason: cloud default class
            """)
        #expect(lint(plain, options: options).findings.first?.waiver?.reason == "cloud default class")
        options.config = try config("""
            waivers:
            - rule: vct-storageclass-undefined
              paths: ["apps/**"]
              reason: legacy apps
              until: 2026-01-01
            """)
        let expired = lint(plain, options: options)
        #expect(expired.activeFindings.map(\.ruleID).sorted() == ["vct-storageclass-undefined", "waiver-expired"])
    }

    @Test("config errors name the position", arguments: [
        ("rules:\n  exclud: [a]\n", 2, 3, "unknown key \"exclud\" in rules"),
        ("params: [1]\n", 1, 9, "params must be a mapping"),
        ("rules:\n  severity: {a: fatal}\n", 2, 17, "rules.severity.a must be error, warning or info"),
        ("waivers:\n- rule: a\n  reason: b\n", 2, 3, "a waiver names the objects or paths it covers"),
        ("waivers:\n- {rule: a, paths: [x], reason: b, until: tomorrow}\n", 2, 43, "until must be a date, YYYY-MM-DD"),
        ("dataTeir: {}\n", 1, 1, "unknown key \"dataTeir\""),
    ])
    func errors(_ c: (String, Int, Int, String)) {
        do {
            _ = try config(c.0)
            Issue.record("no error for \(c.0)")
        } catch let error as ConfigError {
            #expect(error.span?.line == c.1 && error.span?.column == c.2, "\(error)")
            #expect(error.message.hasPrefix(c.3), "\(error)")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func configReadsEverything() throws {
        let c = try config("""
            apiVersion: ballast.dev/v1alpha1
            kind: Config
            rules: {include: [a, b], exclude: [b]}
            params: {pvcUsageWarning: 80}
            dataTier: {labels: {tier: data}, namespaces: [db], images: [redis]}
            ignore: ["vendor/**", "*.tmp.yaml"]
            """)
        #expect(c.isEnabled("a") && !c.isEnabled("b") && !c.isEnabled("c"))
        #expect(c.params["pvcUsageWarning"] == .int(80))
        #expect(c.dataTier.labels == ["tier": "data"] && c.dataTier.namespaces == ["db"] && c.dataTier.images == ["redis"])
        #expect(c.isIgnored("vendor/x/y.yaml") && c.isIgnored("a.tmp.yaml") && !c.isIgnored("apps/a.tmp.yaml"))
    }

    @Test("globs", arguments: [
        ("apps/**", "apps/a/b.yaml", true), ("apps/**/x.yaml", "apps/x.yaml", true), ("apps/*/x.yaml", "apps/a/b/x.yaml", false),
        ("*.yaml", "a.yaml", true), ("*.yaml", "d/a.yaml", false), ("**/*.yaml", "d/e/a.yaml", true), ("a?c", "abc", true),
    ])
    func globs(_ c: (String, String, Bool)) { #expect(Glob(c.0).matches(c.1) == c.2, "\(c.0) ~ \(c.1)") }
}
