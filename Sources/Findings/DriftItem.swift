public import KubeModel

/// How a drifted field can be brought back in line (DESIGN §6, research/drift.md b.2).
public enum DriftClass: String, Sendable, Hashable, CaseIterable, Codable {
    /// An apply fixes it.
    case inPlace = "in-place"
    /// An apply fixes it under a condition the remediation names (a PVC grows only when bound and its
    /// class allows expansion).
    case inPlaceIf = "in-place-if"
    /// The object must be deleted and created again (an immutable field); no data at stake.
    case recreate
    /// Recreating the object would lose data, or the field cannot change without a data migration.
    case recreateDataRisk = "recreate-data-risk"
    /// The cluster is right and git is behind: only a git change can reconcile (a PVC expanded live
    /// beyond git can never shrink).
    case gitBehind = "git-behind"
}

/// Who last wrote a field, from the live object's `managedFields`.
public struct Attribution: Sendable, Hashable {
    /// The field manager (`kubectl-edit`, `kubectl`, `argocd-controller`, `csi-resizer`, ...).
    public var manager: String
    /// `Apply` or `Update`.
    public var operation: String
    /// `scale`, `status`, ... when the write went through a subresource.
    public var subresource: String?
    /// RFC 3339 time of the write, when the server recorded it.
    public var time: String?
    public init(manager: String, operation: String, subresource: String? = nil, time: String? = nil) {
        self.manager = manager; self.operation = operation; self.subresource = subresource; self.time = time
    }
}

/// A drift item's place in the history of nightly runs (`--baseline PREVIOUS.json`).
public enum DriftStatus: String, Sendable, Hashable, Codable {
    case new, persisting, resolved
}

/// One difference between the desired state (git) and the live cluster. Object-level items (missing live,
/// unmanaged live, orphaned claim) have an empty `path`.
public struct DriftItem: Sendable, Hashable {
    public var object: ObjectRef
    /// DESIGN §6 path grammar (`spec.template.spec.containers[name=redis].image`); "" for the object.
    public var path: String
    /// Compact JSON of the desired value, or `<absent>` (not in git), `<orphaned>`.
    public var desired: String
    /// Compact JSON of the live value, or `<absent>` (not in the cluster).
    public var live: String
    public var driftClass: DriftClass
    /// The managers whose `managedFields` entries hold the path (most recent first).
    public var attribution: [Attribution]
    /// The command or git change that reconciles it.
    public var remediation: String
    /// Where the desired field (or the object, for object-level items) is written in git.
    public var span: SourceSpan?
    /// A short explanation (`PVC expanded live beyond git`, `not in git but carries the repository's label`).
    public var message: String
    /// With `--baseline`: new, persisting or resolved.
    public var status: DriftStatus?
    /// With `--baseline`: when the item was first seen (RFC 3339), so that drift has an age.
    public var firstSeen: String?
    /// Set when a waiver or `drift.ignore` suppresses the item; suppressed items stay in JSON and SARIF.
    public var waiver: Waiver?

    public init(object: ObjectRef, path: String, desired: String, live: String, driftClass: DriftClass,
                attribution: [Attribution] = [], remediation: String, span: SourceSpan? = nil, message: String = "",
                status: DriftStatus? = nil, firstSeen: String? = nil, waiver: Waiver? = nil) {
        self.object = object; self.path = path; self.desired = desired; self.live = live
        self.driftClass = driftClass; self.attribution = attribution; self.remediation = remediation
        self.span = span; self.message = message; self.status = status; self.firstSeen = firstSeen; self.waiver = waiver
    }

    public var isSuppressed: Bool { waiver != nil }
    /// Counts for the exit code: not waived, and not a baseline item that has since been resolved.
    public var isActive: Bool { waiver == nil && status != .resolved }

    /// The identity of an item across nightly runs: object and path (values may change while the drift
    /// persists).
    public var fingerprint: String { "\(object.description)|\(path)" }

    /// Report order: object, then path.
    public static func reportOrder(_ a: DriftItem, _ b: DriftItem) -> Bool {
        if a.object != b.object { return a.object.description < b.object.description }
        return a.path < b.path
    }
}

/// A desired object that could not be compared with the live one (kind not served, list incomplete,
/// kustomization not rendered, live object unreadable). It makes the run incomplete (exit 3): an object
/// that was not compared is never reported as "no drift".
public struct UncomparedObject: Sendable, Hashable {
    public var object: ObjectRef
    public var reason: String
    public var span: SourceSpan?
    public init(object: ObjectRef, reason: String, span: SourceSpan? = nil) {
        self.object = object; self.reason = reason; self.span = span
    }
}
