import Testing
import KubeModel
import Findings
import ManifestIO
@testable import Policy
@testable import Lint

/// What Lint does to hold less at scale changes no result: the sort by positions, the identity slots, phase
/// two's batches put in order, deferred checks that read their object again, and shared strings.
@Suite("Lint memory")
struct LintMemoryTests {
    /// Findings with many ties in report order (same file, position, rule and message) that differ in what
    /// the order does not read, so that only a stable sort puts them back as `sorted(by:)` does.
    @Test func sortByPositionsIsTheStableReportOrder() {
        var g = ObjectIndexTests.Generator(state: 7)
        let files = [FileID("b.yaml"), FileID("a.yaml"), FileID("c/d.yaml")]
        var findings: [Finding] = []
        for i in 0..<2_000 {
            let span: SourceSpan? = g.next(10) == 0 ? nil : SourceSpan(file: files[g.next(3)], line: 1 + g.next(4), column: 1 + g.next(2))
            findings.append(Finding(ruleID: ["r1", "r2", "r3"][g.next(3)], severity: .warning, message: ["m", "n"][g.next(2)],
                                    object: ObjectRef(group: "", kind: "ConfigMap", namespace: "ns", name: "o\(i)"),
                                    span: span, path: "p\(i)"))
        }
        var sorted = findings
        Linter.sortInPlace(&sorted)
        #expect(sorted == findings.sorted(by: Finding.reportOrder))
        for count in 0..<4 {
            var few = Array(findings.prefix(count))
            Linter.sortInPlace(&few)
            #expect(few == findings.prefix(count).sorted(by: Finding.reportOrder))
        }
    }

    /// The identity slots find the first object of each identity, as the dictionary they replace did.
    @Test func identitiesFindTheFirstObject() throws {
        var yaml: [String] = []
        for i in 0..<500 {
            yaml.append("{apiVersion: v1, kind: ConfigMap, metadata: {name: c\(i % 200), namespace: n\(i % 200 % 3)}, data: {i: \"\(i)\"}}")
        }
        let file = ManifestReader().parse(Array(yaml.joined(separator: "\n---\n").utf8), file: FileID("dup.yaml"), json: false)
        let index = ObjectIndex(file.objects.map(\.object))
        var first: [ObjectRef: Int] = [:]
        for (i, object) in index.stored.enumerated() where first[object.ref] == nil { first[object.ref] = i }
        #expect(first.count < index.stored.count)
        for (ref, i) in first {
            #expect(index.stored(ref)?.span == index.stored[i].span)
            #expect(index.firstSpan(ref) == .some(index.stored[i].span))
            #expect(index.object(ref)?.value["data"] == index.stored[i].object.value["data"])
            #expect(index.position("ConfigMap", namespace: ref.namespace, name: ref.name) == i)
        }
        #expect(index.stored(ObjectRef(group: "", kind: "ConfigMap", namespace: "n0", name: "absent")) == nil)
        #expect(!index.contains("ConfigMap", namespace: "n9", name: "c1"))
        #expect(ObjectIndex([StoredObject]()).stored(ObjectRef(group: "", kind: "ConfigMap", namespace: nil, name: "x")) == nil)
    }

    /// StatefulSets whose claims and governing Services are right, wrong and missing, several of them under
    /// one identity, over enough objects for phase two to run in many batches on several workers.
    static func manifests() -> [(name: String, yaml: String)] {
        var files: [(String, String)] = []
        files.append(("classes.yaml", "{apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: fast}, provisioner: x}"))
        for i in 0..<150 {
            let name = "db\(i % 120)"   // 30 identities are defined twice, in different files
            let labels = i % 7 == 0 ? "{app: other\(i)}" : "{app: \(name)}"
            let templates: String
            switch i % 4 {
            case 0: templates = "[{metadata: {name: data}, spec: {storageClassName: fast}}, {metadata: {name: logs}, spec: {storageClassName: slow\(i)}}]"
            case 1: templates = "[{spec: {storageClassName: missing}}, {name: byname, spec: {storageClassName: gone}}]"
            case 2: templates = "[{metadata: {name: data}, spec: {resources: {}}}]"
            default: templates = "[]"
            }
            let serviceName = i % 5 == 0 ? "" : "serviceName: \(name)-headless, "
            var docs = ["""
                {apiVersion: apps/v1, kind: StatefulSet, metadata: {name: \(name), namespace: ns\(i % 3)}, spec: {\(serviceName)
                 selector: {matchLabels: \(labels)}, template: {metadata: {labels: \(labels)}, spec: {containers: [{name: c, image: i}]}},
                 volumeClaimTemplates: \(templates)}}
                """]
            switch i % 6 {
            case 0: break
            case 1: docs.append("{apiVersion: v1, kind: Service, metadata: {name: \(name)-headless, namespace: ns\(i % 3)}, spec: {clusterIP: 10.0.0.1, selector: {app: \(name)}}}")
            case 2: docs.append("{apiVersion: v1, kind: Service, metadata: {name: \(name)-headless, namespace: ns\(i % 3)}, spec: {clusterIP: None}}")
            default: docs.append("{apiVersion: v1, kind: Service, metadata: {name: \(name)-headless, namespace: ns\(i % 3)}, spec: {clusterIP: None, selector: {app: \(name)}}}")
            }
            docs.append("{apiVersion: v1, kind: PersistentVolumeClaim, metadata: {name: \(name)-pvc, namespace: ns\(i % 3)}, spec: {storageClassName: \(i % 2 == 0 ? "fast" : "nope")}}")
            for k in 0..<4 { docs.append("{apiVersion: v1, kind: ConfigMap, metadata: {name: \(name)-c\(k), namespace: ns\(i % 3)}, data: {k: v}}") }
            files.append(("app\(i).yaml", docs.joined(separator: "\n---\n")))
        }
        return files
    }

    /// Phase two in batches across workers gives the findings, in the order, that the sequential phase two
    /// gives; the deferred checks find what they found when they kept their object's labels and findings.
    @Test func batchedPhaseTwoAgreesWithTheSequentialOne() async throws {
        let files = Self.manifests()
        let inputs = files.map { ManifestInput(name: $0.name, source: .bytes(Array($0.yaml.utf8))) }
        let reader = ManifestReader()
        let linter = Linter(pack: try PolicyPack.builtIn())
        let sequential = linter.lint(inputs.map { reader.read($0) })
        #expect(sequential.objectsChecked > 900)
        for workers in [1, 2, 4] {
            let batched = await linter.lint(inputs, reader: reader, workers: workers)
            #expect(batched.findings == sequential.findings, "workers: \(workers)")
            #expect(batched.notes == sequential.notes)
        }
        let headless = sequential.findings.filter { $0.ruleID == "statefulset-headless-service" }
        let classes = sequential.findings.filter { $0.ruleID == "vct-storageclass-undefined" }
        #expect(headless.contains { $0.message.contains("is not headless") })
        #expect(headless.contains { $0.message.contains("has no selector") })
        #expect(headless.contains { $0.message.contains("which does not match the pod labels") })
        #expect(headless.contains { $0.message.contains("names no Service in namespace") })
        #expect(headless.contains { $0.message.hasPrefix("no serviceName") })
        // Paths and positions as phase one names them: by template name, by item name, by position.
        #expect(classes.contains { $0.path == "spec.volumeClaimTemplates[name=logs].spec.storageClassName" && $0.message == "StorageClass \"slow0\" is not defined in the input" })
        #expect(classes.contains { $0.path == "spec.volumeClaimTemplates[0].spec.storageClassName" && $0.message.contains("\"missing\"") })
        #expect(classes.contains { $0.path == "spec.volumeClaimTemplates[name=byname].spec.storageClassName" && $0.message.contains("\"gone\"") })
        #expect(classes.contains { $0.path == "spec.storageClassName" && $0.object?.kind == "PersistentVolumeClaim" })
        #expect(classes.contains { $0.severity == .warning && $0.path == "spec.volumeClaimTemplates[name=data].spec.storageClassName" })
        #expect(headless.filter { !$0.message.hasPrefix("no serviceName") }.allSatisfy { $0.span?.line == 1 && $0.path == "spec.serviceName" })
    }

    /// A StatefulSet defined twice is checked on its own labels each time: the first one's Service selects
    /// its pods, the second one's labels differ.
    @Test func deferredChecksReadTheirOwnObject() {
        let sts = { (labels: String, claim: String) in """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: db, namespace: ns}
            spec:
              serviceName: db-headless
              selector: {matchLabels: \(labels)}
              template: {metadata: {labels: \(labels)}, spec: {containers: [{name: c, image: i}]}}
              volumeClaimTemplates: [{metadata: {name: data}, spec: {storageClassName: \(claim)}}]
            """ }
        let service = "{apiVersion: v1, kind: Service, metadata: {name: db-headless, namespace: ns}, spec: {clusterIP: None, selector: {app: db}}}"
        let yaml = [sts("{app: db}", "one"), service, sts("{app: other}", "two")].joined(separator: "\n---\n")
        let result = Linter().lint([ManifestReader().parse(Array(yaml.utf8), file: FileID("twice.yaml"), json: false)])
        let headless = result.findings.filter { $0.ruleID == "statefulset-headless-service" }
        #expect(headless.count == 1)
        #expect(headless.first?.span?.line == 16)
        #expect(headless.first?.path == "spec.serviceName")
        let classes = result.findings.filter { $0.ruleID == "vct-storageclass-undefined" }.map(\.message)
        #expect(classes == ["StorageClass \"one\" is not defined in the input", "StorageClass \"two\" is not defined in the input"])
    }
}
