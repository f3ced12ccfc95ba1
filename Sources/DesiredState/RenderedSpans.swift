import KubeModel
import ManifestIO

/// Gives rendered objects the positions of the documents they came from. kustomize prints new YAML, whose
/// lines exist in no file: each rendered object is matched by identity (group, kind, and the source name
/// its rendered name contains, for `namePrefix`/`nameSuffix`) with a resource document the root reaches,
/// and every node takes the span of the same node in the source, else of its nearest written ancestor.
/// Objects with no source (generated ConfigMaps) point at the kustomization.
struct RenderedSpans {
    private var sources: [String: [KubeObject]] = [:]   // by group/kind

    init(sources: [KubeObject]) {
        for object in sources { self.sources[object.ref.qualifiedKind, default: []].append(object) }
    }

    /// The source document of a rendered object: same group and kind, and the longest source name that the
    /// rendered name contains (an exact match first).
    func source(of object: KubeObject) -> KubeObject? {
        guard let candidates = sources[object.ref.qualifiedKind] else { return nil }
        if let exact = candidates.first(where: { $0.name == object.name && ($0.namespace == object.namespace || $0.value[path: "metadata", "namespace"] == nil) }) {
            return exact
        }
        return candidates.filter { !$0.name.isEmpty && object.name.contains($0.name) }.max { $0.name.count < $1.name.count }
    }

    /// `object` with spans taken from its source, or `fallback` everywhere.
    func respan(_ object: KubeObject, fallback: SourceSpan) -> KubeObject {
        var object = object
        if let source = source(of: object) {
            let top = source.span ?? fallback
            object.value = Self.map(object.value, source.value, inherited: top)
            object.span = top
        } else {
            object.value = Self.map(object.value, nil, inherited: fallback)
            object.span = fallback
        }
        return object
    }

    static func map(_ rendered: Value, _ source: Value?, inherited: SourceSpan) -> Value {
        let span = source?.span ?? inherited
        switch rendered.kind {
        case .map(let entries):
            var out: [Value.Entry] = []
            out.reserveCapacity(entries.count)
            for entry in entries {
                let match = source?.entry(entry.key)
                out.append(Value.Entry(key: entry.key, keySpan: match?.keySpan ?? span,
                                       value: map(entry.value, match?.value, inherited: match?.value.span ?? span)))
            }
            return Value(.map(out), span: span)
        case .list(let items):
            let sourceItems = source?.listValue ?? []
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for (i, item) in items.enumerated() {
                var match: Value?
                if let name = item["name"]?.stringValue {
                    match = sourceItems.first { $0["name"]?.stringValue == name }
                } else if let name = item[path: "metadata", "name"]?.stringValue {
                    match = sourceItems.first { $0[path: "metadata", "name"]?.stringValue == name }
                } else if sourceItems.count == items.count {
                    match = sourceItems[i]
                }
                out.append(map(item, match, inherited: match?.span ?? span))
            }
            return Value(.list(out), span: span)
        default:
            return Value(rendered.kind, span: span)
        }
    }
}
