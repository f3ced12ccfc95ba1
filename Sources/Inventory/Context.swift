import KubeModel

/// The objects an inventory looks things up in: git's first, the cluster's where git has none.
struct Context {
    var desired: [KubeObject]
    var live: [KubeObject]
    /// Git's objects, and the live objects git does not hold (by identity).
    let all: [KubeObject]
    let liveByRef: [ObjectRef: KubeObject]

    init(desired: [KubeObject], live: [KubeObject]) {
        self.desired = desired
        self.live = live
        let gitRefs = Set(desired.map(\.ref))
        all = desired + live.filter { !gitRefs.contains($0.ref) }
        liveByRef = Dictionary(live.map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a })
    }

    func objects(_ qualifiedKind: String, namespace: String? = nil) -> [KubeObject] {
        all.filter { $0.ref.qualifiedKind == qualifiedKind && (namespace == nil || $0.namespace == namespace) }
    }

    func storageClass(_ name: String) -> KubeObject? { objects("storage.k8s.io/StorageClass").first { $0.name == name } }

    /// The class claims get when they name none: the one annotated default.
    var defaultClass: KubeObject? {
        objects("storage.k8s.io/StorageClass").first {
            $0.annotations["storageclass.kubernetes.io/is-default-class"] == "true"
        }
    }

    func store(_ object: KubeObject, inGit: Bool, usage: [VolumeUsageSample]) -> DataStore {
        let namespace = object.namespace ?? "default"
        let spec = object.value["spec"]
        let replicas: Int64? = spec?["replicas"].map { $0.intValue } ?? 1
        let retention = spec?["persistentVolumeClaimRetentionPolicy"]
        var store = DataStore(namespace: namespace, name: object.name,
                              engine: Inventory.engine(object)?.engine, image: Inventory.engine(object)?.image,
                              replicas: replicas,
                              source: inGit ? object.span.map { "\($0.file.path):\($0.start.line)" } : nil,
                              whenDeleted: retention?["whenDeleted"]?.stringValue ?? "Retain",
                              whenScaled: retention?["whenScaled"]?.stringValue ?? "Retain",
                              rpo: object.annotations["ballast.dev/rpo"], rto: object.annotations["ballast.dev/rto"])
        if let liveObject = liveByRef[object.ref] {
            store.liveReplicas = liveObject.value[path: "spec", "replicas"].map { $0.intValue } ?? 1
        }
        for template in spec?["volumeClaimTemplates"]?.listValue ?? [] {
            let name = template[path: "metadata", "name"]?.stringValue ?? ""
            let className = template[path: "spec", "storageClassName"]?.stringValue
            let size = template[path: "spec", "resources", "requests", "storage"].flatMap(Quantity.init)
            let total = size.flatMap { q in replicas.map { Quantity(nanos: q.nanos * Int128($0), format: q.format) } }
            let storageClass = className.flatMap(storageClass) ?? (className == nil ? defaultClass : nil)
            let reclaim = storageClass.map { $0.value["reclaimPolicy"]?.stringValue ?? "Delete" }
            store.volumes.append(VolumeTemplate(name: name, storageClass: className ?? defaultClass?.name,
                                                size: size, totalSize: total, reclaimPolicy: reclaim))
        }
        store.backups = backups(of: object, namespace: namespace)
        let podLabels = object.value[path: "spec", "template", "metadata", "labels"]?.stringMap ?? [:]
        store.disruptionBudgets = objects("policy/PodDisruptionBudget", namespace: namespace).filter { pdb in
            guard let selector = pdb.value[path: "spec", "selector"], selector.isMap else { return false }
            let parsed = LabelSelector(labelSelector: selector)
            return !parsed.isEmpty && parsed.matches(podLabels)
        }.map { "\(namespace)/\($0.name)" }.sorted()
        store.alerts = alerts(namespace: namespace)
        let prefixes = store.volumes.map { "\($0.name)-\(object.name)-" }
        store.usage = usage.filter { sample in
            sample.namespace == namespace && prefixes.contains { sample.name.hasPrefix($0) && Int(sample.name.dropFirst($0.count)) != nil }
        }.map { ClaimUsage(claim: $0.name, usedBytes: $0.usedBytes, capacityBytes: $0.capacityBytes, usedFraction: $0.usedFraction) }
            .sorted { $0.claim < $1.claim }
        return store
    }

    /// CronJobs of the namespace annotated `ballast.dev/backup-of: <name>` (a comma-separated list) or
    /// named `<name>-backup…`, and Velero Schedules whose template includes the namespace.
    func backups(of object: KubeObject, namespace: String) -> [Backup] {
        var out: [Backup] = []
        for cronJob in objects("batch/CronJob", namespace: namespace) {
            let of = (cronJob.annotations["ballast.dev/backup-of"] ?? "").split(separator: ",")
                .map { String($0.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) }
            guard of.contains(object.name) || cronJob.name.hasPrefix(object.name + "-backup") else { continue }
            out.append(Backup(mechanism: "CronJob", object: "\(namespace)/\(cronJob.name)",
                              schedule: cronJob.value[path: "spec", "schedule"]?.stringValue))
        }
        for schedule in objects("velero.io/Schedule") {
            let template = schedule.value[path: "spec", "template"]
            let included = template?["includedNamespaces"]?.listValue?.compactMap(\.stringValue) ?? ["*"]
            let excluded = template?["excludedNamespaces"]?.listValue?.compactMap(\.stringValue) ?? []
            guard included.contains("*") || included.contains(namespace), !excluded.contains(namespace) else { continue }
            out.append(Backup(mechanism: "Velero Schedule", object: "\(schedule.namespace ?? "")/\(schedule.name)",
                              schedule: schedule.value[path: "spec", "schedule"]?.stringValue))
        }
        return out
    }

    /// PrometheusRules with an expression on `kubelet_volume_stats_*` that covers the namespace: the rule
    /// is in it, or its expressions name no namespace, or they name this one (`namespace="redis"`, or as
    /// an alternative of `namespace=~"redis|postgres"`).
    func alerts(namespace: String) -> [String] {
        objects("monitoring.coreos.com/PrometheusRule").filter { rule in
            let expressions: [String] = (rule.value[path: "spec", "groups"]?.listValue ?? []).flatMap { group in
                (group["rules"]?.listValue ?? []).compactMap { $0["expr"]?.stringValue }
            }.filter { $0.firstRange(of: "kubelet_volume_stats") != nil }
            guard !expressions.isEmpty else { return false }
            if rule.namespace == namespace { return true }
            return expressions.contains(where: { expression in
                expression.firstRange(of: "namespace") == nil || Self.names(namespace, in: expression)
            })
        }.map { "\($0.namespace ?? "")/\($0.name)" }.sorted()
    }

    /// Whether a PromQL expression's `namespace` matchers name `namespace` (exactly or as an alternative).
    static func names(_ namespace: String, in expression: String) -> Bool {
        var rest = Substring(expression)
        while let range = rest.firstRange(of: "namespace") {
            rest = rest[range.upperBound...]
            let matcher = rest.drop { $0 == " " }
            guard matcher.hasPrefix("=\"") || matcher.hasPrefix("=~\"") else { continue }
            let body = matcher.drop { $0 != "\"" }.dropFirst().prefix { $0 != "\"" }
            if body.split(separator: "|").contains(where: { $0 == namespace }) { return true }
        }
        return false
    }

    /// Every class git or the cluster defines, or a store or claim names, with its users.
    func storageClasses(stores: [DataStore]) -> [StorageClassEntry] {
        var users: [String: [String]] = [:]
        for store in stores {
            for volume in store.volumes { if let c = volume.storageClass { users[c, default: []].append("\(store.namespace)/\(store.name) (\(volume.name))") } }
        }
        for claim in desired where claim.ref.qualifiedKind == "PersistentVolumeClaim" {
            let className = claim.value[path: "spec", "storageClassName"]?.stringValue ?? defaultClass?.name
            if let className { users[className, default: []].append("\(claim.namespace ?? "")/\(claim.name) (claim)") }
        }
        let gitNames = Set(desired.filter { $0.ref.qualifiedKind == "storage.k8s.io/StorageClass" }.map(\.name))
        let liveNames = Set(live.filter { $0.ref.qualifiedKind == "storage.k8s.io/StorageClass" }.map(\.name))
        return gitNames.union(liveNames).union(users.keys).sorted().map { name in
            let object = storageClass(name)
            let definedIn = switch (gitNames.contains(name), liveNames.contains(name)) {
            case (true, true): "git+live"
            case (true, false): "git"
            case (false, true): "live"
            case (false, false): "undefined"
            }
            var entry = StorageClassEntry(name: name, definedIn: definedIn, users: (users[name] ?? []).sorted())
            if let object {
                entry.provisioner = object.value["provisioner"]?.stringValue
                entry.tier = object.value[path: "parameters", "type"]?.stringValue
                entry.reclaimPolicy = object.value["reclaimPolicy"]?.stringValue ?? "Delete"
                entry.bindingMode = object.value["volumeBindingMode"]?.stringValue ?? "Immediate"
                entry.allowsExpansion = object.value["allowVolumeExpansion"]?.boolValue ?? false
                entry.isDefault = object.annotations["storageclass.kubernetes.io/is-default-class"] == "true"
            }
            return entry
        }
    }
}
