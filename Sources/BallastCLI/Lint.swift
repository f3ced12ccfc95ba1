import ArgumentParser
import Findings
import ManifestIO
import Policy

/// `ballast lint PATH... | -`
struct Lint: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Lint manifest files, directories (recursive) or standard input (-).",
        discussion: """
            Reads .yaml, .yml and .json files (multi-document, v1 List), checks them against the Kubernetes \
            schema and Ballast's storage rules, and prints one line per finding: file:line:col: severity \
            rule-id: message. Kustomizations and Helm charts are skipped with a note: render and pipe them \
            (kubectl kustomize DIR | ballast lint -).
            """
    )

    @Argument(help: "Files or directories; - reads standard input.")
    var paths: [String] = []

    @OptionGroup var repository: RepositoryOptions

    @Option(help: "With --repo: the branch, tag or commit to read (default HEAD).")
    var ref: String?

    @Option(help: "Namespace given to namespaced objects that have none.")
    var defaultNamespace = "default"

    @Option(help: "Configuration file (default: .ballast.yaml in the current directory, when present).")
    var config: String?

    @OptionGroup var policies: PolicyOptions
    @OptionGroup var report: ReportOptions

    func run() async throws {
        Profile.phase("started")
        var options = LintOptions()
        options.keepsMemoryUntilExit = true
        options.config = try loadConfig(config)
        var collected: (inputs: [ManifestInput], failures: [ReadFailure], notes: [Finding])
        if let spec = repository.repo {
            guard paths.isEmpty else { throw ValidationError("give either --repo or paths, not both (use --path to narrow a repository)") }
            do {
                let git = try repository.open(spec)
                let commit = try git.resolve(ref ?? "HEAD")
                let read = try manifestInputs(git, at: commit, paths: repository.paths, maxBlobSize: repository.maxBlobSize)
                collected = (read.inputs, [], read.notes)
            } catch {
                throw gitFailure(error)
            }
        } else {
            if ref != nil { throw ValidationError("--ref goes with --repo") }
            collected = ManifestFinder.collect(paths.isEmpty ? ["."] : paths)
        }
        let inputs = collected.inputs.filter { !options.config.isIgnored($0.name) }
        let progress = Progress(label: "reading", total: inputs.count)
        let pack = try policies.pack()
        var result = await Linter(options: options, pack: pack).lint(inputs, reader: ManifestReader(defaultNamespace: defaultNamespace))
        progress.finish()
        result.failures = collected.failures + result.failures
        result.notes += collected.notes
        result.notes.sort(by: Finding.reportOrder)   // the linter returns findings sorted; collection added notes
        Profile.phase("linted")
        let written = report.write(result, command: "lint")
        Profile.phase("report written")
        Profile.report()
        var code = result.exitCode(failOn: report.failOn)
        if !written { code = 3 }
        if code != 0 { throw ExitCode(code) }
    }
}
