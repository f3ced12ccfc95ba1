import KubeModel
import ManifestIO

/// A group and kind as git names them (`velero.io`, `Schedule`; `""`, `Service`), without a version.
public struct GroupKind: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The API group; "" for the core group.
    public var group: String
    /// The kind, as manifests spell it (`StatefulSet`).
    public var kind: String
    /// The pair `group`, `kind`.
    public init(group: String, kind: String) { self.group = group; self.kind = kind }
    /// `apps/StatefulSet`, or `Service` for the core group (LiveState's keys).
    public var qualifiedKind: String { group.isEmpty ? kind : "\(group)/\(kind)" }
    /// The qualified kind.
    public var description: String { qualifiedKind }
    /// Core Secrets: never requested.
    public var isSecret: Bool { group.isEmpty && kind == "Secret" }
    /// By group, then kind.
    public static func < (a: GroupKind, b: GroupKind) -> Bool { (a.group, a.kind) < (b.group, b.kind) }
}

/// Where each kind asked for is served, or why it cannot be read.
public struct KindResolution: Sendable {
    /// The resource each served kind is read from (its version, plural and scope).
    public var served: [GroupKind: ServedResource] = [:]
    /// Kinds that will not be read, with the reason (not served, not listable, discovery failed).
    public var unread: [GroupKind: String] = [:]
}

extension ClusterClient {
    /// Discovery by kind name, for any kind (built-in or a CRD's): `/api` and `/apis` give each group's
    /// versions (the server's preferred version first), then the resource list of each of a group's
    /// versions is read, in that order, until one serves a resource of that kind (subresources such as
    /// `statefulsets/status` are skipped). A group the server does not serve, or a kind none of its
    /// versions lists, is "not served by this cluster"; a group/version whose resource list cannot be read
    /// (an aggregated API that is down) leaves its kinds unread with that error. Throws only when `/api`
    /// or `/apis` cannot be read. Core Secrets are never looked up.
    public func resolve(_ kinds: [GroupKind]) throws(ClusterError) -> KindResolution {
        var result = KindResolution()
        let groupVersions = try servedGroupVersions()
        var lists: [String: Result<[Value], ClusterError>] = [:]
        for kind in kinds where result.served[kind] == nil && result.unread[kind] == nil {
            if kind.isSecret { result.unread[kind] = ClusterClient.secretsReason; continue }
            guard let versions = groupVersions[kind.group], !versions.isEmpty else {
                result.unread[kind] = ClusterClient.notServedReason
                continue
            }
            var failure: ClusterError?
            for version in versions {
                let path = kind.group.isEmpty ? "/api/\(version)" : "/apis/\(kind.group)/\(version)"
                if lists[path] == nil {
                    do { lists[path] = .success(try getJSON(path, resource: ("get", path, nil))["resources"]?.listValue ?? []) }
                    catch { lists[path] = .failure(error) }
                }
                guard case .success(let resources)? = lists[path] else {
                    if case .failure(let error)? = lists[path] { failure = error }
                    continue
                }
                let entry = resources.first { entry in
                    guard let name = entry["name"]?.stringValue, !name.contains("/") else { return false }
                    return entry["kind"]?.stringValue == kind.kind
                }
                guard let entry, let plural = entry["name"]?.stringValue else { continue }
                result.served[kind] = ServedResource(
                    group: kind.group, version: version, plural: plural, kind: kind.kind,
                    isNamespaced: entry["namespaced"]?.boolValue ?? true,
                    verbs: (entry["verbs"]?.listValue ?? []).compactMap(\.stringValue))
                break
            }
            if result.served[kind] == nil {
                // A version we could not ask may serve it: that is not "not served".
                result.unread[kind] = failure.map { "discovery failed: \($0.description)" } ?? ClusterClient.notServedReason
            }
        }
        return result
    }

    static let notServedReason = "not served by this cluster"
    static let secretsReason = "Ballast never reads Secrets"
}
