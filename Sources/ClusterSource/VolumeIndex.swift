import KubeModel
import ManifestIO

/// Every PersistentVolume of a cluster in brief, as `kubectl get pv` prints it: a shard that reports on
/// the cluster's volumes reads this index (about a sixth of the bytes of the full list) and then only the
/// volumes it has something to say about in full (`ClusterClient.persistentVolume(named:in:)`).
///
/// Each entry is a `KubeObject` of kind PersistentVolume holding what the Table's columns say, at the
/// paths the full object has them: `metadata.name`, `spec.persistentVolumeReclaimPolicy`,
/// `spec.storageClassName`, `spec.claimRef.{namespace,name}` and `status.phase` (`Terminating` while it
/// is being deleted, as kubectl prints it). Never hand an entry to a check as if it were the volume.
public struct VolumeIndex: Sendable {
    /// One brief object per volume; the full objects when the server answered with the plain list.
    public var volumes: [KubeObject] = []
    /// The server sent the full list (it ignored the Table request): `volumes` are the real objects.
    public var isFull = false
    /// The list made.
    public var record: ListRecord?
    /// Where the volumes are served (for `persistentVolume(named:in:)`).
    public var served: ServedResource?

    public init() {}
}

extension ClusterClient {
    /// The columns of the PersistentVolume Table read into `VolumeIndex` (kubernetes
    /// pkg/printers/internalversion/printers.go, `printPersistentVolume`).
    static let volumeColumns = ["Name", "Reclaim Policy", "Status", "Claim", "StorageClass"]

    /// Lists every PersistentVolume as a Table (`includeObject=None`), page by page. Throws as `list`
    /// does; a Table without the columns it needs is an invalid response (fail closed).
    public func readVolumeIndex() throws(ClusterError) -> VolumeIndex {
        let kind = GroupKind(group: "", kind: "PersistentVolume")
        let resolution = try resolve([kind])
        guard let served = resolution.served[kind] else { throw .notServed(kind.qualifiedKind) }
        var index = VolumeIndex()
        index.served = served
        let record = try list(served: served, namespaces: nil, asTable: true) { (page, served) throws(ClusterError) in
            guard page.listKind == "Table" else {
                index.isFull = true
                index.volumes.append(contentsOf: page.items.map { ClusterClient.object(from: $0, page: page, served: served) })
                return
            }
            let at = Self.volumeColumns.map { page.columns.firstIndex(of: $0) }
            guard at.allSatisfy({ $0 != nil }) else {
                throw .invalidResponse(path: "/api/v1/persistentvolumes",
                                       problem: "the Table has no column \(zip(Self.volumeColumns, at).first { $0.1 == nil }?.0 ?? "")")
            }
            for row in page.items {
                let cells = row["cells"]?.listValue ?? []
                func cell(_ i: Int) -> String { at[i].flatMap { $0 < cells.count ? cells[$0].stringValue : nil } ?? "" }
                index.volumes.append(Self.briefVolume(name: cell(0), reclaimPolicy: cell(1), phase: cell(2), claim: cell(3),
                                                      storageClass: cell(4)))
            }
        } restarted: { index.volumes.removeAll() }
        index.record = ListRecord(kind: "PersistentVolume", group: "", apiVersion: served.apiVersion,
                                  resourceVersion: record.resourceVersion, count: index.volumes.count)
        return index
    }

    /// A volume as its Table row describes it; empty cells are left out (`Claim` is `namespace/name`).
    static func briefVolume(name: String, reclaimPolicy: String, phase: String, claim: String, storageClass: String) -> KubeObject {
        var spec: [Value.Entry] = []
        if !reclaimPolicy.isEmpty { spec.append(.init(key: "persistentVolumeReclaimPolicy", value: Value(.string(reclaimPolicy)))) }
        if !storageClass.isEmpty { spec.append(.init(key: "storageClassName", value: Value(.string(storageClass)))) }
        if let slash = claim.firstIndex(of: "/") {
            spec.append(.init(key: "claimRef", value: Value(.map([
                .init(key: "namespace", value: Value(.string(String(claim[..<slash])))),
                .init(key: "name", value: Value(.string(String(claim[claim.index(after: slash)...])))),
            ]))))
        }
        let value = Value(.map([
            .init(key: "apiVersion", value: Value(.string("v1"))), .init(key: "kind", value: Value(.string("PersistentVolume"))),
            .init(key: "metadata", value: Value(.map([.init(key: "name", value: Value(.string(name)))]))),
            .init(key: "spec", value: Value(.map(spec))),
            .init(key: "status", value: Value(.map(phase.isEmpty ? [] : [.init(key: "phase", value: Value(.string(phase)))]))),
        ]))
        return KubeObject(ref: ObjectRef(group: "", kind: "PersistentVolume", namespace: nil, name: name), apiVersion: "v1",
                          value: value, span: nil)
    }

    /// `GET /api/v1/persistentvolumes/NAME`: the volume in full, or nil when it no longer exists (deleted
    /// since the index was read: what a list made now would not hold either).
    public func persistentVolume(named name: String, in index: VolumeIndex) throws(ClusterError) -> KubeObject? {
        guard let served = index.served else { throw .notServed("PersistentVolume") }
        let path = "/api/\(served.version)/persistentvolumes/\(queryEscape(name))"
        let item: Value
        do { item = try getJSON(path, resource: ("get", "persistentvolumes", nil)) } catch {
            if case .http(_, 404, _, _) = error { return nil }
            throw error
        }
        return ClusterClient.object(from: item, served: served)
    }
}
