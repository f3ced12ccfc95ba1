import KubeModel

/// Finds the node a field path (DESIGN §6 grammar) names, to place a finding. When the path runs past
/// what the object has (a missing field), the deepest node that exists is used: the map that lacks it.
enum PathResolver {
    enum Segment: Equatable { case key(String), index(Int), item(key: String, value: String) }

    static func segments(_ path: String) -> [Segment]? {
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

    /// The span of the node at `path`, or of the deepest existing node on the way.
    static func span(of path: String, in root: Value) -> SourceSpan? {
        guard let segments = segments(path) else { return root.span }
        var node = root
        var best = root.span
        for segment in segments {
            switch segment {
            case .key(let key):
                guard let entry = node.entry(key) else { return best }
                node = entry.value
                best = entry.value.span ?? entry.keySpan ?? best
            case .index(let i):
                guard let list = node.listValue, i >= 0, i < list.count else { return best }
                node = list[i]
                best = node.span ?? best
            case .item(let key, let value):
                guard let list = node.listValue,
                      let found = list.first(where: { ($0[key]?.stringValue ?? $0[path: "metadata", key]?.stringValue) == value
                          || $0[key].map { "\($0.json)" == value } == true }) else { return best }
                node = found
                best = node.span ?? best
            }
        }
        return best
    }
}
