import Glibc

/// Small text helpers shared by every target (no Foundation needed).
extension StringProtocol {
    /// The text without leading and trailing characters of `set`.
    public func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}

extension String {
    /// Every occurrence of `target` replaced by `replacement`. Matches whole characters, as Swift compares
    /// them: `\n` is not found inside a `\r\n` pair, `K` matches a Kelvin sign.
    public func replacingAll(_ target: String, _ replacement: String) -> String {
        guard !target.isEmpty else { return self }
        if isPlainASCII && target.isPlainASCII {
            // One byte is one character here, so a byte match is a character match.
            guard let first = utf8Offset(of: target) else { return self }
            var out: [UInt8] = []
            out.reserveCapacity(utf8.count + replacement.utf8.count)
            var copy = self, needle = target
            copy.withUTF8 { text in
                needle.withUTF8 { needle in
                    var from = 0, hit: Int? = first
                    while let at = hit {
                        out.append(contentsOf: text[from..<at])
                        out.append(contentsOf: replacement.utf8)
                        from = at + needle.count
                        hit = firstOffset(of: needle, in: text, from: from)
                    }
                    out.append(contentsOf: text[from...])
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        guard contains(target) else { return self }
        return split(separator: Substring(target), omittingEmptySubsequences: false).joined(separator: replacement)
    }

    /// ASCII without a `\r\n` pair: every byte is a character of its own, so byte and character
    /// comparisons agree.
    public var isPlainASCII: Bool {
        var copy = self
        return copy.withUTF8 { bytes in
            var previous: UInt8 = 0
            for byte in bytes {
                if byte >= 0x80 || (byte == 0x0A && previous == 0x0D) { return false }
                previous = byte
            }
            return true
        }
    }

    /// The UTF-8 offset of the first occurrence of `needle`'s bytes at or after byte `start`, or nil. An
    /// empty needle is found at `start`. Both are valid UTF-8, which is self-synchronising, so a byte match
    /// starts and ends on code point boundaries: this is a code point search, not a character one.
    public func utf8Offset(of needle: String, from start: Int = 0) -> Int? {
        var text = self, needle = needle
        return text.withUTF8 { text in needle.withUTF8 { needle in firstOffset(of: needle, in: text, from: start) } }
    }

    /// The UTF-8 offset of the last occurrence of `needle`'s bytes starting at or before byte `end`, or nil.
    /// An empty needle is found at `end`.
    public func utf8LastOffset(of needle: String, atOrBefore end: Int) -> Int? {
        var text = self, needle = needle
        return text.withUTF8 { text in
            needle.withUTF8 { needle in
                if needle.isEmpty { return end <= text.count ? end : nil }
                guard text.count >= needle.count else { return nil }
                var at = min(end, text.count - needle.count)
                let first = needle[0]
                while at >= 0 {
                    if text[at] == first && bytesEqual(text, at, needle) { return at }
                    at -= 1
                }
                return nil
            }
        }
    }

    /// Whether the UTF-8 bytes start with `prefix`'s (code points, not characters).
    public func utf8HasPrefix(_ prefix: String) -> Bool {
        var text = self, prefix = prefix
        return text.withUTF8 { text in
            prefix.withUTF8 { prefix in prefix.count <= text.count && bytesEqual(text, 0, prefix) }
        }
    }

    /// Whether the UTF-8 bytes end with `suffix`'s (code points, not characters).
    public func utf8HasSuffix(_ suffix: String) -> Bool {
        var text = self, suffix = suffix
        return text.withUTF8 { text in
            suffix.withUTF8 { suffix in suffix.count <= text.count && bytesEqual(text, text.count - suffix.count, suffix) }
        }
    }
}

/// The offset of the first `needle` in `text` at or after `start`: memchr finds the first byte, memcmp
/// checks the rest.
func firstOffset(of needle: UnsafeBufferPointer<UInt8>, in text: UnsafeBufferPointer<UInt8>, from start: Int) -> Int? {
    guard start >= 0, start <= text.count else { return nil }
    if needle.isEmpty { return start }
    guard text.count - start >= needle.count, let base = text.baseAddress, let pattern = needle.baseAddress else { return nil }
    let last = text.count - needle.count   // the last offset where a match can start
    var at = start
    while at <= last {
        guard let hit = memchr(base + at, Int32(pattern.pointee), last - at + 1) else { return nil }
        at = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
        if needle.count == 1 || memcmp(base + at + 1, pattern + 1, needle.count - 1) == 0 { return at }
        at += 1
    }
    return nil
}

/// Whether `text` holds `needle` at `offset` (which must leave room for it).
private func bytesEqual(_ text: UnsafeBufferPointer<UInt8>, _ offset: Int, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let base = text.baseAddress, let pattern = needle.baseAddress else { return needle.isEmpty }
    return memcmp(base + offset, pattern, needle.count) == 0
}

private let base64Alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

/// Standard base64 (RFC 4648) with padding.
public func base64Encode(_ bytes: [UInt8]) -> String {
    var out: [UInt8] = []
    out.reserveCapacity((bytes.count + 2) / 3 * 4)
    var i = 0
    while i < bytes.count {
        let b0 = bytes[i], b1 = i + 1 < bytes.count ? bytes[i + 1] : 0, b2 = i + 2 < bytes.count ? bytes[i + 2] : 0
        out.append(base64Alphabet[Int(b0 >> 2)])
        out.append(base64Alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
        out.append(i + 1 < bytes.count ? base64Alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
        out.append(i + 2 < bytes.count ? base64Alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
        i += 3
    }
    return String(decoding: out, as: UTF8.self)
}
