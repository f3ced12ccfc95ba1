import KubeModel
import ManifestIO

extension ClusterClient {
    /// Reads the resource `served` page by page (`limit` = the page size, no `resourceVersion`: a
    /// consistent read at the latest version), across all namespaces or once per namespace in
    /// `namespaces` when it is namespaced, handing each page over as it arrives.
    ///
    /// A 410 Expired (the continue token outlived etcd's compaction) restarts the list from the first
    /// page, once: pages of two snapshots are never stitched. When the token expires again, one
    /// unpaginated list follows (no `limit`), as client-go's pager does with `FullListIfExpired`
    /// (tools/pager/pager.go); only a failure of that list throws `.expired`. `restarted` is called before
    /// each new start: drop what was handed over. Core Secrets are refused before any request.
    ///
    /// `asTable`: ask for the rows `kubectl get` prints instead of the objects (`Accept: application/json;
    /// as=Table;v=v1;g=meta.k8s.io`, `includeObject=None`): a page's `items` are then the Table's `rows`
    /// (`{cells: [...]}`), and `columns` the names of its `columnDefinitions`. A server that answers with
    /// the plain list instead hands over objects (`listKind` says which arrived).
    @discardableResult
    public func list(served: ServedResource, namespaces: [String]?, packedKeys: KeyTable? = nil, asTable: Bool = false,
                     page: (ListPage, ServedResource) throws(ClusterError) -> Void,
                     restarted: () -> Void) throws(ClusterError) -> ListRecord {
        guard !(served.group.isEmpty && (served.plural == "secrets" || served.kind == "Secret")) else { throw .secretsRefused }
        var record = ListRecord(kind: served.kind, group: served.group, apiVersion: served.apiVersion, resourceVersion: nil, count: 0)
        let prefix = served.group.isEmpty ? "/api/\(served.version)" : "/apis/\(served.group)/\(served.version)"
        let scopes: [String?] = served.isNamespaced ? (namespaces.map { $0.map(Optional.some) } ?? [nil]) : [nil]
        for (scopeIndex, namespace) in scopes.enumerated() {
            let path = namespace.map { "\(prefix)/namespaces/\(queryEscape($0))/\(served.plural)" } ?? "\(prefix)/\(served.plural)"
            let resourceName = served.group.isEmpty ? served.plural : "\(served.plural).\(served.group)"
            var expirations = 0
            var count = 0
            var token: String? = nil
            pages: while true {
                // After two expirations: one list without `limit` (the pager's full list).
                var query = expirations >= 2 ? "" : "?limit=\(options.pageSize)"
                if let token { query += "&continue=\(queryEscape(token))" }
                if asTable { query += (query.isEmpty ? "?" : "&") + "includeObject=None" }
                let response: HTTPResponse
                do {
                    response = try transportGet(path + query, accept: asTable ? Self.tableAccept : "application/json",
                                                resource: ("list", resourceName, namespace))
                } catch {
                    guard case .http(_, 410, _, _) = error, expirations < 2 else {
                        if case .http(_, 410, _, _) = error { throw .expired(path: path) }
                        throw error
                    }
                    // The continue token expired: never stitch two snapshots; start again.
                    expirations += 1
                    token = nil
                    record.count -= count
                    count = 0
                    restarted()
                    continue pages
                }
                let value: Value
                var ranges: [Range<Int>] = []
                var packedItems: [PackedItem] = []
                do {
                    if let packedKeys {
                        value = try ResponseJSON.parseListPacked(response.body, keys: packedKeys) { packedItems.append($0) }
                    } else {
                        (value, ranges) = try ResponseJSON.parseList(response.body)
                    }
                } catch {
                    throw .invalidResponse(path: path + query, problem: "\(error.problem) (at byte \(error.offset) of \(response.body.count) received)")
                }
                let isTable = asTable && value["kind"]?.stringValue == "Table"
                guard let items = value[isTable ? "rows" : "items"]?.listValue else {
                    throw .invalidResponse(path: path + query, problem: "no \(isTable ? "rows" : "items") list in the response")
                }
                var listPage = ListPage(apiVersion: value["apiVersion"]?.stringValue ?? served.apiVersion,
                                        listKind: value["kind"]?.stringValue ?? "\(served.kind)List",
                                        resourceVersion: value[path: "metadata", "resourceVersion"]?.stringValue,
                                        items: items, bodyBytes: response.body.count, body: packedKeys != nil ? [] : response.body, itemRanges: ranges)
                listPage.packedItems = packedItems
                let itemCount = items.count + packedItems.count
                if isTable { listPage.columns = (value["columnDefinitions"]?.listValue ?? []).map { $0["name"]?.stringValue ?? "" } }
                // The first scope's list (after any restart) names the version read.
                if scopeIndex == 0 && count == 0 { record.resourceVersion = listPage.resourceVersion }
                count += itemCount
                record.count += itemCount
                try page(listPage, served)
                // An unpaginated list is whole, whatever its metadata says.
                guard expirations < 2 else { break }
                token = value[path: "metadata", "continue"]?.stringValue
                if token?.isEmpty ?? true { break }
            }
        }
        return record
    }

    /// The media type of a Table response (kubectl asks for it the same way, with the list as fallback).
    static let tableAccept = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"
}
