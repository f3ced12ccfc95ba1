import KubeModel
import Findings
import ManifestIO
import GitSource

/// The kustomizations of a tree and what each reaches (resources, components, patches, generator files),
/// read from the kustomization files themselves. A root is a kustomization no other one includes; the
/// files a root reaches are rendered by kustomize, never read again as plain manifests (DESIGN §4).
struct KustomizationGraph {
    struct Node {
        var path: String
        var directory: String
        /// `namespace:` of the kustomization, when set.
        var namespace: String?
        /// Other kustomization directories it includes (resources or components that are directories).
        var includes: [String] = []
        /// Files it reaches directly (resources, patches, generator files).
        var files: [String] = []
        /// Why kustomize must not run on it (a remote base is never fetched, a Helm chart inflater...).
        var blocker: String?
        var problems: [Finding] = []
    }

    private(set) var nodes: [String: Node] = [:]   // by directory
    private(set) var notes: [Finding] = []

    /// Reads every kustomization file in `paths` (and those they include, even outside `paths`).
    init(kustomizations paths: [String], tree: some SourceTree) {
        var pending = paths
        while let path = pending.popLast() {
            let directory = ManifestRule.directory(path)
            if nodes[directory] != nil { continue }
            let node = Self.read(path, tree: tree)
            nodes[directory] = node
            for included in node.includes where nodes[included] == nil {
                if let file = Self.kustomizationFile(in: included, tree: tree) { pending.append(file) }
            }
        }
    }

    /// The directories of kustomizations that no other kustomization includes.
    var roots: [String] {
        let included = Set(nodes.values.flatMap(\.includes))
        return nodes.keys.filter { !included.contains($0) }.sorted()
    }

    /// Everything a root reaches: its kustomization files, resource files and patches, transitively; and
    /// the problems met on the way (a loop, a missing file, a remote base).
    func reach(_ root: String) -> (files: Set<String>, blocker: String?, problems: [Finding]) {
        var files = Set<String>(), seen = Set<String>(), problems: [Finding] = []
        var blocker: String?
        var stack: [(String, [String])] = [(root, [])]
        while let (directory, chain) = stack.popLast() {
            guard let node = nodes[directory] else { continue }
            if chain.contains(directory) {
                problems.append(Finding(ruleID: "kustomization-invalid", severity: .info,
                                        message: "kustomization includes itself through \((chain + [directory]).joined(separator: " -> ")); not rendered",
                                        span: SourceSpan(file: FileID(node.path), line: 1, column: 1)))
                blocker = blocker ?? "it includes itself (a loop)"
                continue
            }
            if !seen.insert(directory).inserted { continue }
            files.insert(node.path)
            files.formUnion(node.files)
            problems += node.problems
            if let reason = node.blocker { blocker = blocker ?? reason }
            for included in node.includes { stack.append((included, chain + [directory])) }
        }
        return (files, blocker, problems)
    }

    static func kustomizationFile(in directory: String, tree: some SourceTree) -> String? {
        for name in ["kustomization.yaml", "kustomization.yml", "Kustomization"] {
            let path = directory.isEmpty ? name : directory + "/" + name
            if tree.isFile(path) { return path }
        }
        return nil
    }

    /// Reads one kustomization file: what it includes and reaches, and what stops it from rendering.
    static func read(_ path: String, tree: some SourceTree) -> Node {
        let directory = ManifestRule.directory(path)
        var node = Node(path: path, directory: directory)
        let file = FileID(path)
        guard let bytes = tree.bytes(path) else {
            node.blocker = "it could not be read"
            return node
        }
        let document: Value
        do {
            document = try OwnFormatReader.documents(bytes, file: file).first ?? .map([])
        } catch {
            node.blocker = "it is not valid YAML (\(error.message))"
            node.problems.append(Finding(ruleID: "kustomization-invalid", severity: .info,
                                         message: "kustomization is not valid YAML: \(error.message); not rendered", span: error.span))
            return node
        }
        node.namespace = document["namespace"]?.stringValue
        // Entries naming files or directories, relative to the kustomization.
        var entries: [Value] = []
        for key in ["resources", "bases", "components", "patchesStrategicMerge", "crds", "transformers", "generators", "validators"] {
            entries += document[key]?.listValue ?? []
        }
        for key in ["patches", "patchesJson6902", "replacements"] {
            for item in document[key]?.listValue ?? [] { if let p = item["path"] { entries.append(p) } }
        }
        for key in ["configMapGenerator", "secretGenerator"] {
            for item in document[key]?.listValue ?? [] {
                for field in ["files", "envs"] {
                    for f in item[field]?.listValue ?? [] {
                        // `files` entries may be `key=path`.
                        if let text = f.stringValue, let eq = text.firstIndex(of: "=") {
                            entries.append(Value(.string(String(text[text.index(after: eq)...])), span: f.span))
                        } else { entries.append(f) }
                    }
                }
                if let env = item["env"] { entries.append(env) }
            }
        }
        if document["helmCharts"] != nil || document["helmChartInflationGenerator"] != nil {
            node.blocker = "it inflates Helm charts (helmCharts), which Ballast does not run"
            node.problems.append(Finding(ruleID: "kustomization-not-rendered", severity: .info,
                                         message: "kustomization inflates Helm charts (helmCharts): not rendered; render it yourself and pipe it",
                                         span: document.entry("helmCharts")?.keySpan ?? SourceSpan(file: file, line: 1, column: 1)))
        }
        for entry in entries {
            guard let text = entry.stringValue, !text.isEmpty else { continue }
            let span = entry.span ?? SourceSpan(file: file, line: 1, column: 1)
            let target = joinPath(directory, text)
            // kustomize reads a local file or directory first, then a remote: an scp-like entry that is
            // not in the tree (`git@host:org/repo//path`, `deploy@host:...`) is a remote, as git reads it.
            if isRemote(text) || (RepositoryLocation.isSCPLike(text) && !tree.isFile(target) && !tree.isDirectory(target)) {
                node.blocker = node.blocker ?? "it names a remote resource (\(redactURL(text))), which is never fetched"
                node.problems.append(Finding(ruleID: "kustomization-not-rendered", severity: .info,
                                             message: "remote resource \(redactURL(text)) is never fetched: kustomization not rendered",
                                             span: span))
                continue
            }
            if tree.isDirectory(target) {
                if kustomizationFile(in: target, tree: tree) != nil {
                    node.includes.append(target)
                } else {
                    node.blocker = node.blocker ?? "\(text) is a directory without a kustomization"
                    node.problems.append(Finding(ruleID: "kustomization-invalid", severity: .info,
                                                 message: "\(text) is a directory without a kustomization.yaml", span: span))
                }
            } else if tree.isFile(target) {
                node.files.append(target)
            } else {
                node.blocker = node.blocker ?? "\(text) does not exist"
                node.problems.append(Finding(ruleID: "kustomization-invalid", severity: .info,
                                             message: "\(text) does not exist (resolved to \(target.isEmpty ? "." : target))", span: span))
            }
        }
        return node
    }

    /// kustomize fetches these: URLs, `github.com/org/repo//path?ref=` and ssh remotes.
    static func isRemote(_ entry: String) -> Bool {
        entry.contains("://") || entry.hasPrefix("git@") || entry.hasPrefix("github.com/") || entry.hasPrefix("gitlab.com/")
            || entry.hasPrefix("bitbucket.org/") || entry.contains("?ref=") || entry.contains("?version=")
    }
}
