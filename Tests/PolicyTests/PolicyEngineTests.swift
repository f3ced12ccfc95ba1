import Testing
import Foundation
import KubeModel
import Findings
import ManifestIO
import CEL
@testable import Policy
@testable import Lint

func pack(_ yaml: String, name: String = "policies/test.yaml") throws(ConfigError) -> PolicyPack {
    var pack = PolicyPack(builtins: [])
    try pack.add(text: yaml, name: name)
    return pack
}

func policyFile(_ rules: String, params: String = "") -> String {
    "apiVersion: ballast.dev/v1alpha1\nkind: Policy\nmetadata: {name: t}\nspec:\n\(params)  rules:\n" + rules
}

let replicasRule = """
      - id: enough-replicas
        severity: warning
        summary: StatefulSets run enough replicas
        match: {kinds: [apps/StatefulSet]}
        variables: [{name: r, expression: "object.spec.?replicas.orValue(1)"}]
        validate: "variables.r >= params.minReplicas"
        messageExpression: "'replicas ' + string(variables.r) + ' < ' + string(params.minReplicas)"
        fieldPath: spec.replicas

    """

let sts = """
    apiVersion: apps/v1
    kind: StatefulSet
    metadata: {name: redis, namespace: cache}
    spec:
      replicas: 1
      serviceName: redis
      selector: {matchLabels: {app: redis}}
      template:
        metadata: {labels: {app: redis}}
        spec: {containers: [{name: redis, image: "redis:7.2.4"}]}
    """

@Suite("Policy engine")
struct PolicyEngineTests {
    @Test func paramsDefaultsAndOverrides() throws {
        let p = try pack(policyFile(replicasRule, params: "  params: {minReplicas: 3}\n"))
        var options = LintOptions()
        options.disabledRules = ["statefulset-headless-service"]
        let file = ManifestReader().parse(Array(sts.utf8), file: FileID("sts.yaml"), json: false)
        let result = Linter(options: options, pack: p).lint([file])
        let finding = try #require(result.findings.first { $0.ruleID == "enough-replicas" })
        #expect(finding.message == "replicas 1 < 3")
        #expect(finding.span?.line == 5 && finding.span?.column == 13)
        #expect(finding.path == "spec.replicas")
        options.config = try config("params: {minReplicas: 1}\n")
        #expect(Linter(options: options, pack: p).lint([file]).findings.filter { $0.ruleID == "enough-replicas" }.isEmpty)
    }

    @Test func runtimeErrorIsAPolicyErrorFinding() throws {
        let p = try pack(policyFile("""
              - id: needs-field
                summary: s
                match: {kinds: [apps/StatefulSet]}
                validate: "object.spec.missingField == 1"

            """))
        let file = ManifestReader().parse(Array(sts.utf8), file: FileID("sts.yaml"), json: false)
        let result = Linter(pack: p).lint([file])
        let error = try #require(result.findings.first { $0.ruleID == "policy-error" })
        #expect(error.message.contains("rule needs-field failed on this object"))
        #expect(error.severity == .error && error.object?.name == "redis")
        #expect(result.exitCode(failOn: .error) == 1)
    }

    @Test func nonBooleanAndBudget() throws {
        let p = try pack(policyFile("""
              - id: not-bool
                summary: s
                validate: "1 + 1"
              - id: runaway
                summary: s
                validate: "[1,2,3,4,5,6,7,8,9,10].all(a, [1,2,3,4,5,6,7,8,9,10].all(b, [1,2,3,4,5,6,7,8,9,10].all(c, [1,2,3,4,5,6,7,8,9,10].all(d, [1,2,3,4,5,6,7,8,9,10].all(e, [1,2,3,4,5,6,7,8,9,10].all(f, true))))))"

            """))
        let file = ManifestReader().parse(Array(sts.utf8), file: FileID("sts.yaml"), json: false)
        let errors = Linter(pack: p).lint([file]).findings.filter { $0.ruleID == "policy-error" }.map(\.message)
        #expect(errors.contains { $0.contains("not-bool") && $0.contains("expected a bool") })
        #expect(errors.contains { $0.contains("runaway") })
    }

    @Test("load errors name file, line and column", arguments: [
        (policyFile("      - {id: a, summary: s, validate: \"object.spec.replicas >\"}\n"), 6, "invalid CEL in validate"),
        (policyFile("      - {id: a, summary: s, validate: \"objekt.spec == 1\"}\n"), 6, "invalid CEL in validate"),
        (policyFile("      - {id: a, summary: s, validate: \"lookup('x')\"}\n"), 6, "invalid CEL in validate"),
        (policyFile("      - {id: a, summary: s, validate: \"true\"}\n      - {id: a, summary: s, validate: \"true\"}\n"), 7, "rule id \"a\" is used twice"),
        (policyFile("      - {id: a, summary: s, valdate: \"true\"}\n"), 6, "unknown key \"valdate\" in a rule"),
        (policyFile("      - {id: A_b, summary: s, validate: \"true\"}\n"), 6, "rule id \"A_b\" is not kebab-case"),
        (policyFile("      - {id: a, severity: fatal, validate: \"true\"}\n"), 6, "severity must be error, warning or info"),
        (policyFile("      - {id: duplicate-object, validate: \"true\"}\n"), 6, "rule id \"duplicate-object\" is used twice"),
        (policyFile("      - {id: a, summary: s, variables: [{name: v, expression: '1'}, {name: v, expression: '2'}], validate: \"true\"}\n"), 6,
         "variable v is defined twice"),
        (policyFile("      - {id: a, summary: s, variables: [{name: v-1, expression: '1'}], validate: \"true\"}\n"), 6,
         "variable name \"v-1\" is not a CEL identifier"),
        (policyFile("      - {id: a, summary: s, variables: [{name: v, expression: '1'}], validate: \"variables.w == 1\"}\n"), 6,
         "undeclared reference to 'variables'"),
        (policyFile("      - {id: a, summary: s, variables: [{name: v, expression: 'variables.w'}, {name: w, expression: '1'}], validate: \"true\"}\n"), 6,
         "invalid CEL in expression"),
        ("apiVersion: v1\nkind: ConfigMap\n", 1, "not a policy"),
        ("spec: [\n", 2, "did not find expected node content"),
    ])
    func loadErrors(_ c: (String, Int, String)) {
        do {
            _ = try pack(c.0)
            Issue.record("no error for \(c.0)")
        } catch {
            #expect(error.span?.file.path == "policies/test.yaml")
            #expect(error.span?.line == c.1, "\(error)")
            #expect(error.message.contains(c.2), "\(error)")
        }
    }

    @Test func celErrorColumnPointsIntoTheExpression() {
        do {
            _ = try pack(policyFile("      - id: a\n        summary: s\n        validate: \"object.spec.replicas > > 1\"\n"))
            Issue.record("no error")
        } catch {
            #expect(error.span?.line == 8)
            #expect(error.span?.column == 43, "\(error)")
        }
    }

    @Test func validatingAdmissionPolicy() throws {
        let p = try pack("""
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingAdmissionPolicy
            metadata: {name: replicas-limit}
            spec:
              matchConstraints:
                resourceRules:
                - {apiGroups: [apps], apiVersions: [v1], operations: [CREATE, UPDATE], resources: [statefulsets]}
              matchConditions:
              - {name: not-system, expression: "object.metadata.namespace != 'kube-system'"}
              validations:
              - expression: "object.spec.replicas <= 5"
                message: "at most 5 replicas"
              - expression: "object.spec.replicas >= 2"
                messageExpression: "'only ' + string(object.spec.replicas) + ' replica'"
            """)
        #expect(p.rules.map(\.id) == ["replicas-limit-1", "replicas-limit-2"])
        #expect(p.rules.first?.match.kinds == ["apps/StatefulSet"])
        let file = ManifestReader().parse(Array(sts.utf8), file: FileID("sts.yaml"), json: false)
        let findings = Linter(pack: p).lint([file]).findings.filter { $0.ruleID.hasPrefix("replicas-limit") }
        #expect(findings.map(\.message) == ["only 1 replica"])
    }

    @Test func changeRuleAndExamples() throws {
        let p = try pack(policyFile("""
              - id: no-downgrade
                on: change
                summary: no downgrade
                match: {kinds: [storage.k8s.io/StorageClass]}
                validate: "oldObject == null || object == null || oldObject.?reclaimPolicy.orValue('Delete') != 'Retain' || object.?reclaimPolicy.orValue('Delete') == 'Retain'"
                examples:
                  pass:
                  - {old: null, new: {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: a}, provisioner: p}}
                  fail:
                  - old: {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: a}, provisioner: p, reclaimPolicy: Retain}
                    new: {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: a}, provisioner: p}
                  - old: {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: a}, provisioner: p}
                    new: {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: a}, provisioner: p}

            """))
        let outcomes = p.allExamples.map(p.run)
        #expect(outcomes.map(\.passed) == [true, true, false])
        #expect(outcomes[2].detail == "as written: fail example did not fire")
        #expect(outcomes[2].example.description.contains("(policies/test.yaml:"))
    }

    @Test func variablesAreComputedOnFirstRead() throws {
        // `broken` fails on this object but no expression reads it: the rule passes, as in Kubernetes.
        // `size` reads `spec` once however many expressions read `variables.size`.
        let p = try pack(policyFile("""
              - id: lazy
                summary: s
                match: {kinds: [apps/StatefulSet]}
                variables:
                - {name: broken, expression: "object.spec.missingField"}
                - {name: spec, expression: "object.spec"}
                - {name: size, expression: "variables.spec.replicas"}
                validate: "variables.size >= 1 && variables.size < 10"
              - id: reads-broken
                summary: s
                match: {kinds: [apps/StatefulSet]}
                variables: [{name: broken, expression: "object.spec.missingField"}]
                validate: "variables.broken == 1"

            """))
        let file = ManifestReader().parse(Array(sts.utf8), file: FileID("sts.yaml"), json: false)
        let result = Linter(pack: p).lint([file])
        #expect(!result.findings.contains { $0.ruleID == "lazy" || $0.message.contains("rule lazy") })
        let error = try #require(result.findings.first { $0.ruleID == "policy-error" })
        #expect(error.message.contains("rule reads-broken failed on this object: validate: variables.broken: no such key: 'missingField'"),
                "\(error.message)")
    }

    @Test func rulesShareOnlyWhatTheyDefineAlike() throws {
        // Both rules define `y` as `variables.x + 1`, over different `x`: computed once per object only
        // when everything it reads is defined alike, so each rule sees its own `y`.
        let p = try pack(policyFile("""
              - id: share-a
                summary: s
                match: {kinds: [apps/StatefulSet]}
                when: "has(object.spec)"
                variables: [{name: x, expression: "object.spec.replicas"}, {name: y, expression: "variables.x + 1"}]
                validate: "variables.y == 2"
              - id: share-b
                summary: s
                match: {kinds: [apps/StatefulSet]}
                when: "has(object.spec)"
                variables: [{name: x, expression: "5"}, {name: y, expression: "variables.x + 1"}]
                validate: "variables.y == 6"
              - id: share-c
                summary: s
                match: {kinds: [apps/StatefulSet]}
                variables: [{name: x, expression: "object.spec.replicas"}, {name: y, expression: "variables.x + 1"}]
                validate: "variables.y == 3"

            """))
        let file = ManifestReader().parse(Array(sts.utf8), file: FileID("sts.yaml"), json: false)
        let findings = Linter(pack: p).lint([file]).findings.filter { $0.ruleID.hasPrefix("share-") || $0.ruleID == "policy-error" }
        #expect(findings.map(\.ruleID) == ["share-c"], "\(findings.map(\.message))")
        let rules = Dictionary(uniqueKeysWithValues: p.rules.map { ($0.id, $0) })
        #expect(rules["share-a"]?.whenKey == rules["share-b"]?.whenKey)
    }

    @Test func whatARuleReadsDecidesWhenItRuns() throws {
        let p = try pack(policyFile("""
              - {id: own, summary: s, validate: "has(object.metadata)"}
              - {id: selecting, summary: s, validate: "size(objectsSelecting('Service', 'ns', {})) >= 0"}
              - {id: scan, summary: s, validate: "objects.size() >= 0"}
              - {id: lazy-scan, summary: s, variables: [{name: all, expression: "objects"}], validate: "size(variables.all) >= 0"}

            """))
        let rules = Dictionary(uniqueKeysWithValues: p.rules.map { ($0.id, $0) })
        #expect(rules["own"]?.needsIndex == false && rules["own"]?.readsObjects == false)
        // objectsSelecting reads the index, not the list of every object.
        #expect(rules["selecting"]?.needsIndex == true && rules["selecting"]?.readsObjects == false)
        #expect(rules["scan"]?.needsIndex == true && rules["scan"]?.readsObjects == true)
        #expect(rules["lazy-scan"]?.readsObjects == true)
    }

    @Test func engineConfigParsers() {
        let redis = EngineConfig.redis("# comment\nmaxmemory 2gb\nSAVE 900 1\nsave 300 10\nappendonly \"yes\"\nmaxmemory 3gb\n")
        #expect(redis.map(\.0) == ["maxmemory", "save", "appendonly"])
        #expect(Dictionary(uniqueKeysWithValues: redis)["maxmemory"] == "3gb")
        #expect(Dictionary(uniqueKeysWithValues: redis)["save"] == "900 1;300 10")
        #expect(Dictionary(uniqueKeysWithValues: redis)["appendonly"] == "yes")
        let pg = EngineConfig.postgres("wal_level = replica # for standbys\narchive_mode=on\narchive_command = 'cp %p /a/%f # not a comment'\nMax_Wal_Senders 10\n")
        let pgMap = Dictionary(uniqueKeysWithValues: pg)
        #expect(pgMap["wal_level"] == "replica" && pgMap["archive_mode"] == "on" && pgMap["max_wal_senders"] == "10")
        #expect(pgMap["archive_command"] == "cp %p /a/%f # not a comment")
    }

    @Test("cron intervals", arguments: [
        ("0 */6 * * *", 21_600), ("@daily", 86_400), ("*/15 * * * *", 900), ("0 2 * * 1-5", 259_200),
        ("0 0 1 * *", 2_678_400), ("30 3 * * sun", 604_800),
    ])
    func cron(_ c: (String, Int)) {
        guard let gaps = CronSchedule(c.0)?.gaps(from: 1_764_000_000) else { Issue.record("did not parse \(c.0)"); return }
        #expect(gaps.longest == Int64(c.1), "\(c.0)")
    }

    @Test("invalid cron", arguments: ["", "* * * *", "61 * * * *", "*/0 * * * *", "0 0 32 * *", "a b c d e"])
    func invalidCron(_ text: String) { #expect(CronSchedule(text) == nil) }

    @Test func pathResolver() throws {
        let file = ManifestReader().parse(Array(sts.utf8), file: FileID("s.yaml"), json: false)
        let value = try #require(file.objects.first?.object.value)
        #expect(PathResolver.span(of: "spec.template.spec.containers[name=redis].image", in: value)?.line == 10)
        #expect(PathResolver.span(of: "spec.template.spec.containers[0]", in: value)?.column == 25)
        #expect(PathResolver.span(of: "spec.nothing.deeper", in: value)?.line == 5, "missing field: the map that lacks it")
        #expect(PathResolver.segments(#"metadata.annotations["a.b/c"].x[2][k=v]"#)
                == [.key("metadata"), .key("annotations"), .key("a.b/c"), .key("x"), .index(2), .item(key: "k", value: "v")])
    }

    @Test func evalCommand() throws {
        #expect(try PolicyPack.evaluate("quantity('1.5Gi') == quantity('1536Mi')", variables: [:]).get() == "true")
        let obj = Value.map([("spec", .map([("replicas", .int(3))]))])
        #expect(try PolicyPack.evaluate("object.spec.replicas * 2", variables: ["object": obj]).get() == "6")
        if case .failure(let e) = PolicyPack.evaluate("1 +", variables: [:]) { #expect(e.isCompileError && e.description.contains("column")) }
        else { Issue.record("no error") }
    }

    @Test func builtinPackIsEmbeddedFromPolicies() throws {
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("ci/gen-builtin-pack")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, "--check"]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "Sources/Policy/BuiltinPack.generated.swift is stale: run ci/gen-builtin-pack")
        _ = try PolicyPack.builtIn()
    }
}

@Suite("Built-in pack examples")
struct BuiltinPackExampleTests {
    static let pack = try? PolicyPack.builtIn()

    @Test("example", arguments: pack?.allExamples ?? [])
    func example(_ example: PolicyExample) throws {
        let pack = try #require(Self.pack)
        let outcome = pack.run(example)
        #expect(outcome.passed, "\(example): \(outcome.detail)")
    }

    @Test func theExamplesAreThere() throws {
        // `try?` above keeps the argument list computable; a pack that fails to load must fail here,
        // not turn into zero example cases.
        let pack = try PolicyPack.builtIn()
        #expect(Self.pack != nil)
        #expect(pack.allExamples.count >= 100, "\(pack.allExamples.count) examples")
    }

    @Test func catalogue() throws {
        let pack = try PolicyPack.builtIn()
        for rule in pack.rules {
            #expect(!rule.descriptor.summary.isEmpty && !rule.descriptor.description.isEmpty && !rule.descriptor.remediation.isEmpty,
                    "\(rule.id) lacks summary, description or remediation")
            #expect(rule.examples.contains { $0.expectation == .pass }, "\(rule.id) has no pass example")
            #expect(rule.examples.contains { $0.expectation == .fail }, "\(rule.id) has no fail example")
        }
    }
}

extension PolicyExample: CustomTestStringConvertible {
    public var testDescription: String { description }
}
