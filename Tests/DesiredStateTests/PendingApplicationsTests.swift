import Testing
import Foundation
import KubeModel
import Findings
import ManifestIO
@testable import DesiredState

/// Applications found while reading (`findsApplicationsWhileReading`, what `lint` does) give the objects,
/// namespaces and notes of the byte pre-scan, file by file; only the files whose namespace an application
/// changes are read a second time.
@Suite("applications found while reading")
struct PendingApplicationsTests {
    static let redisApplication = redisArgoApplication + """

        ---
        apiVersion: argoproj.io/v1alpha1
        kind: Application
        metadata: {name: missing}
        spec:
          destination: {namespace: nowhere}
          source: {path: apps/missing}
        ---
        apiVersion: v1
        kind: List
        items:
        - apiVersion: argoproj.io/v1alpha1
          kind: Application
          metadata: {name: other}
          spec: {destination: {namespace: other}, sources: [{path: apps/other}]}
        """
    static let fluxKustomization = """
        {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": {"name": "db"},
         "spec": {"path": "./apps/db", "targetNamespace": "databases", "sourceRef": {"kind": "GitRepository", "name": "g"}}}
        """
    static let configMap = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: NAME}\n"

    /// Trees covering each way an application reaches the reader, and none.
    static let trees: [(name: String, files: [String: String])] = [
        ("argo, flux, a list, a missing path", [
            "argocd/apps.yaml": redisApplication,
            "clusters/db.json": fluxKustomization,
            "apps/redis/a.yaml": configMap.replacingOccurrences(of: "NAME", with: "a"),
            "apps/redis/own.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: own, namespace: mine}\n",
            "apps/db/b.yaml": configMap.replacingOccurrences(of: "NAME", with: "b"),
            "apps/other/c.yaml": configMap.replacingOccurrences(of: "NAME", with: "c"),
            "elsewhere/d.yaml": configMap.replacingOccurrences(of: "NAME", with: "d"),
        ]),
        ("a mention that is no application", [
            "apps/redis/a.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, annotations: {argocd.argoproj.io/sync-wave: '1'}}\n",
        ]),
        ("a glob beats the application", [
            "argocd/apps.yaml": redisApplication,
            "apps/redis/a.yaml": configMap.replacingOccurrences(of: "NAME", with: "a"),
        ]),
        ("no application", [
            "a.yaml": configMap.replacingOccurrences(of: "NAME", with: "a"),
        ]),
    ]

    /// Objects (identity, tree) and notes, in order, as a comparable text.
    static func summary(_ files: [FileResult], notes: [Finding]) -> [String] {
        var out: [String] = []
        for file in files {
            out.append("file \(file.file.path) errors \(file.errors.count) notes \(file.notes.map(\.message))")
            for parsed in file.objects {
                out.append("  \(parsed.object.ref) \(parsed.object.span?.description ?? "") \(parsed.object.value.json)")
            }
        }
        return out + notes.map { "note \($0.ruleID) \($0.message) \($0.object.map(\.description) ?? "") \($0.span.map(\.description) ?? "")" }
    }

    @Test(arguments: trees.indices)
    func sameAsThePreScan(_ index: Int) async throws {
        let dir = try tree(Self.trees[index].files)
        var options = renderingOptions()
        options.directory = dir.path
        options.defaultNamespace = "fallback"
        if index == 2 { options.namespaceGlobs = [NamespaceGlob(glob: Glob("apps/**"), namespace: "from-config", span: nil)] }
        let eager = await DesiredState.load(paths: ["."], options: options)
        #expect(eager.pendingApplications == nil)
        options.findsApplicationsWhileReading = true
        let deferred = await DesiredState.load(paths: ["."], options: options)
        #expect(deferred.pendingApplications != nil)
        let (files, appNotes) = await deferred.readAllResolving()
        let expected = Self.summary(await eager.reader.read(eager.inputs) + eager.rendered, notes: eager.notes.sorted(by: Finding.reportOrder))
        let actual = Self.summary(files, notes: (deferred.notes + appNotes).sorted(by: Finding.reportOrder))
        #expect(actual == expected, "\(Self.trees[index].name)")
    }

    @Test func onlyFilesWhoseNamespaceChangesAreReadAgain() async throws {
        let dir = try tree(Self.trees[0].files)
        var options = renderingOptions()
        options.directory = dir.path
        options.findsApplicationsWhileReading = true
        let state = await DesiredState.load(paths: ["."], options: options)
        let pending = try #require(state.pendingApplications)
        let first = await state.reader.read(state.inputs)
        let holds = first.map { $0.objects.contains { PendingApplications.isApplication($0.object.ref) } }
        let revision = await pending.resolve(state.inputs, holdsApplications: holds)
        #expect(revision.reread.map { state.inputs[$0].name }.sorted() == ["apps/db/b.yaml", "apps/other/c.yaml", "apps/redis/a.yaml", "apps/redis/own.yaml"])
        #expect(revision.notes.map(\.ruleID) == ["application-path-missing"])
    }
}
