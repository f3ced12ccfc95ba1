/// The type the Kubernetes schema gives a field, as the API server decodes it.
public indirect enum SchemaType: Hashable, Sendable, CustomStringConvertible {
    /// A string (an enum field too: its values are in `KubeSchema.allowedValues`).
    case string
    /// `true` or `false`; a quoted `"true"` is a string.
    case boolean
    /// An integer that must fit 32 bits (`format: int32`).
    case int32
    /// An integer (`format: int64`, or no format).
    case int64
    /// A float (`format: double`): an integer or a number is accepted.
    case number
    /// `intstr.IntOrString`: an integer or a string; each keeps its type.
    case intOrString
    /// `resource.Quantity`: a string in the quantity grammar, or a number.
    case quantity
    /// `[]byte`: a base64 string (Secret `data`, ConfigMap `binaryData`).
    case bytes
    /// `metav1.Time`: an RFC 3339 string.
    case time
    /// Any JSON object, never decoded into a struct (`managedFields[].fieldsV1`); not descended into.
    case freeForm
    /// A structured object, by its fully qualified type name (`io.k8s.api.core.v1.Container`).
    case object(String)
    /// A list of items of one type (`x-kubernetes-list-map-keys` in `KubeSchema.listMapKeys`).
    case list(SchemaType)
    /// A map with string keys (labels, annotations, `data`, resource lists).
    case map(SchemaType)

    /// How a violation names the expected type: `string`, `integer`, `integer or string`, `array`...
    public var description: String {
        switch self {
        case .string: "string"
        case .boolean: "boolean"
        case .int32, .int64: "integer"
        case .number: "number"
        case .intOrString: "integer or string"
        case .quantity: "quantity"
        case .bytes: "base64 string"
        case .time: "RFC 3339 time"
        case .freeForm, .object, .map: "object"
        case .list: "array"
        }
    }
}

/// One field of an object type in the generated table.
struct SchemaField: Sendable {
    var type: SchemaType
    /// Allowed values of the innermost string (each item of a list of strings); nil when any is.
    var allowedValues: [String]?
    /// Keys identifying the items of a list of objects; a dotted key names a nested field.
    var listKeys: [String]?
    /// The key naming items in paths (`containers[name=redis]`), when it is not the first list key.
    var mergeKey: String?
    /// Index in `SchemaTable.Parsed.nodes` of the innermost object type (`[@Container` → Container), so that
    /// a walk never hashes a type name.
    var node: Int?

    /// The key paths name items by: the patch merge key, else the first list key.
    var pathKey: String? { mergeKey ?? listKeys?.first }
}

/// An object type of the generated table.
struct SchemaNode: Sendable {
    var fields: [String: SchemaField]
    var required: [String]
}

/// The generated table (`SchemaTable.generated.swift`), parsed once on first use.
enum SchemaTable {
    struct Parsed: Sendable {
        /// Root type of each kind, by `"<apiVersion> <kind>"`.
        var roots: [String: String] = [:]
        var nodes: [SchemaNode] = []
        /// Index in `nodes` of each type, by name.
        var nodeIndex: [String: Int] = [:]
        /// Lines the parser could not read, and type names referenced but not defined; empty when the
        /// table is sound (a test checks it).
        var problems: [String] = []

        /// The node of a type name; nil for names the table does not have.
        func node(named name: String) -> SchemaNode? {
            guard let index = nodeIndex[name] else { return nil }
            return nodes[index]
        }
    }

    static let parsed: Parsed = parse(text)

    static func parse(_ text: String) -> Parsed {
        var table = Parsed()
        var current: String?
        var node = SchemaNode(fields: [:], required: [])
        func finish() {
            guard let current else { return }
            table.nodeIndex[current] = table.nodes.count
            table.nodes.append(node)
        }
        // Split on bytes: Character-wise splitting costs grapheme breaking on every byte of the table.
        for line in text.utf8.split(separator: UInt8(ascii: "\n")) {
            let parts = line.split(separator: UInt8(ascii: " "), omittingEmptySubsequences: false).map(Substring.init)
            switch parts.first {
            case "K" where parts.count == 4:
                table.roots[parts[1] + " " + parts[2]] = String(parts[3])
            case "T" where parts.count == 2:
                finish()
                current = String(parts[1])
                node = SchemaNode(fields: [:], required: [])
            case "R" where parts.count == 2 && current != nil:
                node.required = parts[1].utf8.split(separator: UInt8(ascii: ",")).map { String(Substring($0)) }
            case "P" where parts.count >= 3 && current != nil:
                guard let type = parseType(parts[2]) else {
                    table.problems.append("bad type in: \(Substring(line))"); continue
                }
                var field = SchemaField(type: type)
                for option in parts.dropFirst(3) {
                    let value = option.dropFirst(2)
                    if option.hasPrefix("e:") {
                        field.allowedValues = value.utf8.split(separator: UInt8(ascii: "|"), omittingEmptySubsequences: false)
                            .map { String(Substring($0)) }
                    } else if option.hasPrefix("k:") {
                        field.listKeys = value.utf8.split(separator: UInt8(ascii: ",")).map { String(Substring($0)) }
                    } else if option.hasPrefix("m:") {
                        field.mergeKey = String(value)
                    } else {
                        table.problems.append("bad option in: \(Substring(line))")
                    }
                }
                node.fields[String(parts[1])] = field
            default:
                table.problems.append("bad line: \(Substring(line))")
            }
        }
        finish()
        for (name, root) in table.roots where table.nodeIndex[root] == nil {
            table.problems.append("kind \(name): root type \(root) is not defined")
        }
        for (name, index) in table.nodeIndex {
            for (fieldName, field) in table.nodes[index].fields {
                guard let object = innermostObject(field.type) else { continue }
                if let target = table.nodeIndex[object] {
                    table.nodes[index].fields[fieldName]?.node = target
                } else {
                    table.problems.append("\(name).\(fieldName): type \(object) is not defined")
                }
            }
        }
        return table
    }


    /// `s`, `@Type`, `[s`, `{[@Type`... (the grammar of ci/gen-schema).
    static func parseType(_ code: Substring) -> SchemaType? {
        switch code.first {
        case "[": return parseType(code.dropFirst()).map { .list($0) }
        case "{": return parseType(code.dropFirst()).map { .map($0) }
        case "@": return code.count > 1 ? .object(String(code.dropFirst())) : nil
        default: break
        }
        switch code {
        case "s": return .string
        case "b": return .boolean
        case "i32": return .int32
        case "i64": return .int64
        case "n": return .number
        case "q": return .quantity
        case "x": return .intOrString
        case "y": return .bytes
        case "t": return .time
        case "o": return .freeForm
        default: return nil
        }
    }

    private static func innermostObject(_ type: SchemaType) -> String? {
        switch type {
        case .object(let name): name
        case .list(let item), .map(let item): innermostObject(item)
        default: nil
        }
    }
}
