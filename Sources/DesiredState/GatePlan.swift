import Foundation
import KubeModel
public import Findings
public import ManifestIO
public import GitSource

/// What `gate` reads: the base and head versions of the changed files, the unchanged files that hold what
/// they refer to, and the unchanged files that name what they delete or rename (`ReferenceTokens`; read
/// once, used for both).
public struct GatePlan: Sendable {
    public var baseInputs: [ManifestInput] = []
    public var headInputs: [ManifestInput] = []
    public var sharedInputs: [ManifestInput] = []
    /// Files git pairs as renamed (moved, perhaps edited): head path → base path. Findings that belong to a
    /// file rather than an object follow the file (`Gate`).
    public var renamedFrom: [String: String] = [:]
    public var notes: [Finding] = []
    /// Blobs left unread (the size cap): the gate did not see everything, so it is incomplete.
    public var failures: [ReadFailure] = []

    /// Plans the gate between two commits. Only manifests count (DesiredState's `ManifestRule`: Helm chart
    /// files are never read as manifests).
    public static func make(_ git: GitRepository, base: ObjectID, head: ObjectID, paths: [String], maxBlobSize: Int) throws(GitError) -> GatePlan {
        var plan = GatePlan()
        let (headFiles, gitNotes) = try git.files(at: head, under: paths)
        let (baseFiles, _) = try git.files(at: base, under: paths)
        let charts = Set(ManifestRule.classify(headFiles.map(\.path) + baseFiles.map(\.path)).notes.map { ManifestRule.directory($0.span?.file.path ?? "") })
        func isManifest(_ path: String) -> Bool {
            ManifestRule.isManifestName(path) && !ManifestRule.isKustomizationName(path)
                && !charts.contains(where: { ManifestRule.isUnder(path, $0) })
        }
        let changes = try git.diff(from: base, to: head, under: paths).filter { change in
            [change.oldPath, change.newPath].compactMap { $0 }.contains(where: isManifest)
        }
        var changedHead = Set<String>()
        var references = ReferenceTokens()
        for change in changes {
            if change.status == .renamed, let old = change.oldPath, let new = change.newPath { plan.renamedFrom[new] = old }
            if let path = change.newPath, let blob = change.newBlob, isManifest(path) {
                guard let bytes = try git.blob(blob, maxSize: maxBlobSize) else { plan.failures.append(DesiredState.oversize(path, maxBlobSize)); continue }
                references.collect(from: bytes, name: path, at: .head)
                plan.headInputs.append(ManifestInput(name: path, source: .bytes(bytes)))
                changedHead.insert(path)
                references.directories.insert(ManifestRule.directory(path))
            }
            if let path = change.oldPath, let blob = change.oldBlob, isManifest(path) {
                guard let bytes = try git.blob(blob, maxSize: maxBlobSize) else { plan.failures.append(DesiredState.oversize("\(path) (base)", maxBlobSize)); continue }
                references.collect(from: bytes, name: path, at: .base)
                plan.baseInputs.append(ManifestInput(name: path, source: .bytes(bytes)))
                references.directories.insert(ManifestRule.directory(path))
            }
        }
        guard !changes.isEmpty else { return plan }
        // The unchanged files of head that hold what the changed objects refer to.
        let files = headFiles
        plan.notes += gitNotes.map {
            Finding(ruleID: "git-skipped", severity: .info, message: $0.message, span: SourceSpan(file: FileID($0.path), line: 1, column: 1))
        }
        // Which unchanged files declare what the change refers to, or name what it deletes or renames: from
        // the names index (blob id → its name fields), reading only blobs the index has not seen.
        let deleted = references.deletedNames, selectors = references.deletedSelectors
        var index = NameIndex(repositoryPath: git.path)
        let unchanged = files.filter { isManifest($0.path) && !changedHead.contains($0.path) }
        let inDirectory = unchanged.map { references.directories.contains(ManifestRule.directory($0.path)) }
        // The blobs the index has not seen, read each after its delta base (`readingOrder`): a first gate
        // reads every blob of the repository, and in tree order that grows faster than the repository.
        let unseen = unchanged.indices.filter { !inDirectory[$0] && !index.knows(unchanged[$0].blob.hex) }
        var oversize = Set<Int>()
        for k in git.readingOrder(unseen.map { unchanged[$0].blob }) {
            let file = unchanged[unseen[k]]
            guard let bytes = try git.blob(file.blob, maxSize: maxBlobSize) else { oversize.insert(unseen[k]); continue }
            index.record(file.blob.hex, NameIndex.extract(bytes))
        }
        for (i, file) in unchanged.enumerated() {
            if oversize.contains(i) { plan.failures.append(DesiredState.oversize(file.path, maxBlobSize)); continue }
            let reads = inDirectory[i] || index.names(of: file.blob.hex).map { names in
                names.declaresAny(of: references.names) || names.namesAny(of: deleted) || selectors.contains(where: names.namesAll)
            } ?? false
            if reads {
                guard let bytes = try git.blob(file.blob, maxSize: maxBlobSize) else {
                    plan.failures.append(DesiredState.oversize(file.path, maxBlobSize))
                    continue
                }
                plan.sharedInputs.append(ManifestInput(name: file.path, source: .bytes(bytes)))
            }
        }
        index.save()
        return plan
    }
}
