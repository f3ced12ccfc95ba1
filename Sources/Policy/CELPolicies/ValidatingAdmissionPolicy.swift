import KubeModel
import Findings
import CEL

/// Plain `admissionregistration.k8s.io/v1` ValidatingAdmissionPolicy files, evaluated offline: each
/// validation becomes a rule (`<name>` or `<name>-<n>`), matchConstraints' resources become kinds,
/// matchConditions become the precondition, variables carry over. Lint runs with `oldObject == null`.
enum ValidatingAdmissionPolicyReader {
    static func rules(from document: Value) throws(ConfigError) -> [PolicyRule] {
        guard let name = document[path: "metadata", "name"]?.stringValue else {
            throw ConfigError("a ValidatingAdmissionPolicy needs metadata.name", at: document.span)
        }
        let spec = document["spec"] ?? .map([])
        var match = RuleMatch()
        for resourceRule in spec[path: "matchConstraints", "resourceRules"]?.listValue ?? [] {
            let groups = (resourceRule["apiGroups"]?.listValue ?? []).compactMap(\.stringValue)
            for resource in (resourceRule["resources"]?.listValue ?? []).compactMap(\.stringValue) {
                let plural = String(resource.split(separator: "/").first ?? "")
                for info in KindCatalog.inScope + KindCatalog.others
                where info.plural == plural && (groups.contains("*") || groups.contains(info.group)) {
                    match.kinds.insert(info.qualifiedKind)
                }
            }
        }
        let variables = try PolicyLoader.variables(spec["variables"]?.listValue ?? [])
        let names = variables.map(\.0)
        let conditions = try (spec["matchConditions"]?.listValue ?? []).map { (c) throws(ConfigError) -> String in
            try PolicyLoader.string(c, "expression")
        }
        let when: CompiledExpression?
        if conditions.isEmpty {
            when = nil
        } else {
            let source = conditions.map { "(\($0))" }.joined(separator: " && ")
            do { when = CompiledExpression(program: try CELProgram(source, declarations: PolicyLoader.declarations), span: spec["matchConditions"]?.span) }
            catch { throw ConfigError("invalid CEL in matchConditions: \(error.message)", at: spec["matchConditions"]?.span) }
        }
        let validations = spec["validations"]?.listValue ?? []
        guard !validations.isEmpty else { throw ConfigError("a ValidatingAdmissionPolicy needs spec.validations", at: spec.span) }
        var rules: [PolicyRule] = []
        for (i, validation) in validations.enumerated() {
            let id = validations.count == 1 ? name : "\(name)-\(i + 1)"
            let validate = try PolicyLoader.compile(validation, "expression", variables: names)
            let messageExpression = validation["messageExpression"] == nil ? nil : try PolicyLoader.compile(validation, "messageExpression", variables: names)
            let programs = [validate.program] + (messageExpression.map { [$0.program] } ?? []) + (when.map { [$0.program] } ?? [])
                + variables.map(\.1.program)
            let (readsObjects, needsIndex) = PolicyLoader.indexNeeds(programs, match: match)
            rules.append(PolicyRule(
                descriptor: RuleDescriptor(id: id, severity: .error, summary: validation["message"]?.stringValue ?? "ValidatingAdmissionPolicy \(name)",
                                           description: "From the ValidatingAdmissionPolicy \(name)."),
                trigger: .lint, match: match, when: when, variables: variables, validate: validate,
                message: validation["message"]?.stringValue, messageExpression: messageExpression,
                fieldPath: nil, fieldPathExpression: nil, examples: [], origin: validation.span, paramDefaults: [],
                needsIndex: needsIndex, readsObjects: readsObjects))
        }
        return rules
    }
}
