import KubeModel

/// Finds the node a field path (DESIGN §6 grammar) names, to place a finding. When the path runs past
/// what the object has (a missing field), the deepest node that exists is used: the map that lacks it.
public enum PathResolver {
    public enum Segment: Equatable { case key(String), index(Int), item(key: String, value: String) }

    public static func segments(_ path: String) -> [Segment]? {
        var out: [Segment] = []
        var chars = Substring(path)
        while !chars.isEmpty {
            if chars.first == "." { chars = chars.dropFirst(); continue }
            if chars.first == "[" {
                guard let close = closingBracket(chars) else { return nil }
                let inner = chars[chars.index(after: chars.startIndex)..<close]
                if inner.first == "\"" {
                    out.append(.key(unquote(inner)))
                } else if let eq = inner.firstIndex(of: "=") {
                    out.append(.item(key: String(inner[..<eq]), value: String(inner[inner.index(after: eq)...])))
                } else if let i = Int(inner) {
                    out.append(.index(i))
                } else {
                    return nil
                }
                chars = chars[chars.index(after: close)...]
            } else {
                let end = chars.firstIndex(where: { $0 == "." || $0 == "[" }) ?? chars.endIndex
                out.append(.key(String(chars[..<end])))
                chars = chars[end...]
            }
        }
        return out
    }

    private static func closingBracket(_ s: Substring) -> Substring.Index? {
        var inQuote = false, escaped = false
        for i in s.indices.dropFirst() {
            let c = s[i]
            if escaped { escaped = false; continue }
            if c == "\\" { escaped = true; continue }
            if c == "\"" { inQuote.toggle(); continue }
            if c == "]" && !inQuote { return i }
        }
        return nil
    }

    private static func unquote(_ s: Substring) -> String {
        var out = "", escaped = false
        for c in s.dropFirst().dropLast() {
            if escaped { out.append(c); escaped = false } else if c == "\\" { escaped = true } else { out.append(c) }
        }
        return out
    }

    /// The node at `path`, and the span of the deepest node that exists on the way (the node's own when it
    /// exists). The one walker behind finding positions and the gate's before/after values. A list item is
    /// named by a merge key whose value is compared as written: `[name=redis]`, `[port=6379]` (a number).
    public static func resolve(_ path: String, in root: Value) -> (node: Value?, span: SourceSpan?) {
        guard let segments = segments(path) else { return (nil, root.span) }
        var node = root
        var best = root.span
        for segment in segments {
            switch segment {
            case .key(let key):
                guard let entry = node.entry(key) else { return (nil, best) }
                node = entry.value
                best = entry.value.span ?? entry.keySpan ?? best
            case .index(let i):
                guard let list = node.listValue, i >= 0, i < list.count else { return (nil, best) }
                node = list[i]
                best = node.span ?? best
            case .item(let key, let value):
                guard let list = node.listValue, let found = list.first(where: { matches($0, key, value) }) else { return (nil, best) }
                node = found
                best = node.span ?? best
            }
        }
        return (node, best)
    }

    /// Whether a list item's merge key (or its `metadata.<key>`, for volumeClaimTemplates) has `value`:
    /// strings as they are, numbers and booleans as their JSON text.
    static func matches(_ item: Value, _ key: String, _ value: String) -> Bool {
        guard let field = item[key] ?? item[path: "metadata", key] else { return false }
        if let text = field.stringValue { return text == value }
        return field.json == value
    }

    /// The span of the node at `path`, or of the deepest existing node on the way.
    public static func span(of path: String, in root: Value) -> SourceSpan? { resolve(path, in: root).span }
}
