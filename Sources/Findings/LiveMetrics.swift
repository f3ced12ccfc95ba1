/// Measurements of the live cluster that a report shows as figures (HTML bars, Prometheus gauges), beside
/// the findings they may cause.
public struct LiveMetrics: Sendable, Hashable {
    /// Used fraction of each mounted PVC (kubelet stats), 0...1.
    public var pvcUsage: [PVCUsageMetric] = []
    /// Age of the last successful run of each backup CronJob.
    public var backupAges: [BackupAgeMetric] = []
    public init(pvcUsage: [PVCUsageMetric] = [], backupAges: [BackupAgeMetric] = []) {
        self.pvcUsage = pvcUsage; self.backupAges = backupAges
    }
    public var isEmpty: Bool { pvcUsage.isEmpty && backupAges.isEmpty }
}

public struct PVCUsageMetric: Sendable, Hashable {
    public var namespace: String
    public var name: String
    public var usedRatio: Double
    public init(namespace: String, name: String, usedRatio: Double) {
        self.namespace = namespace; self.name = name; self.usedRatio = usedRatio
    }
}

public struct BackupAgeMetric: Sendable, Hashable {
    public var namespace: String
    public var cronJob: String
    /// Seconds since the last successful run; nil when it never succeeded.
    public var ageSeconds: Int64?
    public init(namespace: String, cronJob: String, ageSeconds: Int64?) {
        self.namespace = namespace; self.cronJob = cronJob; self.ageSeconds = ageSeconds
    }
}
