/// The identity of a Kubernetes object: group, kind, namespace and name. The version is not part of it,
/// so an `apps/v1` and an `apps/v1beta1` StatefulSet with one name are the same object.
public struct ObjectRef: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The API group; "" for the core group.
    public var group: String
    public var kind: String
    /// nil for cluster-scoped kinds.
    public var namespace: String?
    public var name: String

    public init(group: String, kind: String, namespace: String?, name: String) {
        self.group = group; self.kind = kind; self.namespace = namespace; self.name = name
    }

    /// `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects (the JSON report's `object`).
    public var description: String {
        if let namespace { return "\(kind)/\(namespace)/\(name)" }
        return "\(kind)/\(name)"
    }

    /// `apps/StatefulSet`, or `Service` for the core group: how policies name kinds.
    public var qualifiedKind: String { group.isEmpty ? kind : group + "/" + kind }

    public static func < (a: ObjectRef, b: ObjectRef) -> Bool {
        (a.group, a.kind, a.namespace ?? "", a.name) < (b.group, b.kind, b.namespace ?? "", b.name)
    }
}

/// `apps/v1` → ("apps", "v1"); `v1` → ("", "v1").
public func splitAPIVersion(_ apiVersion: String) -> (group: String, version: String) {
    guard let slash = apiVersion.lastIndex(of: "/") else { return ("", apiVersion) }
    return (String(apiVersion[..<slash]), String(apiVersion[apiVersion.index(after: slash)...]))
}

/// A set of kinds named as policies name them (`apps/StatefulSet`, `Service`), tested against object
/// identities without building their qualified names: every rule asks it of every object.
public struct KindSet: Sendable, Equatable {
    private var groupsByKind: [String: [String]] = [:]

    /// The kinds of `qualifiedKinds`.
    public init<S: Sequence>(_ qualifiedKinds: S) where S.Element == String {
        for qualified in qualifiedKinds {
            let (group, kind) = splitQualifiedKind(qualified)
            groupsByKind[kind, default: []].append(group)
        }
    }

    public var isEmpty: Bool { groupsByKind.isEmpty }

    /// Whether the object's group and kind are in the set.
    public func contains(_ ref: ObjectRef) -> Bool { groupsByKind[ref.kind]?.contains(ref.group) ?? false }
}

/// `apps/StatefulSet` → ("apps", "StatefulSet"); `Service` → ("", "Service").
public func splitQualifiedKind(_ qualifiedKind: String) -> (group: String, kind: String) {
    guard let slash = qualifiedKind.lastIndex(of: "/") else { return ("", qualifiedKind) }
    return (String(qualifiedKind[..<slash]), String(qualifiedKind[qualifiedKind.index(after: slash)...]))
}
