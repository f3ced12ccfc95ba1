/// Field paths in the grammar of DESIGN §6: dotted from the object root; list items by merge key
/// (`containers[name=redis]`) or index (`[0]`); map keys containing `.` or `/` as `["key"]`.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    public private(set) var description: String

    public init() { description = "" }
    public init(_ keys: String...) { description = ""; for k in keys { self = self.key(k) } }

    /// The path one map key down.
    public func key(_ key: String) -> FieldPath {
        var p = self
        if key.contains(".") || key.contains("/") || key.contains("[") || key.isEmpty {
            p.description += "[" + jsonQuoted(key) + "]"
        } else {
            p.description += (description.isEmpty ? "" : ".") + key
        }
        return p
    }

    /// The path of a list item identified by a merge key: `[name=redis]`.
    public func item(_ mergeKey: String, _ value: String) -> FieldPath {
        var p = self
        p.description += "[\(mergeKey)=\(value)]"
        return p
    }

    /// The path of a list item by position.
    public func index(_ i: Int) -> FieldPath {
        var p = self
        p.description += "[\(i)]"
        return p
    }

    /// The path of item `i` of `list`, by its merge key when it has one. Items named by their metadata
    /// (volumeClaimTemplates) are `[name=data]` too.
    public func item(in list: [Value], at i: Int, mergeKey: String = "name") -> FieldPath {
        if let key = list[i][mergeKey]?.stringValue { return item(mergeKey, key) }
        if mergeKey == "name", let name = list[i][path: "metadata", "name"]?.stringValue { return item("name", name) }
        return index(i)
    }
}
