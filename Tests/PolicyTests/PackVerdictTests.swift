import Testing
import Foundation
import KubeModel
import Findings
import ManifestIO
@testable import Policy
@testable import Lint

/// Verdicts of the built-in pack that its examples cannot show: messages, and params other than the defaults.
@Suite("Built-in pack verdicts")
struct PackVerdictTests {
    static func statefulSet(_ replicas: Int, templates: [String] = ["data"]) -> String {
        """
        apiVersion: apps/v1
        kind: StatefulSet
        metadata: {name: redis, namespace: db}
        spec:
          replicas: \(replicas)
          serviceName: redis-headless
          selector: {matchLabels: {app: redis}}
          template:
            metadata: {labels: {app: redis}}
            spec: {containers: [{name: redis, image: "redis:7.2.5"}]}
          volumeClaimTemplates:
        \(templates.map { "  - {metadata: {name: \($0)}, spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}}" }.joined(separator: "\n"))
        """
    }

    func scaleDownMessage(_ before: Int, _ after: Int, templates: [String] = ["data"]) throws -> String {
        let reader = ManifestReader()
        let base = reader.parse(Array(Self.statefulSet(before, templates: templates).utf8), file: FileID("base.yaml"), json: false)
        let head = reader.parse(Array(Self.statefulSet(after, templates: templates).utf8), file: FileID("head.yaml"), json: false)
        let result = Gate(options: LintOptions(), pack: try PolicyPack.builtIn()).run(base: [base], head: [head])
        return try #require(result.findings.first { $0.ruleID == "statefulset-scale-down" }).message
    }

    @Test func scaleDownNamesEachClaimUpToTen() throws {
        #expect(try scaleDownMessage(3, 1) == "replicas 3 → 1: PVCs data-redis-1, data-redis-2 are left behind with their data")
        let ten = try scaleDownMessage(11, 1, templates: ["data", "aof"])
        #expect(ten.contains("data-redis-1, data-redis-2, data-redis-3, data-redis-4, data-redis-5, data-redis-6, data-redis-7, data-redis-8, data-redis-9, data-redis-10, aof-redis-1"))
        #expect(ten.contains("aof-redis-10 are left behind"))
    }

    @Test func scaleDownBeyondTenIsARange() throws {
        #expect(try scaleDownMessage(20, 3, templates: ["data", "aof"])
                == "replicas 20 → 3: PVCs data-redis-3 … data-redis-19 (17 claims), aof-redis-3 … aof-redis-19 (17 claims) are left behind with their data")
    }

    /// Lints `yaml` with the built-in pack and `.ballast.yaml` params.
    func findings(_ yaml: String, params: String = "") throws -> [Finding] {
        var options = LintOptions()
        if !params.isEmpty { options.config = try config("params: \(params)\n") }
        let file = ManifestReader().parse(Array(yaml.utf8), file: FileID("t.yaml"), json: false)
        return Linter(options: options, pack: try PolicyPack.builtIn()).lint([file]).findings
    }

    @Test func externalMonitoringSilencesStorageAlerts() throws {
        let sts = Self.statefulSet(3)
        #expect(try findings(sts).contains { $0.ruleID == "storage-alerts-present" })
        #expect(try !findings(sts, params: "{monitoring: external}").contains { $0.ruleID == "storage-alerts-present" })
        // Thresholds are params: an alert at 85 % covers once the warning level is 85.
        let rule = """
            ---
            apiVersion: monitoring.coreos.com/v1
            kind: PrometheusRule
            metadata: {name: volumes, namespace: db}
            spec:
              groups:
              - name: volumes
                rules:
                - {alert: Filling, expr: 'kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes > 0.85', labels: {severity: warning}}
                - {alert: Full, expr: 'kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes > 0.9', labels: {severity: critical}}
            """
        let alerting = try #require(try findings(sts + "\n" + rule).first { $0.ruleID == "storage-alerts-present" })
        #expect(alerting.message == "the claims of redis (namespace db) have no volume usage alert at 80% used")
        #expect(try !findings(sts + "\n" + rule, params: "{volumeUsageWarning: 85}").contains { $0.ruleID == "storage-alerts-present" })
    }

    @Test func antiAffinityNamesTheLikelyTypo() throws {
        let yaml = """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: zk, namespace: db}
            spec:
              replicas: 3
              serviceName: zk
              selector: {matchLabels: {app.kubernetes.io/name: zk, tier: data}}
              template:
                metadata: {labels: {app.kubernetes.io/name: zk, tier: data}}
                spec:
                  affinity:
                    podAntiAffinity:
                      requiredDuringSchedulingIgnoredDuringExecution:
                      - {topologyKey: kubernetes.io/hostname, labelSelector: {matchExpressions: [{key: app, operator: In, values: [zk]}]}}
                      - {topologyKey: topology.kubernetes.io/zone, labelSelector: {matchLabels: {tier: cache}}}
                      - {topologyKey: kubernetes.io/hostname, labelSelector: {matchLabels: {team: search}}}
                  containers: [{name: zk, image: "zookeeper:3.9.2"}]
            """
        let finding = try #require(try findings(yaml).first { $0.ruleID == "anti-affinity-self-selects" })
        #expect(finding.message.hasPrefix("none of the 3 anti-affinity / spread terms selects the pods' own labels (app.kubernetes.io/name=zk, tier=data): replicas are not spread; "))
        #expect(finding.message.contains("podAntiAffinity term (topologyKey kubernetes.io/hostname) selects app In [zk]: an app / app.kubernetes.io/name mix-up"))
        #expect(finding.message.contains("podAntiAffinity term (topologyKey topology.kubernetes.io/zone) selects tier=cache, another value of the pods' own label"))
        #expect(!finding.message.contains("team=search"), "a term on an unrelated label is no typo")
    }

    @Test func redisCacheByDesign() throws {
        func redis(_ conf: String) -> String {
            """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: cache, namespace: db}
            spec:
              replicas: 3
              serviceName: cache
              selector: {matchLabels: {app: cache}}
              template:
                metadata: {labels: {app: cache}}
                spec:
                  volumes: [{name: data, emptyDir: {}}, {name: conf, configMap: {name: cache-config}}]
                  containers: [{name: redis, image: "redis:7.2.5", volumeMounts: [{name: data, mountPath: /data}, {name: conf, mountPath: /etc/redis}]}]
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: cache-config, namespace: db}
            data: {redis.conf: "\(conf)"}
            """
        }
        let durability: Set = ["data-on-emptydir", "backup-coverage", "restore-drill", "rpo-rto-declared"]
        #expect(try Set(findings(redis("save \\\"\\\"\\nappendonly no\\n")).map(\.ruleID)).isDisjoint(with: durability))
        #expect(try Set(findings(redis("save 900 1\\nsave \\\"\\\"\\n")).map(\.ruleID)).isDisjoint(with: durability), "the last save \"\" wins")
        for persistent in ["save \\\"\\\"\\nappendonly yes\\n", "save 900 1\\n", "appendonly no\\n", "save \\\"\\\"\\nsave 60 1000\\n"] {
            #expect(try durability.isSubset(of: Set(findings(redis(persistent)).map(\.ruleID))), "\(persistent)")
        }
    }
}
