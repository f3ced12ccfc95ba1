import Glibc
public import KubeModel

/// How plain scalars are typed.
public enum YAMLSchema: Sendable {
    /// kubectl's rules (sigs.k8s.io/yaml over go-yaml v2): YAML 1.1 booleans (`yes/no/on/off/y/n`), nulls,
    /// `0x`/`0o`/octal ints, floats; non-string keys become their text (`on:` is the key "true").
    case kubectl
    /// Ballast's own files (policies, `.ballast.yaml`, kubeconfig): keys are always strings; only
    /// `true`/`false` are booleans (YAML 1.2 core).
    case core
}

/// Limits that keep hostile input from exhausting time or memory; each a clear error, never a hang.
public struct ReaderLimits: Sendable {
    /// Nodes that aliases may expand to in one document (billion laughs).
    public var aliasExpansionNodes: Int = 100_000
    /// Mapping and sequence nesting.
    public var depth: Int = 256
    /// File size.
    public var fileBytes: Int = 512 << 20
    public init() {}
}

/// One YAML/JSON document of a file.
public struct Document: Sendable {
    public var value: Value
    /// The position of the document's first node.
    public var span: SourceSpan
    /// 0-based index of the document in its file.
    public var index: Int
    /// Plain scalars that are booleans only under YAML 1.1 (`yes`, `on`, `n`...), with their text.
    public var yaml11Booleans: [(span: SourceSpan, text: String)]
    /// The path of a preceding `# Source:` comment (`helm template` output).
    public var helmSource: String?
}

/// Builds `Value`s straight from libyaml events: a plain loop over `next()`, an explicit frame stack (no
/// recursion, so nesting depth cannot overflow the stack), anchors, aliases with an expansion budget,
/// `<<` merge keys and duplicate-key errors.
struct YAMLDocumentBuilder {
    private struct Frame {
        var isMap: Bool
        var span: SourceSpan
        var anchor: String?
        var entries: [Value.Entry] = []
        var items: [Value] = []
        var pendingKey: String?
        var pendingKeySpan: SourceSpan?
        var pendingIsMerge = false
        var merges: [(Value, SourceSpan)] = []
        var nodes = 1
    }

    let file: FileID
    let schema: YAMLSchema
    let limits: ReaderLimits

    /// Parses all documents of `bytes`. Errors in one document skip that document and are returned beside
    /// the others; a libyaml syntax error ends the file (libyaml cannot resume), keeping the documents
    /// before it.
    func read(_ bytes: UnsafeBufferPointer<UInt8>) -> (documents: [Document], errors: [ManifestError]) {
        var documents: [Document] = []
        var errors: [ManifestError] = []
        // libyaml asserts on a NULL input pointer, which an empty buffer may have: nothing to read anyway.
        guard bytes.count > 0, bytes.baseAddress != nil else { return ([], []) }
        let parser: YAMLParser
        do { parser = try YAMLParser(bytes: bytes, file: file) } catch { return ([], [error]) }
        let sources = helmSourceComments(bytes)

        var stack: [Frame] = []
        var anchors: [String: (Value, Int)] = [:]
        var expanded = 0
        var root: Value?
        var rootCount = 0
        var skipping = false
        var docStart = SourceSpan(file: file, line: 1, column: 1)
        var firstNode: SourceSpan?
        var booleans: [(span: SourceSpan, text: String)] = []
        var index = 0
        var previousEndLine: UInt32 = 0

        func fail(_ error: ManifestError) {
            errors.append(error)
            skipping = true
            stack.removeAll()
        }

        while true {
            let event: YAMLEvent
            do { event = try parser.next() } catch {
                errors.append(error)
                return (documents, errors)
            }
            let span = SourceSpan(file: file, start: Position(line: event.line, column: event.column))
            var completed: (Value, Int)?
            switch event.kind {
            case .streamStart: continue
            case .streamEnd: return (documents, errors)
            case .documentStart:
                stack.removeAll(); anchors.removeAll(); expanded = 0; root = nil; skipping = false
                booleans.removeAll(); firstNode = nil; docStart = span
                continue
            case .documentEnd:
                if !skipping, let value = root {
                    let start = firstNode ?? docStart
                    let helm = sources.last(where: { $0.line > previousEndLine && $0.line < start.start.line })?.path
                    if !value.isNull || rootCount > 1 {
                        documents.append(Document(value: value, span: start, index: index, yaml11Booleans: booleans,
                                                  helmSource: helm))
                    }
                }
                previousEndLine = event.line
                index += 1
                continue
            default: break
            }
            if skipping { continue }
            if firstNode == nil { firstNode = span }

            switch event.kind {
            case .scalar(let text, let style, let tag, let anchor):
                // A scalar that arrives while its mapping expects a key is a key.
                if expectsKey(stack) {
                    guard let key = keyText(text, style: style, tag: tag) else {
                        fail(.syntax(problem: "a mapping key must be a scalar", at: span)); continue
                    }
                    if style == .plain && key == "<<" && tag == nil {
                        stack[stack.count - 1].pendingIsMerge = true
                    } else if let first = entryIndex(of: key, in: stack) {
                        fail(.duplicateKey(key, at: span, first: stack[stack.count - 1].entries[first].keySpan ?? span)); continue
                    }
                    stack[stack.count - 1].pendingKey = key
                    stack[stack.count - 1].pendingKeySpan = span
                    continue
                }
                let kind = resolve(text, style: style, tag: tag)
                if case .bool = kind, style == .plain, tag == nil, isYAML11OnlyBoolean(text) {
                    booleans.append((span, text))
                }
                let value = Value(kind, span: span)
                if let anchor { anchors[anchor] = (value, 1) }
                completed = (value, 1)
            case .alias(let name):
                guard let (value, count) = anchors[name] else { fail(.undefinedAlias(name, at: span)); continue }
                expanded += count
                if expanded > limits.aliasExpansionNodes {
                    fail(.aliasBudgetExceeded(limit: limits.aliasExpansionNodes, at: span)); continue
                }
                if expectsKey(stack) {
                    guard let key = value.stringValue ?? scalarText(value) else {
                        fail(.syntax(problem: "a mapping key must be a scalar", at: span)); continue
                    }
                    if let first = entryIndex(of: key, in: stack) {
                        fail(.duplicateKey(key, at: span, first: stack[stack.count - 1].entries[first].keySpan ?? span)); continue
                    }
                    stack[stack.count - 1].pendingKey = key
                    stack[stack.count - 1].pendingKeySpan = span
                    continue
                }
                completed = (value, count)
            case .mappingStart(let anchor, _), .sequenceStart(let anchor, _):
                if expectsKey(stack) {
                    fail(.syntax(problem: "a mapping key must be a scalar", at: span)); continue
                }
                guard stack.count < limits.depth else { fail(.nestingTooDeep(limit: limits.depth, at: span)); continue }
                var isMap = false
                if case .mappingStart = event.kind { isMap = true }
                stack.append(Frame(isMap: isMap, span: span, anchor: anchor))
                continue
            case .mappingEnd, .sequenceEnd:
                guard let frame = stack.popLast() else { continue }
                let value: Value
                if frame.isMap {
                    guard let merged = applyMerges(frame) else { fail(.invalidMergeKey(at: frame.span)); continue }
                    value = Value(.map(merged), span: frame.span)
                } else {
                    value = Value(.list(frame.items), span: frame.span)
                }
                if let anchor = frame.anchor { anchors[anchor] = (value, frame.nodes) }
                completed = (value, frame.nodes)
            default: continue
            }

            guard let (value, count) = completed else { continue }
            if stack.isEmpty {
                root = value; rootCount = count
            } else if stack[stack.count - 1].isMap {
                let top = stack.count - 1
                if stack[top].pendingIsMerge {
                    stack[top].merges.append((value, value.span ?? span))
                    stack[top].pendingIsMerge = false
                } else {
                    stack[top].entries.append(Value.Entry(key: stack[top].pendingKey ?? "",
                                                          keySpan: stack[top].pendingKeySpan, value: value))
                }
                stack[top].pendingKey = nil
                stack[top].pendingKeySpan = nil
                stack[top].nodes += count
            } else {
                stack[stack.count - 1].items.append(value)
                stack[stack.count - 1].nodes += count
            }
        }
    }

    /// Whether the innermost open node is a mapping waiting for a key. Reads the frame in place: `stack.last`
    /// would copy it (its entries, items, pending key and merges retained and released) on every event.
    private func expectsKey(_ stack: [Frame]) -> Bool {
        guard let top = stack.indices.last else { return false }
        return stack[top].isMap && stack[top].pendingKey == nil
    }

    /// The position of the entry of the innermost mapping that already has `key`, read in place (a search
    /// through copies of the entries would retain and release each one).
    private func entryIndex(of key: String, in stack: [Frame]) -> Int? {
        let top = stack.count - 1
        for i in stack[top].entries.indices where stack[top].entries[i].key == key { return i }
        return nil
    }

    /// Explicit keys win over merged ones; among merged maps the first wins (YAML merge key spec).
    private func applyMerges(_ frame: Frame) -> [Value.Entry]? {
        guard !frame.merges.isEmpty else { return frame.entries }
        var entries = frame.entries
        var present = Set(entries.map(\.key))
        for (value, _) in frame.merges {
            let sources: [Value]
            switch value.kind {
            case .map: sources = [value]
            case .list(let items): sources = items
            default: return nil
            }
            for source in sources {
                guard let sourceEntries = source.mapEntries else { return nil }
                for entry in sourceEntries where !present.contains(entry.key) {
                    entries.append(entry)
                    present.insert(entry.key)
                }
            }
        }
        return entries
    }

    private func scalarText(_ value: Value) -> String? {
        switch value.kind {
        case .bool(let b): b ? "true" : "false"
        case .int(let i): String(i)
        case .number(let n): n
        case .null: "null"
        default: nil
        }
    }

    /// A key's text. kubectl resolves keys like values and turns non-strings into their text.
    private func keyText(_ text: String, style: YAMLEvent.ScalarStyle, tag: String?) -> String? {
        guard schema == .kubectl, style == .plain, tag == nil else { return text }
        let kind = resolve(text, style: style, tag: tag)
        switch kind {
        case .string(let s): return s
        default: return scalarText(Value(kind))
        }
    }

    /// Types a scalar as go-yaml v2 does (kubectl), or as YAML 1.2 core for Ballast's own files.
    func resolve(_ text: String, style: YAMLEvent.ScalarStyle, tag: String?) -> Value.Kind {
        if let tag {
            switch tag {
            case "tag:yaml.org,2002:str", "tag:yaml.org,2002:binary", "!": return .string(text)
            case "tag:yaml.org,2002:null": return .null
            default: break
            }
        } else if style != .plain {
            return .string(text)
        }
        return ScalarResolver.resolvePlain(text, yaml11: schema == .kubectl)
    }

    private func isYAML11OnlyBoolean(_ text: String) -> Bool {
        switch text { case "true", "True", "TRUE", "false", "False", "FALSE": false; default: true }
    }

    /// `# Source: path` comment lines (helm template), with their line numbers. memchr finds candidate
    /// `#`s; lines are counted only in files that have the marker.
    private func helmSourceComments(_ bytes: UnsafeBufferPointer<UInt8>) -> [(line: UInt32, path: String)] {
        let marker = Array("# Source: ".utf8)
        guard let base = bytes.baseAddress else { return [] }
        var found = false
        var offset = 0
        while offset < bytes.count, let hit = memchr(base + offset, Int32(UInt8(ascii: "#")), bytes.count - offset) {
            let at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if at + marker.count <= bytes.count && memcmp(base + at, marker, marker.count) == 0 { found = true; break }
            offset = at + 1
        }
        guard found else { return [] }
        var out: [(UInt32, String)] = []
        var line: UInt32 = 1
        var i = 0
        let n = bytes.count
        while i < n {
            if bytes[i] == UInt8(ascii: "#") && (i == 0 || bytes[i - 1] == 0x0A) && i + marker.count <= n {
                var match = true
                for k in 0..<marker.count where bytes[i + k] != marker[k] { match = false; break }
                if match {
                    var end = i + marker.count
                    while end < n && bytes[end] != 0x0A && bytes[end] != 0x0D { end += 1 }
                    let path = String(decoding: UnsafeBufferPointer(rebasing: bytes[(i + marker.count)..<end]), as: UTF8.self)
                    out.append((line, path.trimmingSpaces()))
                    i = end
                    continue
                }
            }
            if bytes[i] == 0x0A { line += 1 }
            i += 1
        }
        return out
    }
}

extension String {
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
