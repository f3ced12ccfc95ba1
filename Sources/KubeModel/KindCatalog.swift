/// What Ballast knows of a kind: its group and versions, scope, plural (the REST resource), the fields
/// the API server refuses to change, and the keys of its associative lists.
public struct KindInfo: Sendable, Hashable {
    public var group: String
    public var kind: String
    /// Served versions, preferred first.
    public var versions: [String]
    public var plural: String
    public var isClusterScoped: Bool
    /// Dotted paths of fields that cannot change after creation (Kubernetes validation on update).
    public var immutableFields: [String]
    /// Whether Ballast checks it in depth (schema, rules, drift). Other known kinds are only identified.
    public var isInScope: Bool

    public var qualifiedKind: String { group.isEmpty ? kind : "\(group)/\(kind)" }
    public var preferredAPIVersion: String { group.isEmpty ? versions[0] : "\(group)/\(versions[0])" }
}

/// The kinds Ballast knows. In-scope kinds are those a stateful workload's storage depends on.
public enum KindCatalog {
    public static let inScope: [KindInfo] = [
        KindInfo(group: "apps", kind: "StatefulSet", versions: ["v1"], plural: "statefulsets", isClusterScoped: false,
                 // apps/v1 validation: only replicas, ordinals, template, updateStrategy,
                 // persistentVolumeClaimRetentionPolicy and minReadySeconds may change.
                 immutableFields: ["spec.selector", "spec.serviceName", "spec.volumeClaimTemplates",
                                   "spec.podManagementPolicy", "spec.revisionHistoryLimit"],
                 isInScope: true),
        KindInfo(group: "storage.k8s.io", kind: "StorageClass", versions: ["v1"], plural: "storageclasses",
                 isClusterScoped: true,
                 immutableFields: ["provisioner", "parameters", "reclaimPolicy", "volumeBindingMode"], isInScope: true),
        KindInfo(group: "", kind: "PersistentVolumeClaim", versions: ["v1"], plural: "persistentvolumeclaims",
                 isClusterScoped: false,
                 // Only resources.requests (growth), volumeAttributesClassName and a bind may change.
                 immutableFields: ["spec.accessModes", "spec.selector", "spec.storageClassName", "spec.volumeMode",
                                   "spec.dataSource", "spec.dataSourceRef"],
                 isInScope: true),
        KindInfo(group: "", kind: "PersistentVolume", versions: ["v1"], plural: "persistentvolumes", isClusterScoped: true,
                 immutableFields: ["spec.csi", "spec.nfs", "spec.hostPath", "spec.local", "spec.volumeMode"], isInScope: true),
        KindInfo(group: "", kind: "Service", versions: ["v1"], plural: "services", isClusterScoped: false,
                 immutableFields: ["spec.clusterIP", "spec.clusterIPs", "spec.ipFamilies"], isInScope: true),
        KindInfo(group: "", kind: "ConfigMap", versions: ["v1"], plural: "configmaps", isClusterScoped: false,
                 immutableFields: [], isInScope: true),
        KindInfo(group: "", kind: "Secret", versions: ["v1"], plural: "secrets", isClusterScoped: false,
                 immutableFields: ["type"], isInScope: true),
        KindInfo(group: "batch", kind: "CronJob", versions: ["v1"], plural: "cronjobs", isClusterScoped: false,
                 immutableFields: [], isInScope: true),
        KindInfo(group: "policy", kind: "PodDisruptionBudget", versions: ["v1"], plural: "poddisruptionbudgets",
                 isClusterScoped: false, immutableFields: [], isInScope: true),
        KindInfo(group: "", kind: "Namespace", versions: ["v1"], plural: "namespaces", isClusterScoped: true,
                 immutableFields: [], isInScope: true),
    ]

    /// Other common kinds, known for their scope so that identities are right; not checked in depth.
    public static let others: [KindInfo] = {
        let cluster: [(String, String, String)] = [
            ("rbac.authorization.k8s.io", "ClusterRole", "clusterroles"),
            ("rbac.authorization.k8s.io", "ClusterRoleBinding", "clusterrolebindings"),
            ("apiextensions.k8s.io", "CustomResourceDefinition", "customresourcedefinitions"),
            ("", "Node", "nodes"),
            ("scheduling.k8s.io", "PriorityClass", "priorityclasses"),
            ("storage.k8s.io", "CSIDriver", "csidrivers"),
            ("storage.k8s.io", "VolumeAttachment", "volumeattachments"),
            ("storage.k8s.io", "VolumeAttributesClass", "volumeattributesclasses"),
            ("snapshot.storage.k8s.io", "VolumeSnapshotClass", "volumesnapshotclasses"),
            ("snapshot.storage.k8s.io", "VolumeSnapshotContent", "volumesnapshotcontents"),
            ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy", "validatingadmissionpolicies"),
            ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding", "validatingadmissionpolicybindings"),
            ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration", "validatingwebhookconfigurations"),
            ("admissionregistration.k8s.io", "MutatingWebhookConfiguration", "mutatingwebhookconfigurations"),
            ("networking.k8s.io", "IngressClass", "ingressclasses"),
        ]
        let namespaced: [(String, String, String)] = [
            ("apps", "Deployment", "deployments"), ("apps", "DaemonSet", "daemonsets"),
            ("apps", "ReplicaSet", "replicasets"), ("batch", "Job", "jobs"), ("", "Pod", "pods"),
            ("", "ServiceAccount", "serviceaccounts"), ("", "Endpoints", "endpoints"),
            ("", "LimitRange", "limitranges"), ("", "ResourceQuota", "resourcequotas"),
            ("rbac.authorization.k8s.io", "Role", "roles"), ("rbac.authorization.k8s.io", "RoleBinding", "rolebindings"),
            ("networking.k8s.io", "Ingress", "ingresses"), ("networking.k8s.io", "NetworkPolicy", "networkpolicies"),
            ("autoscaling", "HorizontalPodAutoscaler", "horizontalpodautoscalers"),
            ("snapshot.storage.k8s.io", "VolumeSnapshot", "volumesnapshots"),
            ("velero.io", "Schedule", "schedules"), ("velero.io", "Backup", "backups"),
            ("monitoring.coreos.com", "ServiceMonitor", "servicemonitors"),
        ]
        return cluster.map { KindInfo(group: $0.0, kind: $0.1, versions: ["v1"], plural: $0.2, isClusterScoped: true,
                                      immutableFields: [], isInScope: false) }
            + namespaced.map { KindInfo(group: $0.0, kind: $0.1, versions: ["v1"], plural: $0.2, isClusterScoped: false,
                                        immutableFields: [], isInScope: false) }
    }()

    private static let byGroupKind: [String: KindInfo] = {
        var table: [String: KindInfo] = [:]
        for info in inScope + others { table[info.qualifiedKind] = info }
        return table
    }()

    /// The kind's entry, by group and kind; nil for kinds Ballast does not know.
    public static func info(group: String, kind: String) -> KindInfo? {
        byGroupKind[group.isEmpty ? kind : "\(group)/\(kind)"]
    }

    /// The kind's entry by a policy's name for it: `apps/StatefulSet`, `StatefulSet`, or `Service`.
    public static func info(qualifiedKind: String) -> KindInfo? {
        if let info = byGroupKind[qualifiedKind] { return info }
        return (inScope + others).first { $0.kind == qualifiedKind }
    }
}
