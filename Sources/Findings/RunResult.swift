import KubeModel

/// Something the run could not read at all: it makes the run incomplete (exit 3).
public struct ReadFailure: Sendable, Hashable {
    /// What could not be read: a path, a repository, a cluster list.
    public var source: String
    public var reason: String
    public init(source: String, reason: String) { self.source = source; self.reason = reason }
}

/// `--fail-on`: the lowest severity that fails the run.
public enum FailOn: String, Sendable, CaseIterable {
    case error, warning, info, never
    public func fails(_ severity: Severity) -> Bool {
        switch self {
        case .error: severity >= .error
        case .warning: severity >= .warning
        case .info: true
        case .never: false
        }
    }
}

/// Everything a run found, and what it could not read. The exit code is computed here, once.
public struct RunResult: Sendable {
    public var findings: [Finding]
    /// Notes: skipped files and kinds (severity info; never change the exit code).
    public var notes: [Finding]
    public var failures: [ReadFailure]
    /// Files read and objects checked, for the summary.
    public var filesRead: Int
    public var objectsChecked: Int
    /// Rules that ran, for SARIF's rule metadata.
    public var rules: [RuleDescriptor]
    /// `gate`: findings that the base revision already had (not reported, counted).
    public var preexistingCount: Int = 0
    /// `gate`: objects that changed between base and head.
    public var changedObjects: Int = 0
    /// `drift`/`check`: differences between git and the live cluster (DESIGN §6).
    public var drift: [DriftItem] = []
    /// `drift`/`check`: desired objects that could not be compared; each makes the run incomplete.
    public var uncompared: [UncomparedObject] = []
    /// `drift`/`check`: desired objects compared with the live cluster (nil when no comparison ran).
    public var objectsCompared: Int?
    /// `check`: live figures (PVC usage, backup ages) for the HTML and Prometheus reports.
    public var liveMetrics = LiveMetrics()
    /// When the run started (RFC 3339) and how long it took, for the reports' headers and metrics.
    public var startedAt: String?
    public var durationSeconds: Double?
    /// Versions of the tools the run used (`kustomize: v5.8.1`), for the report.
    public var toolVersions: [String: String] = [:]

    public init(findings: [Finding] = [], notes: [Finding] = [], failures: [ReadFailure] = [],
                filesRead: Int = 0, objectsChecked: Int = 0, rules: [RuleDescriptor] = []) {
        self.findings = findings; self.notes = notes; self.failures = failures
        self.filesRead = filesRead; self.objectsChecked = objectsChecked; self.rules = rules
    }

    public var isIncomplete: Bool { !failures.isEmpty || !uncompared.isEmpty }
    /// Drift items that count (not waived or ignored, not resolved since the baseline).
    public var activeDrift: [DriftItem] { drift.filter(\.isActive) }
    /// Findings that count (not suppressed by a waiver).
    public var activeFindings: [Finding] { findings.filter { !$0.isSuppressed } }
    public var suppressedCount: Int { findings.count(where: \.isSuppressed) }

    public func count(_ severity: Severity) -> Int { findings.count(where: { !$0.isSuppressed && $0.severity == severity }) }

    /// `count(_:)` of each severity and `suppressedCount`, in one pass and without copying the findings.
    public var severityCounts: (errors: Int, warnings: Int, infos: Int, suppressed: Int) {
        var counts = (errors: 0, warnings: 0, infos: 0, suppressed: 0)
        for i in findings.indices {
            if findings[i].waiver != nil { counts.suppressed += 1; continue }
            switch findings[i].severity {
            case .error: counts.errors += 1
            case .warning: counts.warnings += 1
            case .info: counts.infos += 1
            }
        }
        return counts
    }

    /// DESIGN §1: 3 when incomplete, else 1 when a finding is at or above `failOn` or drift is found
    /// (as `kubectl diff`), else 0. (2, a usage or configuration error, is decided before a run starts.)
    public func exitCode(failOn: FailOn) -> Int32 {
        if isIncomplete { return 3 }
        // Not through `activeFindings`: a copy of every finding is the largest allocation of a big run.
        if findings.contains(where: { !$0.isSuppressed && failOn.fails($0.severity) }) { return 1 }
        return drift.contains(where: \.isActive) ? 1 : 0
    }

    /// Findings and notes merged, in report order.
    public mutating func sort() {
        findings.sort(by: Finding.reportOrder)
        notes.sort(by: Finding.reportOrder)
        drift.sort(by: DriftItem.reportOrder)
    }
}
