import ArgumentParser
import Foundation
import KubeModel
import Findings
import ManifestIO
import GitSource
import Policy

/// `ballast gate --repo PATH|URL [--base REF] [--head REF]`
struct GateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gate",
        abstract: "Pull-request check: report what head introduces and block unsafe storage changes.",
        discussion: """
            Compares two revisions of the repository. Only the files that changed, and the files holding the \
            objects they refer to (StorageClasses, objects of the same namespaces, files beside them), are read; \
            unchanged files are parsed once. Objects are paired by identity, so a moved file is no delete and \
            create. Head is linted and only the findings head introduces are reported (pre-existing ones are \
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
    @OptionGroup var policies: PolicyOptions
    @OptionGroup var report: ReportOptions

    func run() async throws {
        guard let spec = repository.repo else { throw ValidationError("gate needs --repo PATH|URL") }
        let pack = try policies.pack()
        var options = LintOptions()
        options.config = try loadConfig(config)
        let plan: GatePlan
        do {
            let git = try repository.open(spec)
            let headID = try git.resolve(head)
            let baseID: ObjectID
            if let base { baseID = try git.resolve(base) } else { baseID = try git.defaultBase(head: headID) }
            plan = try GatePlan.make(git, base: baseID, head: headID, paths: repository.paths, maxBlobSize: repository.maxBlobSize)
        } catch {
            throw gitFailure(error)
        }
        let reader = ManifestReader()
        let baseFiles = await reader.read(plan.baseInputs)
        let headOnly = await reader.read(plan.headInputs)
        let shared = await reader.read(plan.sharedInputs)
        var result = Gate(options: options, pack: pack).run(base: baseFiles + shared, head: headOnly + shared)
        result.notes += plan.notes
        result.sort()
        let written = report.write(result, command: "gate")
        var code = result.exitCode(failOn: report.failOn)
        if !written { code = 3 }
        if code != 0 { throw ExitCode(code) }
    }
}

/// What `gate` reads: the base and head versions of the changed files, and the unchanged files that hold
/// what they refer to (read once, used for both).
struct GatePlan {
    var baseInputs: [ManifestInput] = []
    var headInputs: [ManifestInput] = []
    var sharedInputs: [ManifestInput] = []
    var notes: [Finding] = []

    static func make(_ git: GitRepository, base: ObjectID, head: ObjectID, paths: [String], maxBlobSize: Int) throws(GitError) -> GatePlan {
        var plan = GatePlan()
        let changes = try git.diff(from: base, to: head, under: paths).filter { change in
            [change.oldPath, change.newPath].compactMap { $0 }.contains(where: ManifestFinder.isManifestName)
        }
        var changedHead = Set<String>()
        var references = ReferenceTokens()
        for change in changes {
            if let path = change.newPath, let blob = change.newBlob, ManifestFinder.isManifestName(path) {
                let bytes = try git.blob(blob)
                references.collect(from: bytes)
                plan.headInputs.append(ManifestInput(name: path, source: .bytes(bytes)))
                changedHead.insert(path)
                references.directories.insert(directory(of: path))
            }
            if let path = change.oldPath, let blob = change.oldBlob, ManifestFinder.isManifestName(path) {
                let bytes = try git.blob(blob)
                references.collect(from: bytes)
                plan.baseInputs.append(ManifestInput(name: path, source: .bytes(bytes)))
                references.directories.insert(directory(of: path))
            }
        }
        guard !changes.isEmpty else { return plan }
        // The unchanged files of head that hold what the changed objects refer to.
        let (files, gitNotes) = try git.files(at: head, under: paths, maxBlobSize: maxBlobSize)
        plan.notes = gitNotes.map {
            Finding(ruleID: "git-skipped", severity: .info, message: $0.message, span: SourceSpan(file: FileID($0.path), line: 1, column: 1))
        }
        for file in files where ManifestFinder.isManifestName(file.path) && !changedHead.contains(file.path) {
            if ManifestFinder.skipNote(for: file.path) != nil { continue }
            let bytes = try git.blob(file.blob)
            if references.directories.contains(directory(of: file.path)) || references.matches(bytes) {
                plan.sharedInputs.append(ManifestInput(name: file.path, source: .bytes(bytes)))
            }
        }
        return plan
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }
}

/// Tokens that find the files a change refers to without parsing them: the namespaces of the changed
/// objects (their Services, PDBs, CronJobs, claims) and StorageClass definitions when claims changed.
struct ReferenceTokens {
    var namespaces = Set<String>()
    var needsStorageClasses = false
    var directories = Set<String>()
    private var tokens: [[UInt8]] = []

    mutating func collect(from bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        for line in text.split(separator: "\n") {
            let trimmed = line.drop(while: { $0 == " " })
            if trimmed.hasPrefix("namespace:") {
                let value = trimmed.dropFirst("namespace:".count).trimmingCharacters(in: " \"'\r")
                if !value.isEmpty { namespaces.insert(value) }
            }
            if trimmed.hasPrefix("storageClassName:") || trimmed.hasPrefix("kind: StorageClass") || trimmed.hasPrefix("volumeClaimTemplates:") {
                needsStorageClasses = true
            }
        }
        tokens = namespaces.sorted().flatMap { [Array("namespace: \($0)".utf8), Array("\"namespace\": \"\($0)\"".utf8)] }
            + (needsStorageClasses ? [Array("kind: StorageClass".utf8), Array("\"kind\": \"StorageClass\"".utf8)] : [])
    }

    func matches(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBufferPointer { buffer in tokens.contains { contains(buffer, $0) } }
    }

    private func contains(_ haystack: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        guard let base = haystack.baseAddress, let first = needle.first, haystack.count >= needle.count else { return false }
        var offset = 0
        while offset <= haystack.count - needle.count,
              let hit = memchr(base + offset, Int32(first), haystack.count - needle.count + 1 - offset) {
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + at, needle, needle.count) == 0 { return true }
            offset = at + 1
        }
        return false
    }
}

extension StringProtocol {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
