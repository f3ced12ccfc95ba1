public import KubeModel
public import ManifestIO

/// Every object of a run, indexed once: `lookup` is a dictionary hit, never a scan.
public struct ObjectIndex: Sendable {
    public private(set) var objects: [ParsedObject] = []
    private var byRef: [ObjectRef: Int] = [:]
    private var byKind: [String: [Int]] = [:]

    public init(_ objects: [ParsedObject]) {
        self.objects = objects
        for (i, parsed) in objects.enumerated() {
            if byRef[parsed.object.ref] == nil { byRef[parsed.object.ref] = i }
            byKind[parsed.object.ref.qualifiedKind, default: []].append(i)
        }
    }

    /// The first object with this identity.
    public func object(_ ref: ObjectRef) -> KubeObject? { byRef[ref].map { objects[$0].object } }

    /// Objects of a kind, by its qualified name (`apps/StatefulSet`, `Service`).
    public func objects(ofKind qualifiedKind: String) -> [KubeObject] {
        (byKind[qualifiedKind] ?? []).map { objects[$0].object }
    }

    /// `lookup(kind, namespace, name)`: kind group-qualified unless core.
    public func lookup(_ qualifiedKind: String, namespace: String?, name: String) -> KubeObject? {
        let (group, kind) = Self.split(qualifiedKind)
        let scoped = KindCatalog.info(group: group, kind: kind)?.isClusterScoped == true ? nil : namespace
        return object(ObjectRef(group: group, kind: kind, namespace: scoped, name: name))
    }

    static func split(_ qualifiedKind: String) -> (group: String, kind: String) {
        guard let slash = qualifiedKind.lastIndex(of: "/") else { return ("", qualifiedKind) }
        return (String(qualifiedKind[..<slash]), String(qualifiedKind[qualifiedKind.index(after: slash)...]))
    }
}
