public import KubeModel

/// How policy functions read the other objects of a run (`lookup`, `objectsOf`, `objectsSelecting`,
/// `backupCronJobs`, `podTemplatesSelected`, `podTemplateLabels`, `objects`): by position in an index the
/// engine (the `Lint` target) builds once per run. The policy language never depends on how it is built.
public protocol ObjectLookup: Sendable {
    /// How many objects the run holds.
    var objectCount: Int { get }
    /// The whole object at `position`.
    func value(at position: Int) -> Value
    /// Where the object at `position` is written.
    func span(at position: Int) -> SourceSpan?
    /// The facts recorded for the object at `position` when it was read.
    func facts(at position: Int) -> ObjectFacts
    /// The position of an object by kind (`apps/StatefulSet`, `Service`), namespace and name.
    func position(_ qualifiedKind: String, namespace: String?, name: String) -> Int?
    /// The objects of a kind, optionally in a namespace.
    func positions(ofKind qualifiedKind: String, namespace: String?) -> [Int]
    /// The objects of a namespace.
    func positions(inNamespace namespace: String) -> [Int]
    /// The objects of a kind in a namespace whose `spec.selector` selects `labels` (PDBs, Services).
    func positions(selecting qualifiedKind: String, namespace: String, labels: [String: String]) -> [Int]
    /// The CronJobs of a namespace that back up a StatefulSet.
    func positions(backingUp statefulSet: String, namespace: String) -> [Int]
    /// The CronJobs of a namespace that restore-test a StatefulSet (`ballast.dev/restore-test-of`).
    func positions(restoreTesting statefulSet: String, namespace: String) -> [Int]
    /// How many pod templates a namespace has, and how many `selector` selects.
    func podTemplates(namespace: String, selectedBy selector: LabelSelector) -> (total: Int, selected: Int)
}

/// The small facts recorded on each object as it is read, so that indexed functions never rebuild
/// objects that do not match.
public struct ObjectFacts: Sendable {
    /// StorageClasses the object's data-holding claims name (see `isDataTier`).
    public var dataTierClaimClasses: [String] = []
    /// The pod template labels of a workload (nil for other kinds), for `podTemplateLabels`.
    public var podLabels: [String: String]?
    /// `spec.selector` of a PodDisruptionBudget or Service, parsed once, for `objectsSelecting`.
    public var selector: LabelSelector?
    /// The StatefulSets a backup CronJob names in `ballast.dev/backup-of`, for `backupCronJobs`.
    public var backupOf: [String] = []
    /// The StatefulSets a CronJob restore-tests (`ballast.dev/restore-test-of`), for `restoreTestCronJobs`.
    public var restoreTestOf: [String] = []
    /// A Service's `spec.clusterIP` ("None" when headless).
    public var clusterIP: String?
    public init() {}

    /// The facts of `object` under the run's data-tier selector.
    public init(_ object: KubeObject, dataTier: DataTierSelector) {
        dataTierClaimClasses = PolicyFunctions.dataTierClaimClasses(object, dataTier)
        podLabels = PolicyFunctions.podTemplateLabels(object)
        switch object.ref.qualifiedKind {
        case "policy/PodDisruptionBudget":
            if let value = object.value[path: "spec", "selector"], value.isMap { selector = LabelSelector(labelSelector: value) }
        case "Service":
            if let value = object.value[path: "spec", "selector"], value.isMap { selector = LabelSelector(mapSelector: value) }
            clusterIP = object.value[path: "spec", "clusterIP"]?.stringValue
        case "batch/CronJob":
            backupOf = Self.names(object.annotations["ballast.dev/backup-of"])
            restoreTestOf = Self.names(object.annotations["ballast.dev/restore-test-of"])
        default:
            break
        }
    }

    /// A comma-separated list of names, trimmed.
    static func names(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
    }
}
