import ArgumentParser
import Findings
import Policy
import Lint
import Drift
import DesiredState

/// `ballast check`: the main job. Lint, drift and the live checks in one report.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "The main job: lint the repository, compare it with the cluster, check the live storage.",
        discussion: """
            Reads the desired state (--repo URL|PATH at --ref, or PATHs; kustomizations rendered), lints it, \
            compares every object with the cluster (or a --snapshot) field by field, and checks the live \
            storage (PVC usage, backup age, rollouts, Released PVs, Pending claims). One report: findings and \
            drift items (class, who changed it and when, remediation).
            Exit codes: 0 clean; 1 findings at or above --fail-on, or drift found; 2 usage or configuration \
            error; 3 incomplete (something not read or not compared: never reported as clean).
            """
    )

    @OptionGroup var source: DesiredSourceOptions
    @OptionGroup var live: LiveOptions
    @OptionGroup var sharding: ShardOption
    @Option(help: "Configuration file (default: .ballast.yaml in the current directory, when present).") var config: String?
    @OptionGroup var policies: PolicyOptions
    @OptionGroup var report: ReportOptions

    func run() async throws {
        var options = LintOptions()
        options.keepsMemoryUntilExit = true
        options.config = try loadConfig(config)
        let pack = try policies.pack()
        let state = try await source.load(config: options.config)
        let result = try await Comparison(desired: consume state, live: live, config: options.config,
                                          linter: Linter(options: options, pack: pack), lints: true, liveChecks: true,
                                          shard: sharding.shard).run()
        let code = report.finish(result, command: "check")
        if code != 0 { throw ExitCode(code) }
    }
}

/// `ballast drift`: desired vs live, classified and attributed; the nightly report.
struct DriftCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drift",
        abstract: "Compare git with the live cluster: what differs, its class, who changed it, how to fix it.",
        discussion: """
            Every object git holds is compared with the cluster (or a --snapshot), desired fields only: \
            defaults, server allocations, applier metadata and fields delegated to controllers (an HPA's \
            replicas) are not drift; a field removed from git counts when last-applied or the applier's \
            managedFields prove it. Objects missing live, unmanaged objects carrying the repository's mark, \
            orphaned claims and PVs whose reclaim policy differs from their class are reported too.
            Exit codes: 0 no drift; 1 drift found (as kubectl diff); 2 usage or configuration error; \
            3 incomplete (an object not compared is never reported as "no drift").
            """
    )

    @OptionGroup var source: DesiredSourceOptions
    @OptionGroup var live: LiveOptions
    @OptionGroup var sharding: ShardOption
    @Option(help: "Configuration file (default: .ballast.yaml in the current directory, when present).") var config: String?
    @OptionGroup var report: ReportOptions

    func run() async throws {
        let configuration = try loadConfig(config)
        let state = try await source.load(config: configuration)
        var options = LintOptions()
        options.config = configuration
        let result = try await Comparison(desired: consume state, live: live, config: configuration,
                                          linter: Linter(options: options), lints: false, liveChecks: false,
                                          shard: sharding.shard).run()
        let code = report.finish(result, command: "drift")
        if code != 0 { throw ExitCode(code) }
    }
}
