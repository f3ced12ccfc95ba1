import KubeModel
public import Findings

/// The one rule that decides what a manifest is, for files on disk and files in git alike (DESIGN §4):
/// a `.yaml`, `.yml` or `.json` file that is not part of a Helm chart and not a kustomization; documents
/// whose apiVersion group belongs to a tool's own configuration are skipped by the reader with a note.
public enum ManifestRule {
    /// `.yaml`, `.yml` or `.json`.
    public static func isManifestName(_ path: String) -> Bool {
        path.hasSuffix(".yaml") || path.hasSuffix(".yml") || path.hasSuffix(".json")
    }

    /// `kustomization.yaml`, `kustomization.yml` or `Kustomization`, the names kustomize looks for.
    public static func isKustomizationName(_ path: String) -> Bool {
        let base = baseName(path)
        return base == "kustomization.yaml" || base == "kustomization.yml" || base == "Kustomization"
    }

    static func isChartName(_ path: String) -> Bool {
        let base = baseName(path)
        return base == "Chart.yaml" || base == "Chart.yml"
    }

    /// API groups of tools' own configuration files, which are not objects of a cluster.
    static let toolGroups: [String: String] = [
        "kustomize.config.k8s.io": "is a kustomize configuration",
        "builtin": "is a kustomize plugin configuration",
        "kind.x-k8s.io": "is a kind cluster configuration",
        "kubeadm.k8s.io": "is a kubeadm configuration",
        "kubelet.config.k8s.io": "is a kubelet configuration",
        "kubeproxy.config.k8s.io": "is a kube-proxy configuration",
        "apiserver.config.k8s.io": "is an API server configuration",
        "k3d.io": "is a k3d configuration",
        "ctlptl.dev": "is a ctlptl configuration",
        "kpt.dev": "is a kpt configuration",
        "skaffold": "is a skaffold configuration",
        "kuttl.dev": "is a kuttl test step",
        "chainsaw.kyverno.io": "is a chainsaw test",
        "cli.kyverno.io": "is a Kyverno CLI test",
        "clientcmd.k8s.io": "is a client configuration",
    ]

    /// Why a document of `group`/`kind` is not a manifest (a tool's configuration), or nil.
    public static func toolConfiguration(group: String, kind: String) -> String? {
        if let reason = toolGroups[group] { return reason }
        // kubeconfig files: `apiVersion: v1`, `kind: Config`.
        if group.isEmpty && kind == "Config" { return "is a kubeconfig" }
        return nil
    }

    /// The files of a listing that are manifests, the kustomization files among them, and a note for each
    /// Helm chart (its `Chart.yaml` and every file under its directory are skipped).
    public static func classify(_ paths: [String]) -> (manifests: [String], kustomizations: [String], notes: [Finding]) {
        let charts = paths.filter(isChartName).map(directory)
        var manifests: [String] = [], kustomizations: [String] = [], notes: [Finding] = []
        for path in paths where isManifestName(path) || isKustomizationName(path) {
            if let chart = charts.first(where: { isUnder(path, $0) }) {
                if isChartName(path) && directory(path) == chart {
                    notes.append(Finding(ruleID: "helm-chart-skipped", severity: .info,
                                         message: "Helm chart skipped: render it and pipe it (helm template \(chart.isEmpty ? "." : chart) | ballast lint -)",
                                         span: SourceSpan(file: FileID(path), line: 1, column: 1)))
                }
                continue
            }
            if isKustomizationName(path) { kustomizations.append(path) } else { manifests.append(path) }
        }
        return (manifests, kustomizations, notes)
    }

    /// `a/b/c.yaml` → `a/b`; `c.yaml` → "".
    public static func directory(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return "" }
        return String(path[..<slash])
    }

    static func baseName(_ path: String) -> String {
        guard let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")) else { return path }
        return String(path[path.index(after: slash)...])
    }

    /// Whether `path` is inside directory `dir` ("" is the root, holding everything).
    static func isUnder(_ path: String, _ dir: String) -> Bool {
        dir.isEmpty || (path.hasPrefix(dir) && path.utf8.dropFirst(dir.utf8.count).first == UInt8(ascii: "/"))
    }
}
