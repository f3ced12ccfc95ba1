import Foundation
import Glibc
public import KubeModel
public import Findings
public import ManifestIO
public import GitSource

/// How the desired state is read.
public struct DesiredStateOptions: Sendable {
    /// `--default-namespace`.
    public var defaultNamespace = "default"
    /// `.ballast.yaml` `namespaces:`.
    public var namespaceGlobs: [NamespaceGlob] = []
    /// `.ballast.yaml` `ignore:`: files not read at all.
    public var ignored: @Sendable (String) -> Bool = { _ in false }
    /// Render kustomizations (`--no-render` turns it off).
    public var render = true
    /// `--kubectl PATH`.
    public var kubectl: String?
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    /// git blobs over this size are not read; the run is then incomplete.
    public var maxBlobSize = 64 << 20
    public var limits = ReaderLimits()
    /// The directory that relative paths are read from, and reported relative to (default: the current
    /// directory).
    public var directory: String?
    /// Argo CD / Flux applications are found among the objects of the one read of the plain files
    /// (`DesiredState.pendingApplications`), instead of by a byte scan that reads every file beforehand.
    /// The caller must then resolve them: `Linter.lint` does, and `readAllResolving` (which also returns
    /// their notes; `readAll` drops them).
    public var findsApplicationsWhileReading = false
    public init() {}
}

/// The desired state of a run, from paths or a git commit (DESIGN §4): the plain manifest files, read
/// lazily by the caller through `reader` (which gives objects their effective namespace and skips tool
/// configurations); the objects kustomize rendered, with the spans of their sources; notes; what could not
/// be read (the run is incomplete); and the objects of kustomizations that could not be rendered (drift
/// does not compare them). `lint`, `gate`, `check`, `drift` and the rule examples all start here.
public struct DesiredState: Sendable {
    /// Plain manifest files.
    public var inputs: [ManifestInput] = []
    /// Objects rendered by kustomize, one result per kustomization root.
    public var rendered: [FileResult] = []
    /// The reader to read `inputs` with.
    public var reader: ManifestReader
    public var notes: [Finding] = []
    public var failures: [ReadFailure] = []
    /// Objects of kustomizations that could not be rendered.
    public var unrendered: [UncomparedObject] = []
    /// `kustomize: v5.8.1` when kustomize ran.
    public var toolVersions: [String: String] = [:]
    /// Set when the Argo CD / Flux applications among `inputs` are still to be found: `reader` then gives
    /// objects the namespaces of kustomizations, globs and the default only, and files whose namespace an
    /// application changes must be read again with the reader it returns.
    public var pendingApplications: PendingApplications?

    init(reader: ManifestReader) { self.reader = reader }

    /// Reads every input: the plain files (in parallel) followed by the rendered ones. With applications
    /// pending, their notes are not in the result: `readAllResolving` gives them.
    public func readAll() async -> [FileResult] {
        await readAllResolving().files
    }

    /// Reads every input, resolving pending applications: the files, and the notes about applications.
    public func readAllResolving() async -> (files: [FileResult], notes: [Finding]) {
        var files = await reader.read(inputs)
        var appNotes: [Finding] = []
        if let pending = pendingApplications {
            let holds = files.map { $0.objects.contains { PendingApplications.isApplication($0.object.ref) } }
            let revision = await pending.resolve(inputs, holdsApplications: holds)
            let again = await revision.reader.read(revision.reread.map { inputs[$0] })
            for (i, file) in zip(revision.reread, again) { files[i] = file }
            appNotes = revision.notes
        }
        return (files + rendered, appNotes)
    }

    /// Reads every input as `readAll` does, each file's objects packed as soon as the file is read (its
    /// trees dropped): the desired state of drift, whose objects are rebuilt one at a time when compared.
    public func readAllPacked() async -> [PackedFile] {
        // One key table per reader worker (a table is written by one thread), shared by its files.
        let workers = systemCores()
        let tables = (0..<max(1, workers)).map { _ in KeyTable() }
        let rest = KeyTable()
        return await reader.read(inputs, workers: workers) { file, worker in PackedFile(file, keys: tables[worker]) }
            + rendered.map { PackedFile($0, keys: rest) }
    }

    /// The manifest rule as the reader applies it.
    static func reader(_ options: DesiredStateOptions, namespaces: EffectiveNamespaces) -> ManifestReader {
        reader(limits: options.limits, namespaces: namespaces)
    }

    static func reader(limits: ReaderLimits, namespaces: EffectiveNamespaces) -> ManifestReader {
        ManifestReader(limits: limits, namespaces: namespaces.resolver,
                       skipReason: { ManifestRule.toolConfiguration(group: $0, kind: $1) })
    }

    // MARK: Paths

    /// The desired state under files and directories (recursive) and `-` (standard input).
    public static func load(paths: [String], options: DesiredStateOptions) async -> DesiredState {
        let tree = DiskTree(root: options.directory)
        let listing = ManifestFinder.collect(paths.map { $0 == "-" ? $0 : tree.location($0) })
        let prefix = options.directory.map { $0.hasSuffix("/") ? $0 : $0 + "/" }
        var stdin: [ManifestInput] = []
        var names: [String] = []
        var pathOf: [String: String] = [:]
        for input in listing.inputs {
            if case .stdin = input.source { stdin.append(input); continue }
            var name = input.name
            if let prefix, name.hasPrefix(prefix) { name = String(name.dropFirst(prefix.count)) }
            while name.hasPrefix("./") { name = String(name.dropFirst(2)) }
            if case .path(let p) = input.source { pathOf[name] = p }
            names.append(name)
        }
        var state = await assemble(names: names.filter { !options.ignored($0) }, tree: tree, options: options) { names in
            names.map { ManifestInput(name: $0, source: .path(pathOf[$0] ?? $0)) }
        }
        state.inputs = stdin + state.inputs
        state.failures = listing.failures + state.failures
        state.notes += listing.notes
        return state
    }

    // MARK: Git

    /// The desired state of a commit, read from the object database (no checkout). Submodules and symbolic
    /// links are skipped with a note; a blob over the size cap makes the run incomplete.
    public static func load(repository: GitRepository, commit: ObjectID, paths: [String],
                            options: DesiredStateOptions) async throws(GitError) -> DesiredState {
        // The whole tree: a kustomization may reach files outside `--path`.
        let (all, gitNotes) = try repository.files(at: commit, under: [])
        let prefixes = paths.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        let selected = all.filter { file in prefixes.isEmpty || prefixes.contains { $0.isEmpty || file.path == $0 || ManifestRule.isUnder(file.path, $0) } }
        let tree = GitTree(repository: repository, files: Dictionary(all.map { ($0.path, $0.blob) }, uniquingKeysWith: { a, _ in a }),
                           maxBlobSize: options.maxBlobSize)
        var state = await assemble(names: selected.map(\.path).filter { !options.ignored($0) }, tree: tree, options: options) { names in
            tree.inputs(names)
        }
        state.notes += gitNotes.filter { note in prefixes.isEmpty || prefixes.contains { ManifestRule.isUnder(note.path, $0) || note.path == $0 } }.map {
            Finding(ruleID: "git-skipped", severity: .info, message: $0.message, span: SourceSpan(file: FileID($0.path), line: 1, column: 1))
        }
        for path in tree.oversize.sorted() {
            state.failures.append(Self.oversize(path, options.maxBlobSize))
        }
        return state
    }

    /// A blob left unread because of the size cap: the run did not read everything, so it is incomplete.
    static func oversize(_ path: String, _ cap: Int) -> ReadFailure {
        ReadFailure(source: path, reason: "larger than the \(cap)-byte cap (--max-blob-size): not read, so not checked")
    }

    // MARK: Assembly

    /// From the listing of a tree: the manifest rule, the effective namespaces, kustomize.
    static func assemble(names: [String], tree: some SourceTree, options: DesiredStateOptions,
                         inputs read: ([String]) -> [ManifestInput]) async -> DesiredState {
        let (manifests, kustomizationFiles, chartNotes) = ManifestRule.classify(names)
        var namespaces = EffectiveNamespaces()
        namespaces.defaultNamespace = options.defaultNamespace
        namespaces.globs = options.namespaceGlobs
        var notes = chartNotes
        for glob in options.namespaceGlobs where !manifests.contains(where: glob.glob.matches) {
            notes.append(Finding(ruleID: "namespace-glob-unused", severity: .info,
                                 message: "namespaces: \(glob.glob.text) matches no manifest", span: glob.span))
        }
        let graph = KustomizationGraph(kustomizations: kustomizationFiles, tree: tree)
        for node in graph.nodes.values { if let ns = node.namespace { namespaces.kustomizations.append((node.directory, ns)) } }

        // Argo CD and Flux applications: only files that mention their groups are parsed for them.
        let inputs: [ManifestInput]
        var reached = Set<String>()
        var state = DesiredState(reader: reader(options, namespaces: namespaces))
        var kustomize: Result<Kustomize, KustomizeUnavailable>?
        var renders: [(root: String, files: Set<String>)] = []
        for root in graph.roots {
            let (files, blocker, problems) = graph.reach(root)
            reached.formUnion(files)
            notes += problems
            let rootPath = graph.nodes[root]?.path ?? root
            guard options.render else {
                notes.append(Finding(ruleID: "kustomization-skipped", severity: .info,
                                     message: "kustomization not rendered (--no-render): its resources are not read",
                                     span: SourceSpan(file: FileID(rootPath), line: 1, column: 1)))
                continue
            }
            if let blocker {
                state.unrendered += unrenderedObjects(files, root: rootPath, reason: blocker, tree: tree, reader: state.reader)
                notes.append(notRendered(rootPath, blocker))
                continue
            }
            if kustomize == nil { kustomize = Kustomize.locate(explicit: options.kubectl, environment: options.environment) }
            switch kustomize! {
            case .failure(let why):
                state.unrendered += unrenderedObjects(files, root: rootPath, reason: why.description, tree: tree, reader: state.reader)
                notes.append(notRendered(rootPath, why.description))
            case .success:
                renders.append((root, files))
            }
        }
        if !options.render { reached = [] }
        inputs = read(manifests.filter { !reached.contains($0) })
        state.inputs = inputs
        if options.findsApplicationsWhileReading && renders.isEmpty {
            // Nothing below reads with the reader (rendered output needs the applications' namespaces):
            // the caller finds the applications among the objects of its one read.
            state.pendingApplications = PendingApplications(namespaces: namespaces, limits: options.limits, allPaths: names)
            state.notes = notes
            return state
        }
        let mentionsApplications = inputs.filter { candidate in
            switch candidate.source {
            case .bytes(let bytes): mentionsApplication(bytes)
            case .path(let path): mentionsApplication(tree.bytes(path) ?? [])
            case .stdin: false
            }
        }
        if !mentionsApplications.isEmpty {
            let scanned = await ManifestReader(limits: options.limits).read(mentionsApplications)
            let (entries, appNotes) = EffectiveNamespaces.applications(in: scanned, allPaths: names)
            namespaces.applications = entries
            notes += appNotes
        }
        state.reader = reader(options, namespaces: namespaces)
        state.inputs = inputs

        if case .success(let tool)? = kustomize, !renders.isEmpty {
            state.toolVersions["kustomize"] = tool.version
            do {
                let (root, cleanup) = try tree.materialize()
                defer { if let cleanup { try? FileManager.default.removeItem(atPath: cleanup) } }   // a leftover temporary copy is harmless
                // Rendered in parallel, read in the order of the roots.
                let outputs = tool.renderAll(renders.map { joinPath(root, $0.root.isEmpty ? "." : $0.root) })
                for ((directory, files), output) in zip(renders, outputs) {
                    let rootPath = graph.nodes[directory]?.path ?? directory
                    switch output {
                    case .failure(let why):
                        state.unrendered += unrenderedObjects(files, root: rootPath, reason: why.description, tree: tree, reader: state.reader)
                        notes.append(notRendered(rootPath, why.description))
                    case .success(let bytes):
                        state.rendered.append(renderedResult(bytes, rootPath: rootPath, files: files, tree: tree, reader: state.reader))
                    }
                }
            } catch {
                for (directory, files) in renders {
                    let rootPath = graph.nodes[directory]?.path ?? directory
                    state.unrendered += unrenderedObjects(files, root: rootPath, reason: "\(error)", tree: tree, reader: state.reader)
                    notes.append(notRendered(rootPath, "\(error)"))
                }
            }
        }
        state.notes = notes
        return state
    }

    static func notRendered(_ root: String, _ reason: String) -> Finding {
        Finding(ruleID: "kustomization-not-rendered", severity: .info,
                message: "kustomization could not be rendered: \(reason)",
                span: SourceSpan(file: FileID(root), line: 1, column: 1))
    }

    /// Whether a file may hold an Argo CD or Flux application (a byte search, before any parsing).
    static func mentionsApplication(_ bytes: [UInt8]) -> Bool {
        contains(bytes, Array("argoproj.io".utf8)) || contains(bytes, Array("kustomize.toolkit.fluxcd.io".utf8))
    }

    /// Whether `needle` occurs in `haystack`. This runs over every file before any parsing, so it jumps with
    /// memchr from one occurrence of the needle's first `.` (rarer in YAML than a letter) to the next and
    /// compares there with memcmp; a byte-at-a-time loop cost about 2 % of a lint.
    static func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, haystack.count >= needle.count else { return false }
        let anchor = needle.firstIndex(of: UInt8(ascii: ".")) ?? 0
        let anchorByte = Int32(needle[anchor])
        return haystack.withUnsafeBytes { h in
            needle.withUnsafeBytes { n in
                let base = h.baseAddress!
                var from = anchor
                let lastAnchor = h.count - needle.count + anchor
                while from <= lastAnchor {
                    guard let hit = memchr(base + from, anchorByte, lastAnchor - from + 1) else { return false }
                    let at = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + (at - anchor), n.baseAddress!, n.count) == 0 { return true }
                    from = at + 1
                }
                return false
            }
        }
    }

    /// What kustomize printed for one root, as objects of the root's kustomization file with the spans of
    /// the resource documents they came from.
    static func renderedResult(_ bytes: [UInt8], rootPath: String, files: Set<String>, tree: some SourceTree,
                               reader: ManifestReader) -> FileResult {
        let file = FileID(rootPath)
        var result = reader.parse(bytes, file: file, json: false)
        var sources: [KubeObject] = []
        for path in files.sorted() where ManifestRule.isManifestName(path) && !ManifestRule.isKustomizationName(path) {
            guard let content = tree.bytes(path) else { continue }
            sources += reader.parse(content, file: FileID(path), json: path.hasSuffix(".json")).objects.map(\.object)
        }
        let spans = RenderedSpans(sources: sources)
        let fallback = SourceSpan(file: file, line: 1, column: 1)
        for i in result.objects.indices {
            result.objects[i].object = spans.respan(result.objects[i].object, fallback: fallback)
            // YAML 1.1 booleans were judged on kustomize's output, whose lines exist nowhere.
            result.objects[i].yaml11Booleans = []
        }
        result.notes = result.notes.map { var n = $0; n.span = fallback; return n }
        return result
    }

    /// The objects a root declares in its resource files (read plainly), for drift to name as not compared.
    static func unrenderedObjects(_ files: Set<String>, root: String, reason: String, tree: some SourceTree,
                                  reader: ManifestReader) -> [UncomparedObject] {
        var out: [UncomparedObject] = []
        for path in files.sorted() where ManifestRule.isManifestName(path) && !ManifestRule.isKustomizationName(path) {
            guard let content = tree.bytes(path) else { continue }
            for parsed in reader.parse(content, file: FileID(path), json: path.hasSuffix(".json")).objects {
                out.append(UncomparedObject(object: parsed.object.ref,
                                            reason: "kustomization \(root) could not be rendered: \(reason)",
                                            span: parsed.object.span))
            }
        }
        return out
    }
}

/// One file's result with its objects packed: `result` keeps the file, errors, notes and failure (its
/// `objects` emptied); `objects` holds them, in document order.
public struct PackedFile: Sendable {
    public var result: FileResult
    public var objects: CompactObjects

    /// With `keys`, the objects' keys are interned there (files read by one worker share a table).
    public init(_ file: FileResult, keys: KeyTable? = nil) {
        objects = CompactObjects(file.objects.lazy.map(\.object), keys: keys)
        result = file
        result.objects = []
    }
}
