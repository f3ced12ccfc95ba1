import ArgumentParser

/// Where the live state comes from: the cluster (kubeconfig, context, in-cluster) or a saved snapshot.
struct LiveOptions: ParsableArguments {
    @OptionGroup var cluster: ClusterOptions

    @Option(help: "Compare with a snapshot directory (ballast snapshot --out DIR) instead of a cluster.")
    var snapshot: String?

    @Option(help: "A previous JSON report: each drift item is marked new, persisting (with its first-seen time) or resolved.")
    var baseline: String?

    func validate() throws {
        if snapshot != nil && (cluster.kubeconfig != nil || cluster.inCluster || cluster.context != nil) {
            throw ValidationError("give at most one of --kubeconfig (with --context), --in-cluster and --snapshot")
        }
    }
}
