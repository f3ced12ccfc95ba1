public import KubeModel

/// The storage inventory of a repository (and, when read, of its cluster): each data store with its
/// engine, size, classes, retention, backups, recovery objectives, disruption budget, alerts and usage,
/// and each StorageClass with who uses it. Built by `Inventory.build`; rendered as Markdown or JSON.
public struct Inventory: Sendable, Equatable {
    /// Data stores, by namespace then name.
    public var stores: [DataStore] = []
    /// StorageClasses, by name: those git defines, those the cluster has, and those only named.
    public var storageClasses: [StorageClassEntry] = []
    /// Whether a cluster or snapshot was read (live columns are shown).
    public var hasLive = false
    /// What could not be read (a file, a kind of the cluster), each with its reason: the inventory may
    /// miss what those held, and every format says so first.
    public var incomplete: [String] = []
    /// Inventory of nothing.
    public init() {}
}

/// One data store: a data-tier StatefulSet (volumeClaimTemplates, or a well-known data image).
public struct DataStore: Sendable, Equatable {
    public var namespace: String
    public var name: String
    /// `redis`, `postgres`, `rabbitmq`, … from the first data image; nil when no image is known.
    public var engine: String?
    /// The image the engine was read from.
    public var image: String?
    /// `spec.replicas` in git (1 when absent, as the API server defaults it); nil when not an integer.
    public var replicas: Int64?
    /// `spec.replicas` of the live StatefulSet, when the cluster was read and has it.
    public var liveReplicas: Int64?
    /// Where git defines it (`apps/redis/statefulset.yaml:4`); nil when the store is only live.
    public var source: String?
    /// The volumeClaimTemplates.
    public var volumes: [VolumeTemplate] = []
    /// `persistentVolumeClaimRetentionPolicy` (Kubernetes defaults: Retain, Retain).
    public var whenDeleted: String
    public var whenScaled: String
    /// Backups found for it: CronJobs and Velero Schedules.
    public var backups: [Backup] = []
    /// `ballast.dev/rpo` and `ballast.dev/rto`, as written.
    public var rpo: String?
    public var rto: String?
    /// PodDisruptionBudgets selecting its pods (`namespace/name`).
    public var disruptionBudgets: [String] = []
    /// PrometheusRules alerting on its volumes (`namespace/name`).
    public var alerts: [String] = []
    /// Live usage of its claims, when kubelet stats were read.
    public var usage: [ClaimUsage] = []

    /// Total requested storage across templates and replicas; nil when a size is unknown.
    public var totalSize: Quantity? {
        var total = Quantity(0, format: .binarySI)
        for volume in volumes { guard let t = volume.totalSize else { return nil }; total = total + t }
        return volumes.isEmpty ? nil : total
    }
}

/// One volumeClaimTemplate of a store.
public struct VolumeTemplate: Sendable, Equatable {
    public var name: String
    /// The class it names; nil: the cluster's default class.
    public var storageClass: String?
    /// `resources.requests.storage` per replica.
    public var size: Quantity?
    /// `size` times the replicas, exactly.
    public var totalSize: Quantity?
    /// The class's reclaim policy when the class is known (Delete when the class does not say).
    public var reclaimPolicy: String?
}

/// A backup mechanism of a store.
public struct Backup: Sendable, Equatable {
    /// `CronJob` or `Velero Schedule`.
    public var mechanism: String
    /// `namespace/name` of the object.
    public var object: String
    /// Its cron schedule, as written.
    public var schedule: String?
}

/// Filesystem usage of one claim, from kubelet stats.
public struct ClaimUsage: Sendable, Equatable {
    public var claim: String
    public var usedBytes: Int64?
    public var capacityBytes: Int64?
    /// 0...1; nil when unknown.
    public var usedFraction: Double?
    public init(claim: String, usedBytes: Int64?, capacityBytes: Int64?, usedFraction: Double?) {
        self.claim = claim; self.usedBytes = usedBytes; self.capacityBytes = capacityBytes; self.usedFraction = usedFraction
    }
}

/// One StorageClass and its users.
public struct StorageClassEntry: Sendable, Equatable {
    public var name: String
    /// nil when neither git nor the cluster defines it (only named by a claim or template).
    public var provisioner: String?
    /// `parameters.type` (the disk tier: `pd-ssd`, `gp3`), when given.
    public var tier: String?
    public var reclaimPolicy: String?
    public var bindingMode: String?
    public var allowsExpansion: Bool?
    /// Whether `storageclass.kubernetes.io/is-default-class` is "true".
    public var isDefault = false
    /// Where it is defined: `git`, `live`, `git+live`, or `undefined`.
    public var definedIn: String
    /// Stores and claims using it: `redis/redis (data)`, `redis/redis-backup (claim)`.
    public var users: [String] = []
}

/// Usage of one claim as the CLI copies it from the cluster source.
public struct VolumeUsageSample: Sendable, Equatable {
    public var namespace: String
    public var name: String
    public var usedBytes: Int64?
    public var capacityBytes: Int64?
    public var usedFraction: Double?
    public init(namespace: String, name: String, usedBytes: Int64?, capacityBytes: Int64?, usedFraction: Double?) {
        self.namespace = namespace; self.name = name; self.usedBytes = usedBytes
        self.capacityBytes = capacityBytes; self.usedFraction = usedFraction
    }
}
