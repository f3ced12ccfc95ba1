/// Walks a value against the table, as the API server's strict decoding and enum validation would judge
/// it, and collects violations in document order.
///
/// Decoding follows what kubectl sends (sigs.k8s.io/yaml, then encoding/json): null is absent anywhere
/// (kubectl drops nulls), so a null required field is missing; an integral float such as `3.0` is an
/// integer; int-or-string keeps either; a quantity is a string in its grammar or a number.
struct SchemaValidator {
    let nodes: [String: SchemaNode]
    var violations: [SchemaViolation] = []

    init(nodes: [String: SchemaNode]) { self.nodes = nodes }

    /// Checks `value` (not null) as `type`; `allowed` is the enum of the innermost string, `field` the
    /// field that declared the type (for list keys).
    mutating func check(_ value: Value, as type: SchemaType, allowed: [String]?, field: SchemaField?, path: String,
                        isRoot: Bool = false) {
        if value.isNull { return }
        switch type {
        case .string:
            guard case .string(let text) = value.kind else { return wrongType(type, value, path) }
            if let allowed, !allowed.contains(text) {
                violations.append(SchemaViolation(problem: .invalidEnum(value: text, allowed: allowed), path: path,
                                                  span: value.span))
            }
        case .boolean:
            guard case .bool = value.kind else { return wrongType(type, value, path) }
        case .int32, .int64:
            let integer: Int64
            switch value.kind {
            case .int(let i): integer = i
            case .number(let text):
                guard let i = SchemaScalars.integralValue(text) else { return wrongType(type, value, path) }
                integer = i
            default: return wrongType(type, value, path)
            }
            if type == .int32 && Int32(exactly: integer) == nil {
                wrongType("int32", found: "integer \(integer)", value, path)
            }
        case .number:
            switch value.kind {
            case .int, .number: break
            default: wrongType(type, value, path)
            }
        case .intOrString:
            switch value.kind {
            case .int, .string: break
            case .number(let text) where SchemaScalars.integralValue(text) != nil: break
            default: wrongType(type, value, path)
            }
        case .quantity:
            switch value.kind {
            case .int: break
            case .string(let text), .number(let text):
                if Quantity.parse(text) == nil { wrongType(type.description, found: "\(value.typeName) \(value.json)", value, path) }
            default: wrongType(type, value, path)
            }
        case .bytes:
            guard case .string(let text) = value.kind else { return wrongType(type, value, path) }
            // The data itself stays out of the message: it may be a Secret's.
            if !SchemaScalars.isBase64(text) { wrongType(type.description, found: "string that is not base64", value, path) }
        case .time:
            guard case .string(let text) = value.kind else { return wrongType(type, value, path) }
            if !SchemaScalars.isRFC3339(text) { wrongType(type.description, found: "string \(value.json)", value, path) }
        case .freeForm:
            guard value.isMap else { return wrongType(type, value, path) }
        case .object(let name):
            guard case .map(let entries) = value.kind else { return wrongType(type, value, path) }
            checkObject(value, entries: entries, node: nodes[name] ?? SchemaNode(fields: [:], required: []), path: path,
                        isRoot: isRoot)
        case .list(let item):
            guard case .list(let items) = value.kind else { return wrongType(type, value, path) }
            let segments = SchemaPath.itemSegments(items, key: field?.pathKey)
            for (element, segment) in zip(items, segments) {
                check(element, as: item, allowed: allowed, field: nil, path: path + segment)
            }
        case .map(let item):
            guard case .map(let entries) = value.kind else { return wrongType(type, value, path) }
            for entry in entries {
                check(entry.value, as: item, allowed: allowed, field: nil, path: SchemaPath.child(path, key: entry.key))
            }
        }
    }

    private mutating func checkObject(_ value: Value, entries: [Value.Entry], node: SchemaNode, path: String,
                                      isRoot: Bool) {
        for entry in entries {
            // The reader has already judged apiVersion and kind.
            if isRoot && (entry.key == "apiVersion" || entry.key == "kind") { continue }
            let childPath = SchemaPath.child(path, key: entry.key)
            guard let field = node.fields[entry.key] else {
                violations.append(SchemaViolation(problem: .unknownField(entry.key), path: childPath,
                                                  span: entry.keySpan ?? entry.value.span))
                continue
            }
            check(entry.value, as: field.type, allowed: field.allowedValues, field: field, path: childPath)
        }
        for name in node.required where !(isRoot && (name == "apiVersion" || name == "kind")) {
            let present = entries.last(where: { $0.key == name }).map { !$0.value.isNull } ?? false
            if !present {
                violations.append(SchemaViolation(problem: .missingRequired(name), path: SchemaPath.child(path, key: name),
                                                  span: value.span))
            }
        }
    }

    private mutating func wrongType(_ expected: SchemaType, _ value: Value, _ path: String) {
        wrongType(expected.description, found: value.typeName, value, path)
    }

    private mutating func wrongType(_ expected: String, found: String, _ value: Value, _ path: String) {
        violations.append(SchemaViolation(problem: .wrongType(expected: expected, found: found), path: path,
                                          span: value.span))
    }
}

/// Field paths in the grammar of DESIGN §6.
enum SchemaPath {
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

    /// One segment per item: `[name=redis]` when the list has a key and the item's value for it is a scalar
    /// found in no other item; `[3]` otherwise. A dotted key (`metadata.name`) is looked up nested and
    /// named by its last component.
    static func itemSegments(_ items: [Value], key: String?) -> [String] {
        guard let key else { return items.indices.map { "[\($0)]" } }
        let keyPath = key.split(separator: ".").map(String.init)
        let label = keyPath.last ?? key
        let values = items.map { item -> String? in
            guard let value = item[path: keyPath] else { return nil }
            switch value.kind {
            case .string(let s): return s
            case .int(let i): return String(i)
            case .number(let n): return n
            case .bool(let b): return b ? "true" : "false"
            default: return nil
            }
        }
        var counts: [String: Int] = [:]
        for value in values { if let value { counts[value, default: 0] += 1 } }
        return values.enumerated().map { index, value in
            if let value, counts[value] == 1 { return "[\(label)=\(value)]" }
            return "[\(index)]"
        }
    }
}
