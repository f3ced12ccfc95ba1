/// Objects kept packed (`CompactValue`, spans included), each rebuilt as a tree only when it is read:
/// the live side of a comparison (tens of thousands of objects from a cluster or a snapshot) and the
/// desired side of `drift` stay a fraction of their trees' size. Identity is at hand without decoding
/// (`ref(at:)`), so passes that select by kind, namespace or name never rebuild what they skip.
///
/// Reading an element decodes it; a loop that keeps what it read holds trees again, so loops select by
/// `ref(at:)` first and keep indices, not objects.
public struct CompactObjects: RandomAccessCollection, Sendable, ExpressibleByArrayLiteral {
    private struct Stored: Sendable {
        var ref: ObjectRef
        var apiVersion: String
        /// Where the object was read, when it was: most live objects have neither, so they share nil.
        var origin: Origin?
        var compact: CompactValue
        var span: SourceSpan? { origin?.span }
        var helmSource: String? { origin?.helmSource }
        init(ref: ObjectRef, apiVersion: String, span: SourceSpan?, helmSource: String?, compact: CompactValue) {
            self.ref = ref; self.apiVersion = apiVersion; self.compact = compact
            origin = span == nil && helmSource == nil ? nil : Origin(span: span, helmSource: helmSource)
        }
    }

    private final class Origin: Sendable {
        let span: SourceSpan?
        let helmSource: String?
        init(span: SourceSpan?, helmSource: String?) { self.span = span; self.helmSource = helmSource }
    }

    private var stored: [Stored] = []

    public init() {}

    /// `objects` packed; with `keys`, their keys are interned there.
    public init<S: Sequence>(_ objects: S, keys: KeyTable? = nil) where S.Element == KubeObject {
        for object in objects { append(object, keys: keys) }
    }

    public init(arrayLiteral objects: KubeObject...) { self.init(objects) }

    public var startIndex: Int { 0 }
    public var endIndex: Int { stored.count }

    /// The object at `position`, its tree rebuilt.
    public subscript(position: Int) -> KubeObject {
        let s = stored[position]
        return KubeObject(ref: s.ref, apiVersion: s.apiVersion, value: s.compact.value, span: s.span, helmSource: s.helmSource)
    }

    /// The identity of the object at `position`, without rebuilding it.
    public func ref(at position: Int) -> ObjectRef { stored[position].ref }

    /// Every identity, in order.
    public var refs: [ObjectRef] { stored.map(\.ref) }

    /// The positions of the objects of a kind (`group` "" for the core group).
    public func indices(group: String, kind: String) -> [Int] {
        stored.indices.filter { stored[$0].ref.kind == kind && stored[$0].ref.group == group }
    }

    /// The objects of a kind, rebuilt, in order.
    public func objects(group: String, kind: String) -> [KubeObject] { indices(group: group, kind: kind).map { self[$0] } }

    /// The objects of a kind in any group, rebuilt, in order.
    public func objects(kind: String) -> [KubeObject] { stored.indices.filter { stored[$0].ref.kind == kind }.map { self[$0] } }

    /// The same objects in identity order (`ObjectRef`'s), none rebuilt.
    public func sortedByRef() -> CompactObjects {
        var out = self
        out.stored.sort { $0.ref < $1.ref }
        return out
    }

    public mutating func append(_ object: KubeObject, keys: KeyTable? = nil) {
        stored.append(Stored(ref: object.ref, apiVersion: object.apiVersion, span: object.span, helmSource: object.helmSource,
                             compact: CompactValue(object.value, keys: keys)))
    }

    /// An object already packed (an API response item packed as it was parsed).
    public mutating func append(ref: ObjectRef, apiVersion: String, compact: CompactValue, span: SourceSpan? = nil) {
        stored.append(Stored(ref: ref, apiVersion: apiVersion, span: span, helmSource: nil, compact: compact))
    }

    public mutating func append(_ packed: (ref: ObjectRef, apiVersion: String, compact: CompactValue, span: SourceSpan?)) {
        append(ref: packed.ref, apiVersion: packed.apiVersion, compact: packed.compact, span: packed.span)
    }

    /// The value at a path of map keys in the object at `position`, rebuilt alone.
    public func value(at position: Int, path: [String]) -> Value? { stored[position].compact.value(at: path) }

    public mutating func append(contentsOf other: CompactObjects) { stored.append(contentsOf: other.stored) }

    public mutating func append<S: Sequence>(contentsOf objects: S) where S.Element == KubeObject {
        for object in objects { append(object) }
    }

    /// Removes the objects whose identity matches, without rebuilding any.
    public mutating func removeAll(whereRef shouldRemove: (ObjectRef) throws -> Bool) rethrows {
        try stored.removeAll { try shouldRemove($0.ref) }
    }

    public mutating func removeAll() { stored.removeAll() }

    /// Keeps the first `count` objects.
    public mutating func truncate(to count: Int) { stored.removeLast(stored.count - Swift.min(count, stored.count)) }

    public static func += (lhs: inout CompactObjects, rhs: CompactObjects) { lhs.append(contentsOf: rhs) }
}
