import Testing
import Foundation
import KubeModel
import Findings
@testable import DesiredState

/// The effective namespace (DESIGN §4), one test per source, in order of precedence; and every consumer
/// sees it: the identity and the object's own `metadata.namespace`.
@Suite("effective namespace")
struct NamespaceTests {
    let configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"

    func namespaceOf(_ name: String, _ objects: [KubeObject]) -> (ref: String?, value: String?) {
        let object = objects.first { $0.name == name }
        return (object?.namespace, object?.value[path: "metadata", "namespace"]?.stringValue)
    }

    @Test func theManifestsOwnWins() async throws {
        let dir = try tree(["a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: own}\n"])
        var options = renderingOptions()
        options.defaultNamespace = "fallback"
        let state = await load(["."], in: dir, options: options)
        #expect(namespaceOf("c", await objects(state)) == ("own", "own"))
    }

    @Test func defaultNamespaceLast() async throws {
        let dir = try tree(["a.yaml": configMap])
        var options = renderingOptions()
        options.defaultNamespace = "fallback"
        let state = await load(["."], in: dir, options: options)
        #expect(namespaceOf("c", await objects(state)) == ("fallback", "fallback"))
    }

    @Test func kustomizationNamespaceRendered() async throws {
        let dir = try tree([
            "app/kustomization.yaml": "namespace: from-kustomize\nresources: [a.yaml]\n",
            "app/a.yaml": configMap,
        ])
        let state = await load(["."], in: dir)
        #expect(state.notes.filter { $0.ruleID == "kustomization-not-rendered" }.isEmpty, "\(state.notes)")
        #expect(namespaceOf("c", await objects(state)) == ("from-kustomize", "from-kustomize"))
        #expect(state.toolVersions["kustomize"]?.hasPrefix("v") == true)
    }

    @Test func kustomizationNamespaceWithoutRendering() async throws {
        let dir = try tree([
            "app/kustomization.yaml": "namespace: from-kustomize\nresources: [a.yaml]\n",
            "app/a.yaml": configMap,
        ])
        var options = renderingOptions()
        options.render = false
        let state = await load(["."], in: dir, options: options)
        // Not rendered: the kustomization's files are read as plain manifests, with its namespace.
        #expect(namespaceOf("c", await objects(state)) == ("from-kustomize", "from-kustomize"))
        #expect(state.notes.contains { $0.ruleID == "kustomization-skipped" })
    }

    @Test func ballastConfigGlobs() async throws {
        let dir = try tree(["apps/db/a.yaml": configMap, "other/b.yaml": configMap.replacingOccurrences(of: "name: c", with: "name: d")])
        var options = renderingOptions()
        options.namespaceGlobs = [NamespaceGlob(glob: Glob("apps/db/**"), namespace: "db", span: nil),
                                  NamespaceGlob(glob: Glob("nothing/**"), namespace: "x", span: nil)]
        let state = await load(["."], in: dir, options: options)
        let all = await objects(state)
        #expect(namespaceOf("c", all) == ("db", "db"))
        #expect(namespaceOf("d", all) == ("default", "default"))
        #expect(state.notes.contains { $0.ruleID == "namespace-glob-unused" && $0.message.contains("nothing/**") })
    }

    @Test func argoApplicationDestination() async throws {
        let dir = try tree([
            "argocd/redis.yaml": redisArgoApplication,
            "apps/redis/a.yaml": configMap,
        ])
        let state = await load(["."], in: dir)
        #expect(namespaceOf("c", await objects(state)) == ("redis", "redis"))
    }

    @Test func fluxKustomizationTarget() async throws {
        let dir = try tree([
            "clusters/prod/db.yaml": """
                apiVersion: kustomize.toolkit.fluxcd.io/v1
                kind: Kustomization
                metadata: {name: db, namespace: flux-system}
                spec: {path: ./apps/db, targetNamespace: databases, sourceRef: {kind: GitRepository, name: gitops}}
                """,
            "apps/db/a.yaml": configMap,
        ])
        let state = await load(["."], in: dir)
        #expect(namespaceOf("c", await objects(state)) == ("databases", "databases"))
    }

    @Test func anApplicationWhosePathDoesNotExistIsANote() async throws {
        let dir = try tree([
            "argocd/x.yaml": """
                apiVersion: argoproj.io/v1alpha1
                kind: Application
                metadata: {name: x, namespace: argocd}
                spec:
                  destination: {namespace: x}
                  source: {path: apps/missing}
                """,
        ])
        let state = await load(["."], in: dir)
        let note = state.notes.first { $0.ruleID == "application-path-missing" }
        #expect(note?.span?.file.path == "argocd/x.yaml")
        #expect(note?.span?.line == 6)
    }

    @Test func globBeatsApplication() async throws {
        let dir = try tree([
            "argocd/redis.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: r}\nspec: {destination: {namespace: from-argo}, source: {path: apps/redis}}\n",
            "apps/redis/a.yaml": configMap,
        ])
        var options = renderingOptions()
        options.namespaceGlobs = [NamespaceGlob(glob: Glob("apps/**"), namespace: "from-config", span: nil)]
        let state = await load(["."], in: dir, options: options)
        #expect(namespaceOf("c", await objects(state)) == ("from-config", "from-config"))
    }
}
