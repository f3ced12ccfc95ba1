internal import CRE2
import Synchronization

/// A compiled RE2 pattern (`cre2_compile`), freed with its owner. RE2 objects are immutable once compiled
/// and RE2 documents them as safe to match from several threads at once, so tasks share one without a lock
/// (hence `@unchecked`: the pointer is never written after `init`).
final class CompiledRegex: @unchecked Sendable {
    private let pointer: OpaquePointer
    let pattern: String

    deinit { cre2_free(pointer) }

    /// Compiles `pattern` with RE2 syntax. Throws with RE2's own message for an invalid pattern
    /// (backreferences and lookaround are invalid in RE2).
    init(_ pattern: String) throws(CELError) {
        var error = [CChar](repeating: 0, count: 256)
        var source = pattern
        let compiled: OpaquePointer? = source.withUTF8 { buffer in
            error.withUnsafeMutableBufferPointer { e in
                cre2_compile(buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }, buffer.count, e.baseAddress, e.count)
            }
        }
        guard let compiled else {
            let message = String(decoding: error.prefix(while: { $0 != 0 }).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw CELError("invalid regular expression \(jsonQuotedPattern(pattern)): \(message)")
        }
        pointer = compiled
        self.pattern = pattern
    }

    /// Patterns that arrive as values (not literals) are compiled once per process and kept, up to a bound.
    private static let cache = Mutex<[String: CompiledRegex]>([:])
    private static let cacheLimit = 256

    /// The compiled form of a pattern known only at evaluation time, from the cache when it was seen before.
    static func cached(_ pattern: String) throws(CELError) -> CompiledRegex {
        if let hit = cache.withLock({ $0[pattern] }) { return hit }
        let compiled = try CompiledRegex(pattern)
        cache.withLock { entries in
            if entries.count >= cacheLimit { entries.removeAll(keepingCapacity: true) }
            entries[pattern] = compiled
        }
        return compiled
    }

    /// Whether the pattern matches anywhere in `text` (`cre2_partial_match`).
    func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { buffer in cre2_partial_match(pointer, charPointer(buffer), buffer.count) == 1 }
    }

    /// The matched substrings, left to right, at most `limit` of them (all when negative) (`cre2_find`).
    func findAll(_ text: String, limit: Int = -1) -> [String] {
        var text = text
        return text.withUTF8 { buffer in Self.findAll(pointer, buffer, limit: limit) }
    }

    private static func findAll(_ pointer: OpaquePointer, _ buffer: UnsafeBufferPointer<UInt8>, limit: Int) -> [String] {
        var out: [String] = []
        var start = 0
        var spans = [Int](repeating: -1, count: 2)
        var previousEnd = -1
        while limit < 0 || out.count < limit, start <= buffer.count {
            let found = spans.withUnsafeMutableBufferPointer { s in
                cre2_find(pointer, charPointer(buffer), buffer.count, start, s.baseAddress, 1)
            }
            guard found == 1 else { break }
            let (b, e) = (spans[0], spans[1])
            if b == e && b == previousEnd {
                // An empty match right after the previous match is skipped, as Go's FindAll does.
                start = nextScalarStart(buffer, after: b)
                continue
            }
            out.append(String(decoding: UnsafeBufferPointer(rebasing: buffer[b..<e]), as: UTF8.self))
            previousEnd = e
            start = e > b ? e : nextScalarStart(buffer, after: b)
        }
        return out
    }
}

private func charPointer(_ buffer: UnsafeBufferPointer<UInt8>) -> UnsafePointer<CChar>? {
    buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) }
}

private func nextScalarStart(_ buffer: UnsafeBufferPointer<UInt8>, after i: Int) -> Int {
    var j = i + 1
    while j < buffer.count, buffer[j] & 0xC0 == 0x80 { j += 1 }
    return j
}

private func jsonQuotedPattern(_ s: String) -> String { "'" + s + "'" }
