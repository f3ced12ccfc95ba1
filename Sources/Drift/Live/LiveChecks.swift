public import KubeModel
public import Findings

/// How full one PVC is, as the kubelet's stats say (`1 - availableBytes/capacityBytes`, reserved blocks
/// counted as used, as `df` does). Plain data: the CLI copies it from ClusterSource's `PVCUsage`.
public struct PVCUsageSample: Sendable, Hashable {
    /// The claim's namespace.
    public var namespace: String
    /// The claim's name.
    public var name: String
    /// 0...1.
    public var usedFraction: Double
    /// A sample of one claim.
    public init(namespace: String, name: String, usedFraction: Double) {
        self.namespace = namespace; self.name = name; self.usedFraction = usedFraction
    }
}

/// The thresholds of the live checks (`.ballast.yaml` `params:` may set them).
public struct LiveCheckParams: Sendable, Hashable {
    /// `pvc-usage-high` warns at this used percentage…
    public var pvcUsageWarning: Double = 80
    /// …and is an error at this one.
    public var pvcUsageError: Double = 90
    /// `statefulset-rollout-stuck`: a rollout unfinished this long after the last spec change is stuck.
    public var rolloutStuckSeconds: Int64 = 1800
    /// The RPO of a StatefulSet that declares none with `ballast.dev/rpo` (the lint pack's `rpoHours`
    /// is 24); nil: only declared RPOs and schedules are checked.
    public var rpoSeconds: Int64? = 86_400
    /// `restore-drill-stale`: a restore drill older than this many days is stale.
    public var restoreDrillMaxDays: Int64 = 30
    /// How long a backup run may take when its Job sets no `activeDeadlineSeconds` (`backup-stale`).
    public var backupGraceSeconds: Int64 = 3600
    /// `pvc-pending-or-lost`: a claim Pending this long after creation is reported (a claim waits for its
    /// first pod under `WaitForFirstConsumer`).
    public var pvcPendingSeconds: Int64 = 900
    /// The defaults above.
    public init() {}
}

/// What the live checks found, and the figures the reports chart.
public struct LiveCheckResult: Sendable {
    /// Category `.live`, sorted by object then rule.
    public var findings: [Finding] = []
    /// PVC usage ratios and backup ages, for the HTML and Prometheus reports.
    public var metrics = LiveMetrics()
    /// No findings, no metrics.
    public init() {}
}

/// Checks of the live cluster that the manifests cannot show (DESIGN §6 "live-only findings"): full
/// volumes, stale backups and restore drills, StatefulSets not ready or stuck in a rollout, PVs Released
/// or Failed, claims Pending or Lost. Each finding names the live object, points at its desired object in
/// git when there is one (else it has no span), and says what to do. Pure: the clock is a parameter.
public struct LiveChecks: Sendable {
    /// The thresholds used.
    public var params: LiveCheckParams

    /// Checks with `params` (the defaults unless `.ballast.yaml` sets them).
    public init(params: LiveCheckParams = LiveCheckParams()) { self.params = params }

    /// The rules, for SARIF and `policies list`.
    public static var rules: [RuleDescriptor] { LiveRule.all.map(\.descriptor) }

    /// Runs every rule. `desired`: the objects of the repository (with spans and effective namespaces);
    /// `live`: the objects read from the cluster or a snapshot; `usage`: PVC usage from kubelet stats
    /// (empty when not read); `now`: Unix seconds.
    public func run(desired: [KubeObject], live: [KubeObject], usage: [PVCUsageSample], now: Int64) -> LiveCheckResult {
        run(desired: desired, live: CompactObjects(live), usage: usage, now: now)
    }

    /// The same over packed live objects: each rule rebuilds only the objects of the kinds it judges.
    public func run(desired: [KubeObject], live: CompactObjects, usage: [PVCUsageSample], now: Int64) -> LiveCheckResult {
        let context = LiveContext(desired: desired, live: live, usage: usage, now: now, params: params)
        var result = LiveCheckResult()
        for rule in LiveRule.all { result.findings += rule.check(context) }
        result.findings.sort { a, b in
            let ra = a.object ?? ObjectRef(group: "", kind: "", namespace: nil, name: "")
            let rb = b.object ?? ObjectRef(group: "", kind: "", namespace: nil, name: "")
            return ra != rb ? ra < rb : a.ruleID < b.ruleID
        }
        result.metrics = LiveMetrics(
            pvcUsage: usage.sorted { ($0.namespace, $0.name) < ($1.namespace, $1.name) }
                .map { PVCUsageMetric(namespace: $0.namespace, name: $0.name, usedRatio: $0.usedFraction) },
            backupAges: context.backupJobs.map { job in
                BackupAgeMetric(namespace: job.object.namespace ?? "", cronJob: job.object.name,
                                ageSeconds: job.lastSuccess.map { now - $0 })
            })
        return result
    }
}
