import KubeModel

extension Snapshot {
    /// Reads every kind git holds (built-in kinds and CRDs, found by `ClusterClient.resolve`) straight into
    /// a snapshot in `directory`, page by page, as `capture(from:kinds:)` does for the catalog's kinds: the
    /// snapshot `drift --snapshot` can compare a repository with CRDs against. A kind the server does not
    /// serve, or that cannot be read whole, is recorded as incomplete (and `load` reports it unread); core
    /// Secrets are never requested (a note says so). Throws only when the directory cannot be written.
    @discardableResult
    public static func capture(from client: ClusterClient, groupKinds: [(group: String, kind: String)],
                               namespaces: [String]? = nil, to directory: String) throws(ClusterError) -> ClusterReadResult {
        try makePrivateDirectory(directory)
        var result = ClusterReadResult(readAt: rfc3339Now())
        result.notes = client.config.warnings
        result.namespaces = namespaces
        var wanted: [GroupKind] = []
        for pair in groupKinds {
            let kind = GroupKind(group: pair.group, kind: pair.kind)
            guard !wanted.contains(kind) else { continue }
            if kind.isSecret { result.notes.append("Secret: \(ClusterClient.secretsReason); not read"); continue }
            wanted.append(kind)
        }
        var written: [(ListRecord, String)] = []
        do {
            result.serverVersion = try client.serverVersion()
            let resolution = try client.resolve(wanted)
            for kind in wanted {
                guard let served = resolution.served[kind] else {
                    result.incomplete.append(Incomplete(what: kind.qualifiedKind,
                                                        reason: resolution.unread[kind] ?? ClusterClient.notServedReason))
                    continue
                }
                if let entry = captureList(client, served: served, what: kind.qualifiedKind, namespaces: namespaces,
                                           to: directory, result: &result) {
                    written.append(entry)
                }
            }
        } catch {
            result.incomplete.append(Incomplete(what: "discovery", reason: error.description))
        }
        result.lists = written.map(\.0)
        result.notes.append(contentsOf: client.serverWarnings.map { "server warning: \($0)" })
        try writeMetadata(result, to: directory)
        return result
    }
}
