import KubeModel
import ManifestIO

/// The live side of drift as read from a cluster or a snapshot, in the shape of Drift's `LiveState`
/// (the CLI copies it across): objects, the kinds read completely, and the kinds not read with the reason.
/// Fail closed: a kind is either in `completeKinds` or in `unreadKinds`, never silently absent.
public struct LiveRead: Sendable {
    /// Every object of the complete kinds, with `apiVersion` and `kind` set from its list.
    public var objects: [KubeObject] = []
    /// Qualified kinds (`apps/StatefulSet`, `Service`) listed completely.
    public var completeKinds: Set<String> = []
    /// Qualified kinds not read, with the reason: "not served by this cluster", "forbidden: …",
    /// "list cut short: …", "Ballast never reads Secrets", "not in the snapshot".
    public var unreadKinds: [String: String] = [:]
    /// The API server's `gitVersion`.
    public var serverVersion: String?
    /// The namespaces read; nil when all of them were.
    public var namespaces: [String]?
    /// One record per list made (kind, apiVersion read, resourceVersion, count).
    public var lists: [ListRecord] = []
    /// Information that changes nothing (kubeconfig warnings, server `Warning` headers).
    public var notes: [String] = []
    /// When the cluster was read (RFC 3339); for a snapshot, when it was taken.
    public var readAt: String = ""

    /// An empty read: nothing complete, nothing unread.
    public init() {}

    /// Whether every kind asked for was read completely.
    public var isComplete: Bool { unreadKinds.isEmpty }
}

extension ClusterClient {
    /// Reads every kind git holds — built-in kinds and CRDs (velero.io `Schedule`,
    /// monitoring.coreos.com `PrometheusRule`, any operator's resource) alike — found by discovery
    /// (`resolve`), each listed completely across all namespaces, or in each of `namespaces` for
    /// namespaced kinds. Never throws: a kind the server does not serve, a denied list, a list cut short
    /// or a failed discovery is in `unreadKinds` with its reason. Core Secrets are never requested.
    public func readLive(kinds: [(group: String, kind: String)], namespaces: [String]? = nil) -> LiveRead {
        var result = LiveRead()
        result.readAt = rfc3339Now()
        result.namespaces = namespaces
        result.notes = config.warnings
        var wanted: [GroupKind] = []
        var seen: Set<GroupKind> = []
        for pair in kinds {
            let kind = GroupKind(group: pair.group, kind: pair.kind)
            if seen.insert(kind).inserted { wanted.append(kind) }
        }
        for kind in wanted where kind.isSecret { result.unreadKinds[kind.qualifiedKind] = ClusterClient.secretsReason }
        wanted.removeAll(where: \.isSecret)
        let resolution: KindResolution
        do {
            result.serverVersion = try serverVersion()
            resolution = try resolve(wanted)
        } catch {
            for kind in wanted { result.unreadKinds[kind.qualifiedKind] = "discovery failed: \(error.description)" }
            return result
        }
        for kind in wanted {
            guard let served = resolution.served[kind] else {
                result.unreadKinds[kind.qualifiedKind] = resolution.unread[kind] ?? ClusterClient.notServedReason
                continue
            }
            guard served.verbs.isEmpty || served.verbs.contains("list") else {
                result.unreadKinds[kind.qualifiedKind] = "not listable (the server allows only \(served.verbs.joined(separator: ", ")))"
                continue
            }
            var objects: [KubeObject] = []
            do {
                let record = try list(served: served, namespaces: namespaces) { (page, served) throws(ClusterError) in
                    objects.append(contentsOf: page.items.map { ClusterClient.object(from: $0, page: page, served: served) })
                } restarted: { objects.removeAll() }
                if kind == GroupKind(group: "", kind: "Namespace"), let namespaces {
                    objects.removeAll { !namespaces.contains($0.name) }
                }
                result.objects.append(contentsOf: objects)
                result.completeKinds.insert(kind.qualifiedKind)
                result.lists.append(ListRecord(kind: record.kind, group: record.group, apiVersion: record.apiVersion,
                                               resourceVersion: record.resourceVersion, count: objects.count))
            } catch {
                result.unreadKinds[kind.qualifiedKind] = ClusterClient.unreadReason(error)
            }
        }
        result.notes.append(contentsOf: serverWarnings.map { "server warning: \($0)" })
        return result
    }

    /// Why a list failed, as `unreadKinds` says it.
    public static func unreadReason(_ error: ClusterError) -> String {
        switch error {
        case .notServed: return notServedReason
        case .secretsRefused: return secretsReason
        case .forbidden(let verb, let resource, let namespace, _):
            return "forbidden: cannot \(verb) \(resource) " + (namespace.map { "in namespace \($0)" } ?? "at the cluster scope")
        default: return "list cut short: \(error.description)"
        }
    }

    /// A list item as a `KubeObject` whose `apiVersion` and `kind` are the list's (`FooList` → `Foo`).
    static func object(from item: Value, page: ListPage, served: ServedResource) -> KubeObject {
        var kind = page.listKind
        if kind.hasSuffix("List") && kind.count > 4 { kind.removeLast(4) } else { kind = served.kind }
        var fromList = served
        fromList.kind = kind
        let (group, version) = splitAPIVersion(page.apiVersion)
        if group == served.group && !version.isEmpty { fromList.version = version }
        return object(from: item, served: fromList)
    }
}
