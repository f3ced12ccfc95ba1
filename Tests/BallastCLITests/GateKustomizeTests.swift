import Foundation
import Testing

/// The gate judges a change to a kustomized application as kustomize renders it, base and head: a patch
/// file is never read as a manifest of its own, and objects carry their rendered names and namespaces.
@Suite("ballast gate with kustomize")
struct GateKustomizeTests {
    let statefulSet = """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: cache}
        spec:
          serviceName: cache
          replicas: 3
          selector: {matchLabels: {app: cache}}
          template:
            metadata: {labels: {app: cache}}
            spec: {containers: [{name: redis, image: "redis:7.2.4"}]}
          volumeClaimTemplates:
          - metadata: {name: data}
            spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 10Gi}}}
        """

    func overlay(replicas: Int) -> String {
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: cache}
        spec: {replicas: \(replicas)}
        """
    }

    @Test func aScaleDownInAnOverlayPatchIsJudgedOnTheRenderedObject() throws {
        let repo = try pullRequest([
            "base/kustomization.yaml": "resources: [statefulset.yaml]\n",
            "base/statefulset.yaml": statefulSet,
            "overlays/prod/kustomization.yaml": "namespace: cache-prod\nnamePrefix: prod-\nresources: [../../base]\npatches:\n- path: replicas.yaml\n",
            "overlays/prod/replicas.yaml": overlay(replicas: 5),
        ], change: ["overlays/prod/replicas.yaml": overlay(replicas: 2)])
        defer { try? FileManager.default.removeItem(at: repo) }
        let run = try ballast(["gate", "--repo", repo.path, "--base", "base", "--head", "head", "--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let findings = (report["findings"] as? [[String: Any]]) ?? []
        let scaleDown = findings.filter { ($0["rule"] as? String) == "statefulset-scale-down" }
        #expect(scaleDown.map { $0["object"] as? String } == ["StatefulSet/cache-prod/prod-cache"], "\(run.stdout)")
        // The patch is rendered, never linted on its own (it has no selector, no template...).
        #expect(!findings.contains { ($0["file"] as? String) == "overlays/prod/replicas.yaml" && ($0["rule"] as? String)?.hasPrefix("schema") == true },
                "\(findings)")
        let rendered = try #require(findings.first)
        #expect(rendered["before"] as? String == "5")
        #expect(rendered["after"] as? String == "2")
    }

    @Test func withoutRenderingThePatchIsAPlainFile() throws {
        let repo = try pullRequest([
            "base/kustomization.yaml": "resources: [statefulset.yaml]\n",
            "base/statefulset.yaml": statefulSet,
            "overlays/prod/kustomization.yaml": "namespace: cache-prod\nnamePrefix: prod-\nresources: [../../base]\npatches:\n- path: replicas.yaml\n",
            "overlays/prod/replicas.yaml": overlay(replicas: 5),
        ], change: ["overlays/prod/replicas.yaml": overlay(replicas: 2)])
        defer { try? FileManager.default.removeItem(at: repo) }
        let run = try ballast(["gate", "--repo", repo.path, "--base", "base", "--head", "head", "--no-render", "--format", "json"])
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.stdout.utf8)) as? [String: Any])
        let objects = ((report["findings"] as? [[String: Any]]) ?? []).compactMap { $0["object"] as? String }
        // Nothing is rendered: no prod- object; the patch is judged as a file of its own, whose schema
        // findings (no selector, no template) were already there in base.
        #expect(!objects.contains { $0.contains("prod-") }, "\(objects)")
        let summary = try #require(report["summary"] as? [String: Any])
        #expect((summary["preexisting"] as? Int ?? 0) > 0, "\(summary)")
    }
}
