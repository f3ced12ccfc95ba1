public import KubeModel

/// What can be wrong with a manifest that was read: each case points where it was found.
public enum ManifestError: Error, Equatable, Sendable, CustomStringConvertible {
    /// libyaml's own words, at the position it reports.
    case syntax(problem: String, at: SourceSpan)
    /// A JSON syntax error.
    case json(problem: String, at: SourceSpan)
    case duplicateKey(String, at: SourceSpan, first: SourceSpan)
    case aliasBudgetExceeded(limit: Int, at: SourceSpan)
    case nestingTooDeep(limit: Int, at: SourceSpan)
    case undefinedAlias(String, at: SourceSpan)
    case invalidMergeKey(at: SourceSpan)
    case invalidUTF8(at: SourceSpan)
    case binary(at: SourceSpan)
    case tooLarge(limit: Int, at: SourceSpan)

    public var span: SourceSpan {
        switch self {
        case .syntax(_, let at), .json(_, let at), .duplicateKey(_, let at, _), .aliasBudgetExceeded(_, let at),
             .nestingTooDeep(_, let at), .undefinedAlias(_, let at), .invalidMergeKey(let at), .invalidUTF8(let at),
             .binary(let at), .tooLarge(_, let at):
            at
        }
    }

    /// The rule id of the finding this error becomes.
    public var ruleID: String {
        switch self {
        case .json: "invalid-json"
        case .duplicateKey: "duplicate-key"
        case .invalidUTF8: "invalid-utf8"
        case .binary: "binary-file"
        default: "invalid-yaml"
        }
    }

    /// Lowercase, what was found and what was expected; never a value from the document.
    public var message: String {
        switch self {
        case .syntax(let problem, _): problem
        case .json(let problem, _): problem
        case .duplicateKey(let key, _, let first): "duplicate key \(jsonQuoted(key)) (first at line \(first.line))"
        case .aliasBudgetExceeded(let limit, _):
            "aliases expand to more than \(limit) nodes (a \"billion laughs\" document?); document skipped"
        case .nestingTooDeep(let limit, _): "nesting deeper than \(limit) levels; document skipped"
        case .undefinedAlias(let name, _): "alias *\(name) names no anchor defined before it"
        case .invalidMergeKey: "a merge key (<<) takes a mapping or a list of mappings"
        case .invalidUTF8: "invalid UTF-8; file skipped"
        case .binary: "binary file (NUL bytes); file skipped"
        case .tooLarge(let limit, _): "file larger than \(limit) bytes; file skipped"
        }
    }

    public var description: String { "\(span): \(message)" }
}
