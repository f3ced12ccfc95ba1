/// A `metav1.LabelSelector` (`matchLabels` and `matchExpressions`), or a plain map selector as Services
/// use. Semantics as in k8s.io/apimachinery/pkg/labels: all requirements must hold; an empty selector
/// selects everything (Services: nothing; callers decide).
public struct LabelSelector: Sendable, Equatable {
    public enum Operator: String, Sendable { case `in` = "In", notIn = "NotIn", exists = "Exists", doesNotExist = "DoesNotExist" }
    public struct Requirement: Sendable, Equatable {
        public var key: String
        public var op: Operator
        public var values: [String]
    }
    public var matchLabels: [String: String]
    public var requirements: [Requirement]
    /// Why the selector is invalid (an unknown operator, a missing value list), when it is.
    public var invalidReason: String?

    public init(matchLabels: [String: String], requirements: [Requirement] = []) {
        self.matchLabels = matchLabels; self.requirements = requirements
    }

    /// Reads a `LabelSelector` value (`{matchLabels, matchExpressions}`).
    public init(labelSelector value: Value) {
        matchLabels = value["matchLabels"]?.stringMap ?? [:]
        requirements = []
        for expression in value["matchExpressions"]?.listValue ?? [] {
            let key = expression["key"]?.stringValue ?? ""
            guard let opText = expression["operator"]?.stringValue, let op = Operator(rawValue: opText) else {
                invalidReason = "matchExpressions operator \(jsonQuoted(expression["operator"]?.stringValue ?? "")) is not In, NotIn, Exists or DoesNotExist"
                continue
            }
            let values = (expression["values"]?.listValue ?? []).compactMap(\.stringValue)
            requirements.append(Requirement(key: key, op: op, values: values))
        }
    }

    /// Reads a plain map selector (Service `spec.selector`).
    public init(mapSelector value: Value) { self.init(matchLabels: value.stringMap) }

    public var isEmpty: Bool { matchLabels.isEmpty && requirements.isEmpty }

    /// Whether the selector selects an object with `labels`.
    public func matches(_ labels: [String: String]) -> Bool {
        if invalidReason != nil { return false }
        for (key, value) in matchLabels where labels[key] != value { return false }
        for r in requirements {
            switch r.op {
            case .in: guard let v = labels[r.key], r.values.contains(v) else { return false }
            case .notIn: if let v = labels[r.key], r.values.contains(v) { return false }
            case .exists: if labels[r.key] == nil { return false }
            case .doesNotExist: if labels[r.key] != nil { return false }
            }
        }
        return true
    }

    /// `app=redis,tier in (cache)`, as kubectl prints selectors.
    public var description: String {
        var parts = matchLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        for r in requirements {
            switch r.op {
            case .in: parts.append("\(r.key) in (\(r.values.joined(separator: ",")))")
            case .notIn: parts.append("\(r.key) notin (\(r.values.joined(separator: ",")))")
            case .exists: parts.append(r.key)
            case .doesNotExist: parts.append("!\(r.key)")
            }
        }
        return parts.joined(separator: ",")
    }
}
