import ArgumentParser
import Foundation
import KubeModel
import Findings
import ManifestIO
import GitSource
import Policy
import Lint
import DesiredState

/// `ballast gate --repo PATH|URL [--base REF] [--head REF]`
struct GateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Pull-request check: report what head introduces and block unsafe storage changes.",
        discussion: """
            Compares two revisions of the repository. Only the files that changed, the files holding the \
            objects they refer to (StorageClasses, Services, ConfigMaps, claims, files beside them) and the files \
            referring to what is deleted or renamed are read; unchanged files are parsed once. Objects are \
            paired by identity and files by git's rename detection, so a moved file is no delete and create. \
            Head is linted and only the findings head introduces are reported (pre-existing ones are \
            counted); the change rules compare each base object with its head version: a reclaim policy going \
            Retain -> Delete, an immutable field edited, a claim shrunk, a StorageClass deleted while used... \
            A waiver with a reason on the head object lets a change through, and the report says so.
            Default base: the merge-base of origin/HEAD (else main or master) with head; default head: HEAD.
            """
    )

    @OptionGroup var repository: RepositoryOptions
    @Option(help: "The base revision (default: the merge-base of the default branch and head).") var base: String?
    @Option(help: "The head revision (default HEAD).") var head: String = "HEAD"
    @Option(help: "Configuration file (default: .ballast.yaml at the repository root of head, when present).")
    var config: String?
    @OptionGroup var desired: DesiredOptions
    @OptionGroup var policies: PolicyOptions
    @OptionGroup var report: ReportOptions

    func run() async throws {
        guard let spec = repository.repo else { throw ValidationError("gate needs --repo PATH|URL") }
        let pack = try policies.pack()
        var options = LintOptions()
        options.config = try loadConfig(config)
        let plan: GatePlan
        let sides: GateDesiredState
        do {
            let git = try repository.open(spec)
            let headID = try git.resolve(head)
            let baseID: ObjectID
            if let base { baseID = try git.resolve(base) } else { baseID = try git.defaultBase(head: headID) }
            plan = try GatePlan.make(git, base: baseID, head: headID, paths: repository.paths, maxBlobSize: repository.maxBlobSize)
            // Effective namespaces at each revision, and the kustomizations the change touches, rendered.
            let changed = Set(try git.diff(from: baseID, to: headID, under: repository.paths).flatMap { [$0.oldPath, $0.newPath].compactMap { $0 } })
            sides = try await GateDesiredState.make(git, base: baseID, head: headID, changed: changed, paths: repository.paths,
                                                    options: desired.options(config: options.config, maxBlobSize: repository.maxBlobSize))
        } catch {
            throw gitFailure(error)
        }
        let baseFiles = await sides.baseReader.read(plan.baseInputs.filter { !sides.reachedBase.contains($0.name) })
        let headOnly = await sides.headReader.read(plan.headInputs.filter { !sides.reachedHead.contains($0.name) })
        let shared = await sides.headReader.read(plan.sharedInputs.filter {
            !sides.reachedHead.contains($0.name) && !sides.reachedBase.contains($0.name)
        })
        var result = Gate(options: options, pack: pack).run(base: baseFiles + shared + sides.baseRendered,
                                                            head: headOnly + shared + sides.headRendered,
                                                            renamedFrom: plan.renamedFrom)
        // Add to what the gate found; never replace it.
        result.notes += plan.notes + sides.notes
        result.failures += plan.failures
        for (tool, version) in sides.toolVersions { result.toolVersions[tool] = version }
        result.sort()
        let code = report.finish(result, command: "gate")
        if code != 0 { throw ExitCode(code) }
    }
}

