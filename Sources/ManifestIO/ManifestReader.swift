import Glibc
public import KubeModel
public import Findings

/// An object read from a manifest, with what the reader learned of its text.
public struct ParsedObject: Sendable {
    public var object: KubeObject
    /// Plain scalars inside the object that are booleans only under YAML 1.1 (see `Document`).
    public var yaml11Booleans: [(span: SourceSpan, text: String)]
    public init(object: KubeObject, yaml11Booleans: [(span: SourceSpan, text: String)] = []) {
        self.object = object; self.yaml11Booleans = yaml11Booleans
    }
}

/// What one file gave: its objects, the errors that make it malformed, notes, or why it could not be read.
public struct FileResult: Sendable {
    public var file: FileID
    public var objects: [ParsedObject] = []
    /// Malformed input: each becomes an error finding at its position (exit 1, not "incomplete").
    public var errors: [ManifestError] = []
    /// Skipped documents (no kind, not an object): info findings.
    public var notes: [Finding] = []
    /// Set when the file could not be read at all (exit 3).
    public var failure: ReadFailure?
    /// A file with nothing read yet.
    public init(file: FileID) { self.file = file }
}

/// Reads manifests (YAML or JSON, multi-document, `v1 List`) into objects. Files are parsed in parallel,
/// one task per core; results come back in input order, so two runs print the same report.
public struct ManifestReader: Sendable {
    public var limits: ReaderLimits
    /// The namespace of namespaced objects that name none, by file (DesiredState decides it).
    public var namespaces: NamespaceResolver
    /// Documents that are not manifests (tool configurations, recognised by apiVersion group and kind):
    /// the reason to skip them, or nil for a manifest. DesiredState decides it.
    public var skipReason: @Sendable (_ group: String, _ kind: String) -> String?

    public init(limits: ReaderLimits = ReaderLimits(), defaultNamespace: String = "default") {
        self.init(limits: limits, namespaces: .constant(defaultNamespace))
    }

    public init(limits: ReaderLimits = ReaderLimits(), namespaces: NamespaceResolver,
                skipReason: @escaping @Sendable (_ group: String, _ kind: String) -> String? = { _, _ in nil }) {
        self.limits = limits; self.namespaces = namespaces; self.skipReason = skipReason
    }

    /// Reads every input; results are in input order.
    public func read(_ inputs: [ManifestInput], workers: Int = systemCores()) async -> [FileResult] {
        await read(inputs, workers: workers) { file, _ in file }
    }

    /// Reads every input as `read(_:workers:)` does, handing each file's result to `transform` in the
    /// worker that read it, as soon as it is read: what the caller keeps of a file (objects packed, say)
    /// is all that stays in memory. `transform` also gets the worker's number (0 ..< workers), so that it
    /// may keep state per worker without locks. Results in input order.
    public func read<T: Sendable>(_ inputs: [ManifestInput], workers: Int = systemCores(),
                                  transform: @escaping @Sendable (FileResult, _ worker: Int) -> T) async -> [T] {
        let workerCount = max(1, min(workers, inputs.count))
        if workerCount == 1 { return inputs.map { transform(read($0), 0) } }
        // Worker w reads inputs w, w + workerCount, ...: its results, in that order, interleave with the
        // others' into input order. Each worker's array is sized once, and the results are moved into the
        // final array, not copied through an intermediate one (a run of tens of thousands of files would
        // otherwise leave megabytes of freed arrays behind for the rest of the run).
        var chunks = [[T]](repeating: [], count: workerCount)
        await withTaskGroup(of: (Int, [T]).self) { group in
            for w in 0..<workerCount {
                group.addTask {
                    var out: [T] = []
                    out.reserveCapacity((inputs.count - w + workerCount - 1) / workerCount)
                    var i = w
                    while i < inputs.count { out.append(transform(self.read(inputs[i]), w)); i += workerCount }
                    return (w, out)
                }
            }
            for await (w, chunk) in group { chunks[w] = chunk }
        }
        var results: [T] = []
        results.reserveCapacity(inputs.count)
        for i in inputs.indices { results.append(chunks[i % workerCount][i / workerCount]) }
        return results
    }

    /// Reads one input.
    public func read(_ input: ManifestInput) -> FileResult {
        let file = FileID(input.name)
        let bytes: [UInt8]
        switch input.source {
        case .bytes(let b): bytes = b
        case .path(let path):
            switch FileBytes.read(path: path, limit: limits.fileBytes) {
            case .success(let b): bytes = b
            case .failure(.tooLarge):
                var r = FileResult(file: file)
                r.errors = [.tooLarge(limit: limits.fileBytes, at: SourceSpan(file: file, line: 1, column: 1))]
                return r
            case .failure(.cannotOpen(let reason)):
                var r = FileResult(file: file)
                r.failure = ReadFailure(source: input.name, reason: reason)
                return r
            }
        case .stdin:
            switch FileBytes.readStdin(limit: limits.fileBytes) {
            case .success(let b): bytes = b
            case .failure(.tooLarge):
                var r = FileResult(file: file)
                r.errors = [.tooLarge(limit: limits.fileBytes, at: SourceSpan(file: file, line: 1, column: 1))]
                return r
            case .failure(.cannotOpen(let reason)):
                var r = FileResult(file: file)
                r.failure = ReadFailure(source: input.name, reason: reason)
                return r
            }
        }
        return parse(bytes, file: file, json: input.isJSON)
    }

    /// Parses bytes already in memory.
    public func parse(_ bytes: [UInt8], file: FileID, json: Bool) -> FileResult {
        var result = FileResult(file: file)
        let documents: [Document]
        let parsed: (documents: [Document], errors: [ManifestError]) = bytes.withUnsafeBufferPointer { buffer in
            // git's heuristic: a NUL byte in the first 8000 bytes means binary.
            if let nul = buffer.prefix(8000).firstIndex(of: 0) {
                return ([], [.binary(at: Self.span(of: nul, in: buffer, file: file))])
            }
            if json {
                // Typed throws: every error the JSON reader can raise is a ManifestError, reported as a
                // finding; none can turn the file into a clean one.
                do throws(ManifestError) {
                    let value = try JSONReader.parse(buffer: buffer, file: file, maxDepth: limits.depth)
                    return ([Document(value: value, span: value.span ?? SourceSpan(file: file, line: 1, column: 1),
                                      index: 0, yaml11Booleans: [], helmSource: nil)], [])
                } catch {
                    return ([], [error])
                }
            }
            return YAMLDocumentBuilder(file: file, schema: .kubectl, limits: limits).read(buffer)
        }
        documents = parsed.documents
        result.errors = parsed.errors
        for document in documents { objects(from: document, into: &result) }
        return result
    }

    /// Line and column of byte `offset`.
    static func span(of offset: Int, in buffer: UnsafeBufferPointer<UInt8>, file: FileID) -> SourceSpan {
        var line = 1, column = 1
        for k in 0..<min(offset, buffer.count) {
            if buffer[k] == 0x0A { line += 1; column = 1 } else if buffer[k] & 0xC0 != 0x80 { column += 1 }
        }
        return SourceSpan(file: file, line: line, column: column)
    }

    private func objects(from document: Document, into result: inout FileResult) {
        let value = document.value
        guard value.isMap else {
            result.notes.append(Finding(ruleID: "not-an-object", severity: .info,
                                        message: "document \(document.index + 1) is a \(value.typeName), not a Kubernetes object; skipped",
                                        span: document.span))
            return
        }
        guard let apiVersion = value["apiVersion"]?.stringValue, let kind = value["kind"]?.stringValue,
              !apiVersion.isEmpty, !kind.isEmpty else {
            result.notes.append(Finding(ruleID: "missing-kind", severity: .info,
                                        message: "document \(document.index + 1) has no apiVersion and kind; skipped",
                                        span: document.span))
            return
        }
        // kubectl expands `v1 List` (and typed lists such as `StatefulSetList`) into their items.
        if kind == "List" || (kind.hasSuffix("List") && value["items"]?.listValue != nil) {
            for item in value["items"]?.listValue ?? [] {
                var itemDocument = document
                itemDocument.value = item
                itemDocument.span = item.span ?? document.span
                itemDocument.yaml11Booleans = document.yaml11Booleans
                objects(from: itemDocument, into: &result)
            }
            return
        }
        if let reason = skipReason(splitAPIVersion(apiVersion).group, kind) {
            result.notes.append(Finding(ruleID: "tool-config-skipped", severity: .info,
                                        message: "\(kind) (\(apiVersion)) \(reason); skipped", span: document.span))
            return
        }
        guard var object = Self.object(from: value, namespaces: namespaces, file: result.file) else { return }
        object.span = document.span
        object.helmSource = document.helmSource
        result.objects.append(ParsedObject(object: object, yaml11Booleans: document.yaml11Booleans))
    }

    /// The object a manifest value describes (identity from apiVersion, kind, metadata), or nil when it has
    /// no apiVersion and kind. Namespaced kinds without a namespace get `defaultNamespace`.
    public static func object(from value: Value, defaultNamespace: String = "default") -> KubeObject? {
        object(from: value, namespaces: .constant(defaultNamespace), file: nil)
    }

    /// The object a manifest value describes. A namespaced object that names no namespace gets its
    /// effective namespace (`namespaces`, by file) in its identity *and* in its `metadata.namespace`, so that
    /// every consumer (rules, indexes, lookups, messages, drift) sees the same namespace.
    public static func object(from value: Value, namespaces: NamespaceResolver, file: FileID?) -> KubeObject? {
        guard let apiVersion = value["apiVersion"]?.stringValue, let kind = value["kind"]?.stringValue,
              !apiVersion.isEmpty, !kind.isEmpty else { return nil }
        let group = splitAPIVersion(apiVersion).group
        let info = KindCatalog.info(group: group, kind: kind)
        let name = value[path: "metadata", "name"]?.stringValue ?? ""
        var namespace: String? = nil
        var value = value
        if info?.isClusterScoped != true {
            if let own = value[path: "metadata", "namespace"]?.stringValue, !own.isEmpty {
                namespace = own
            } else {
                let effective = namespaces.namespace(forFile: file?.path ?? "")
                namespace = effective
                value.setNamespace(effective)
            }
        }
        let ref = ObjectRef(group: group, kind: kind, namespace: namespace, name: name)
        return KubeObject(ref: ref, apiVersion: apiVersion, value: value, span: value.span)
    }
}

/// Cores available to this process.
public func systemCores() -> Int {
    #if canImport(Glibc)
    return max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    #else
    return 2
    #endif
}
