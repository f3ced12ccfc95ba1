/// Path globs as `.ballast.yaml` writes them: `*` and `?` stay within one path segment, `**` spans
/// segments (`apps/**/legacy-*.yaml`).
public struct Glob: Sendable, Equatable {
    let pattern: [Character]
    public init(_ pattern: String) { self.pattern = Array(pattern) }
    /// The pattern as written.
    public var text: String { String(pattern) }

    public func matches(_ path: String) -> Bool { Self.match(pattern[...], Array(path)[...]) }

    private static func match(_ p: ArraySlice<Character>, _ s: ArraySlice<Character>) -> Bool {
        var p = p, s = s
        while let c = p.first {
            if c == "*" {
                let doubleStar = p.dropFirst().first == "*"
                var rest = p.dropFirst(doubleStar ? 2 : 1)
                if doubleStar && rest.first == "/" {
                    // `**/` also matches no directory at all.
                    if match(rest.dropFirst(), s) { return true }
                }
                if doubleStar { rest = rest.drop(while: { $0 == "*" }) }
                var k = s.startIndex
                while true {
                    if match(rest, s[k...]) { return true }
                    if k == s.endIndex { return false }
                    if !doubleStar && s[k] == "/" { return false }
                    k += 1
                }
            }
            guard let d = s.first else { return false }
            if c == "?" { if d == "/" { return false } } else if c != d { return false }
            p = p.dropFirst(); s = s.dropFirst()
        }
        return s.isEmpty
    }
}
