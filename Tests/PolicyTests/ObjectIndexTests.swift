import Testing
import KubeModel
import ManifestIO
@testable import Policy
@testable import Lint

/// The indexed lookups behind `objectsSelecting`, `podTemplatesSelected` and `backupCronJobs` answer as
/// a scan of every object would, on generated namespaces full of overlapping labels and selectors.
@Suite("Object index")
struct ObjectIndexTests {
    /// A small deterministic generator (the same objects on every run).
    struct Generator {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        mutating func labels() -> String {
            let keys = ["app", "tier", "role"], values = ["a", "b", "c"]
            var pairs: [String] = []
            for key in keys where next(3) > 0 { pairs.append("\(key): \(values[next(3)])") }
            return "{" + pairs.joined(separator: ", ") + "}"
        }
    }

    static func objects() -> [StoredObject] {
        var g = Generator(state: 42)
        var yaml: [String] = []
        for i in 0..<300 {
            let ns = ["n1", "n2", "n3"][g.next(3)]
            switch g.next(5) {
            case 0:
                yaml.append("""
                    {apiVersion: apps/v1, kind: StatefulSet, metadata: {name: s\(i), namespace: \(ns)}, spec: {serviceName: s,
                     selector: {matchLabels: {x: y}}, template: {metadata: {labels: \(g.labels())}, spec: {containers: [{name: c, image: i}]}}}}
                    """)
            case 1:
                yaml.append("{apiVersion: v1, kind: Pod, metadata: {name: p\(i), namespace: \(ns), labels: \(g.labels())}, spec: {containers: [{name: c, image: i}]}}")
            case 2:
                let expressions = g.next(3) == 0 ? ", matchExpressions: [{key: role, operator: In, values: [a, b]}]" : ""
                yaml.append("{apiVersion: policy/v1, kind: PodDisruptionBudget, metadata: {name: d\(i), namespace: \(ns)}, spec: {minAvailable: 1, selector: {matchLabels: \(g.labels())\(expressions)}}}")
            case 3:
                yaml.append("{apiVersion: v1, kind: Service, metadata: {name: v\(i), namespace: \(ns)}, spec: {selector: \(g.labels())}}")
            default:
                let names = ["s1", "s2", "s3", "s1-backup"]
                let name = g.next(2) == 0 ? "\(names[g.next(4)])-backup-\(i)" : "job\(i)"
                let annotation = g.next(2) == 0 ? "annotations: {ballast.dev/backup-of: \"\(names[g.next(4)]), \(names[g.next(4)])\"}" : "annotations: {}"
                yaml.append("""
                    {apiVersion: batch/v1, kind: CronJob, metadata: {name: \(name), namespace: \(ns), \(annotation)}, spec: {schedule: "0 * * * *",
                     jobTemplate: {spec: {template: {metadata: {labels: \(g.labels())}, spec: {containers: [{name: c, image: i}]}}}}}}
                    """)
            }
        }
        let file = ManifestReader().parse(Array(yaml.joined(separator: "\n---\n").utf8), file: FileID("gen.yaml"), json: false)
        return file.objects.map { parsed in
            var stored = StoredObject(parsed.object)
            stored.facts = ObjectFacts(parsed.object, dataTier: DataTierSelector())
            return stored
        }
    }

    @Test func indexedLookupsAgreeWithAScan() throws {
        let stored = Self.objects()
        #expect(stored.count == 300)
        let index = ObjectIndex(stored)
        let labelSets: [[String: String]] = [[:], ["app": "a"], ["app": "a", "tier": "b"], ["app": "b", "tier": "c", "role": "a"],
                                             ["role": "b"], ["tier": "a", "role": "c"]] + stored.compactMap(\.podLabels)
        var nonEmpty = 0
        for ns in ["n1", "n2", "n3", "none"] {
            for kind in ["policy/PodDisruptionBudget", "Service"] {
                for labels in labelSets {
                    let scan = index.indices(ofKind: kind, namespace: ns).filter { i in
                        stored[i].selector.map { !$0.isEmpty && $0.matches(labels) } ?? false
                    }
                    #expect(index.selecting(kind: kind, namespace: ns, labels: labels) == scan, "\(kind) \(ns) \(labels)")
                    if !scan.isEmpty { nonEmpty += 1 }
                }
            }
            for selectorIndex in index.indices(ofKind: "policy/PodDisruptionBudget", namespace: nil) {
                let selector = try #require(stored[selectorIndex].selector)
                let templates = index.indices(inNamespace: ns).compactMap { stored[$0].podLabels }
                let expected = (templates.count, selector.isEmpty ? 0 : templates.count { selector.matches($0) })
                #expect(index.podTemplates(namespace: ns, selectedBy: selector) == expected)
            }
            for name in ["s1", "s2", "s3", "s1-backup", "job1"] {
                let scan = index.indices(ofKind: "batch/CronJob", namespace: ns).filter { i in
                    stored[i].backupOf.contains(name) || stored[i].ref.name.hasPrefix(name + "-backup")
                }
                #expect(index.backupCronJobs(namespace: ns, statefulSet: name) == scan, "\(ns) \(name)")
            }
        }
        #expect(nonEmpty > 20)   // the generated selectors do select things
    }
}
