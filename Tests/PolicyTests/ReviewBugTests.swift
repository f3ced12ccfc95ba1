import Testing
import KubeModel
import Findings
import ManifestIO
@testable import Policy
@testable import Lint

/// Bugs found in review (issue 13), each with the test that failed before its fix.
@Suite("review bugs")
struct ReviewBugTests {
    func object(_ yaml: String) throws -> KubeObject {
        let file = ManifestReader().parse(Array(yaml.utf8), file: FileID("t.yaml"), json: false)
        return try #require(file.objects.first?.object)
    }

    @Test("the gate's before/after reaches list items by a numeric merge key")
    func numericMergeKey() throws {
        let service = try object("""
            apiVersion: v1
            kind: Service
            metadata: {name: redis, namespace: db}
            spec:
              ports:
              - {port: 6379, targetPort: 6379}
              - {port: 9121, targetPort: metrics}
            """)
        #expect(Gate.value(at: "spec.ports[port=6379].targetPort", in: service) == "6379")
        #expect(Gate.value(at: "spec.ports[port=9121].targetPort", in: service) == "\"metrics\"")
        #expect(Gate.value(at: "spec.ports[port=1].targetPort", in: service) == "<absent>")
        // The finding's position comes from the same walker.
        #expect(PathResolver.span(of: "spec.ports[port=9121].targetPort", in: service.value)?.line == 7)
    }

    @Test("a Pod's waiver annotations are read once")
    func podWaiverReadOnce() throws {
        let pod = try object("""
            apiVersion: v1
            kind: Pod
            metadata:
              name: p
              annotations: {ballast.dev/waive.probes-missing: ""}
            spec: {containers: [{name: c, image: "busybox:1.36"}]}
            """)
        let (_, findings) = WaiverParser.waivers(of: pod, today: "2026-12-03")
        #expect(findings.map(\.ruleID) == ["waiver-invalid"])
        #expect(findings.first?.path == #"metadata.annotations["ballast.dev/waive.probes-missing"]"#)
    }
}

/// Selecting rules must not take away the params other policy files document.
@Suite("rule selection keeps params")
struct RuleSelectionParamsTests {
    @Test func includeKeepsParamsOfOtherFiles() throws {
        var options = LintOptions()
        options.config.include = ["backup-coverage"]
        let yaml = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: mq, namespace: q}
            spec:
              serviceName: mq
              selector: {matchLabels: {app: mq}}
              template:
                metadata: {labels: {app: mq}}
                spec: {containers: [{name: rabbitmq, image: "rabbitmq:3.13.7"}]}
              volumeClaimTemplates:
              - metadata: {name: data}
                spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}
            """
        let file = ManifestReader().parse(Array(yaml.utf8), file: FileID("mq.yaml"), json: false)
        let result = Linter(options: options, pack: try PolicyPack.builtIn()).lint([file])
        #expect(!result.findings.contains { $0.ruleID == "policy-error" }, "\(result.findings.map(\.message))")
        #expect(result.findings.contains { $0.ruleID == "backup-coverage" })
    }
}
