import KubeModel
import CEL
import Synchronization

/// What the policy functions see during one run: the other objects (through the engine's index) and the
/// data-tier selector. Set with a task-local around evaluation, so compiled programs stay shared and
/// immutable.
public final class PolicyRuntime: Sendable {
    let index: (any ObjectLookup)?
    let dataTier: DataTierSelector
    /// `objects`: every desired object, built once per run when a rule reads it.
    let objects: CELValue
    /// StorageClasses named by a PVC or a data-tier workload's claim template, from the facts each object
    /// recorded as it was read (no object is rebuilt for this).
    let dataTierClasses: Set<String>
    /// The CEL value of the object at `i`, rebuilt from the index. The last few rebuilt are kept: the
    /// rules of one workload look up the same ConfigMap or PodDisruptionBudget one after the other, and a
    /// larger cache would hold every object a run ever returned.
    func celObject(at i: Int) -> CELValue {
        guard let index else { return .null }
        if let hit = recent.withLock({ $0.value(at: i) }) { return hit }
        let value = CELValue.from(index.value(at: i))
        recent.withLock { $0.insert(value, at: i) }
        return value
    }
    private let recent = Mutex(RecentObjects())

    /// The last few objects rebuilt, in a ring: the oldest is overwritten (no elements shift).
    private struct RecentObjects {
        static let limit = 16
        var positions: [Int] = []
        var values: [CELValue] = []
        var next = 0

        /// The value stored for `position` (the latest when stored twice: both are the same object).
        func value(at position: Int) -> CELValue? {
            var k = next
            for _ in 0..<positions.count {
                k = (k == 0 ? positions.count : k) - 1
                if positions[k] == position { return values[k] }
            }
            return nil
        }

        mutating func insert(_ value: CELValue, at position: Int) {
            if positions.count < Self.limit {
                positions.append(position); values.append(value)
                next = positions.count % Self.limit
            } else {
                positions[next] = position; values[next] = value
                next = (next + 1) % Self.limit
            }
        }
    }

    /// A runtime over `index` (nil: per-object rules only, lookups unavailable).
    public init(index: (any ObjectLookup)?, dataTier: DataTierSelector, buildObjects: Bool) {
        self.index = index
        self.dataTier = dataTier
        var classes = Set<String>()
        if let index { for i in 0..<index.objectCount { classes.formUnion(index.facts(at: i).dataTierClaimClasses) } }
        dataTierClasses = classes
        if buildObjects, let index {
            objects = .list(CELList(manifest: (0..<index.objectCount).map { index.value(at: $0) }))
        } else {
            objects = .list([])
        }
    }

    /// The runtime of the evaluation under way.
    @TaskLocal public static var current: PolicyRuntime?
}

/// The functions policies may call beyond CEL and the Kubernetes libraries (DESIGN §5).
enum PolicyFunctions {
    static var all: [String: CELFunction] {
        [
            "lookup": CELFunction(arities: [2, 3]) { args in try lookup(args) },
            "selects": CELFunction(arities: [2]) { args in
                let selectorValue = args[0].manifestView
                let selector = selectorValue["matchLabels"] != nil || selectorValue["matchExpressions"] != nil
                    ? LabelSelector(labelSelector: selectorValue) : LabelSelector(mapSelector: selectorValue)
                return .bool(!selector.isEmpty && selector.matches(args[1].manifestView.stringMap))
            },
            "redisConfig": CELFunction(arities: [1]) { args in try configMap(args[0], parse: EngineConfig.redis, engine: "redis") },
            "postgresConfig": CELFunction(arities: [1]) { args in try configMap(args[0], parse: EngineConfig.postgres, engine: "postgres") },
            "rabbitmqConfig": CELFunction(arities: [1]) { args in try configMap(args[0], parse: EngineConfig.rabbitmq, engine: "rabbitmq") },
            // The usage thresholds of a volume alert's PromQL: {volume, error, thresholds: [{metric, op, threshold,
            // usedFraction}], matchers: [{label, op, value}]} (VolumeAlertExpression).
            "volumeAlertThresholds": CELFunction(arities: [1]) { args in
                guard case .string(let expression) = args[0] else { throw CELError("volumeAlertThresholds() takes a PromQL string") }
                return volumeAlertThresholds(expression)
            },
            "cron": CELFunction(arities: [1]) { args in
                guard case .string(let expression) = args[0] else { throw CELError("cron() takes a string") }
                return CronFacts.facts(expression)
            },
            "isDataTier": CELFunction(arities: [1]) { args in .bool(isDataTier(args[0].manifestView)) },
            // Indexed alternatives to scanning `objects`: the objects of a kind (optionally in a namespace),
            // and the pod template labels of the workloads of a namespace.
            "objectsOf": CELFunction(arities: [1, 2]) { args in
                guard let runtime = PolicyRuntime.current, let index = runtime.index else { throw CELError("objectsOf() is not available here") }
                guard case .string(let kind) = args[0] else { throw CELError("objectsOf() takes a kind, such as 'policy/PodDisruptionBudget'") }
                var namespace: String?
                if args.count == 2 {
                    guard case .string(let ns) = args[1] else { throw CELError("objectsOf() takes a namespace string") }
                    namespace = ns
                }
                return .list(index.positions(ofKind: kind, namespace: namespace).map(runtime.celObject))
            },
            // The objects of a kind in a namespace whose spec.selector selects `labels` (PDBs, Services),
            // checked on selectors parsed once: no object is rebuilt unless it matches.
            "objectsSelecting": CELFunction(arities: [3]) { args in
                guard let runtime = PolicyRuntime.current, let index = runtime.index else { throw CELError("objectsSelecting() is not available here") }
                guard case .string(let kind) = args[0], case .string(let namespace) = args[1] else {
                    throw CELError("objectsSelecting() takes a kind, a namespace and a label map")
                }
                let labels = args[2].manifestView.stringMap
                return .list(index.positions(selecting: kind, namespace: namespace, labels: labels).map(runtime.celObject))
            },
            // The CronJobs of a namespace that back up a StatefulSet: annotated `ballast.dev/backup-of: <name>`
            // (a comma-separated list), or named `<name>-backup...`.
            "backupCronJobs": CELFunction(arities: [2]) { args in
                guard let runtime = PolicyRuntime.current, let index = runtime.index else { throw CELError("backupCronJobs() is not available here") }
                guard case .string(let namespace) = args[0], case .string(let name) = args[1] else {
                    throw CELError("backupCronJobs() takes a namespace and a StatefulSet name")
                }
                return .list(index.positions(backingUp: name, namespace: namespace).map(runtime.celObject))
            },
            // The CronJobs of a namespace that restore-test a StatefulSet: annotated
            // `ballast.dev/restore-test-of: <name>` (a comma-separated list).
            "restoreTestCronJobs": CELFunction(arities: [2]) { args in
                guard let runtime = PolicyRuntime.current, let index = runtime.index else { throw CELError("restoreTestCronJobs() is not available here") }
                guard case .string(let namespace) = args[0], case .string(let name) = args[1] else {
                    throw CELError("restoreTestCronJobs() takes a namespace and a StatefulSet name")
                }
                return .list(index.positions(restoreTesting: name, namespace: namespace).map(runtime.celObject))
            },
            // How many pod templates of a namespace there are, and how many a selector selects.
            "podTemplatesSelected": CELFunction(arities: [2]) { args in
                guard let runtime = PolicyRuntime.current, let index = runtime.index else { throw CELError("podTemplatesSelected() is not available here") }
                guard case .string(let namespace) = args[0] else { throw CELError("podTemplatesSelected() takes a namespace and a selector") }
                let value = args[1].manifestView
                let selector = value["matchLabels"] != nil || value["matchExpressions"] != nil
                    ? LabelSelector(labelSelector: value) : LabelSelector(mapSelector: value)
                let (total, selected) = index.podTemplates(namespace: namespace, selectedBy: selector)
                return .map([(.string("total"), .int(Int64(total))), (.string("selected"), .int(Int64(selected)))])
            },
            "podTemplateLabels": CELFunction(arities: [1]) { args in
                guard let runtime = PolicyRuntime.current, let index = runtime.index else { throw CELError("podTemplateLabels() is not available here") }
                guard case .string(let namespace) = args[0] else { throw CELError("podTemplateLabels() takes a namespace") }
                return .list(index.positions(inNamespace: namespace).compactMap { i in
                    index.facts(at: i).podLabels.map { labels in .map(labels.sorted { $0.key < $1.key }.map { (CELValue.string($0.key), CELValue.string($0.value)) }) }
                })
            },
            // Where an object of the run is written, `path:line` ('' when it is not one of the run's objects):
            // a finding about one object can name the others it concerns, and where they are.
            "sourceOf": CELFunction(arities: [1]) { args in
                guard let runtime = PolicyRuntime.current, let index = runtime.index else { throw CELError("sourceOf() is not available here") }
                return .string(source(of: args[0].manifestView, in: index))
            },
            "podSpec": CELFunction(arities: [1]) { args in
                let object = args[0].manifestView
                return objectPodSpec(object).map(CELValue.from) ?? .null
            },
            "containers": CELFunction(arities: [1]) { args in
                let spec = objectPodSpec(args[0].manifestView)
                let all = (spec?["initContainers"]?.listValue ?? []) + (spec?["containers"]?.listValue ?? [])
                return .list(CELList(manifest: all))
            },
        ]
    }

    static func lookup(_ args: [CELValue]) throws -> CELValue {
        guard let runtime = PolicyRuntime.current, let index = runtime.index else {
            throw CELError("lookup() is not available here")
        }
        let strings = args.map { if case .string(let s) = $0 { s } else { nil as String? } }
        guard strings.allSatisfy({ $0 != nil }) else { throw CELError("lookup() takes strings: kind, [namespace,] name") }
        let kind = strings[0]!, name = strings[strings.count - 1]!
        let namespace = strings.count == 3 ? strings[1] : nil
        return index.position(kind, namespace: namespace, name: name).map(runtime.celObject) ?? .null
    }

    /// `sourceOf(object)`: the object found by identity in the index, then its span.
    static func source(of object: Value, in index: any ObjectLookup) -> String {
        guard let kind = object["kind"]?.stringValue, let name = object[path: "metadata", "name"]?.stringValue else { return "" }
        let group = splitAPIVersion(object["apiVersion"]?.stringValue ?? "").group
        let namespace = object[path: "metadata", "namespace"]?.stringValue
        guard let i = index.position(group.isEmpty ? kind : group + "/" + kind, namespace: namespace, name: name),
              let span = index.span(at: i) else { return "" }
        return "\(span.file.path):\(span.line)"
    }

    /// Parsed engine configs by (engine, text): several rules read the same ConfigMap of every workload.
    private static let configCache = Mutex<[ConfigKey: CELValue]>([:])
    private struct ConfigKey: Hashable { var engine: String, text: String }

    /// The settings of a config text as a map (kept as manifest entries: rules read a few keys of it, so
    /// no hash index is built).
    static func configMap(_ text: CELValue, parse: (String) -> [(String, String)], engine: String) throws -> CELValue {
        guard case .string(let s) = text else { return .map([]) }
        let key = ConfigKey(engine: engine, text: s)
        if let hit = configCache.withLock({ $0[key] }) { return hit }
        let value = CELValue.map(CELMap(manifest: parse(s).map { Value.Entry(key: $0.0, value: .string($0.1)) }))
        configCache.withLock { cache in
            if cache.count >= 4096 { cache.removeAll(keepingCapacity: true) }   // bounded: texts can be large
            cache[key] = value
        }
        return value
    }

    /// Readings of alert expressions by text: every data-tier StatefulSet reads every alert of the run.
    private static let alertCache = Mutex<[String: CELValue]>([:])

    static func volumeAlertThresholds(_ expression: String) -> CELValue {
        if let hit = alertCache.withLock({ $0[expression] }) { return hit }
        let reading = VolumeAlertExpression.read(expression)
        let value = CELValue.map([
            (.string("volume"), .bool(reading.mentionsVolumeStats)),
            (.string("error"), .string(reading.error ?? "")),
            (.string("thresholds"), .list(reading.thresholds.map { t in
                .map([(.string("metric"), .string(t.metric)), (.string("op"), .string(t.op)),
                      (.string("threshold"), .double(t.threshold)), (.string("usedFraction"), .double(t.usedFraction))])
            })),
            (.string("matchers"), .list(reading.matchers.map { m in
                .map([(.string("label"), .string(m.label)), (.string("op"), .string(m.op)), (.string("value"), .string(m.value))])
            })),
        ])
        alertCache.withLock { cache in
            if cache.count >= 4096 { cache.removeAll(keepingCapacity: true) }
            cache[expression] = value
        }
        return value
    }

    /// The pod spec of a workload, or nil.
    static func objectPodSpec(_ object: Value) -> Value? {
        switch object["kind"]?.stringValue {
        case "Pod": object["spec"]
        case "CronJob": object[path: "spec", "jobTemplate", "spec", "template", "spec"]
        default: object[path: "spec", "template", "spec"]
        }
    }

    /// DESIGN §5: the selector of `.ballast.yaml` when configured, else well-known data images and
    /// StatefulSets with volumeClaimTemplates. Claims and volumes hold data; a StorageClass is data tier
    /// when a data-tier workload's claim or a PVC uses it.
    static func isDataTier(_ object: Value) -> Bool {
        let selector = PolicyRuntime.current?.dataTier ?? DataTierSelector()
        let kind = object["kind"]?.stringValue ?? ""
        switch kind {
        case "PersistentVolumeClaim", "PersistentVolume": return true
        case "StorageClass":
            guard let name = object[path: "metadata", "name"]?.stringValue else { return false }
            if selector.isConfigured, let labels = object[path: "metadata", "labels"]?.stringMap, !selector.labels.isEmpty,
               selector.labels.allSatisfy({ labels[$0.key] == $0.value }) { return true }
            return PolicyRuntime.current?.dataTierClasses.contains(name) ?? false
        default:
            return isDataTierWorkload(object, selector)
        }
    }

    static func isDataTierWorkload(_ object: Value, _ selector: DataTierSelector) -> Bool {
        let spec = objectPodSpec(object)
        /// Whether a container image's name (no registry, tag or digest) is in `names`.
        func anyImage(in names: [String]) -> Bool {
            for key in ["containers", "initContainers"] {
                for container in spec?[key]?.listValue ?? [] {
                    guard let image = container["image"]?.stringValue else { continue }
                    var name = Substring(image).utf8[...]
                    if let at = name.firstIndex(of: UInt8(ascii: "@")) { name = name[..<at] }
                    if let slash = name.lastIndex(of: UInt8(ascii: "/")) { name = name[name.index(after: slash)...] }
                    if let colon = name.firstIndex(of: UInt8(ascii: ":")) { name = name[..<colon] }
                    if names.contains(where: { $0.utf8.elementsEqual(name) }) { return true }
                }
            }
            return false
        }
        if selector.isConfigured {
            if !selector.labels.isEmpty {
                let labels = object[path: "metadata", "labels"]?.stringMap ?? [:]
                let podLabels = object[path: "spec", "template", "metadata", "labels"]?.stringMap ?? [:]
                if selector.labels.allSatisfy({ labels[$0.key] == $0.value }) || selector.labels.allSatisfy({ podLabels[$0.key] == $0.value }) {
                    return true
                }
            }
            if let ns = object[path: "metadata", "namespace"]?.stringValue, selector.namespaces.contains(ns) { return true }
            return anyImage(in: selector.images)
        }
        if anyImage(in: DataTierSelector.wellKnownImages) { return true }
        return object["kind"]?.stringValue == "StatefulSet"
            && !(object[path: "spec", "volumeClaimTemplates"]?.listValue ?? []).isEmpty
    }
}

extension PolicyFunctions {
    /// The pod template labels of a workload, or nil for kinds without pods.
    static func podTemplateLabels(_ object: KubeObject) -> [String: String]? {
        switch object.kind {
        case "StatefulSet", "Deployment", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod":
            return (object.kind == "Pod" ? object.value[path: "metadata", "labels"] : object.podTemplate?[path: "metadata", "labels"])?.stringMap ?? [:]
        default:
            return nil
        }
    }

    /// The StorageClasses whose claims hold data, as `object` names them: a PVC's class, or a data-tier
    /// workload's volumeClaimTemplate classes.
    static func dataTierClaimClasses(_ object: KubeObject, _ selector: DataTierSelector) -> [String] {
        switch object.ref.qualifiedKind {
        case "PersistentVolumeClaim":
            return object.value[path: "spec", "storageClassName"]?.stringValue.map { [$0] } ?? []
        case "apps/StatefulSet":
            guard isDataTierWorkload(object.value, selector) else { return [] }
            return (object.value[path: "spec", "volumeClaimTemplates"]?.listValue ?? [])
                .compactMap { $0[path: "spec", "storageClassName"]?.stringValue }
        default:
            return []
        }
    }
}
