import ArgumentParser
import Foundation
import KubeModel
import ClusterSource
import DesiredState
import Inventory
import Report

/// `ballast inventory`: the storage inventory of the repository, and of the cluster when one is given.
struct InventoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inventory",
        abstract: "Storage inventory: data stores, classes, sizes, retention, backups, RPO/RTO, budgets, alerts.",
        discussion: """
            Lists each data store of the desired state (a StatefulSet with volumeClaimTemplates or a well-known \
            data image): engine, replicas, StorageClass and reclaim policy, size per replica and in total, \
            retention policy, backups (CronJobs annotated ballast.dev/backup-of or named <sts>-backup…, Velero \
            Schedules of its namespace), ballast.dev/rpo and ballast.dev/rto, PodDisruptionBudgets, volume \
            alerts; and each StorageClass with who uses it. With --kubeconfig, --in-cluster or --snapshot, \
            the live replicas, live-only stores and classes, and the claims' usage (kubelet stats) too.
            Exit codes: 0 written; 2 usage or configuration error; 3 incomplete (a file, or a kind the \
            inventory needs, could not be read).
            """
    )

    enum Format: String, ExpressibleByArgument, CaseIterable { case markdown, json, html }

    @Argument(help: "Files or directories of the desired state (instead of --repo).")
    var paths: [String] = []
    @OptionGroup var repository: RepositoryOptions
    @Option(help: "With --repo: the branch, tag or commit to read (default HEAD).") var ref: String?
    @OptionGroup var desired: DesiredOptions
    @Option(help: "A kubeconfig file: read the cluster too.") var kubeconfig: String?
    @Option(help: "The kubeconfig context (default: its current-context).") var context: String?
    @Flag(help: "Read the cluster through the pod's service account too.") var inCluster = false
    @Option(help: "Read a snapshot directory (ballast snapshot --out DIR) as the cluster.") var snapshot: String?
    @Option(help: "Configuration file (default: .ballast.yaml in the current directory, when present).") var config: String?
    @Option(help: "markdown, json or html (one self-contained page).") var format: Format = .markdown

    func validate() throws {
        if [kubeconfig != nil || context != nil, inCluster, snapshot != nil].filter({ $0 }).count > 1 {
            throw ValidationError("give at most one of --kubeconfig (with --context), --in-cluster and --snapshot")
        }
    }

    func run() async throws {
        let configuration = try loadConfig(config)
        let state = try await loadDesiredState(paths: paths, repository: repository, ref: ref, desired: desired, config: configuration)
        var incomplete = state.failures.map { "\($0.source): \($0.reason)" }
        var objects: [KubeObject] = []
        var seen = Set<ObjectRef>()
        for file in await state.readAll() {
            if let failure = file.failure { incomplete.append("\(failure.source): \(failure.reason)") }
            for error in file.errors { writeAll("ballast: warning: \(error.description)\n", to: 2) }
            for parsed in file.objects where seen.insert(parsed.object.ref).inserted { objects.append(parsed.object) }
        }
        var live: [KubeObject]?
        var usage: [VolumeUsageSample] = []
        if let read = try readCluster() {
            live = Array(read.live.objects)
            incomplete += InventoryInputs.unreadReasons(read.live)
            usage = read.usage.usage.map {
                VolumeUsageSample(namespace: $0.namespace, name: $0.name, usedBytes: $0.usedBytes,
                                  capacityBytes: $0.capacityBytes, usedFraction: $0.usedFraction)
            }
        }
        var inventory = Inventory.build(desired: objects, live: live, usage: usage)
        inventory.incomplete = incomplete
        switch format {
        case .markdown: writeAll(inventory.markdown, to: 1)
        case .json: writeAll(inventory.json, to: 1)
        case .html: writeAll(InventoryHTML.render(inventory), to: 1)
        }
        for reason in incomplete { writeAll("ballast: incomplete: \(reason)\n", to: 2) }
        if !incomplete.isEmpty { throw ExitCode(3) }
    }

    /// The live objects and usage, when a cluster source was given; nil otherwise.
    func readCluster() throws -> (live: LiveRead, usage: PVCUsageResult)? {
        if let snapshot {
            do { return (try Snapshot.load(snapshot, kinds: InventoryInputs.kinds), Snapshot.readUsage(from: snapshot)) } catch {
                writeAll("ballast: \(error.description)\n", to: 2)
                throw ExitCode(3)
            }
        }
        guard kubeconfig != nil || inCluster else { return nil }
        var cluster = try ClusterOptions.parse([])
        cluster.kubeconfig = kubeconfig
        cluster.context = context
        cluster.inCluster = inCluster
        let client = try cluster.client()
        return (client.readLive(kinds: InventoryInputs.kinds), client.pvcUsage())
    }
}

/// What the inventory reads from a cluster, and which gaps make it incomplete.
enum InventoryInputs {
    static let kinds: [(group: String, kind: String)] = [
        ("apps", "StatefulSet"), ("storage.k8s.io", "StorageClass"), ("", "PersistentVolumeClaim"),
        ("policy", "PodDisruptionBudget"), ("batch", "CronJob"), ("velero.io", "Schedule"),
        ("monitoring.coreos.com", "PrometheusRule"),
    ]

    /// Kinds not read for a reason other than "the cluster does not serve it" (Velero or the Prometheus
    /// Operator may well be absent: then there is nothing of theirs to list).
    static func unreadReasons(_ read: LiveRead) -> [String] {
        read.unreadKinds.sorted { $0.key < $1.key }.compactMap { kind, reason in
            reason == "not served by this cluster" || reason == "not in the snapshot" ? nil : "cluster: \(kind): \(reason)"
        }
    }
}
