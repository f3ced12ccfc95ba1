import Foundation
import KubeModel
import ManifestIO

/// One named stanza of a kubeconfig (a cluster, user or context) and the file that defined it.
struct NamedStanza {
    var name: String
    var value: Value
    var file: String
    /// `clusters[name=prod].cluster`, for messages.
    var key: String
}

/// The kubeconfig files merged as client-go merges them (tools/clientcmd/loader.go): the first file that
/// defines a name wins the whole entry; the first non-empty `current-context` wins.
struct MergedKubeConfig {
    var clusters: [String: NamedStanza] = [:]
    var users: [String: NamedStanza] = [:]
    var contexts: [String: NamedStanza] = [:]
    var currentContext = ""
    var files: [String] = []

    var isEmpty: Bool { clusters.isEmpty && users.isEmpty && contexts.isEmpty && currentContext.isEmpty }

    mutating func merge(file: String, bytes: [UInt8]) throws(ClusterError) {
        files.append(file)
        guard let root = try KubeConfigParser.parse(bytes, file: file) else { return }
        guard root.isMap else {
            throw .kubeconfigInvalid(file: file, key: "(top level)", problem: "expected a mapping, found \(root.typeName)")
        }
        func section(_ listKey: String, _ itemKey: String, into table: inout [String: NamedStanza]) throws(ClusterError) {
            guard let list = root[listKey], !list.isNull else { return }
            guard let items = list.listValue else {
                throw .kubeconfigInvalid(file: file, key: listKey, problem: "expected a list, found \(list.typeName)")
            }
            for (i, item) in items.enumerated() {
                guard item.isMap else {
                    throw .kubeconfigInvalid(file: file, key: "\(listKey)[\(i)]", problem: "expected a mapping, found \(item.typeName)")
                }
                guard let name = item["name"]?.stringValue, !name.isEmpty else {
                    throw .kubeconfigInvalid(file: file, key: "\(listKey)[\(i)].name", problem: "expected a non-empty string")
                }
                let body = item[itemKey] ?? Value(.map([]))
                guard body.isMap || body.isNull else {
                    throw .kubeconfigInvalid(file: file, key: "\(listKey)[name=\(name)].\(itemKey)",
                                             problem: "expected a mapping, found \(body.typeName)")
                }
                if table[name] == nil {   // first file wins, whole entry (loader.go:188-196)
                    table[name] = NamedStanza(name: name, value: body.isNull ? Value(.map([])) : body, file: file,
                                              key: "\(listKey)[name=\(name)].\(itemKey)")
                }
            }
        }
        try section("clusters", "cluster", into: &clusters)
        try section("users", "user", into: &users)
        try section("contexts", "context", into: &contexts)
        if let current = root["current-context"], !current.isNull {
            guard let name = current.stringValue else {
                throw .kubeconfigInvalid(file: file, key: "current-context", problem: "expected a string, found \(current.typeName)")
            }
            if currentContext.isEmpty { currentContext = name }
        }
    }
}

/// Typed reads of stanza fields; a present value of the wrong type is an error naming file and key.
extension NamedStanza {
    func string(_ field: String) throws(ClusterError) -> String? {
        guard let v = value[field], !v.isNull else { return nil }
        switch v.kind {
        case .string(let s): return s
        default: throw .kubeconfigInvalid(file: file, key: "\(key).\(field)", problem: "expected a string, found \(v.typeName)")
        }
    }

    func nonEmptyString(_ field: String) throws(ClusterError) -> String? {
        guard let s = try string(field), !s.isEmpty else { return nil }
        return s
    }

    func bool(_ field: String) throws(ClusterError) -> Bool {
        guard let v = value[field], !v.isNull else { return false }
        guard let b = v.boolValue else {
            throw .kubeconfigInvalid(file: file, key: "\(key).\(field)", problem: "expected a boolean, found \(v.typeName)")
        }
        return b
    }

    /// A `*-data` field: standard base64 of PEM (Go `[]byte`).
    func base64(_ field: String) throws(ClusterError) -> [UInt8]? {
        guard let s = try nonEmptyString(field) else { return nil }
        let compact = s.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: compact) else {
            throw .kubeconfigInvalid(file: file, key: "\(key).\(field)", problem: "not valid base64")
        }
        return [UInt8](data)
    }

    /// A path field, made absolute against the directory of the file that defined the stanza.
    func path(_ field: String) throws(ClusterError) -> String? {
        guard let p = try nonEmptyString(field) else { return nil }
        return resolvePath(p, relativeTo: file)
    }

    /// Reads the file a path field names.
    func contents(ofPathField field: String) throws(ClusterError) -> (path: String, bytes: [UInt8])? {
        guard let p = try path(field) else { return nil }
        guard let data = FileManager.default.contents(atPath: p) else {
            throw .kubeconfigInvalid(file: file, key: "\(key).\(field)", problem: "cannot read \(p)")
        }
        return (p, [UInt8](data))
    }
}

func resolvePath(_ path: String, relativeTo file: String) -> String {
    if path.hasPrefix("/") { return path }
    let dir = (file as NSString).deletingLastPathComponent
    return ((dir.isEmpty ? "." : dir) as NSString).appendingPathComponent(path)
}

/// Parses one kubeconfig file (YAML or JSON) into a `Value`.
enum KubeConfigParser {
    /// nil for an empty file, which client-go accepts as an empty Config.
    static func parse(_ bytes: [UInt8], file: String) throws(ClusterError) -> Value? {
        guard let first = bytes.firstIndex(where: { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }) else {
            return nil
        }
        let id = FileID(file)
        if bytes[first] == UInt8(ascii: "{") {
            do { return try JSONReader.parse(bytes, file: id) } catch {
                throw .kubeconfigUnreadable(file: file, reason: "\(error.span.line):\(error.span.column): \(error.message)")
            }
        }
        var result = ManifestReader().parse(bytes, file: id, json: false)
        if let error = result.errors.first {
            throw .kubeconfigUnreadable(file: file, reason: "\(error.span.line):\(error.span.column): \(error.message)")
        }
        if result.objects.isEmpty && result.notes.contains(where: { $0.ruleID == "missing-kind" }) {
            // The reader keeps only documents with apiVersion and kind; a kubeconfig may omit both
            // (kubectl accepts that). Give it the header it lacks; both keys are absent, so no duplicates.
            let header = Array("apiVersion: v1\nkind: Config\n".utf8)
            let text = String(decoding: bytes, as: UTF8.self)
            guard !text.hasPrefix("---"), !text.hasPrefix("%") else {
                throw .kubeconfigUnreadable(file: file, reason: "no kubeconfig mapping found")
            }
            result = ManifestReader().parse(header + bytes, file: id, json: false)
            if let error = result.errors.first {
                throw .kubeconfigUnreadable(file: file, reason: "\(max(1, error.span.line - 2)):\(error.span.column): \(error.message)")
            }
        }
        if let note = result.notes.first(where: { $0.ruleID == "not-an-object" }), result.objects.isEmpty {
            throw .kubeconfigInvalid(file: file, key: "(top level)", problem: note.message)
        }
        guard result.objects.count == 1, let object = result.objects.first else {
            throw .kubeconfigUnreadable(file: file, reason: "expected one kubeconfig document, found \(result.objects.count)")
        }
        return object.object.value
    }
}
