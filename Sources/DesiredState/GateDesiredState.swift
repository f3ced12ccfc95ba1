import Foundation
import KubeModel
public import Findings
public import ManifestIO
public import GitSource

/// What the gate needs of the desired state beyond the changed files (GatePlan): readers that give objects
/// their effective namespace at each revision, and the kustomizations the change touches, rendered at base
/// and at head (a changed file reached by a root is judged as the root renders it, never as a plain file).
public struct GateDesiredState: Sendable {
    public var baseReader: ManifestReader
    public var headReader: ManifestReader
    /// Objects of the touched kustomization roots, rendered at each revision.
    public var baseRendered: [FileResult] = []
    public var headRendered: [FileResult] = []
    /// Files those roots reach at each revision: rendered, so not read as plain manifests.
    public var reachedBase: Set<String> = []
    public var reachedHead: Set<String> = []
    public var notes: [Finding] = []
    public var toolVersions: [String: String] = [:]

    /// Plans it for a change between two commits; `changed` holds the paths the change touches (old and new).
    public static func make(_ git: GitRepository, base: ObjectID, head: ObjectID, changed: Set<String>, paths: [String],
                            options: DesiredStateOptions) async throws(GitError) -> GateDesiredState {
        let (baseSide, baseReached, baseRoots) = try side(git, base, changed: changed, options: options)
        let (headSide, headReached, headRoots) = try side(git, head, changed: changed, options: options)
        var state = GateDesiredState(baseReader: baseSide, headReader: headSide)
        state.reachedBase = baseReached
        state.reachedHead = headReached
        if options.render {
            if !baseRoots.isEmpty {
                let rendered = try await DesiredState.load(repository: git, commit: base, paths: baseRoots, options: options)
                state.baseRendered = rendered.rendered
                state.notes += rendered.notes.filter { $0.ruleID.hasPrefix("kustomization") }
                state.toolVersions.merge(rendered.toolVersions) { a, _ in a }
            }
            if !headRoots.isEmpty {
                let rendered = try await DesiredState.load(repository: git, commit: head, paths: headRoots, options: options)
                state.headRendered = rendered.rendered
                state.notes += rendered.notes.filter { $0.ruleID.hasPrefix("kustomization") }
                state.toolVersions.merge(rendered.toolVersions) { a, _ in a }
            }
        }
        return state
    }

    /// At one revision: the reader (effective namespaces from the kustomizations and `.ballast.yaml`), the
    /// files that roots touched by the change reach, and those roots' directories.
    static func side(_ git: GitRepository, _ commit: ObjectID, changed: Set<String>,
                     options: DesiredStateOptions) throws(GitError) -> (ManifestReader, Set<String>, [String]) {
        let (files, _) = try git.files(at: commit, under: [])
        let tree = GitTree(repository: git, files: Dictionary(files.map { ($0.path, $0.blob) }, uniquingKeysWith: { a, _ in a }),
                           maxBlobSize: options.maxBlobSize)
        let kustomizations = files.map(\.path).filter(ManifestRule.isKustomizationName)
        var namespaces = EffectiveNamespaces()
        namespaces.defaultNamespace = options.defaultNamespace
        namespaces.globs = options.namespaceGlobs
        var reached = Set<String>(), roots: [String] = []
        if !kustomizations.isEmpty {
            let graph = KustomizationGraph(kustomizations: kustomizations, tree: tree)
            for node in graph.nodes.values { if let ns = node.namespace { namespaces.kustomizations.append((node.directory, ns)) } }
            if options.render {
                for root in graph.roots {
                    let files = graph.reach(root).files
                    guard !files.isDisjoint(with: changed) else { continue }
                    reached.formUnion(files)
                    roots.append(root)
                }
            }
        }
        return (DesiredState.reader(options, namespaces: namespaces), reached, roots)
    }
}
