import KubeModel
import ManifestIO

/// The live side of drift as read from a cluster or a snapshot, in the shape of Drift's `LiveState`
/// (the CLI copies it across): objects, the kinds read completely, and the kinds not read with the reason.
/// Fail closed: a kind is either in `completeKinds` or in `unreadKinds`, never silently absent.
public struct LiveRead: Sendable {
    /// Every object of the complete kinds, with `apiVersion` and `kind` set from its list, kept packed
    /// (each page is packed as it arrives; its tree is dropped with the page).
    public var objects = CompactObjects()
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
        // One key table for every object read: a cluster's objects share a few hundred key names.
        let keys = KeyTable()
        for kind in wanted {
            guard let served = resolution.served[kind] else {
                result.unreadKinds[kind.qualifiedKind] = resolution.unread[kind] ?? ClusterClient.notServedReason
                continue
            }
            guard served.verbs.isEmpty || served.verbs.contains("list") else {
                result.unreadKinds[kind.qualifiedKind] = "not listable (the server allows only \(served.verbs.joined(separator: ", ")))"
                continue
            }
            // Pages are packed straight into the result; a restarted or failed list takes its objects back.
            let start = result.objects.count
            do {
                let record = try list(served: served, namespaces: namespaces, packedKeys: keys) { (page, served) throws(ClusterError) in
                    ClusterClient.append(page, served: served, to: &result.objects)
                } restarted: { result.objects.truncate(to: start) }
                if kind == GroupKind(group: "", kind: "Namespace"), let namespaces {
                    // The only Namespaces in the result are this list's.
                    result.objects.removeAll(whereRef: { $0.kind == "Namespace" && $0.group.isEmpty && !namespaces.contains($0.name) })
                }
                result.completeKinds.insert(kind.qualifiedKind)
                result.lists.append(ListRecord(kind: record.kind, group: record.group, apiVersion: record.apiVersion,
                                               resourceVersion: record.resourceVersion, count: result.objects.count - start))
            } catch {
                result.objects.truncate(to: start)
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
        object(from: item, served: servedFromList(page, served: served))
    }

    /// `served` as the page names it: the kind of its list (`FooList` → `Foo`), the version it was read in.
    static func servedFromList(_ page: ListPage, served: ServedResource) -> ServedResource {
        var kind = page.listKind
        if kind.hasSuffix("List") && kind.count > 4 { kind.removeLast(4) } else { kind = served.kind }
        var fromList = served
        fromList.kind = kind
        let (group, version) = splitAPIVersion(page.apiVersion)
        if group == served.group && !version.isEmpty { fromList.version = version }
        return fromList
    }

    /// Appends a page's items to `objects`, packed: the items of a list read `packed` as they are (no tree
    /// is ever built), the others packed from their trees. Identity and `apiVersion`/`kind` as
    /// `object(from:served:)` gives them.
    static func append(_ page: ListPage, served: ServedResource, to objects: inout CompactObjects) {
        let served = servedFromList(page, served: served)
        objects.append(contentsOf: page.items.lazy.map { object(from: $0, served: served) })
        for item in page.packedItems {
            objects.append(packed(item, served: served))
        }
    }

    /// A packed item's identity and value, as `object(from:served:)` gives them for its tree.
    static func packed(_ item: PackedItem, served: ServedResource, span: SourceSpan? = nil) -> (ref: ObjectRef, apiVersion: String, compact: CompactValue, span: SourceSpan?) {
        let compact = item.value(apiVersion: served.apiVersion, kind: served.kind, span: span)
        let identity = item.metadata(["name", "namespace"])
        let namespace = served.isNamespaced ? (identity[1]?.stringValue ?? "default") : nil
        let ref = ObjectRef(group: served.group, kind: served.kind, namespace: namespace, name: identity[0]?.stringValue ?? "")
        return (ref, served.apiVersion, compact, span)
    }
}
