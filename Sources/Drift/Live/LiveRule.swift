import KubeModel
import Findings

/// One live rule: its descriptor, its check, and the examples that prove it (STYLE §7).
struct LiveRule: Sendable {
    var descriptor: RuleDescriptor
    var examples: [LiveExample]
    var check: @Sendable (LiveContext) -> [Finding]

    static let all: [LiveRule] = [
        PVCUsageHigh.rule, BackupStale.rule, RestoreDrillStale.rule, StatefulSetNotReady.rule,
        StatefulSetRolloutStuck.rule, PVReleasedOrFailed.rule, PVCPendingOrLost.rule,
    ]

    static func descriptor(_ id: String) -> RuleDescriptor? { all.first { $0.descriptor.id == id }?.descriptor }
}

/// A pass or fail example of a live rule: live objects (YAML, several documents), optionally the desired
/// objects of git (YAML: a fail example's findings must point into it), PVC usage, all checked at
/// `LiveExample.now` with the default params.
struct LiveExample: Sendable {
    enum Expectation: String, Sendable { case pass, fail }
    var expectation: Expectation
    var live: String
    var desired: String = ""
    var usage: [PVCUsageSample] = []
    /// What the example shows.
    var note: String

    /// 2026-12-01T00:00:00Z: the clock of every example.
    static let now: Int64 = 1_796_083_200

    static func pass(_ note: String, live: String, desired: String = "", usage: [PVCUsageSample] = []) -> LiveExample {
        LiveExample(expectation: .pass, live: live, desired: desired, usage: usage, note: note)
    }
    static func fail(_ note: String, live: String, desired: String = "", usage: [PVCUsageSample] = []) -> LiveExample {
        LiveExample(expectation: .fail, live: live, desired: desired, usage: usage, note: note)
    }
}
