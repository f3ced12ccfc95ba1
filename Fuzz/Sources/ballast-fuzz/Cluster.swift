import KubeModel
@testable import ClusterSource

/// One kubeconfig file merged as kubectl merges it, then its current context resolved (server URL,
/// credentials, TLS settings). Paths it names may be read; nothing is executed or contacted.
func fuzzKubeConfig(_ bytes: [UInt8]) {
    var merged = MergedKubeConfig()
    do { try merged.merge(file: "/nonexistent/fuzz/kubeconfig", bytes: bytes) } catch { return }
    let options = KubeConfigOptions(kubeconfig: "/nonexistent/fuzz/kubeconfig", environment: [:],
                                    serviceAccountDirectory: "/nonexistent/fuzz/sa", execTimeoutSeconds: 1)
    _ = try? KubeConfigLoader.select(merged, options: options)
}
