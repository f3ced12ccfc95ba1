import ArgumentParser
import Findings
import ManifestIO
import Policy
import Lint
import DesiredState

/// `ballast lint PATH... | -`
struct Lint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lint manifest files, directories (recursive) or standard input (-).",
        discussion: """
            Reads .yaml, .yml and .json files (multi-document, v1 List), checks them against the Kubernetes \
            schema and Ballast's storage rules, and prints one line per finding: file:line:col: severity \
            rule-id: message. Kustomizations are rendered with the real kustomize (kubectl kustomize; \
            --no-render reads plain files only) and their objects reported at the lines of the files they \
            came from. Helm charts are skipped with a note: render and pipe them (helm template DIR | ballast lint -).
            """
    )

    @Argument(help: "Files or directories; - reads standard input.")
    var paths: [String] = []

    @OptionGroup var repository: RepositoryOptions

    @Option(help: "With --repo: the branch, tag or commit to read (default HEAD).")
    var ref: String?

    @OptionGroup var desired: DesiredOptions
    @OptionGroup var sharding: ShardOption

    @Option(help: "Configuration file (default: .ballast.yaml in the current directory, when present).")
    var config: String?

    @OptionGroup var policies: PolicyOptions
    @OptionGroup var report: ReportOptions

    func run() async throws {
        Profile.phase("started")
        var options = LintOptions()
        options.keepsMemoryUntilExit = true
        options.config = try loadConfig(config)
        // The plain files are read once: the linter finds Argo CD / Flux applications among their objects.
        let state = try await loadDesiredState(paths: paths, repository: repository, ref: ref, desired: desired,
                                               config: options.config, findsApplicationsWhileReading: true)
        let pack = try policies.pack()
        let progress = Progress(label: "reading", total: state.inputs.count)
        var result = await Linter(options: options, pack: pack).lint(state)
        // A shard lints every object (lookups see the whole repository) and reports its own.
        if let shard = sharding.shard { result = result.restricted(to: shard) }
        progress.finish()
        Profile.phase("linted")
        let code = report.finish(result, command: "lint")
        Profile.phase("report written")
        Profile.report()
        if code != 0 { throw ExitCode(code) }
    }
}
