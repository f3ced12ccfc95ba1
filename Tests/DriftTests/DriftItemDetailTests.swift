import Foundation
import Testing
import KubeModel
import Findings
@testable import Drift

/// Attribution, remediation, messages and spans of the items the fixtures produce.
@Suite("drift item details")
struct DriftItemDetailTests {
    func items(_ name: String) throws -> [DriftItem] {
        let fixture = try DriftCase(name: name)
        return DriftComparer(options: fixture.options).compare(desired: fixture.desired, live: fixture.live).items
    }

    /// The 1-based line of the first line of `desired.yaml` containing `text`.
    func line(_ name: String, containing text: String) throws -> Int {
        let content = try String(contentsOf: driftFixtures.appendingPathComponent(name).appendingPathComponent("desired.yaml"), encoding: .utf8)
        let lines = content.split(separator: "\n", omittingEmptySubsequences: false)
        return (lines.firstIndex { $0.contains(text) } ?? -1) + 1
    }

    @Test("kubectl scale of a declared replica count is attributed to kubectl (scale) and points at replicas: 3")
    func kubectlScale() throws {
        let item = try #require(try items("rd9-kubectl-scale-out-of-band").first)
        #expect(item.attribution.first == Attribution(manager: "kubectl", operation: "Update", subresource: "scale", time: "2026-11-29T22:10:45Z"))
        #expect(item.message.contains("last written by kubectl (scale)"))
        #expect(item.span?.line == (try line("rd9-kubectl-scale-out-of-band", containing: "replicas: 3")))
        #expect(item.remediation.contains("kubectl apply"))
    }

    @Test("attribution lists every manager owning the path, most recent first")
    func attributionOrder() throws {
        let item = try #require(try items("deployment-image-set-live").first)
        #expect(item.attribution.map(\.manager) == ["kubectl-set", "kubectl-client-side-apply"])
    }

    @Test("a VCT size change says how to recreate without losing claims and how to expand them")
    func vctRemediation() throws {
        let item = try #require(try items("rd3-vct-size-change").first)
        #expect(item.driftClass == .recreateDataRisk)
        #expect(item.remediation.contains("kubectl delete statefulset redis -n data --cascade=orphan"))
        #expect(item.remediation.contains("kubectl patch pvc data-redis-<ordinal> -n data"))
        #expect(item.remediation.contains("\"storage\":\"20Gi\""))
        #expect(item.span?.line == (try line("rd3-vct-size-change", containing: "storage: 20Gi")))
    }

    @Test("a PV whose reclaim policy differs from its class: patch command, span on the class's reclaimPolicy")
    func reclaimPolicy() throws {
        let item = try #require(try items("rd5-pv-reclaim-inherited").first)
        #expect(item.remediation == "kubectl patch pv pvc-0a1b2c3d -p '{\"spec\":{\"persistentVolumeReclaimPolicy\":\"Retain\"}}'")
        #expect(item.span?.line == (try line("rd5-pv-reclaim-inherited", containing: "reclaimPolicy: Retain")))
        #expect(item.object == ObjectRef(group: "", kind: "PersistentVolume", namespace: nil, name: "pvc-0a1b2c3d"))
    }

    @Test("a claim expanded live: update git; attributed to kubectl-patch")
    func gitBehind() throws {
        let item = try #require(try items("pvc-expanded-live-git-behind").first)
        #expect(item.remediation == "update git to 20Gi (a claim cannot shrink)")
        #expect(item.attribution.first?.manager == "kubectl-patch")
    }

    @Test("growing a claim names the condition; a class without expansion makes it a migration")
    func claimGrowth() throws {
        let grow = try #require(try items("pvc-grow-in-place-if").first)
        #expect(grow.remediation.contains("grows to 200Gi if it is Bound and StorageClass gp3 allows volume expansion"))
        let fixed = try #require(try items("rd10-pvc-grow-without-expansion").first)
        #expect(fixed.remediation.contains("StorageClass standard-fixed does not allow volume expansion"))
    }

    @Test("an orphaned claim: delete after backup or scale up; span on the template")
    func orphan() throws {
        let item = try #require(try items("rd4-orphaned-vct-claim").first)
        #expect(item.remediation.contains("kubectl delete pvc data-redis-2 -n data"))
        #expect(item.remediation.contains("scale StatefulSet redis up"))
        #expect(item.message.contains("outside its ordinals 0..1"))
        #expect(item.span?.line == (try line("rd4-orphaned-vct-claim", containing: "- metadata:")))
    }

    @Test("removals say what proves them")
    func removalEvidence() throws {
        let csa = try #require(try items("rd1-removed-field-last-applied").first)
        #expect(csa.message.contains("last-applied-configuration"))
        let ssa = try #require(try items("rd1-removed-field-ssa-apply").first)
        #expect(ssa.message.contains("managedFields: argocd-controller Apply"))
        #expect(ssa.span?.line == (try line("rd1-removed-field-ssa-apply", containing: "data: {appendonly")))
    }

    @Test("a StorageClass reclaimPolicy omitted in git shows the default as desired and is recreate")
    func omittedDefault() throws {
        let item = try #require(try items("rd2-storageclass-reclaim-omitted").first)
        #expect(item.message.contains("git omits the field"))
        #expect(item.remediation.hasPrefix("kubectl delete storageclass fast"))
    }

    @Test("Secrets: a note, never their data")
    func secretNote() throws {
        let fixture = try DriftCase(name: "secret-not-compared")
        let comparison = DriftComparer().compare(desired: fixture.desired, live: fixture.live)
        let note = try #require(comparison.notes.first)
        #expect(note.severity == .info && note.ruleID == "secret-not-compared")
        #expect(!note.message.contains("not-printed"))
        #expect(comparison.compared == 1)
    }

    @Test("objects in namespaces that were not read are uncompared")
    func namespacesNotRead() throws {
        let fixture = try DriftCase(name: "fp10-associative-list-order")
        var live = fixture.live
        live.namespaces = ["data"]
        let comparison = DriftComparer().compare(desired: fixture.desired, live: live)
        #expect(comparison.items.isEmpty)
        #expect(comparison.uncompared.map(\.reason) == ["namespace web was not read from the cluster"])
    }

    @Test("a live object of a kind not listed completely is still compared")
    func incompleteKindButPresent() throws {
        let fixture = try DriftCase(name: "rd9-kubectl-scale-out-of-band")
        var live = fixture.live
        live.completeKinds = []
        let comparison = DriftComparer().compare(desired: fixture.desired, live: live)
        #expect(comparison.items.count == 1 && comparison.uncompared.isEmpty && comparison.compared == 1)
    }
}
