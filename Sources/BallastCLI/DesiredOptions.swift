import ArgumentParser
import Foundation
import KubeModel
import Findings
import ManifestIO
import GitSource
import DesiredState
import Policy
import Lint

/// How the desired state is read: namespaces, kustomize.
struct DesiredOptions: ParsableArguments {
    @Option(help: "Namespace of namespaced objects that name none, after their kustomization's, .ballast.yaml namespaces: and Argo CD / Flux applications.")
    var defaultNamespace = "default"

    @Flag(help: "Do not render kustomizations with kustomize: read plain files only.")
    var noRender = false

    @Option(help: "The kubectl that renders kustomizations (default: BALLAST_KUBECTL, then PATH); kustomize v4 or later.")
    var kubectl: String?

    func options(config: BallastConfig, maxBlobSize: Int) -> DesiredStateOptions {
        var options = DesiredStateOptions()
        options.defaultNamespace = defaultNamespace
        options.render = !noRender
        options.kubectl = kubectl
        options.maxBlobSize = maxBlobSize
        options.namespaceGlobs = config.namespaces.map { NamespaceGlob(glob: $0.glob, namespace: $0.namespace, span: $0.span) }
        options.ignored = { config.isIgnored($0) }
        return options
    }
}

/// Where the desired state comes from, for the commands that compare it or read the cluster's kinds from
/// it (`check`, `drift`, `snapshot`): PATHs or `--repo` at `--ref`, and how to read them.
struct DesiredSourceOptions: ParsableArguments {
    @Argument(help: "Files or directories of the desired state (instead of --repo).")
    var paths: [String] = []
    @OptionGroup var repository: RepositoryOptions
    @Option(help: "With --repo: the branch, tag or commit to read (default HEAD).") var ref: String?
    @OptionGroup var desired: DesiredOptions

    /// Whether a desired state was given at all.
    var isGiven: Bool { repository.repo != nil || !paths.isEmpty }

    func load(config: BallastConfig) async throws -> DesiredState {
        try await loadDesiredState(paths: paths, repository: repository, ref: ref, desired: desired, config: config)
    }
}

/// The desired state from `--repo` (at `ref`) or from paths; a git problem ends the run (exit 2 or 3).
/// `findsApplicationsWhileReading`: the caller resolves Argo CD / Flux applications itself (`Linter.lint`).
func loadDesiredState(paths: [String], repository: RepositoryOptions, ref: String?, desired: DesiredOptions,
                      config: BallastConfig, findsApplicationsWhileReading: Bool = false) async throws -> DesiredState {
    var options = desired.options(config: config, maxBlobSize: repository.maxBlobSize)
    options.findsApplicationsWhileReading = findsApplicationsWhileReading
    if let spec = repository.repo {
        guard paths.isEmpty else { throw ValidationError("give either --repo or paths, not both (use --path to narrow a repository)") }
        do {
            let git = try repository.open(spec)
            let commit = try git.resolve(ref ?? "HEAD")
            return try await DesiredState.load(repository: git, commit: commit, paths: repository.paths, options: options)
        } catch {
            throw gitFailure(error)
        }
    }
    if ref != nil { throw ValidationError("--ref goes with --repo") }
    return await DesiredState.load(paths: paths.isEmpty ? ["."] : paths, options: options)
}

extension Linter {
    /// Lints a desired state: its plain files as they are read, and its rendered objects.
    func lint(_ desired: DesiredState) async -> RunResult {
        var result = await lint(desired.inputs, reader: desired.reader, prepared: desired.rendered,
                                applications: desired.pendingApplications)
        result.failures = desired.failures + result.failures
        result.notes += desired.notes
        result.notes.sort(by: Finding.reportOrder)
        for (tool, version) in desired.toolVersions { result.toolVersions[tool] = version }
        return result
    }
}
