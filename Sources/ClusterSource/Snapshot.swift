import Foundation
import KubeModel
import ManifestIO

/// A directory holding what was read from a cluster: one JSON list per kind, as the API returned it
/// (items without their own `apiVersion`/`kind`), and `snapshot.json` describing the read (server
/// version, time, kinds, counts, what was incomplete). Files are 0600 in a 0700 directory: ConfigMaps
/// may hold sensitive data. Secrets are never part of it.
public enum Snapshot {
    public static let metadataFile = "snapshot.json"

    /// Writes `result` to `directory` (created if needed). Throws `ClusterError.snapshot`.
    public static func write(_ result: ClusterReadResult, to directory: String) throws(ClusterError) {
        try makePrivateDirectory(directory)
        try invalidate(directory)
        // Positions by kind: each object is rebuilt only while it is written.
        var byKind: [String: [Int]] = [:]
        for k in result.objects.indices where result.objects.ref(at: k).kind != "Secret" {
            byKind[result.objects.ref(at: k).qualifiedKind, default: []].append(k)
        }
        var records = result.lists
        // Objects without a list record (made by code) still get a file.
        for (qualified, positions) in byKind where !records.contains(where: { qualifiedKind($0) == qualified }) {
            if let first = positions.first.map({ result.objects[$0] }) {
                records.append(ListRecord(kind: first.kind, group: first.ref.group, apiVersion: first.apiVersion,
                                          resourceVersion: nil, count: positions.count))
            }
        }
        for record in records.sorted(by: { qualifiedKind($0) < qualifiedKind($1) }) where record.kind != "Secret" {
            let objects = byKind[qualifiedKind(record)] ?? []
            let file = fileName(record)
            var text = "{\"kind\":\(jsonQuoted(record.kind + "List")),\"apiVersion\":\(jsonQuoted(record.apiVersion)),\"metadata\":{"
            if let rv = record.resourceVersion { text += "\"resourceVersion\":\(jsonQuoted(rv))" }
            text += "},\"items\":["
            for (i, position) in objects.enumerated() {
                text += i == 0 ? "\n" : ",\n"
                text += itemWithoutTypeMeta(result.objects[position].value).json
            }
            text += objects.isEmpty ? "]}\n" : "\n]}\n"
            try writePrivateFile(directory + "/" + file, Array(text.utf8))
        }
        var withRecords = result
        withRecords.lists = records.sorted(by: { qualifiedKind($0) < qualifiedKind($1) }).filter { $0.kind != "Secret" }
            .map { var r = $0; r.count = byKind[qualifiedKind($0)]?.count ?? 0; return r }
        try writeMetadata(withRecords, to: directory)
    }

    /// `snapshot.json`: server version, time, completeness, one entry per list file.
    static func writeMetadata(_ result: ClusterReadResult, to directory: String) throws(ClusterError) {
        let listEntries = result.lists.map { record in
            var entry = "{\"kind\":\(jsonQuoted(record.kind)),\"apiVersion\":\(jsonQuoted(record.apiVersion)),"
            entry += "\"file\":\(jsonQuoted(fileName(record))),\"count\":\(record.count)"
            if let rv = record.resourceVersion { entry += ",\"resourceVersion\":\(jsonQuoted(rv))" }
            return entry + "}"
        }
        var meta = "{\n\"apiVersion\":\"ballast.dev/v1alpha1\",\n\"kind\":\"ClusterSnapshot\",\n"
        meta += "\"serverVersion\":\(result.serverVersion.map(jsonQuoted) ?? "null"),\n"
        meta += "\"readAt\":\(jsonQuoted(result.readAt)),\n"
        meta += "\"complete\":\(result.isComplete),\n"
        if let namespaces = result.namespaces {
            meta += "\"namespaces\":[" + namespaces.map(jsonQuoted).joined(separator: ",") + "],\n"
        }
        meta += "\"lists\":[\n" + listEntries.joined(separator: ",\n") + "\n],\n"
        meta += "\"incomplete\":[" + result.incomplete.map {
            "{\"what\":\(jsonQuoted($0.what)),\"reason\":\(jsonQuoted($0.reason))}"
        }.joined(separator: ",") + "],\n"
        meta += "\"notes\":[" + result.notes.map(jsonQuoted).joined(separator: ",") + "]\n}\n"
        try writePrivateFile(directory + "/" + metadataFile, Array(meta.utf8))
    }

    /// Reads `kinds` from `client` straight into a snapshot in `directory`, page by page: memory stays at
    /// about one page whatever the cluster's size (what `ballast snapshot` needs on a big cluster). The
    /// returned result has no objects; its lists, incompletes and notes are what `snapshot.json` records.
    @discardableResult
    public static func capture(from client: ClusterClient, kinds: [KindInfo] = ClusterClient.defaultKinds,
                               namespaces: [String]? = nil, to directory: String) throws(ClusterError) -> ClusterReadResult {
        try makePrivateDirectory(directory)
        try invalidate(directory)
        var result = ClusterReadResult(readAt: rfc3339Now())
        result.notes = client.config.warnings
        result.namespaces = namespaces
        var discovery: Discovery?
        do {
            result.serverVersion = try client.serverVersion()
            discovery = try client.discover(kinds: kinds)
        } catch {
            result.incomplete.append(Incomplete(what: "discovery", reason: error.description))
        }
        var written: [(ListRecord, String)] = []
        if let discovery {
            for kind in kinds where kind.kind != "Secret" {
                guard let served = discovery.served(kind) else {
                    if ClusterClient.optionalGroups.contains(kind.group) {
                        result.notes.append("\(kind.qualifiedKind) is not served by this cluster; not read")
                    } else {
                        result.incomplete.append(Incomplete(what: kind.qualifiedKind, reason: "not served by this cluster"))
                    }
                    continue
                }
                if let entry = captureList(client, served: served, what: kind.qualifiedKind, namespaces: namespaces,
                                           to: directory, result: &result) {
                    written.append(entry)
                }
            }
        }
        result.lists = written.map(\.0)
        result.notes.append(contentsOf: client.serverWarnings.map { "server warning: \($0)" })
        try writeMetadata(result, to: directory)
        return result
    }

    /// Lists one resource straight into its list file; on failure the file is removed and the kind is
    /// recorded as incomplete (`what`). Returns the list's record and file name when it was read whole.
    static func captureList(_ client: ClusterClient, served: ServedResource, what: String, namespaces: [String]?,
                            to directory: String, result: inout ClusterReadResult) -> (ListRecord, String)? {
        let record0 = ListRecord(kind: served.kind, group: served.group, apiVersion: served.apiVersion, resourceVersion: nil, count: 0)
        let file = fileName(record0)
        let path = directory + "/" + file
        do {
            let writer = try ListFileWriter(path: path)
            var resourceVersion: String?
            var count = 0
            let isNamespaceKind = served.group.isEmpty && served.kind == "Namespace"
            let record = try client.list(served: served, namespaces: namespaces) { (page, _) throws(ClusterError) in
                if resourceVersion == nil { resourceVersion = page.resourceVersion }
                for (index, item) in page.items.enumerated() {
                    if isNamespaceKind, let namespaces,
                       !namespaces.contains(item[path: "metadata", "name"]?.stringValue ?? "") { continue }
                    // Byte for byte as the server sent it (list items carry no apiVersion/kind).
                    try writer.append(page.itemJSON(index))
                    count += 1
                }
            } restarted: {
                writer.reset(); count = 0; resourceVersion = nil
            }
            try writer.finish(kind: served.kind, apiVersion: served.apiVersion, resourceVersion: resourceVersion ?? record.resourceVersion)
            return (ListRecord(kind: served.kind, group: served.group, apiVersion: served.apiVersion,
                               resourceVersion: resourceVersion ?? record.resourceVersion, count: count), file)
        } catch {
            unlink(path)
            result.incomplete.append(Incomplete(what: what, reason: error.description))
            return nil
        }
    }

    /// Reads a snapshot written by `write` (or by hand: `fixtures/cluster`). Objects keep their spans in
    /// the list files. A list file that is missing or malformed makes the result incomplete.
    public static func read(from directory: String) throws(ClusterError) -> ClusterReadResult {
        let metaPath = directory + "/" + metadataFile
        guard let data = FileManager.default.contents(atPath: metaPath) else {
            throw .snapshot(path: metaPath, problem: "cannot read it (not a snapshot directory?)")
        }
        let meta: Value
        do { meta = try JSONReader.parse([UInt8](data), file: FileID(metaPath)) } catch {
            throw .snapshot(path: metaPath, problem: error.description)
        }
        guard meta["kind"]?.stringValue == "ClusterSnapshot", let lists = meta["lists"]?.listValue else {
            throw .snapshot(path: metaPath, problem: "expected kind ClusterSnapshot with a lists array")
        }
        var result = ClusterReadResult(serverVersion: meta["serverVersion"]?.stringValue,
                                       readAt: meta["readAt"]?.stringValue ?? "")
        for item in meta["incomplete"]?.listValue ?? [] {
            result.incomplete.append(Incomplete(what: item["what"]?.stringValue ?? "?", reason: item["reason"]?.stringValue ?? "?"))
        }
        result.notes = (meta["notes"]?.listValue ?? []).compactMap(\.stringValue)
        result.namespaces = meta["namespaces"]?.listValue?.compactMap(\.stringValue)
        let keys = KeyTable()   // shared by every object of the snapshot
        for entry in lists {
            guard let file = entry["file"]?.stringValue, !file.contains("/"), let kind = entry["kind"]?.stringValue,
                  let apiVersion = entry["apiVersion"]?.stringValue else {
                throw .snapshot(path: metaPath, problem: "a lists entry lacks file, kind or apiVersion")
            }
            let path = directory + "/" + file
            let qualified = Snapshot.qualifiedKind(ListRecord(kind: kind, group: splitAPIVersion(apiVersion).group,
                                                              apiVersion: apiVersion, resourceVersion: nil, count: 0))
            guard let bytes = FileManager.default.contents(atPath: path) else {
                result.incomplete.append(Incomplete(what: qualified, reason: "snapshot file \(file) is missing"))
                continue
            }
            // Linear-time parse, one item at a time (each packed as soon as it is read, so a list file of
            // any size costs the memory of one item); each object gets the span of its first byte.
            let bytesArray = [UInt8](bytes)
            let (group, version) = splitAPIVersion(apiVersion)
            let info = KindCatalog.info(group: group, kind: kind)
            let fileID = FileID(path)
            var served: ServedResource?
            var objects = CompactObjects()
            var position = LineCounter(bytesArray)
            let list: Value
            do {
                list = try ResponseJSON.parseListPacked(bytesArray, keys: keys) { item in
                    let (line, column) = position.advance(to: item.range.lowerBound)
                    if served == nil {
                        let namespaced = info.map { !$0.isClusterScoped }
                            ?? (item.value(apiVersion: apiVersion, kind: kind).value(at: ["metadata", "namespace"]) != nil)
                        served = ServedResource(group: group, version: version, plural: info?.plural ?? kind.lowercased() + "s",
                                                kind: kind, isNamespaced: namespaced, verbs: ["list"])
                    }
                    objects.append(ClusterClient.packed(item, served: served!, span: SourceSpan(file: fileID, line: line, column: column)))
                }
            } catch {
                let at = lineColumn(of: [error.offset], in: bytesArray)[0]
                result.incomplete.append(Incomplete(what: qualified, reason: "snapshot file \(file):\(at.line):\(at.column): \(error.problem)"))
                continue
            }
            guard list["items"]?.listValue != nil else {   // the items were handed over one by one
                result.incomplete.append(Incomplete(what: qualified, reason: "snapshot file \(file) has no items"))
                continue
            }
            result.objects.append(contentsOf: objects)
            result.lists.append(ListRecord(kind: kind, group: group, apiVersion: apiVersion,
                                           resourceVersion: list[path: "metadata", "resourceVersion"]?.stringValue,
                                           count: objects.count))
        }
        return result
    }

    /// 1-based line and column (in characters) of each of `offsets` (ascending), in one pass.
    static func lineColumn(of offsets: [Int], in bytes: [UInt8]) -> [(line: Int, column: Int)] {
        var counter = LineCounter(bytes)
        return offsets.map { counter.advance(to: $0) }
    }

    static func qualifiedKind(_ record: ListRecord) -> String { record.group.isEmpty ? record.kind : "\(record.group)/\(record.kind)" }

    /// `statefulsets.apps.json`, `persistentvolumeclaims.json`: the resource name kubectl uses.
    static func fileName(_ record: ListRecord) -> String {
        let plural = KindCatalog.info(group: record.group, kind: record.kind)?.plural ?? record.kind.lowercased() + "s"
        return (record.group.isEmpty ? plural : "\(plural).\(record.group)") + ".json"
    }

    static func itemWithoutTypeMeta(_ value: Value) -> Value {
        guard case .map(var entries) = value.kind else { return value }
        entries.removeAll { $0.key == "apiVersion" || $0.key == "kind" }
        return Value(.map(entries), span: value.span)
    }

    static func makePrivateDirectory(_ path: String) throws(ClusterError) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw .snapshot(path: path, problem: "exists and is not a directory") }
        } else if mkdir(path, 0o700) != 0 {
            throw .snapshot(path: path, problem: "cannot create: \(String(cString: strerror(errno)))")
        }
        guard chmod(path, 0o700) == 0 else { throw .snapshot(path: path, problem: "cannot make it private: \(String(cString: strerror(errno)))") }
    }

    /// Writes a file created 0600 from the start (never readable by others, whatever the umask), under a
    /// temporary name renamed over `path` once complete: a full disk leaves the old file or none, never half.
    static func writePrivateFile(_ path: String, _ bytes: [UInt8]) throws(ClusterError) {
        let temporary = temporaryName(for: path)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .snapshot(path: path, problem: "cannot create: \(String(cString: strerror(errno)))") }
        var done = false
        defer { if !done { unlink(temporary) } }
        guard fchmod(fd, 0o600) == 0 else { close(fd); throw .snapshot(path: path, problem: "cannot make it private") }
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            guard n > 0 else {
                let problem = String(cString: strerror(errno))
                close(fd)
                throw .snapshot(path: path, problem: "write failed: \(problem)")
            }
            offset += n
        }
        guard close(fd) == 0 else { throw .snapshot(path: path, problem: "write failed: \(String(cString: strerror(errno)))") }
        guard rename(temporary, path) == 0 else {
            throw .snapshot(path: path, problem: "cannot move it into place: \(String(cString: strerror(errno)))")
        }
        done = true
    }

    /// `DIR/.NAME.tmp-PID`: beside the file (same file system, so `rename` is atomic), hidden, per process.
    static func temporaryName(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let directory = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return directory + "." + name + ".tmp-\(getpid())"
    }

    /// Removes `snapshot.json` before a directory is rewritten: until the new one is complete, the directory
    /// is no snapshot at all, never an old description of new files.
    static func invalidate(_ directory: String) throws(ClusterError) {
        let path = directory + "/" + metadataFile
        guard unlink(path) == 0 || errno == ENOENT else {
            throw .snapshot(path: path, problem: "cannot replace it: \(String(cString: strerror(errno)))")
        }
    }
}

/// 1-based line and column (in characters) of ascending byte offsets of a text, counted in one pass.
struct LineCounter {
    private let bytes: [UInt8]
    private var line = 1, column = 1, k = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// The line and column of `offset` (not before the last offset asked).
    mutating func advance(to offset: Int) -> (line: Int, column: Int) {
        while k < offset && k < bytes.count {
            if bytes[k] == 0x0A { line += 1; column = 1 } else if bytes[k] & 0xC0 != 0x80 { column += 1 }
            k += 1
        }
        return (line, column)
    }
}
