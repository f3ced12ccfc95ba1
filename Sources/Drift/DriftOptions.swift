public import KubeModel

/// A `drift.ignore` entry of `.ballast.yaml`: drift items of matching objects and paths are kept in the
/// report but carry a waiver with the rule's reason (they never count for the exit code).
public struct DriftIgnoreRule: Sendable, Hashable {
    /// Glob (`*`, `?`) over the kind (`StatefulSet`) or the qualified kind (`apps/StatefulSet`); nil: any.
    public var kind: String?
    /// Glob over the namespace; nil: any (cluster-scoped objects match only nil or `*`).
    public var namespace: String?
    /// Glob over the name; nil: any.
    public var name: String?
    /// Paths in the DESIGN §6 grammar; an item matches a path equal to one of them, below one of them
    /// (`spec.template` covers `spec.template.spec.containers[name=redis].image`), or a glob of one.
    /// Empty: every path, object-level items included.
    public var paths: [String]
    /// Why the difference is accepted; becomes the item's waiver reason.
    public var reason: String

    /// A rule; nil globs match anything.
    public init(kind: String? = nil, namespace: String? = nil, name: String? = nil, paths: [String] = [], reason: String) {
        self.kind = kind; self.namespace = namespace; self.name = name; self.paths = paths; self.reason = reason
    }

    /// Whether the rule covers `path` of `object`.
    public func matches(_ object: ObjectRef, path: String) -> Bool {
        if let kind, !(globMatch(kind, object.kind) || globMatch(kind, object.qualifiedKind)) { return false }
        if let namespace {
            guard let objectNamespace = object.namespace else { return namespace == "*" }
            if !globMatch(namespace, objectNamespace) { return false }
        }
        if let name, !globMatch(name, object.name) { return false }
        if paths.isEmpty { return true }
        return paths.contains { rulePath in
            path == rulePath || path.hasPrefix(rulePath + ".") || path.hasPrefix(rulePath + "[")
                || (rulePath.contains("*") && globMatch(rulePath, path))
        }
    }
}

/// How the repository's applier marks the objects it manages, so that a live object carrying the mark
/// but absent from git is reported as unmanaged.
public struct ManagementSelector: Sendable, Hashable {
    /// Where the mark is: a label or an annotation.
    public enum Place: String, Sendable, Hashable { case label, annotation }
    public var place: Place
    /// The label or annotation key (`app.kubernetes.io/instance`).
    public var key: String
    /// Glob over the value; nil: any value.
    public var value: String?

    /// A mark: `key` with a value matching the glob `value` (any value when nil).
    public init(_ place: Place, key: String, value: String? = nil) {
        self.place = place; self.key = key; self.value = value
    }

    /// Argo CD annotation tracking (the default since Argo CD 3): `argocd.argoproj.io/tracking-id` values
    /// start with `<app>:`.
    public static func argoCD(application: String) -> ManagementSelector {
        ManagementSelector(.annotation, key: "argocd.argoproj.io/tracking-id", value: application + ":*")
    }

    /// Argo CD label tracking: `app.kubernetes.io/instance: <app>`.
    public static func argoCDLabel(application: String) -> ManagementSelector {
        ManagementSelector(.label, key: "app.kubernetes.io/instance", value: application)
    }

    /// Flux: `kustomize.toolkit.fluxcd.io/name: <kustomization>`.
    public static func flux(kustomization: String) -> ManagementSelector {
        ManagementSelector(.label, key: "kustomize.toolkit.fluxcd.io/name", value: kustomization)
    }

    /// Whether the object's metadata carries the mark.
    public func matches(_ metadata: Value?) -> Bool {
        let map = metadata?[place == .label ? "labels" : "annotations"]
        guard let found = map?[key]?.stringValue else { return false }
        guard let value else { return true }
        return globMatch(value, found)
    }
}

/// What a comparison accepts and how it recognises the GitOps applier.
public struct DriftOptions: Sendable {
    /// Accepted differences (`drift.ignore`).
    public var ignore: [DriftIgnoreRule]
    /// The repository's management marks; empty: unmanaged objects are not looked for.
    public var management: [ManagementSelector]
    /// Field managers that apply git (their `Apply` entries prove a field was removed from git).
    public var appliers: Set<String>
    /// How reports tell a user to re-apply git (`sync with Argo CD`, `flux reconcile ks apps`).
    public var applyHint: String

    /// The field managers of `kubectl apply` (client- and server-side), Argo CD, Flux and Helm.
    public static let defaultAppliers: Set<String> = [
        "kubectl-client-side-apply", "kubectl", "argocd-controller", "argocd-application-controller",
        "kustomize-controller", "helm-controller", "helm", "flux", "flux-client-side-apply", "ballast",
    ]

    /// Options with the default appliers; no ignore rules and no management marks unless given.
    public init(ignore: [DriftIgnoreRule] = [], management: [ManagementSelector] = [],
                appliers: Set<String> = DriftOptions.defaultAppliers,
                applyHint: String = "re-apply git (kubectl apply, or sync with Argo CD / Flux)") {
        self.ignore = ignore; self.management = management; self.appliers = appliers; self.applyHint = applyHint
    }
}

/// Glob match with `*` (any run, `/` included) and `?` (one character), over Unicode scalars.
func globMatch(_ pattern: String, _ text: String) -> Bool {
    let p = Array(pattern.unicodeScalars), t = Array(text.unicodeScalars)
    var pi = 0, ti = 0, star = -1, mark = 0
    while ti < t.count {
        if pi < p.count && (p[pi] == "?" || p[pi] == t[ti]) { pi += 1; ti += 1 }
        else if pi < p.count && p[pi] == "*" { star = pi; mark = ti; pi += 1 }
        else if star >= 0 { pi = star + 1; mark += 1; ti = mark }
        else { return false }
    }
    while pi < p.count && p[pi] == "*" { pi += 1 }
    return pi == p.count
}
