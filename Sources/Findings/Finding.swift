public import KubeModel

/// How serious a finding is. Ordered: `info < warning < error`.
public enum Severity: String, Sendable, Hashable, Comparable, CaseIterable, Codable {
    case info, warning, error
    private var rank: Int { switch self { case .info: 0; case .warning: 1; case .error: 2 } }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// Where a finding comes from.
public enum FindingCategory: String, Sendable, Hashable {
    case lint, change, live
}

/// A waiver that suppressed a finding.
public struct Waiver: Sendable, Hashable {
    public var reason: String
    /// `YYYY-MM-DD`, when the waiver has an end.
    public var until: String?
    public init(reason: String, until: String? = nil) { self.reason = reason; self.until = until }
}

/// One verdict of a rule on one object (or one file, for parse errors).
public struct Finding: Sendable, Hashable {
    public var ruleID: String
    public var severity: Severity
    public var message: String
    /// The object concerned; nil for file-level findings (a parse error).
    public var object: ObjectRef?
    /// Where it points: the offending node, or the object's start.
    public var span: SourceSpan?
    /// Dotted field path from the object root (DESIGN §6 grammar), when the finding is about a field.
    public var path: String?
    public var category: FindingCategory
    public var remediation: String?
    /// Set when a waiver suppresses the finding; suppressed findings stay in JSON and SARIF.
    public var waiver: Waiver?
    /// For change findings: the value at `path` in the base and in the head, as compact JSON
    /// (`<absent>` when missing).
    public var before: String?
    public var after: String?

    public init(ruleID: String, severity: Severity, message: String, object: ObjectRef? = nil,
                span: SourceSpan? = nil, path: String? = nil, category: FindingCategory = .lint,
                remediation: String? = nil, waiver: Waiver? = nil) {
        self.ruleID = ruleID; self.severity = severity; self.message = message; self.object = object
        self.span = span; self.path = path; self.category = category; self.remediation = remediation
        self.waiver = waiver
    }

    public var isSuppressed: Bool { waiver != nil }

    /// The identity of a finding across revisions: rule, object and field path (not the line, which moves).
    public var fingerprint: String { "\(ruleID)|\(object?.description ?? span?.file.path ?? "")|\(path ?? "")" }

    /// Report order: by file, line, column, then rule.
    public static func reportOrder(_ a: Finding, _ b: Finding) -> Bool {
        precedes(a.span, a.ruleID, a.message, b.span, b.ruleID, b.message)
    }

    /// `reportOrder` on the fields it reads, so that a caller holding an array compares findings in place
    /// instead of copying each one out.
    static func precedes(_ aSpan: SourceSpan?, _ aRule: String, _ aMessage: String,
                         _ bSpan: SourceSpan?, _ bRule: String, _ bMessage: String) -> Bool {
        // One id per path: equal ids need no look-up in the file table.
        if aSpan?.file != bSpan?.file {
            let af = aSpan?.file.path ?? "", bf = bSpan?.file.path ?? ""
            if af != bf { return af < bf }
        }
        let ap = aSpan?.start ?? Position(line: 0, column: 0), bp = bSpan?.start ?? Position(line: 0, column: 0)
        if ap != bp { return ap < bp }
        if aRule != bRule { return aRule < bRule }
        return aMessage < bMessage
    }
}

extension Array where Element == Finding {
    /// The findings in report order. An array already in that order (a `RunResult` after `sort()`) comes
    /// back as it is, sparing a copy of every finding; the sort is stable, so it would come back unchanged.
    public var inReportOrder: [Finding] {
        for i in indices.dropFirst()
        where Finding.precedes(self[i].span, self[i].ruleID, self[i].message, self[i - 1].span, self[i - 1].ruleID, self[i - 1].message) {
            return sorted(by: Finding.reportOrder)
        }
        return self
    }
}

/// Metadata of a rule, for SARIF and `policies list`.
public struct RuleDescriptor: Sendable, Hashable {
    public var id: String
    public var severity: Severity
    public var summary: String
    public var description: String
    public var remediation: String
    public init(id: String, severity: Severity, summary: String, description: String = "", remediation: String = "") {
        self.id = id; self.severity = severity; self.summary = summary; self.description = description
        self.remediation = remediation
    }
}
