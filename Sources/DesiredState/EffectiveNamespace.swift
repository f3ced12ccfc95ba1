public import KubeModel
import Findings
import ManifestIO

/// `.ballast.yaml` `namespaces:`: files matching a glob get a namespace.
public struct NamespaceGlob: Sendable {
    public var glob: Glob
    public var namespace: String
    /// Where the entry is written, for the note when it matches nothing.
    public var span: SourceSpan?
    public init(glob: Glob, namespace: String, span: SourceSpan?) { self.glob = glob; self.namespace = namespace; self.span = span }
}

/// The effective namespace of objects that name none (DESIGN §4), in order: the manifest's own (the
/// reader keeps it), the kustomization's, `.ballast.yaml` `namespaces:`, the destination of an Argo CD
/// `Application` or the target of a Flux `Kustomization` of the same repository whose path holds the
/// file, and last `--default-namespace`.
struct EffectiveNamespaces: Sendable {
    /// Kustomization directories and their `namespace:` (files under them, when not rendered).
    var kustomizations: [(directory: String, namespace: String)] = []
    var globs: [NamespaceGlob] = []
    /// Directories that Argo CD / Flux applications deploy, and their namespace.
    var applications: [(directory: String, namespace: String)] = []
    var defaultNamespace = "default"

    func namespace(forFile path: String) -> String {
        if let k = Self.deepest(kustomizations, holding: path) { return k }
        if let g = globs.first(where: { $0.glob.matches(path) }) { return g.namespace }
        if let a = Self.deepest(applications, holding: path) { return a }
        return defaultNamespace
    }

    var resolver: NamespaceResolver {
        let copy = self
        return NamespaceResolver { copy.namespace(forFile: $0) }
    }

    /// The namespace of the deepest directory that holds `path`. Directories are matched on whole path
    /// segments, anywhere in the path: an application's `apps/redis` holds `fixtures/gitops/apps/redis/x.yaml`
    /// when the repository is linted from a parent directory.
    static func deepest(_ entries: [(directory: String, namespace: String)], holding path: String) -> String? {
        var best: (Int, String)?
        for entry in entries where holds(entry.directory, path) {
            if best == nil || entry.directory.count > best!.0 { best = (entry.directory.count, entry.namespace) }
        }
        return best?.1
    }

    static func holds(_ directory: String, _ path: String) -> Bool {
        if directory.isEmpty { return true }
        if path.hasPrefix(directory + "/") { return true }
        return path.contains("/" + directory + "/")
    }

    /// Argo CD `Application` and Flux `Kustomization` objects: the directories they deploy and the namespace
    /// they deploy to. An application whose path holds no file of the tree gets a note.
    static func applications(in files: [FileResult], allPaths: [String]) -> (entries: [(directory: String, namespace: String)], notes: [Finding]) {
        var entries: [(directory: String, namespace: String)] = []
        var notes: [Finding] = []
        for file in files {
            for parsed in file.objects {
                let object = parsed.object
                var directories: [(String, SourceSpan?)] = []
                var namespace: String?
                switch (object.ref.group, object.kind) {
                case ("argoproj.io", "Application"):
                    namespace = object.value[path: "spec", "destination", "namespace"]?.stringValue
                    if let p = object.value[path: "spec", "source", "path"] { directories.append((p.stringValue ?? "", p.span)) }
                    for source in object.value[path: "spec", "sources"]?.listValue ?? [] {
                        if let p = source["path"] { directories.append((p.stringValue ?? "", p.span)) }
                    }
                case ("kustomize.toolkit.fluxcd.io", "Kustomization"):
                    namespace = object.value[path: "spec", "targetNamespace"]?.stringValue
                    if let p = object.value[path: "spec", "path"] { directories.append((p.stringValue ?? "", p.span)) }
                default: continue
                }
                guard let namespace, !namespace.isEmpty else { continue }
                for (raw, span) in directories {
                    let directory = joinPath("", raw)
                    guard !directory.isEmpty, !directory.hasPrefix("..") else { continue }
                    if !allPaths.contains(where: { holds(directory, $0) }) {
                        notes.append(Finding(ruleID: "application-path-missing", severity: .info,
                                             message: "\(object.kind) \(object.name) deploys path \(raw), which holds no file here: its namespace \(namespace) is given to nothing",
                                             object: object.ref, span: span ?? object.span))
                        continue
                    }
                    entries.append((directory, namespace))
                }
            }
        }
        return (entries, notes)
    }
}
