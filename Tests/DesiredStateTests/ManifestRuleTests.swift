import Testing
import KubeModel
import Findings
@testable import DesiredState

@Suite("what a manifest is: one rule")
struct ManifestRuleTests {
    @Test func chartsAreSkippedWithOneNote() {
        let (manifests, kustomizations, notes) = ManifestRule.classify([
            "apps/redis/sts.yaml", "charts/db/Chart.yaml", "charts/db/values.yaml", "charts/db/templates/svc.yaml",
            "apps/redis/kustomization.yaml", "README.md", "apps/x.json",
        ])
        #expect(manifests == ["apps/redis/sts.yaml", "apps/x.json"])
        #expect(kustomizations == ["apps/redis/kustomization.yaml"])
        #expect(notes.map(\.ruleID) == ["helm-chart-skipped"])
        #expect(notes.first?.span?.file.path == "charts/db/Chart.yaml")
    }

    @Test("tool configurations by apiVersion group, under any file name", arguments: [
        ("kustomize.config.k8s.io", "Kustomization"), ("kustomize.config.k8s.io", "Component"),
        ("kind.x-k8s.io", "Cluster"), ("kubeadm.k8s.io", "ClusterConfiguration"), ("", "Config"),
    ])
    func toolConfigurations(group: String, kind: String) {
        #expect(ManifestRule.toolConfiguration(group: group, kind: kind) != nil)
    }

    @Test func objectsAreManifests() {
        #expect(ManifestRule.toolConfiguration(group: "apps", kind: "StatefulSet") == nil)
        #expect(ManifestRule.toolConfiguration(group: "kustomize.toolkit.fluxcd.io", kind: "Kustomization") == nil)
        #expect(ManifestRule.toolConfiguration(group: "", kind: "ConfigMap") == nil)
    }

    @Test func aKustomizationUnderAnotherNameIsSkippedByTheReader() async throws {
        let dir = try tree([
            "overlay.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [a.yaml]\n",
            "a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
        ])
        let state = await load(["."], in: dir)
        let all = state.rendered.flatMap(\.objects).map(\.object.name)
        #expect(all == ["a"])
        #expect(state.rendered.flatMap(\.notes).map(\.ruleID) == ["tool-config-skipped"])
    }

    @Test func pathJoining() {
        #expect(joinPath("overlays/prod", "../../base") == "base")
        #expect(joinPath("a", "./b/c.yaml") == "a/b/c.yaml")
        #expect(joinPath("", "../x") == "../x")
    }
}
