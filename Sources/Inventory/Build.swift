public import KubeModel

extension Inventory {
    /// Image names (no registry, tag or digest) that make a StatefulSet a data store, and the engine each is.
    static let engines: [String: String] = [
        "redis": "redis", "valkey": "valkey", "keydb": "keydb", "postgres": "postgres", "postgresql": "postgres",
        "mysql": "mysql", "mariadb": "mariadb", "mongo": "mongodb", "mongodb": "mongodb", "rabbitmq": "rabbitmq",
        "zookeeper": "zookeeper", "cassandra": "cassandra", "etcd": "etcd", "kafka": "kafka",
    ]

    /// The inventory of `desired` (git's objects, effective namespaces set) and, when given, `live` (the
    /// cluster's or a snapshot's objects) and `usage` (kubelet stats). Git defines the stores; a data-tier
    /// StatefulSet only the cluster has is listed too (its `source` is nil). Pure.
    public static func build(desired: [KubeObject], live: [KubeObject]? = nil, usage: [VolumeUsageSample] = []) -> Inventory {
        var inventory = Inventory()
        inventory.hasLive = live != nil
        let liveObjects = live ?? []
        let context = Context(desired: desired, live: liveObjects)
        var seen = Set<ObjectRef>()
        for object in desired + liveObjects where object.ref.qualifiedKind == "apps/StatefulSet" && isDataStore(object) {
            guard seen.insert(object.ref).inserted else { continue }
            inventory.stores.append(context.store(object, inGit: desired.contains { $0.ref == object.ref }, usage: usage))
        }
        inventory.stores.sort { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
        inventory.storageClasses = context.storageClasses(stores: inventory.stores)
        return inventory
    }

    /// A StatefulSet with volumeClaimTemplates, or running a well-known data image.
    static func isDataStore(_ object: KubeObject) -> Bool {
        !(object.value[path: "spec", "volumeClaimTemplates"]?.listValue ?? []).isEmpty || engine(object) != nil
    }

    /// The engine and image of the first container whose image name is well known; failing that, of the
    /// first whose name starts with one (`postgres-walg`: an engine image with a backup tool added), an
    /// exporter (`postgres-exporter`) excepted.
    static func engine(_ object: KubeObject) -> (engine: String, image: String)? {
        let images = ["containers", "initContainers"].flatMap { key in
            (object.podSpec?[key]?.listValue ?? []).compactMap { $0["image"]?.stringValue }
        }
        for image in images { if let engine = engines[imageName(image)] { return (engine, image) } }
        for image in images {
            let name = imageName(image)
            guard !name.hasSuffix("-exporter") else { continue }
            for (prefix, engine) in engines.sorted(by: { $0.key < $1.key }) where name.hasPrefix(prefix + "-") {
                return (engine, image)
            }
        }
        return nil
    }

    /// `docker.io/bitnami/postgresql:16@sha256:…` → `postgresql`.
    static func imageName(_ image: String) -> String {
        var name = Substring(image)
        if let at = name.firstIndex(of: "@") { name = name[..<at] }
        if let slash = name.lastIndex(of: "/") { name = name[name.index(after: slash)...] }
        if let colon = name.firstIndex(of: ":") { name = name[..<colon] }
        return String(name)
    }
}
