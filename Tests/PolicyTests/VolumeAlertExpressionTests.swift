import Testing
@testable import Policy
@testable import Lint

@Suite("Host functions: volume alert thresholds, rabbitmq.conf")
struct VolumeAlertExpressionTests {
    @Test("usage thresholds read from PromQL", arguments: [
        ("kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes > 0.8", "used/capacity", ">", 0.8),
        ("kubelet_volume_stats_available_bytes{namespace=\"db\"} / kubelet_volume_stats_capacity_bytes{namespace=\"db\"} < 0.2", "available/capacity", "<", 0.8),
        ("100 * kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes >= 90", "used/capacity", ">=", 0.9),
        ("(kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes) * 100 > 80", "used/capacity", ">", 0.8),
        ("1 - kubelet_volume_stats_available_bytes / kubelet_volume_stats_capacity_bytes > 0.85", "available/capacity", ">", 0.85),
        ("(kubelet_volume_stats_capacity_bytes - kubelet_volume_stats_available_bytes) / kubelet_volume_stats_capacity_bytes > 0.9", "available/capacity", ">", 0.9),
        ("0.8 < sum by (namespace, persistentvolumeclaim) (kubelet_volume_stats_used_bytes) / sum by (namespace, persistentvolumeclaim) (kubelet_volume_stats_capacity_bytes)", "used/capacity", ">", 0.8),
        ("max_over_time(kubelet_volume_stats_available_bytes[5m]) / kubelet_volume_stats_capacity_bytes * 100 < 10 # ten percent left", "available/capacity", "<", 0.9),
    ])
    func thresholds(_ c: (String, String, String, Double)) {
        let reading = VolumeAlertExpression.read(c.0)
        #expect(reading.error == nil, "\(c.0): \(reading.error ?? "")")
        #expect(reading.mentionsVolumeStats)
        #expect(reading.thresholds.count == 1, "\(c.0): \(reading.thresholds)")
        #expect(reading.thresholds.first?.metric == c.1 && reading.thresholds.first?.op == c.2)
        #expect(reading.thresholds.first.map { abs($0.usedFraction - c.3) < 1e-9 } == true, "\(c.0): \(reading.thresholds)")
    }

    @Test func kubePrometheusFillingUp() {
        // kubernetes-mixin's KubePersistentVolumeFillingUp: the ratio threshold counts; the guard on used_bytes,
        // the prediction and the access-mode filter do not.
        let expr = """
            (
              kubelet_volume_stats_available_bytes{job="kubelet", namespace=~".*", metrics_path="/metrics"}
                /
              kubelet_volume_stats_capacity_bytes{job="kubelet", namespace=~".*", metrics_path="/metrics"}
            ) < 0.15
            and
            kubelet_volume_stats_used_bytes{job="kubelet", namespace=~".*", metrics_path="/metrics"} > 0
            and
            predict_linear(kubelet_volume_stats_available_bytes{job="kubelet", namespace=~".*", metrics_path="/metrics"}[6h], 4 * 24 * 3600) < 0
            unless on(namespace, persistentvolumeclaim)
            kube_persistentvolumeclaim_access_mode{ access_mode="ReadOnlyMany"} == 1
            """
        let reading = VolumeAlertExpression.read(expr)
        #expect(reading.error == nil)
        #expect(reading.thresholds.map(\.usedFraction) == [0.85])
        #expect(reading.matchers.contains(.init(label: "namespace", op: "=~", value: ".*")))
    }

    @Test("not a volume alert: nothing to read", arguments: ["up == 0", "rate(http_requests_total[5m]) > 10", "kube_pod_status_ready{condition=\"false\"} == 1"])
    func other(_ expr: String) {
        let reading = VolumeAlertExpression.read(expr)
        #expect(!reading.mentionsVolumeStats && reading.error == nil && reading.thresholds.isEmpty)
    }

    @Test("unreadable volume expressions say why", arguments: [
        "kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes > on(namespace) group_left volume_alert_threshold",
        "kubelet_volume_stats_used_bytes / kubelet_volume_stats_available_bytes > 4",
        "clamp_max(kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes, 1) > 0.8",
        "kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes > (0.8",
        "kubelet_volume_stats_used_bytes{namespace=db} / kubelet_volume_stats_capacity_bytes > 0.8",
    ])
    func unreadable(_ expr: String) {
        let reading = VolumeAlertExpression.read(expr)
        #expect(reading.mentionsVolumeStats)
        #expect(reading.error != nil && reading.thresholds.isEmpty, "\(expr): \(reading)")
    }

    @Test func guardsAndPredictionsAreNotThresholds() {
        let reading = VolumeAlertExpression.read("kubelet_volume_stats_available_bytes < 10 * 1024^3 and predict_linear(kubelet_volume_stats_available_bytes[6h], 86400) < 0")
        #expect(reading.mentionsVolumeStats && reading.error == nil && reading.thresholds.isEmpty)
        // A comparison that holds when the volume is empty is no fill alert.
        #expect(VolumeAlertExpression.read("kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes < 0.1").thresholds.isEmpty)
    }

    @Test func celValue() throws {
        let value = PolicyFunctions.volumeAlertThresholds("kubelet_volume_stats_used_bytes{namespace=\"db\"} / kubelet_volume_stats_capacity_bytes > 0.8")
        #expect(value.displayString.contains("usedFraction"))
        #expect(try PolicyPack.evaluate("volumeAlertThresholds('kubelet_volume_stats_used_bytes{namespace=\"db\"} / kubelet_volume_stats_capacity_bytes > 80 / 100').thresholds[0].usedFraction", variables: [:]).get() == "0.8")
        #expect(try PolicyPack.evaluate("volumeAlertThresholds('kubelet_volume_stats_used_bytes{namespace=\"db\"} > 0').matchers[0].value", variables: [:]).get() == "\"db\"")
        #expect(try PolicyPack.evaluate("volumeAlertThresholds('up{').error", variables: [:]).get().contains("cannot parse"))
    }

    @Test func rabbitmqConf() {
        let conf = EngineConfig.rabbitmq("""
            # cluster formation
            cluster_formation.peer_discovery_backend = rabbit_peer_discovery_k8s
            cluster_formation.k8s.address_type=hostname
              cluster_partition_handling = ignore
            cluster_partition_handling = pause_minority
            not a setting
            """)
        let map = Dictionary(uniqueKeysWithValues: conf)
        #expect(conf.map(\.0) == ["cluster_formation.peer_discovery_backend", "cluster_formation.k8s.address_type", "cluster_partition_handling"])
        #expect(map["cluster_formation.k8s.address_type"] == "hostname" && map["cluster_partition_handling"] == "pause_minority")
    }
}
