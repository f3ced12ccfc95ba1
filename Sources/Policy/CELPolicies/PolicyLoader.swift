import KubeModel
import Findings
import ManifestIO
import CEL

/// Reads policy files (`kind: Policy`, or plain ValidatingAdmissionPolicy) and compiles every expression
/// once. Any problem is a `ConfigError` naming file, line and column: a broken pack must not load.
public enum PolicyLoader {
    public static let declarations = CELDeclarations(
        variables: ["object", "oldObject", "live", "objects", "params", "namespaceObject", "request"],
        functions: PolicyFunctions.all)

    /// The declarations with a rule's variables (`variables.<name>`), each computed on first use.
    static func declarations(ruleVariables names: [String]) -> CELDeclarations {
        var d = declarations
        for name in names { d.variables.insert("variables." + name) }
        return d
    }

    /// A rule's variables, compiled in order: each may read the ones before it. Names are CEL identifiers,
    /// each used once.
    static func variables(_ list: [Value]) throws(ConfigError) -> [(String, CompiledExpression)] {
        var variables: [(String, CompiledExpression)] = []
        for variable in list {
            try allowOnly(variable, ["name", "expression"], in: "a variable")
            let name = try string(variable, "name")
            guard let first = name.unicodeScalars.first, first == "_" || (first.isASCII && first.properties.isAlphabetic),
                  name.unicodeScalars.allSatisfy({ $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0))) }) else {
                throw ConfigError("variable name \(jsonQuoted(name)) is not a CEL identifier", at: variable["name"]?.span)
            }
            guard !variables.contains(where: { $0.0 == name }) else {
                throw ConfigError("variable \(name) is defined twice", at: variable["name"]?.span)
            }
            variables.append((name, try compile(variable, "expression", variables: variables.map(\.0))))
        }
        return variables
    }

    /// Rules and the params their files declare, from one file's documents.
    public static func rules(from documents: [Value]) throws(ConfigError) -> [PolicyRule] {
        var rules: [PolicyRule] = []
        for document in documents where !document.isNull {
            let kind = document["kind"]?.stringValue
            let apiVersion = document["apiVersion"]?.stringValue ?? ""
            switch (apiVersion, kind) {
            case ("ballast.dev/v1alpha1", "Policy"): rules += try policy(document)
            case (let v, "ValidatingAdmissionPolicy") where v.hasPrefix("admissionregistration.k8s.io/"):
                rules += try ValidatingAdmissionPolicyReader.rules(from: document)
            case (_, "ValidatingAdmissionPolicyBinding"): continue   // bindings select clusters, not files
            default:
                throw ConfigError("not a policy: expected apiVersion ballast.dev/v1alpha1, kind Policy (or a ValidatingAdmissionPolicy)",
                                  at: document.span)
            }
        }
        return rules
    }

    static func policy(_ document: Value) throws(ConfigError) -> [PolicyRule] {
        try allowOnly(document, ["apiVersion", "kind", "metadata", "spec"], in: "a Policy")
        guard let spec = document["spec"], spec.isMap else { throw ConfigError("a Policy needs a spec", at: document.span) }
        try allowOnly(spec, ["params", "rules"], in: "spec")
        let params = spec["params"]?.mapEntries ?? []
        guard let list = spec["rules"]?.listValue else { throw ConfigError("spec.rules must be a list", at: spec.span) }
        var rules: [PolicyRule] = []
        for item in list { rules.append(try rule(item, params: params)) }
        return rules
    }

    static let ruleKeys = ["id", "severity", "summary", "description", "remediation", "on", "match", "when", "variables",
                           "validate", "message", "messageExpression", "fieldPath", "fieldPathExpression", "examples"]

    static func rule(_ item: Value, params: [Value.Entry]) throws(ConfigError) -> PolicyRule {
        try allowOnly(item, ruleKeys, in: "a rule")
        let id = try string(item, "id")
        guard !id.isEmpty, id.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "-" }), id.first?.isLetter == true else {
            throw ConfigError("rule id \(jsonQuoted(id)) is not kebab-case", at: item["id"]?.span)
        }
        let severityText = try optionalString(item, "severity") ?? "error"
        guard let severity = Severity(rawValue: severityText) else {
            throw ConfigError("severity must be error, warning or info", at: item["severity"]?.span)
        }
        let triggerText = try optionalString(item, "on") ?? "lint"
        guard let trigger = RuleTrigger(rawValue: triggerText) else {
            throw ConfigError("on must be lint, change or live", at: item["on"]?.span)
        }
        let descriptor = RuleDescriptor(id: id, severity: severity, summary: try optionalString(item, "summary") ?? id,
                                        description: try optionalString(item, "description") ?? "",
                                        remediation: try optionalString(item, "remediation") ?? "")
        let match = try ruleMatch(item["match"])
        let variables = try Self.variables(item["variables"]?.listValue ?? [])
        let names = variables.map(\.0)
        guard item["validate"] != nil else { throw ConfigError("rule \(id) has no validate expression", at: item.span) }
        let validate = try compile(item, "validate", variables: names)
        let when = item["when"] == nil ? nil : try compile(item, "when", variables: names)
        let messageExpression = item["messageExpression"] == nil ? nil : try compile(item, "messageExpression", variables: names)
        let fieldPathExpression = item["fieldPathExpression"] == nil ? nil : try compile(item, "fieldPathExpression", variables: names)
        let programs = ([validate, when, messageExpression, fieldPathExpression].compactMap { $0 } + variables.map(\.1)).map(\.program)
        let (readsObjects, usesIndex) = indexNeeds(programs, match: match)
        return PolicyRule(descriptor: descriptor, trigger: trigger, match: match, when: when, variables: variables,
                          validate: validate, message: try optionalString(item, "message"),
                          messageExpression: messageExpression, fieldPath: try optionalString(item, "fieldPath"),
                          fieldPathExpression: fieldPathExpression, examples: try examples(item["examples"], id: id, trigger: trigger),
                          origin: item["id"]?.span ?? item.span, paramDefaults: params, needsIndex: usesIndex, readsObjects: readsObjects)
    }

    /// The functions that read the object index.
    static let indexedFunctions: Set<String> = ["lookup", "objectsOf", "objectsSelecting", "backupCronJobs", "restoreTestCronJobs", "sourceOf",
                                                "podTemplatesSelected", "podTemplateLabels"]

    /// Whether a rule reads `objects` (every object is then built once per run), and whether it needs the
    /// index: it reads `objects`, calls an indexed function, or asks whether a StorageClass is data tier.
    static func indexNeeds(_ programs: [CELProgram], match: RuleMatch) -> (readsObjects: Bool, needsIndex: Bool) {
        let readsObjects = programs.contains { $0.variablesRead.contains("objects") }
        let needsIndex = readsObjects || programs.contains { !$0.functionsCalled.isDisjoint(with: indexedFunctions) }
            || (programs.contains { $0.functionsCalled.contains("isDataTier") }
                && match.mayMatch(ObjectRef(group: "storage.k8s.io", kind: "StorageClass", namespace: nil, name: "")))
        return (readsObjects, needsIndex)
    }

    static func ruleMatch(_ value: Value?) throws(ConfigError) -> RuleMatch {
        var match = RuleMatch()
        guard let value, !value.isNull else { return match }
        try allowOnly(value, ["kinds", "namespaces", "names", "labelSelector"], in: "match")
        match.kinds = Set(try strings(value["kinds"], "match.kinds"))
        for kind in match.kinds where KindCatalog.info(qualifiedKind: kind) == nil && !kind.contains("/") && kind.first?.isUppercase != true {
            throw ConfigError("match.kinds: \(jsonQuoted(kind)) is not a kind (write apps/StatefulSet, Service...)", at: value["kinds"]?.span)
        }
        match.namespaces = Set(try strings(value["namespaces"], "match.namespaces"))
        match.names = Set(try strings(value["names"], "match.names"))
        if let selector = value["labelSelector"], let entries = selector.mapEntries, !entries.isEmpty {
            let parsed = LabelSelector(labelSelector: selector)
            if let reason = parsed.invalidReason { throw ConfigError(reason, at: selector.span) }
            match.labelSelector = parsed
        }
        return match
    }

    static func examples(_ value: Value?, id: String, trigger: RuleTrigger) throws(ConfigError) -> [PolicyExample] {
        guard let value, !value.isNull else { return [] }
        try allowOnly(value, ["pass", "fail"], in: "examples")
        var out: [PolicyExample] = []
        for (key, expectation) in [("pass", PolicyExample.Expectation.pass), ("fail", .fail)] {
            for (i, item) in (value[key]?.listValue ?? []).enumerated() {
                var example = PolicyExample(ruleID: id, expectation: expectation, number: i + 1, objects: [],
                                            old: nil, new: nil, isChange: trigger == .change, at: nil, span: item.span)
                if trigger == .change {
                    try allowOnly(item, ["old", "new", "objects", "at"], in: "a change example")
                    guard item.entry("old") != nil || item.entry("new") != nil else {
                        throw ConfigError("a change example is {old: ..., new: ...}", at: item.span)
                    }
                    example.old = item["old"].flatMap { $0.isNull ? nil : $0 }
                    example.new = item["new"].flatMap { $0.isNull ? nil : $0 }
                    example.objects = expand(item["objects"])
                    example.at = try optionalString(item, "at")
                } else if item["object"] != nil && item["kind"] == nil {
                    try allowOnly(item, ["object", "at"], in: "an example")
                    example.objects = expand(item["object"])
                    example.at = try optionalString(item, "at")
                } else {
                    example.objects = expand(item)
                }
                out.append(example)
            }
        }
        return out
    }

    /// A manifest, or the items of a `v1 List`.
    static func expand(_ value: Value?) -> [Value] {
        guard let value, !value.isNull else { return [] }
        if value["kind"]?.stringValue == "List" { return value["items"]?.listValue ?? [] }
        return [value]
    }

    /// Compiles `item[key]`, placing a CEL error inside the file: the scalar's position plus the
    /// expression's own line and column.
    static func compile(_ item: Value, _ key: String, variables: [String] = []) throws(ConfigError) -> CompiledExpression {
        guard let value = item[key], let source = value.stringValue else {
            throw ConfigError("\(key) must be a CEL expression (a string)", at: item[key]?.span ?? item.span)
        }
        do {
            let declarations = variables.isEmpty ? Self.declarations : Self.declarations(ruleVariables: variables)
            return CompiledExpression(program: try CELProgram(source, declarations: declarations), span: value.span)
        } catch {
            var span = value.span
            if let s = span, error.line > 0 {
                span = error.line == 1
                    ? SourceSpan(file: s.file, line: s.line, column: s.column + error.column)
                    : SourceSpan(file: s.file, line: s.line + error.line, column: error.column)
            }
            throw ConfigError("invalid CEL in \(key): \(error.message) (expression column \(error.column))", at: span)
        }
    }

    static func allowOnly(_ value: Value, _ keys: [String], in place: String) throws(ConfigError) {
        guard let entries = value.mapEntries else { throw ConfigError("\(place) must be a mapping", at: value.span) }
        for entry in entries where !keys.contains(entry.key) {
            throw ConfigError("unknown key \(jsonQuoted(entry.key)) in \(place) (expected one of: \(keys.joined(separator: ", ")))",
                              at: entry.keySpan)
        }
    }

    static func string(_ value: Value, _ key: String) throws(ConfigError) -> String {
        guard let s = value[key]?.stringValue else { throw ConfigError("\(key) must be a string", at: value[key]?.span ?? value.span) }
        return s
    }

    static func optionalString(_ value: Value, _ key: String) throws(ConfigError) -> String? {
        guard let v = value[key], !v.isNull else { return nil }
        guard let s = v.stringValue else { throw ConfigError("\(key) must be a string", at: v.span) }
        return s
    }

    static func strings(_ value: Value?, _ what: String) throws(ConfigError) -> [String] {
        guard let value, !value.isNull else { return [] }
        guard let list = value.listValue else { throw ConfigError("\(what) must be a list of strings", at: value.span) }
        var out: [String] = []
        for item in list {
            guard let s = item.stringValue else { throw ConfigError("\(what) must be a list of strings", at: item.span) }
            out.append(s)
        }
        return out
    }
}
