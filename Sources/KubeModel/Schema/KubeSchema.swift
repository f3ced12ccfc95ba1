/// A place where an object disagrees with the Kubernetes schema of its kind.
public struct SchemaViolation: Equatable, Sendable, CustomStringConvertible {
    /// What is wrong, in the four classes of a strict schema check.
    public enum Problem: Equatable, Sendable {
        /// A key the type does not have (a typo, or a field of another version).
        case unknownField(String)
        /// The value is not of the field's type, or does not parse as it (`quantity`, `base64 string`,
        /// `RFC 3339 time`, an integer beyond int32). `found` is the value's type name, followed by the
        /// value itself when the type was right but the text was not (never for base64 data: Secret values
        /// stay out of messages).
        case wrongType(expected: String, found: String)
        /// A string outside the field's allowed values.
        case invalidEnum(value: String, allowed: [String])
        /// A field the schema requires is absent or null.
        case missingRequired(String)
    }

    /// What is wrong.
    public var problem: Problem
    /// Where, in the grammar of DESIGN §6: `spec.template.spec.containers[name=redis].image`,
    /// `metadata.annotations["ballast.dev/x"]`. For a missing field, the path of the field itself
    /// (`spec.selector`), while the span points at the map that lacks it.
    public var path: String
    /// Unknown field: the key. Wrong type, invalid enum: the value. Missing required: the map lacking it.
    /// nil for values that were not read from a file.
    public var span: SourceSpan?

    /// A violation at `path`, pointing at `span`.
    public init(problem: Problem, path: String, span: SourceSpan?) {
        self.problem = problem; self.path = path; self.span = span
    }

    /// A lowercase message, as findings print it: `unknown field "replicaz"`.
    public var message: String {
        switch problem {
        case .unknownField(let key): "unknown field \(jsonQuoted(key))"
        case .wrongType(let expected, let found): "expected \(expected), found \(found)"
        case .invalidEnum(let value, let allowed):
            "unsupported value \(jsonQuoted(value)): must be one of " + allowed.map(jsonQuoted).joined(separator: ", ")
        case .missingRequired(let field): "missing required field \(jsonQuoted(field))"
        }
    }

    /// `path: message`.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// The Kubernetes schema of the in-scope kinds (generated from the v1.37 definitions by `ci/gen-schema`).
public enum KubeSchema {
    /// The Kubernetes version the table was generated from (`v1.37.0`).
    public static var kubernetesVersion: String { SchemaTable.kubernetesVersion }

    /// Whether the table has the kind (`apps/v1`, `StatefulSet`).
    public static func hasKind(apiVersion: String, kind: String) -> Bool {
        SchemaTable.parsed.roots[apiVersion + " " + kind] != nil
    }

    /// Checks `object` against its kind's schema: unknown fields, wrong types, values outside enums and
    /// missing required fields, in document order. `apiVersion` and `kind` themselves are not checked.
    /// Returns nil when the table does not have the kind (not in scope, or another version).
    public static func validate(_ object: Value, apiVersion: String, kind: String) -> [SchemaViolation]? {
        let table = SchemaTable.parsed
        guard let root = table.roots[apiVersion + " " + kind], let node = table.nodeIndex[root] else { return nil }
        var validator = SchemaValidator(nodes: table.nodes)
        validator.checkRoot(object, node: node)
        return validator.violations
    }

    /// Checks an object read from a manifest against the schema of its apiVersion and kind; nil when the
    /// table does not have them.
    public static func validate(_ object: KubeObject) -> [SchemaViolation]? {
        validate(object.value, apiVersion: object.apiVersion, kind: object.kind)
    }

    /// The schema type of the field at `path` (map keys and field names from the object root, e.g.
    /// `["spec", "template", "spec", "containers", "resources", "limits", "memory"]`). A list's items are
    /// entered implicitly, or by a component starting with `[` (`"[0]"`, `"[name=redis]"`). nil when the
    /// kind or the path is unknown, or the path goes below a free-form object.
    public static func expectedType(apiVersion: String, kind: String, path: [String]) -> SchemaType? {
        resolve(apiVersion: apiVersion, kind: kind, path: path)?.type
    }

    /// The allowed values of the string field at `path` (or of each item, for a list of strings such as
    /// `spec.accessModes`); nil when the field is not an enum or the path is unknown.
    public static func allowedValues(apiVersion: String, kind: String, path: [String]) -> [String]? {
        guard let (type, field) = resolve(apiVersion: apiVersion, kind: kind, path: path) else { return nil }
        switch type {
        case .string, .list(.string): return field?.allowedValues
        default: return nil
        }
    }

    /// The keys that identify the items of the list at `path` (`x-kubernetes-list-map-keys`):
    /// `["name"]` for containers, `["containerPort", "protocol"]` for container ports; for
    /// `spec.volumeClaimTemplates` `["metadata.name"]` (a dotted key names a nested field; the schema
    /// calls that list atomic, but the StatefulSet controller identifies claims by template name).
    /// nil for atomic lists and sets, and when the path is not a list.
    public static func listMapKeys(apiVersion: String, kind: String, path: [String]) -> [String]? {
        guard let (type, field) = resolve(apiVersion: apiVersion, kind: kind, path: path),
              case .list = type else { return nil }
        return field?.listKeys
    }

    /// The type at `path` and the field that declared it: nil at the root; for the items of a list or the
    /// values of a map, the list's or map's field.
    static func resolve(apiVersion: String, kind: String, path: [String]) -> (type: SchemaType, field: SchemaField?)? {
        let table = SchemaTable.parsed
        guard let root = table.roots[apiVersion + " " + kind] else { return nil }
        var type = SchemaType.object(root)
        var field: SchemaField?
        var index = 0
        while index < path.count {
            let component = path[index]
            switch type {
            case .object(let name):
                guard let next = table.node(named: name)?.fields[component] else { return nil }
                type = next.type
                field = next
                index += 1
            case .list(let item):
                type = item
                if component.hasPrefix("[") { index += 1 }   // else the component applies to the item
            case .map(let item):
                type = item
                index += 1
            default:
                return nil
            }
        }
        return (type, field)
    }
}
