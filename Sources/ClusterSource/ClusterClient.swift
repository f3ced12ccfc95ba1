import Foundation
import KubeModel
import ManifestIO

/// A resource the server serves, from discovery.
public struct ServedResource: Sendable, Equatable {
    public var group: String
    public var version: String
    public var plural: String
    public var kind: String
    public var isNamespaced: Bool
    public var verbs: [String]
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
}

/// Which group/versions and resources the server serves.
public struct Discovery: Sendable {
    /// `apps` → `["v1"]`, preferred first; "" is the core group.
    public var groupVersions: [String: [String]]
    /// Resources by `group/Kind` (`Kind` for core), in the version that will be read.
    public var resources: [String: ServedResource]

    /// Where `kind` is served, if it is: the catalog's versions first, then the group's preferred one.
    public func served(_ kind: KindInfo) -> ServedResource? { resources[kind.qualifiedKind] }
}

/// One page of a list, parsed.
public struct ListPage {
    public var apiVersion: String
    public var listKind: String
    public var resourceVersion: String?
    /// The items as the API returned them (no `apiVersion`/`kind` of their own).
    public var items: [Value]
    /// The items packed as they were parsed, when the list was read `packed` (then `items` is empty).
    var packedItems: [PackedItem] = []
    public var bodyBytes: Int
    /// The response body and where each item lies in it.
    var body: [UInt8] = []
    var itemRanges: [Range<Int>] = []

    /// The column names of a Table page (`asTable`), in the order of each row's `cells`; empty otherwise.
    public var columns: [String] = []

    /// Item `index` exactly as the server sent it (compact JSON).
    public func itemJSON(_ index: Int) -> ArraySlice<UInt8> {
        guard itemRanges.count == items.count, index < itemRanges.count else {
            return ArraySlice(Array(items[index].json.utf8))
        }
        return body[itemRanges[index]]
    }
}

/// Something that could not be read completely, and why.
public struct Incomplete: Sendable, Equatable, CustomStringConvertible {
    public var what: String
    public var reason: String
    public init(what: String, reason: String) { self.what = what; self.reason = reason }
    public var description: String { "\(what): \(reason)" }
}

/// The record of one list read: what the snapshot's metadata says about it.
public struct ListRecord: Sendable, Equatable {
    public var kind: String
    public var group: String
    public var apiVersion: String
    public var resourceVersion: String?
    public var count: Int
}

/// Everything read from a cluster (or a snapshot). Never "clean" while `incomplete` is non-empty.
public struct ClusterReadResult: Sendable {
    /// The objects read, kept packed.
    public var objects: CompactObjects
    public var incomplete: [Incomplete]
    /// Information that changes nothing (a kind not served, server warnings).
    public var notes: [String]
    public var lists: [ListRecord]
    public var serverVersion: String?
    /// When the cluster was read (RFC 3339).
    public var readAt: String
    /// The namespaces the namespaced kinds were listed in; nil when all of them were.
    public var namespaces: [String]?
    public var isComplete: Bool { incomplete.isEmpty }

    public init(objects: CompactObjects = [], incomplete: [Incomplete] = [], notes: [String] = [], lists: [ListRecord] = [],
                serverVersion: String? = nil, readAt: String = "") {
        self.objects = objects; self.incomplete = incomplete; self.notes = notes; self.lists = lists
        self.serverVersion = serverVersion; self.readAt = readAt
    }
}

/// Reads a live cluster as kubectl would: discovery, paginated lists, retries and a rate limit.
/// Not Sendable: it owns a libcurl handle; use one client per task. Calls block.
public final class ClusterClient {
    public let config: ClusterConfig
    public let options: ClientOptions
    private let transport: Transport
    private var discovery: Discovery?
    /// The kinds the last discovery looked for (`group/Kind`).
    private var discoveredKinds: Set<String> = []

    /// The kinds `readAll` reads by default: the in-scope kinds except Secret, plus VolumeSnapshot
    /// when the server serves it.
    public static var defaultKinds: [KindInfo] {
        var kinds = KindCatalog.inScope.filter { $0.kind != "Secret" }
        if let snapshot = KindCatalog.info(group: "snapshot.storage.k8s.io", kind: "VolumeSnapshot") { kinds.append(snapshot) }
        return kinds
    }

    /// Kinds that may be absent without making a read incomplete (CRDs).
    static let optionalGroups: Set<String> = ["snapshot.storage.k8s.io"]

    public init(_ config: ClusterConfig, options: ClientOptions = ClientOptions()) throws(ClusterError) {
        self.config = config
        self.options = options
        transport = try Transport(config: config, options: options)
    }

    /// Requests made so far, connections opened, bytes received.
    public var stats: RequestStats { transport.stats }
    /// `Warning` headers the server sent.
    public var serverWarnings: [String] { transport.warnings }
    /// How many times an exec credential plugin ran.
    public var execPluginRuns: Int { transport.execRuns }

    private func json(_ response: HTTPResponse, path: String) throws(ClusterError) -> Value {
        do { return try ResponseJSON.parse(response.body) } catch {
            throw .invalidResponse(path: path, problem: "\(error.problem) (at byte \(error.offset) of \(response.body.count) received)")
        }
    }

    /// `GET /version`: the server's `gitVersion`.
    public func serverVersion() throws(ClusterError) -> String? {
        let response = try transport.get("/version")
        return try json(response, path: "/version")["gitVersion"]?.stringValue
    }

    /// Discovery: `/api`, `/apis`, then the resource list of each group/version that may hold `kinds`.
    public func discover(kinds: [KindInfo] = ClusterClient.defaultKinds) throws(ClusterError) -> Discovery {
        let groupVersions = try servedGroupVersions()
        var resources: [String: ServedResource] = [:]
        var fetched: [String: Value] = [:]
        for kind in kinds {
            guard let served = groupVersions[kind.group] else { continue }
            // The catalog's versions first (GA), then whatever the server prefers (an old v1beta1).
            let candidates = kind.versions.filter(served.contains) + served.filter { !kind.versions.contains($0) }
            for version in candidates {
                let path = kind.group.isEmpty ? "/api/\(version)" : "/apis/\(kind.group)/\(version)"
                let list: Value
                if let cached = fetched[path] { list = cached } else {
                    list = try json(try transport.get(path), path: path)
                    fetched[path] = list
                }
                let entry = (list["resources"]?.listValue ?? []).first { $0["name"]?.stringValue == kind.plural }
                guard let entry else { continue }
                resources[kind.qualifiedKind] = ServedResource(
                    group: kind.group, version: version, plural: kind.plural, kind: entry["kind"]?.stringValue ?? kind.kind,
                    isNamespaced: entry["namespaced"]?.boolValue ?? !kind.isClusterScoped,
                    verbs: (entry["verbs"]?.listValue ?? []).compactMap(\.stringValue))
                break
            }
        }
        let result = Discovery(groupVersions: groupVersions, resources: resources)
        discovery = result
        discoveredKinds = Set(kinds.map(\.qualifiedKind))
        return result
    }

    private func resource(for kind: KindInfo) throws(ClusterError) -> ServedResource? {
        if let discovery, discoveredKinds.contains(kind.qualifiedKind) { return discovery.served(kind) }
        // Not covered by the last discovery (a kind outside the defaults, such as Node): ask again with it.
        var kinds = ClusterClient.defaultKinds
        for name in discoveredKinds where !kinds.contains(where: { $0.qualifiedKind == name }) {
            if let info = KindCatalog.info(qualifiedKind: name) { kinds.append(info) }
        }
        if !kinds.contains(kind) { kinds.append(kind) }
        return try discover(kinds: kinds).served(kind)
    }

    /// Every object of `kind`, across all namespaces or in `namespaces`. Throws when the kind is not
    /// served, the list is denied, or it cannot be read completely. Secrets are refused.
    public func list(kind: KindInfo, namespaces: [String]? = nil) throws(ClusterError) -> [KubeObject] {
        var objects: [KubeObject] = []
        _ = try list(kind: kind, namespaces: namespaces) { (page, served) throws(ClusterError) in
            objects.append(contentsOf: page.items.map { ClusterClient.object(from: $0, served: served) })
        } restarted: { objects.removeAll() }
        return objects
    }

    /// Reads `kind` page by page, handing each page over as it arrives (memory stays at one page).
    /// `restarted` is called when a 410 Gone forces the list to start again: drop what was handed over.
    /// Returns the resourceVersion of each list made.
    @discardableResult
    public func list(kind: KindInfo, namespaces: [String]?,
                     page: (ListPage, ServedResource) throws(ClusterError) -> Void,
                     restarted: () -> Void) throws(ClusterError) -> ListRecord {
        guard kind.kind != "Secret" else { throw .secretsRefused }
        guard let served = try resource(for: kind) else { throw .notServed(kind.qualifiedKind) }
        return try list(served: served, namespaces: namespaces, page: page, restarted: restarted)
    }

    /// An API list item as a `KubeObject`, with the `apiVersion` and `kind` the list left out put back
    /// in front (as `kubectl get -o json` does).
    static func object(from item: Value, served: ServedResource) -> KubeObject {
        var value = item
        if case .map(var entries) = item.kind {
            entries.removeAll { $0.key == "apiVersion" || $0.key == "kind" }
            entries.insert(Value.Entry(key: "kind", value: .string(served.kind)), at: 0)
            entries.insert(Value.Entry(key: "apiVersion", value: .string(served.apiVersion)), at: 0)
            value = Value(.map(entries), span: item.span)
        }
        let namespace = served.isNamespaced ? (item[path: "metadata", "namespace"]?.stringValue ?? "default") : nil
        let ref = ObjectRef(group: served.group, kind: served.kind, namespace: namespace,
                            name: item[path: "metadata", "name"]?.stringValue ?? "")
        return KubeObject(ref: ref, apiVersion: served.apiVersion, value: value, span: nil)
    }

    /// Reads every kind in `kinds`. Never throws: what could not be read is in `incomplete`, so a
    /// caller cannot mistake a partial read for a clean one.
    public func readAll(kinds: [KindInfo] = ClusterClient.defaultKinds, namespaces: [String]? = nil) -> ClusterReadResult {
        var result = ClusterReadResult(readAt: rfc3339Now())
        result.notes = config.warnings
        result.namespaces = namespaces
        do {
            result.serverVersion = try serverVersion()
            _ = try discover(kinds: kinds)
        } catch {
            result.incomplete.append(Incomplete(what: "discovery", reason: error.description))
            return result
        }
        for kind in kinds where kind.kind != "Secret" {
            if discovery?.served(kind) == nil {
                if ClusterClient.optionalGroups.contains(kind.group) {
                    result.notes.append("\(kind.qualifiedKind) is not served by this cluster; not read")
                } else {
                    result.incomplete.append(Incomplete(what: kind.qualifiedKind, reason: "not served by this cluster"))
                }
                continue
            }
            var objects = CompactObjects()
            do {
                let record = try list(kind: kind, namespaces: namespaces) { (page, served) throws(ClusterError) in
                    objects.append(contentsOf: page.items.lazy.map { ClusterClient.object(from: $0, served: served) })
                } restarted: { objects.removeAll() }
                if kind.kind == "Namespace", let namespaces {
                    objects.removeAll(whereRef: { !namespaces.contains($0.name) })
                }
                result.objects.append(contentsOf: objects)
                result.lists.append(ListRecord(kind: record.kind, group: record.group, apiVersion: record.apiVersion,
                                               resourceVersion: record.resourceVersion, count: objects.count))
            } catch {
                result.incomplete.append(Incomplete(what: kind.qualifiedKind, reason: error.description))
            }
        }
        result.notes.append(contentsOf: transport.warnings.map { "server warning: \($0)" })
        return result
    }

    /// GET a list page (counted as a list request).
    func transportGet(_ path: String, accept: String = "application/json",
                      resource: (verb: String, name: String, namespace: String?)) throws(ClusterError) -> HTTPResponse {
        try transport.get(path, accept: accept, isList: true, resource: resource)
    }

    // MARK: Node stats

    /// GET a path and return its body as received.
    func getBody(_ path: String, resource: (verb: String, name: String, namespace: String?)) throws(ClusterError) -> [UInt8] {
        try transport.get(path, resource: resource).body
    }

    /// GET a path and parse its JSON (node stats and other single reads).
    /// Discovery's first step: `/api` and `/apis`, the versions each group serves, preferred first.
    func servedGroupVersions() throws(ClusterError) -> [String: [String]] {
        var groupVersions: [String: [String]] = [:]
        let core = try getJSON("/api", resource: ("get", "/api", nil))
        groupVersions[""] = (core["versions"]?.listValue ?? []).compactMap(\.stringValue)
        let apis = try getJSON("/apis", resource: ("get", "/apis", nil))
        for group in apis["groups"]?.listValue ?? [] {
            guard let name = group["name"]?.stringValue else { continue }
            var versions = (group["versions"]?.listValue ?? []).compactMap { $0["version"]?.stringValue }
            if let preferred = group[path: "preferredVersion", "version"]?.stringValue, let i = versions.firstIndex(of: preferred) {
                versions.remove(at: i); versions.insert(preferred, at: 0)
            }
            groupVersions[name] = versions
        }
        return groupVersions
    }

    func getJSON(_ path: String, resource: (verb: String, name: String, namespace: String?)) throws(ClusterError) -> Value {
        try json(try transport.get(path, resource: resource), path: path)
    }
}

func rfc3339Now() -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: Date())
}
