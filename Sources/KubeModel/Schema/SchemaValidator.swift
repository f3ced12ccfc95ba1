/// Walks a value against the table, as the API server's strict decoding and enum validation would judge
/// it, and collects violations in document order.
///
/// Decoding follows what kubectl sends (sigs.k8s.io/yaml, then encoding/json): null is absent anywhere
/// (kubectl drops nulls), so a null required field is missing; an integral float such as `3.0` is an
/// integer; int-or-string keeps either; a quantity is a string in its grammar or a number.
struct SchemaValidator {
    let nodes: [SchemaNode]
    var violations: [SchemaViolation] = []
    /// Where the walk is; rendered into a path string only when a violation is recorded.
    private var components: [SchemaPath.Component] = []

    init(nodes: [SchemaNode]) {
        self.nodes = nodes
        components.reserveCapacity(32)
    }

    /// Checks the object at the root of a document against the type `nodes[root]`.
    mutating func checkRoot(_ value: Value, node root: Int) {
        if value.isNull { return }
        guard case .map(let entries) = value.kind else { return wrongType(SchemaType.object(""), value) }
        checkObject(value, entries: entries, node: nodes[root], isRoot: true)
    }

    /// Checks `value` as `type`. `allowed` is the enum of the innermost string, `pathKey` the key naming the
    /// items of a list, `node` the index of the innermost object type.
    private mutating func check(_ value: Value, as type: SchemaType, allowed: [String]?, pathKey: String?, node: Int?) {
        if value.isNull { return }
        switch type {
        case .object:
            guard case .map(let entries) = value.kind else { return wrongType(type, value) }
            // The table's parser resolves every object type to a node; a type without one has no fields.
            checkObject(value, entries: entries, node: node.map { nodes[$0] } ?? SchemaNode(fields: [:], required: []),
                        isRoot: false)
        case .list(let item):
            guard case .list(let items) = value.kind else { return wrongType(type, value) }
            for (index, element) in items.enumerated() where !element.isNull {
                components.append(.item(index, of: items, key: pathKey))
                check(element, as: item, allowed: allowed, pathKey: nil, node: node)
                components.removeLast()
            }
        case .map(let item):
            guard case .map(let entries) = value.kind else { return wrongType(type, value) }
            for entry in entries where !entry.value.isNull {
                components.append(.key(entry.key))
                check(entry.value, as: item, allowed: allowed, pathKey: nil, node: node)
                components.removeLast()
            }
        default:
            if let problem = Self.scalarProblem(value, as: type, allowed: allowed) { record(problem, span: value.span) }
        }
    }

    /// What is wrong with a non-null value where the schema wants the scalar `type`; nil when it fits.
    static func scalarProblem(_ value: Value, as type: SchemaType, allowed: [String]?) -> SchemaViolation.Problem? {
        var mismatch: SchemaViolation.Problem { .wrongType(expected: type.description, found: value.typeName) }
        switch (type, value.kind) {
        case (.string, .string(let text)):
            guard let allowed, !allowed.contains(text) else { return nil }
            return .invalidEnum(value: text, allowed: allowed)
        case (.boolean, .bool), (.number, .int), (.number, .number), (.intOrString, .int), (.intOrString, .string),
             (.quantity, .int), (.freeForm, .map):
            return nil
        case (.int32, .int(let integer)), (.int64, .int(let integer)):
            guard type == .int32, Int32(exactly: integer) == nil else { return nil }
            return .wrongType(expected: "int32", found: "integer \(integer)")
        case (.int32, .number(let text)), (.int64, .number(let text)):
            guard let integer = SchemaScalars.integralValue(text) else { return mismatch }
            return scalarProblem(Value(.int(integer)), as: type, allowed: nil)
        case (.intOrString, .number(let text)):
            return SchemaScalars.integralValue(text) == nil ? mismatch : nil
        case (.quantity, .string(let text)), (.quantity, .number(let text)):
            return Quantity.parse(text) == nil
                ? .wrongType(expected: type.description, found: "\(value.typeName) \(value.json)") : nil
        case (.bytes, .string(let text)):
            // The data itself stays out of the message: it may be a Secret's.
            return SchemaScalars.isBase64(text) ? nil : .wrongType(expected: type.description, found: "string that is not base64")
        case (.time, .string(let text)):
            return SchemaScalars.isRFC3339(text) ? nil : .wrongType(expected: type.description, found: "string \(value.json)")
        default:
            return mismatch
        }
    }

    private mutating func checkObject(_ value: Value, entries: [Value.Entry], node: SchemaNode, isRoot: Bool) {
        for entry in entries {
            // The reader has already judged apiVersion and kind.
            if isRoot && (entry.key == "apiVersion" || entry.key == "kind") { continue }
            components.append(.key(entry.key))
            if let field = node.fields[entry.key] {
                check(entry.value, as: field.type, allowed: field.allowedValues, pathKey: field.pathKey, node: field.node)
            } else {
                record(.unknownField(entry.key), span: entry.keySpan ?? entry.value.span)
            }
            components.removeLast()
        }
        for name in node.required where !(isRoot && (name == "apiVersion" || name == "kind")) {
            let present = entries.last(where: { $0.key == name }).map { !$0.value.isNull } ?? false
            if !present {
                components.append(.key(name))
                record(.missingRequired(name), span: value.span)
                components.removeLast()
            }
        }
    }

    private mutating func wrongType(_ expected: SchemaType, _ value: Value) {
        record(.wrongType(expected: expected.description, found: value.typeName), span: value.span)
    }

    private mutating func record(_ problem: SchemaViolation.Problem, span: SourceSpan?) {
        violations.append(SchemaViolation(problem: problem, path: SchemaPath.render(components), span: span))
    }
}

/// Field paths in the grammar of DESIGN §6.
enum SchemaPath {
    /// One step of a walk: a map key or field name, or an item of a list (named when rendered, since
    /// naming it by key needs the whole list).
    enum Component {
        case key(String)
        case item(Int, of: [Value], key: String?)
    }

    static func render(_ components: [Component]) -> String {
        var path = ""
        for component in components {
            switch component {
            case .key(let key): path = child(path, key: key)
            case .item(let index, let items, let key): path += itemSegment(index, of: items, key: key)
            }
        }
        return path
    }

    /// `path.key`, or `path["key"]` when the key holds `.` or `/` (or anything else a reader of the path
    /// could mistake for syntax: brackets, quotes, `=`, spaces, or nothing at all).
    static func child(_ path: String, key: String) -> String {
        let needsQuotes = key.isEmpty || key.unicodeScalars.contains { scalar in
            switch scalar {
            case ".", "/", "[", "]", "\"", "=", " ", "\\": true
            default: scalar.value < 0x20
            }
        }
        if needsQuotes { return path + "[" + jsonQuoted(key) + "]" }
        return path.isEmpty ? key : path + "." + key
    }

    /// The segment of item `index`: `[name=redis]` when the list has a key and the item's value for it is a
    /// scalar found in no other item; `[3]` otherwise. A dotted key (`metadata.name`) is looked up nested
    /// and named by its last component.
    static func itemSegment(_ index: Int, of items: [Value], key: String?) -> String {
        guard let key else { return "[\(index)]" }
        let keyPath = key.split(separator: ".").map(String.init)
        func keyValue(_ item: Value) -> String? {
            guard let value = item[path: keyPath] else { return nil }
            switch value.kind {
            case .string(let s): return s
            case .int(let i): return String(i)
            case .number(let n): return n
            case .bool(let b): return b ? "true" : "false"
            default: return nil
            }
        }
        guard index < items.count, let value = keyValue(items[index]),
              items.lazy.filter({ keyValue($0) == value }).count == 1 else { return "[\(index)]" }
        return "[\(keyPath.last ?? key)=\(value)]"
    }
}
