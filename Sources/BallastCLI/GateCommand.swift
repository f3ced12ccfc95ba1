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
                guard let bytes = try git.blob(blob, maxSize: maxBlobSize) else { plan.notes.append(oversizeNote(path, maxBlobSize)); continue }
                references.collect(from: bytes, name: path)
                plan.headInputs.append(ManifestInput(name: path, source: .bytes(bytes)))
                changedHead.insert(path)
                references.directories.insert(directory(of: path))
            }
            if let path = change.oldPath, let blob = change.oldBlob, ManifestFinder.isManifestName(path) {
                guard let bytes = try git.blob(blob, maxSize: maxBlobSize) else { plan.notes.append(oversizeNote(path, maxBlobSize)); continue }
                references.collect(from: bytes, name: path)
                plan.baseInputs.append(ManifestInput(name: path, source: .bytes(bytes)))
                references.directories.insert(directory(of: path))
            }
        }
        guard !changes.isEmpty else { return plan }
        // The unchanged files of head that hold what the changed objects refer to.
        let (files, gitNotes) = try git.files(at: head, under: paths)
        plan.notes = gitNotes.map {
            Finding(ruleID: "git-skipped", severity: .info, message: $0.message, span: SourceSpan(file: FileID($0.path), line: 1, column: 1))
        }
        // Which unchanged files name what the change refers to: from the names index (blob id → the values
        // of its `name:` fields), reading only blobs the index has not seen.
        var index = NameIndex(repositoryPath: git.path)
        for file in files where ManifestFinder.isManifestName(file.path) && !changedHead.contains(file.path) {
            if ManifestFinder.skipNote(for: file.path) != nil { continue }
            let inDirectory = references.directories.contains(directory(of: file.path))
            var names = index.names(of: file.blob.hex)
            if names == nil && !inDirectory {
                guard let bytes = try git.blob(file.blob, maxSize: maxBlobSize) else {
                    plan.notes.append(oversizeNote(file.path, maxBlobSize))
                    continue
                }
                let found = NameIndex.extract(bytes)
                index.record(file.blob.hex, found)
                names = found
            }
            if inDirectory || !(names ?? []).isDisjoint(with: references.names) {
                guard let bytes = try git.blob(file.blob, maxSize: maxBlobSize) else {
                    plan.notes.append(oversizeNote(file.path, maxBlobSize))
                    continue
                }
                plan.sharedInputs.append(ManifestInput(name: file.path, source: .bytes(bytes)))
            }
        }
        index.save()
        return plan
    }

    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "" }
        return String(path[..<slash])
    }
}

/// What a change refers to: a file is read when it names, as `name: X`, one of the changed objects or
/// something they refer to (StorageClass, governing Service, claims, ConfigMaps), or sits in a directory
/// the change touched.
struct ReferenceTokens {
    var names = Set<String>()
    var directories = Set<String>()

    /// Collects names from the changed files, parsed.
    mutating func collect(from bytes: [UInt8], name: String) {
        let file = ManifestReader().parse(bytes, file: FileID(name), json: name.hasSuffix(".json"))
        for parsed in file.objects {
            let value = parsed.object.value
            if !parsed.object.name.isEmpty { names.insert(parsed.object.name) }
            Self.walk(value) { key, text in
                switch key {
                case "storageClassName", "serviceName", "claimName", "secretName": names.insert(text)
                default: break
                }
            }
            for volume in parsed.object.podSpec?["volumes"]?.listValue ?? [] {
                if let name = volume[path: "configMap", "name"]?.stringValue { names.insert(name) }
            }
        }
    }

    static func walk(_ value: Value, _ visit: (String, String) -> Void) {
        switch value.kind {
        case .map(let entries):
            for entry in entries {
                if let text = entry.value.stringValue { visit(entry.key, text) } else { walk(entry.value, visit) }
            }
        case .list(let items): for item in items { walk(item, visit) }
        default: break
        }
    }

}

/// Per repository, the values of the `name:` fields of each blob, kept in the cache directory: blobs never
/// change, so a later gate reads only the blobs it has not seen. A missing or unreadable index is rebuilt.
struct NameIndex {
    /// The index file's bytes; a blob's names are parsed from its line only when asked for.
    private var data: [UInt8] = []
    private var lines: [String: Range<Int>] = [:]
    private var added: [String: Set<String>] = [:]
    private let path: String

    init(repositoryPath: String) {
        let environment = ProcessInfo.processInfo.environment
        let base = environment["XDG_CACHE_HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? ((environment["HOME"] ?? "/tmp") + "/.cache")
        var hash: UInt64 = 0xcbf29ce484222325
        let absolute = repositoryPath.hasPrefix("/") ? repositoryPath : FileManager.default.currentDirectoryPath + "/" + repositoryPath
        for b in absolute.utf8 { hash = (hash ^ UInt64(b)) &* 0x100000001b3 }
        path = base + "/ballast/names/" + String(hash, radix: 16) + ".idx"
        // Absent or unreadable: start empty (the index is only a cache).
        guard let contents = FileManager.default.contents(atPath: path) else { return }
        data = [UInt8](contents)
        var start = 0
        for i in data.indices where data[i] == 0x0A {
            if i - start >= 40 {
                lines[String(decoding: data[start..<(start + 40)], as: UTF8.self)] = (start + 40)..<i
            }
            start = i + 1
        }
    }

    /// The names a blob's file declares, when the index has seen the blob.
    func names(of blob: String) -> Set<String>? {
        if let known = added[blob] { return known }
        guard let range = lines[blob] else { return nil }
        var names = Set<String>()
        var start = range.lowerBound
        for i in range.lowerBound...range.upperBound where i == range.upperBound || data[i] == 0x20 {
            if i > start { names.insert(String(decoding: data[start..<i], as: UTF8.self)) }
            start = i + 1
        }
        return names
    }

    mutating func record(_ blob: String, _ names: Set<String>) { added[blob] = names }

    /// Appends what was learned (atomically; a failure only costs speed next time).
    func save() {
        guard !added.isEmpty else { return }
        var out = data
        for (blob, names) in added {
            out += Array(blob.utf8)
            for name in names.sorted() { out.append(0x20); out += Array(name.utf8) }
            out.append(0x0A)
        }
        let directory = (path as NSString).deletingLastPathComponent
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: path + ".tmp", contents: Data(out))
        _ = rename(path + ".tmp", path)
    }

    /// The values of `name:` fields (YAML or JSON) in a file's bytes: a byte scan, no parse.
    static func extract(_ bytes: [UInt8]) -> Set<String> {
        var names = Set<String>()
        let n = bytes.count
        var i = 0
        while i + 5 < n {
            // "name" preceded by a non-identifier byte, then optional quote, ':' and spaces.
            if bytes[i] == UInt8(ascii: "n") && bytes[i + 1] == UInt8(ascii: "a") && bytes[i + 2] == UInt8(ascii: "m")
                && bytes[i + 3] == UInt8(ascii: "e") && (i == 0 || !isNameByte(bytes[i - 1])) {
                var j = i + 4
                if j < n && bytes[j] == UInt8(ascii: "\"") { j += 1 }
                if j < n && bytes[j] == UInt8(ascii: ":") {
                    j += 1
                    while j < n && (bytes[j] == 0x20 || bytes[j] == 0x09) { j += 1 }
                    if j < n && (bytes[j] == UInt8(ascii: "\"") || bytes[j] == UInt8(ascii: "'")) { j += 1 }
                    let start = j
                    while j < n && isNameByte(bytes[j]) { j += 1 }
                    if j > start { names.insert(String(decoding: bytes[start..<j], as: UTF8.self)) }
                    i = j
                    continue
                }
            }
            i += 1
        }
        return names
    }

    private static func isNameByte(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D || b == 0x2E || b == 0x5F
    }
}

