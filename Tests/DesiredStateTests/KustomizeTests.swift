import Testing
import Foundation
import KubeModel
import Findings
import GitSource
@testable import DesiredState

@Suite("kustomize, rendered by the real kustomize")
struct KustomizeTests {
    @Test func kustomizeIsFoundAndRecent() throws {
        let options = renderingOptions()
        let found = try Kustomize.locate(explicit: options.kubectl, environment: ProcessInfo.processInfo.environment).get()
        #expect(found.version.hasPrefix("v"))
        #expect((Int(found.version.dropFirst().prefix { $0.isNumber }) ?? 0) >= 5)
    }

    @Test func aMissingKubectlIsAClearReason() {
        let result = Kustomize.locate(explicit: "/nonexistent/kubectl", environment: [:])
        guard case .failure(let why) = result else { Issue.record("found a kubectl that does not exist"); return }
        #expect(why.description.contains("/nonexistent/kubectl"))
    }

    @Test("fixtures/kustomize: two roots rendered, findings at the base files' lines")
    func fixture() async throws {
        let state = await load(["fixtures/kustomize"], in: repositoryRoot)
        #expect(state.notes.filter { $0.ruleID.hasPrefix("kustomization") }.isEmpty, "\(state.notes)")
        let all = state.rendered.flatMap(\.objects).map(\.object)
        let names = Set(all.map { "\($0.kind)/\($0.namespace ?? "")/\($0.name)" })
        #expect(names.contains("StatefulSet/cache-prod/prod-cache"))
        #expect(names.contains("StatefulSet/cache-staging/staging-cache"))
        #expect(names.contains("CronJob/cache-prod/prod-cache-backup"))
        #expect(!names.contains("CronJob/cache-staging/staging-cache-backup"))
        // No base file is read again as a plain manifest.
        #expect(state.inputs.isEmpty)
        let prod = try #require(all.first { $0.name == "prod-cache" && $0.kind == "StatefulSet" })
        #expect(prod.span?.file.path == "fixtures/kustomize/base/statefulset.yaml")
        #expect(prod.span?.line == 1)
        let image = prod.value[path: "spec", "template", "spec", "containers"]?.listValue?.first?["image"]
        #expect(image?.span?.file.path == "fixtures/kustomize/base/statefulset.yaml")
        #expect(image?.span?.line == 24)
        #expect(prod.value[path: "spec", "replicas"]?.intValue == 5)
        #expect(prod.labels["environment"] == "prod")
    }

    @Test func aMissingResourceIsANoteWithItsLine() async throws {
        let dir = try tree(["app/kustomization.yaml": "resources:\n- present.yaml\n- missing.yaml\n",
                            "app/present.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\n"])
        let state = await load(["."], in: dir)
        let note = try #require(state.notes.first { $0.ruleID == "kustomization-invalid" })
        #expect(note.message.contains("missing.yaml"))
        #expect(note.span?.line == 3)
        #expect(state.notes.contains { $0.ruleID == "kustomization-not-rendered" })
        // Its objects are known, and named as not compared.
        #expect(state.unrendered.map(\.object.name) == ["p"])
    }

    @Test func aRemoteBaseIsNeverFetched() async throws {
        let dir = try tree(["app/kustomization.yaml": "resources:\n- https://user:secret-token@github.com/org/repo//base?ref=v1\n"])
        let state = await load(["."], in: dir)
        let note = try #require(state.notes.first { $0.ruleID == "kustomization-not-rendered" && $0.message.contains("never fetched") })
        #expect(!note.message.contains("secret-token"))
    }

    @Test func anSCPLikeRemoteIsNeverFetchedAndALocalColonPathIsRead() async throws {
        // git's rule (RepositoryLocation): a colon with no slash before it, and nothing by that name in the
        // tree, is a remote, whatever the login (`git@` or another); a file whose name holds a colon is local.
        let dir = try tree(["app/kustomization.yaml": "resources:\n- deploy@git.example.com:platform/bases.git//redis\n",
                            "scp/kustomization.yaml": "resources:\n- ops:s3cret@git.example.com:p/b.git\n",
                            "local/kustomization.yaml": "resources:\n- a:b.yaml\n",
                            "local/a:b.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: colon, namespace: x}\n"])
        let state = await load(["."], in: dir)
        let remote = state.notes.filter { $0.ruleID == "kustomization-not-rendered" && $0.message.contains("never fetched") }
        #expect(Set(remote.compactMap { $0.span?.file.path }) == ["app/kustomization.yaml", "scp/kustomization.yaml"], "\(state.notes)")
        #expect(remote.contains { $0.span?.file.path == "app/kustomization.yaml" && $0.message.contains("deploy@git.example.com:platform/bases.git//redis") })
        #expect(!state.notes.contains { $0.message.contains("s3cret") }, "a password in an scp-like address is never printed")
        #expect(!state.notes.contains { $0.ruleID == "kustomization-invalid" }, "\(state.notes)")
        #expect(!state.notes.contains { $0.span?.file.path == "local/kustomization.yaml" }, "\(state.notes)")
    }

    @Test func aLoopIsANote() async throws {
        let dir = try tree(["a/kustomization.yaml": "resources: [../b]\n", "b/kustomization.yaml": "resources: [../a]\n",
                            "root/kustomization.yaml": "resources: [../a]\n"])
        let state = await load(["."], in: dir)
        #expect(state.notes.contains { $0.message.contains("includes itself") }, "\(state.notes)")
    }

    @Test func aBuildErrorIsANoteNamingTheRoot() async throws {
        let dir = try tree(["app/kustomization.yaml": "resources: [a.yaml]\npatches:\n- path: p.yaml\n",
                            "app/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: p}\n",
                            "app/p.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nobody}\ndata: {a: b}\n"])
        let state = await load(["."], in: dir)
        let note = try #require(state.notes.first { $0.ruleID == "kustomization-not-rendered" })
        #expect(note.span?.file.path == "app/kustomization.yaml")
        #expect(!state.unrendered.isEmpty)
    }

    @Test func rootsRenderedInParallelComeBackInTheirOrder() async throws {
        // Twelve overlays of one base, the seventh broken: results and notes in root order, whatever order
        // the kubectl processes finish in.
        var files = ["base/kustomization.yaml": "resources: [cm.yaml]\n",
                     "base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n"]
        for i in 1...12 {
            let name = String(format: "o%02d", i)
            files["overlays/\(name)/kustomization.yaml"] = i == 7
                ? "resources: [../../base]\npatches:\n- path: p.yaml\n"
                : "namespace: ns-\(name)\nnamePrefix: \(name)-\nresources: [../../base]\n"
        }
        files["overlays/o07/p.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: nobody}\ndata: {a: b}\n"
        let dir = try tree(files)
        for _ in 0..<2 {
            let state = await load(["."], in: dir)
            let names = state.rendered.flatMap(\.objects).map { "\($0.object.namespace ?? "")/\($0.object.name)" }
            #expect(names == (1...12).filter { $0 != 7 }.map { String(format: "ns-o%02d/o%02d-cm", $0, $0) })
            let broken = state.notes.filter { $0.ruleID == "kustomization-not-rendered" }
            #expect(broken.map { $0.span?.file.path } == ["overlays/o07/kustomization.yaml"], "\(state.notes)")
        }
        #expect(Kustomize(kubectl: "/nonexistent", version: "v5").renderAll([]).isEmpty)
    }

    @Test func fromGitTheTreeIsExportedAndBlobsOverTheCapFailClosed() async throws {
        let dir = try tree([
            "base/kustomization.yaml": "resources: [cm.yaml]\n",
            "base/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\n",
            "overlay/kustomization.yaml": "namespace: ov\nnamePrefix: x-\nresources: [../base]\n",
            "plain/big.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: big}\ndata: {a: \"" + String(repeating: "x", count: 5000) + "\"}\n",
            "chart/Chart.yaml": "name: c\n", "chart/templates/svc.yaml": "{{ .Values.x }}\n",
        ])
        try run(["git", "init", "-q", "-b", "main", "."], in: dir)
        try run(["git", "add", "-A"], in: dir)
        try run(["git", "commit", "-q", "-m", "c"], in: dir)
        let git = try GitRepository.open(path: dir.path)
        var options = renderingOptions()
        options.maxBlobSize = 1000
        let state = try await DesiredState.load(repository: git, commit: try git.resolve("HEAD"), paths: [], options: options)
        let objects = await state.readAll().flatMap(\.objects).map(\.object)
        #expect(objects.map { "\($0.namespace ?? "")/\($0.name)" } == ["ov/x-cm"])
        #expect(objects.first?.span?.file.path == "base/cm.yaml")
        #expect(state.failures.map(\.source) == ["plain/big.yaml"])
        #expect(state.failures.first?.reason.contains("1000-byte cap") == true)
        #expect(state.notes.contains { $0.ruleID == "helm-chart-skipped" })
    }
}

@Suite("the application pre-scan's byte search")
struct ApplicationPreScanTests {
    @Test func findsTheGroupsAnywhereAndNothingElse() {
        let argo = Array("kind: Application\napiVersion: argoproj.io/v1alpha1\n".utf8)
        #expect(DesiredState.mentionsApplication(argo))
        #expect(DesiredState.mentionsApplication(Array("x: kustomize.toolkit.fluxcd.io".utf8)))
        #expect(!DesiredState.mentionsApplication(Array("apiVersion: apps/v1\nkind: StatefulSet\n".utf8)))
        #expect(!DesiredState.mentionsApplication(Array("argoproj.i".utf8)))
        #expect(!DesiredState.mentionsApplication([]))
        #expect(DesiredState.contains(Array("abc".utf8), Array("abc".utf8)))
        #expect(DesiredState.contains(Array("aababc".utf8), Array("abc".utf8)))
        #expect(!DesiredState.contains(Array("abc".utf8), []))
    }
}
