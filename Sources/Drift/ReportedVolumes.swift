import KubeModel

/// The live PersistentVolumes a run can say something about, decided from what `kubectl get pv` shows
/// of each (name, reclaim policy, phase, class), so that a shard reading the cluster's volume index
/// fetches only these in full. Every reader of live PVs is covered:
/// - drift compares the PVs declared in git (`DriftComparer`);
/// - `pv-released-or-failed` reports the Released and Failed ones (`PVReleasedOrFailed`);
/// - reclaim-policy drift reports those of a StorageClass in git whose policy differs from the class's
///   (`ObjectItems.reclaimPolicies`, through `reclaimMismatch`, the one place that rule is written).
/// The other checks never read PVs. A volume outside the set yields nothing in any check, whole or brief.
public struct ReportedVolumes: Sendable {
    private let classes: [String: KubeObject]
    private let declared: Set<String>

    /// From the desired objects (every object of git, not only a shard's).
    public init(desired: [KubeObject]) { self.init(desired: CompactObjects(desired)) }

    /// The same from packed objects: only the StorageClasses are rebuilt.
    public init(desired: CompactObjects) {
        classes = Self.storageClasses(in: desired.objects(group: "storage.k8s.io", kind: "StorageClass"))
        declared = Set(desired.refs.filter { $0.group.isEmpty && $0.kind == "PersistentVolume" }.map(\.name))
    }

    /// Whether a check may report on `volume`: declared in git; in a phase other than Bound, Available or
    /// Pending (Released, Failed, and `Terminating` or anything unknown, to be safe); or of a class in git
    /// with another reclaim policy. Reads the same paths of a full object and of a `VolumeIndex` entry.
    public func needsObject(_ volume: KubeObject) -> Bool {
        if declared.contains(volume.name) { return true }
        let phase = volume.value[path: "status", "phase"]?.stringValue ?? ""
        if !["Bound", "Available", "Pending"].contains(phase) { return true }
        return Self.reclaimMismatch(volume, classes: classes) != nil
    }

    /// git's StorageClasses (`storage.k8s.io`) by name.
    static func storageClasses(in desired: [KubeObject]) -> [String: KubeObject] {
        var classes: [String: KubeObject] = [:]
        for object in desired where object.kind == "StorageClass" && object.ref.group == "storage.k8s.io" { classes[object.name] = object }
        return classes
    }

    /// research/drift.md RD5: the volume's class is in git and its reclaim policy is not the class's
    /// (an omitted `reclaimPolicy` is `Delete`). PVs copy the policy when provisioned and never follow.
    static func reclaimMismatch(_ volume: KubeObject, classes: [String: KubeObject])
        -> (storageClass: KubeObject, declared: Value?, policy: String, want: String)? {
        guard let className = volume.value[path: "spec", "storageClassName"]?.stringValue, let storageClass = classes[className],
              let policy = volume.value[path: "spec", "persistentVolumeReclaimPolicy"]?.stringValue else { return nil }
        let declared = storageClass.value["reclaimPolicy"]
        let want = declared?.stringValue ?? "Delete"
        return policy == want ? nil : (storageClass, declared, policy, want)
    }
}
