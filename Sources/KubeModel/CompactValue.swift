import Glibc

/// A `Value` packed into one byte buffer (spans included), for keeping every object of a large
/// repository in memory at a fraction of the tree's size. `value` rebuilds the tree.
///
/// Layout, one node after another in document order: a tag byte (low 4 bits: kind; bit 7: a span
/// follows; bit 6: the span names a file other than `file`), then the span as varints (file index when
/// bit 6, line, column), then the payload: varint (ints zig-zag), length-prefixed UTF-8, or a count of
/// children. A map entry is a key, its span, then the value; the key is a varint header
/// `n << 3 | interned << 2 | span` (span: 0 none, 1 in `file`, 2 in another file) followed by `n` bytes of
/// UTF-8, or, when interned, by nothing: `n` is then its index in `keys`, the key table the values of one
/// batch share (an API read has some ninety distinct keys over millions of entries).
public struct CompactValue: Sendable, Equatable {
    private let bytes: [UInt8]
    /// The file most spans belong to.
    public let file: FileID?
    /// The table interned keys refer to (`CompactWriter` with a table); nil when every key is inline.
    let keys: KeyTable?

    /// Bytes already in this layout (`CompactWriter`).
    init(packed bytes: [UInt8], file: FileID?, keys: KeyTable?) { self.bytes = bytes; self.file = file; self.keys = keys }

    public static func == (a: CompactValue, b: CompactValue) -> Bool { a.bytes == b.bytes && a.file == b.file && a.keys === b.keys }

    enum Tag: UInt8 { case null = 0, bool0, bool1, int, string, number, list, map }
    static let hasSpan: UInt8 = 0x80, otherFile: UInt8 = 0x40

    /// `value` packed; with `keys`, its keys are interned there (values packed together share a table).
    public init(_ value: Value, keys: KeyTable? = nil) {
        file = value.span?.file
        self.keys = keys
        var out: [UInt8] = []
        out.reserveCapacity(256)
        Self.encode(value, file: file, keys: keys, into: &out)
        bytes = exactCopy(out[...])   // `Array(out)` would keep `out`'s buffer, spare capacity and all
    }

    /// Bytes held.
    public var byteCount: Int { bytes.count }

    /// The tree, spans included.
    public var value: Value {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = Reader(bytes: buffer, file: file, keys: keys)
            return reader.node()
        }
    }

    /// The value at a path of map keys (the last entry of a repeated key, as `Value`'s subscript reads
    /// it), rebuilt alone: the nodes around it are skipped, not rebuilt.
    public func value(at path: [String]) -> Value? {
        bytes.withUnsafeBufferPointer { buffer -> Value? in
            var reader = Reader(bytes: buffer, file: file, keys: keys)
            for key in path {
                guard let found = reader.seek(key) else { return nil }
                reader.i = found
            }
            return reader.node()
        }
    }

    /// The values of keys of the map node that `bytes` hold, as `CompactWriter` packed it with `keys`:
    /// a part of a value being packed, read before the value is complete.
    public static func values(ofMap bytes: ArraySlice<UInt8>, keys: KeyTable?, wanted: [String]) -> [Value?] {
        bytes.withUnsafeBufferPointer { buffer -> [Value?] in
            var found = [Int?](repeating: nil, count: wanted.count)
            var reader = Reader(bytes: buffer, file: nil, keys: keys)
            reader.seek(wanted, into: &found)
            return found.map { position in
                position.map { position in
                    reader.i = position
                    return reader.node()
                }
            }
        }
    }

    private static func encode(_ value: Value, file: FileID?, keys: KeyTable?, into out: inout [UInt8]) {
        var tag: UInt8
        switch value.kind {
        case .null: tag = Tag.null.rawValue
        case .bool(let b): tag = b ? Tag.bool1.rawValue : Tag.bool0.rawValue
        case .int: tag = Tag.int.rawValue
        case .string: tag = Tag.string.rawValue
        case .number: tag = Tag.number.rawValue
        case .list: tag = Tag.list.rawValue
        case .map: tag = Tag.map.rawValue
        }
        if let span = value.span {
            tag |= hasSpan
            if span.file != file { tag |= otherFile }
        }
        out.append(tag)
        if let span = value.span { encodeSpan(span, file: file, flagged: tag & otherFile != 0, into: &out) }
        switch value.kind {
        case .null, .bool: break
        case .int(let i): varint(UInt64(bitPattern: (i << 1) ^ (i >> 63)), into: &out)
        case .string(let s), .number(let s): string(s, into: &out)
        case .list(let items):
            varint(UInt64(items.count), into: &out)
            for item in items { encode(item, file: file, keys: keys, into: &out) }
        case .map(let entries):
            varint(UInt64(entries.count), into: &out)
            for entry in entries {
                var key = entry.key
                let spanState: UInt64 = entry.keySpan.map { $0.file != file ? 2 : 1 } ?? 0
                key.withUTF8 { utf8 in
                    if let index = keys?.intern(utf8) {
                        varint(UInt64(index) << 3 | 4 | spanState, into: &out)
                    } else {
                        varint(UInt64(utf8.count) << 3 | spanState, into: &out)
                        out.append(contentsOf: utf8)
                    }
                }
                if let span = entry.keySpan { encodeSpan(span, file: file, flagged: spanState == 2, into: &out) }
                encode(entry.value, file: file, keys: keys, into: &out)
            }
        }
    }

    static func encodeSpan(_ span: SourceSpan, file: FileID?, flagged: Bool, into out: inout [UInt8]) {
        if flagged { varint(UInt64(span.file.index), into: &out) }
        varint(UInt64(span.start.line), into: &out)
        varint(UInt64(span.start.column), into: &out)
    }

    private static func string(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { utf8 in
            varint(UInt64(utf8.count), into: &out)
            out.append(contentsOf: utf8)
        }
    }

    static func varint(_ v: UInt64, into out: inout [UInt8]) {
        var v = v
        while v >= 0x80 { out.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let file: FileID?
        let keys: KeyTable?
        var i = 0

        /// A key's header: its length or table index, whether it is interned, and its span state.
        mutating func keyHeader() -> (n: Int, interned: Bool, span: UInt64) {
            let header = varint()
            return (Int(truncatingIfNeeded: header >> 3), header & 4 != 0, header & 3)
        }

        /// Reads a key (header, text, span).
        mutating func key() -> (String, SourceSpan?) {
            let (n, interned, spanState) = keyHeader()
            let text: String
            if interned {
                text = keys.flatMap { n < $0.count ? $0.name(n) : nil } ?? ""
            } else {
                let end = min(i + n, bytes.count)
                text = String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<end]), as: UTF8.self)
                i = end
            }
            return (text, spanState == 0 ? nil : span(otherFile: spanState == 2))
        }

        /// Moves past a key, telling whether it is `wanted`.
        mutating func skipKey(matching wanted: UnsafeBufferPointer<UInt8>?) -> Bool {
            let (n, interned, spanState) = keyHeader()
            var matches = false
            if interned {
                if let wanted, let keys, n < keys.count {
                    matches = keys.withUTF8(n) { stored in
                        stored.count == wanted.count && (wanted.count == 0 || memcmp(stored.baseAddress!, wanted.baseAddress!, wanted.count) == 0)
                    }
                }
            } else {
                let end = min(i + n, bytes.count)
                if let wanted {
                    matches = end - i == wanted.count && (wanted.count == 0 || memcmp(bytes.baseAddress! + i, wanted.baseAddress!, wanted.count) == 0)
                }
                i = end
            }
            if spanState != 0 { _ = span(otherFile: spanState == 2) }
            return matches
        }

        mutating func varint() -> UInt64 {
            var v: UInt64 = 0, shift: UInt64 = 0
            while i < bytes.count {
                let b = bytes[i]; i += 1
                v |= UInt64(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
            }
            return v
        }

        mutating func string() -> String {
            let n = Int(varint())
            let end = min(i + n, bytes.count)
            let s = String(decoding: UnsafeBufferPointer(rebasing: bytes[i..<end]), as: UTF8.self)
            i = end
            return s
        }

        mutating func span(otherFile: Bool) -> SourceSpan? {
            let spanFile = otherFile ? FileID(index: UInt32(truncatingIfNeeded: varint())) : file
            let line = UInt32(truncatingIfNeeded: varint()), column = UInt32(truncatingIfNeeded: varint())
            guard let spanFile else { return nil }
            return SourceSpan(file: spanFile, start: Position(line: line, column: column))
        }

        /// At a map node: the position of the value of `key` (its last entry), nil when the node is not a
        /// map or lacks the key. Moves past the node either way.
        mutating func seek(_ key: String) -> Int? {
            guard i < bytes.count else { return nil }
            let tag = bytes[i]; i += 1
            if tag & CompactValue.hasSpan != 0 { _ = span(otherFile: tag & CompactValue.otherFile != 0) }
            guard Tag(rawValue: tag & 0x0F) == Tag.map else { i -= 1; skipNode(); return nil }
            let n = Int(varint())
            var found: Int?
            var key = key
            key.withUTF8 { wanted in
                for _ in 0..<n where i < bytes.count {
                    if skipKey(matching: wanted) { found = i }
                    skipNode()
                }
            }
            return found
        }

        /// At a map node: the position of the value of each of `wanted` (its last entry), in `found`.
        /// Moves past the node.
        mutating func seek(_ wanted: [String], into found: inout [Int?]) {
            guard i < bytes.count else { return }
            let tag = bytes[i]; i += 1
            if tag & CompactValue.hasSpan != 0 { _ = span(otherFile: tag & CompactValue.otherFile != 0) }
            guard Tag(rawValue: tag & 0x0F) == Tag.map else { i -= 1; skipNode(); return }
            let n = Int(varint())
            for _ in 0..<n where i < bytes.count {
                let keyStart = i
                for (k, key) in wanted.enumerated() {
                    var key = key
                    i = keyStart
                    if key.withUTF8({ skipKey(matching: $0) }) { found[k] = i; break }
                }
                if i == keyStart { _ = skipKey(matching: nil) }
                skipNode()
            }
        }

        /// Moves past one node without rebuilding it.
        mutating func skipNode() {
            guard i < bytes.count else { return }
            let tag = bytes[i]; i += 1
            if tag & CompactValue.hasSpan != 0 { _ = span(otherFile: tag & CompactValue.otherFile != 0) }
            switch Tag(rawValue: tag & 0x0F) ?? .null {
            case .null, .bool0, .bool1: return
            case .int: _ = varint()
            case .string, .number:
                let length = Int(varint())   // read before `i` is: varint() moves it
                i = min(i + length, bytes.count)
            case .list:
                let n = Int(varint())
                for _ in 0..<n where i < bytes.count { skipNode() }
            case .map:
                let n = Int(varint())
                for _ in 0..<n where i < bytes.count {
                    _ = skipKey(matching: nil)
                    skipNode()
                }
            }
        }

        mutating func node() -> Value {
            guard i < bytes.count else { return .null }
            let tag = bytes[i]; i += 1
            let span = tag & CompactValue.hasSpan != 0 ? self.span(otherFile: tag & CompactValue.otherFile != 0) : nil
            switch Tag(rawValue: tag & 0x0F) ?? .null {
            case .null: return Value(.null, span: span)
            case .bool0: return Value(.bool(false), span: span)
            case .bool1: return Value(.bool(true), span: span)
            case .int:
                let z = varint()
                return Value(.int(Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1)))), span: span)
            case .string: return Value(.string(string()), span: span)
            case .number: return Value(.number(string()), span: span)
            case .list:
                let n = Int(varint())
                var items: [Value] = []
                items.reserveCapacity(min(n, bytes.count - i))
                for _ in 0..<n where i < bytes.count { items.append(node()) }
                return Value(.list(items), span: span)
            case .map:
                let n = Int(varint())
                var entries: [Value.Entry] = []
                entries.reserveCapacity(min(n, bytes.count - i))
                for _ in 0..<n where i < bytes.count {
                    let (key, keySpan) = self.key()
                    entries.append(Value.Entry(key: key, keySpan: keySpan, value: node()))
                }
                return Value(.map(entries), span: span)
            }
        }
    }
}

/// Writes a `CompactValue` straight from a parser's events, without building the tree first (an API
/// response is packed as it is parsed). Maps and lists are opened, filled, then closed with their count,
/// which is patched into the room left for it (up to 2,097,151 children; `close` reports a larger count):
/// a count that needs fewer than the three bytes kept moves the container's content down, so that a packed
/// value is as small as one packed from its tree.
/// Nodes written here carry no spans.
public struct CompactWriter {
    public private(set) var bytes: [UInt8] = []
    /// Keys are interned here when set (the table then belongs to every value this writer makes).
    public let keys: KeyTable?

    public init(capacity: Int = 1024, keys: KeyTable? = nil) {
        bytes.reserveCapacity(capacity)
        self.keys = keys
    }

    public static let maxChildren = (1 << 21) - 1

    public mutating func null() { bytes.append(CompactValue.Tag.null.rawValue) }
    public mutating func bool(_ b: Bool) { bytes.append(b ? CompactValue.Tag.bool1.rawValue : CompactValue.Tag.bool0.rawValue) }
    public mutating func int(_ v: Int64) {
        bytes.append(CompactValue.Tag.int.rawValue)
        CompactValue.varint(UInt64(bitPattern: (v << 1) ^ (v >> 63)), into: &bytes)
    }
    /// A string from valid UTF-8.
    public mutating func string(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(CompactValue.Tag.string.rawValue)
        raw(utf8)
    }
    public mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { string($0) }
    }
    /// A number's exact text (not an Int64).
    public mutating func number(_ utf8: UnsafeBufferPointer<UInt8>) {
        bytes.append(CompactValue.Tag.number.rawValue)
        raw(utf8)
    }
    /// Opens a list; returns what `close` needs.
    public mutating func openList() -> Int { open(.list) }
    /// Opens a map; write `key` then the value for each entry.
    public mutating func openMap() -> Int { open(.map) }
    /// An entry's key (valid UTF-8), before its value: interned when the writer has a table with room.
    public mutating func key(_ utf8: UnsafeBufferPointer<UInt8>) {
        if let index = keys?.intern(utf8) {
            CompactValue.varint(UInt64(index) << 3 | 4, into: &bytes)
        } else {
            CompactValue.varint(UInt64(utf8.count) << 3, into: &bytes)
            bytes.append(contentsOf: utf8)
        }
    }
    public mutating func key(_ s: String) {
        var s = s
        s.withUTF8 { key($0) }
    }
    /// Closes the list or map opened at `mark` with `count` children; false when `count` is too large.
    public mutating func close(_ mark: Int, count: Int) -> Bool {
        guard count <= CompactWriter.maxChildren else { return false }
        let size = count < 1 << 7 ? 1 : count < 1 << 14 ? 2 : 3
        bytes.withUnsafeMutableBufferPointer { buffer in
            let base = buffer.baseAddress!
            for k in 0..<size {
                base[mark + k] = UInt8(truncatingIfNeeded: count >> (7 * k)) | (k < size - 1 ? 0x80 : 0)
            }
            if size < 3 { memmove(base + mark + size, base + mark + 3, buffer.count - mark - 3) }
        }
        if size < 3 { bytes.removeLast(3 - size) }
        return true
    }

    /// The bytes written, in a buffer of exactly their size (the writer's own keeps its spare capacity).
    public func copyOfBytes() -> [UInt8] { exactCopy(bytes[...]) }

    /// Forgets what was written, keeping the buffer for the next value.
    public mutating func reset() { bytes.removeAll(keepingCapacity: true) }

    /// A map whose first entries are `leading` (string values) and then `count` entries written as
    /// `entries` (key, value, ...) by a writer with `keys`, with `span` (its file becomes the value's file).
    /// The buffer is exactly as long as the value.
    public static func map(leading: [(String, String)], entries: ArraySlice<UInt8>, count: Int, span: SourceSpan?,
                           keys: KeyTable?) -> CompactValue {
        var head = CompactWriter(capacity: 64, keys: keys)
        head.bytes.append(CompactValue.Tag.map.rawValue | (span == nil ? 0 : CompactValue.hasSpan))
        if let span { CompactValue.encodeSpan(span, file: span.file, flagged: false, into: &head.bytes) }
        CompactValue.varint(UInt64(count + leading.count), into: &head.bytes)
        for (key, value) in leading {
            head.key(key)
            head.string(value)
        }
        return CompactValue(packed: exactCopy(head.bytes[...], entries), file: span?.file, keys: keys)
    }

    private mutating func open(_ tag: CompactValue.Tag) -> Int {
        bytes.append(tag.rawValue)
        let mark = bytes.count
        bytes.append(contentsOf: [0x80, 0x80, 0x00])
        return mark
    }

    private mutating func raw(_ utf8: UnsafeBufferPointer<UInt8>) {
        CompactValue.varint(UInt64(utf8.count), into: &bytes)
        bytes.append(contentsOf: utf8)
    }
}

/// The key names shared by the values one `CompactWriter` packs (one API read, one snapshot): each
/// distinct key is stored once and entries refer to it by index. Written by one thread while values
/// are packed, then only read; a value keeps its table alive.
///
/// Interning runs for every key of every object read (millions per read), so the table keeps its key
/// bytes in one buffer and its open-addressing slots in memory of its own: no array of arrays to retain,
/// no exclusivity check per access.
public final class KeyTable: @unchecked Sendable {
    /// Keys by index, as text (`count` of them, room for `keyCapacity`).
    private var names: UnsafeMutablePointer<String>
    public private(set) var count = 0
    private var keyCapacity = 64
    /// Every key's UTF-8, one after another; `ends[k]` is where key `k` ends.
    private var bytes: UnsafeMutablePointer<UInt8>
    private var byteCapacity = 1024
    private var ends: UnsafeMutablePointer<Int32>
    /// Open addressing: index + 1, 0 when empty.
    private var slots: UnsafeMutablePointer<Int32>
    private var slotCount = 64
    /// At most this many keys (then keys are written inline), each at most `maxKeyLength` bytes.
    public static let capacity = 1 << 16
    public static let maxKeyLength = 256

    public init() {
        bytes = .allocate(capacity: byteCapacity)
        ends = .allocate(capacity: keyCapacity)
        names = .allocate(capacity: keyCapacity)
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: 0, count: slotCount)
    }

    deinit {
        names.deinitialize(count: count)
        names.deallocate()
        bytes.deallocate()
        ends.deallocate()
        slots.deallocate()
    }

    /// The text of key `index` (which must be below `count`).
    func name(_ index: Int) -> String { names[index] }

    /// The UTF-8 of key `index` (which must be below `count`).
    func withUTF8<R>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        let start = index == 0 ? 0 : Int(ends[index - 1])
        return body(UnsafeBufferPointer(start: bytes + start, count: Int(ends[index]) - start))
    }

    /// The index of `key`, added when new; nil when the table is full or the key too long.
    func intern(_ key: UnsafeBufferPointer<UInt8>) -> Int? {
        guard key.count <= KeyTable.maxKeyLength else { return nil }
        let mask = slotCount - 1
        var slot = Int(truncatingIfNeeded: Self.hash(key)) & mask
        while slots[slot] != 0 {
            let index = Int(slots[slot]) - 1
            let start = index == 0 ? 0 : Int(ends[index - 1])
            if Int(ends[index]) - start == key.count && (key.count == 0 || memcmp(bytes + start, key.baseAddress!, key.count) == 0) {
                return index
            }
            slot = (slot + 1) & mask
        }
        let index = count
        guard index < KeyTable.capacity else { return nil }
        let start = index == 0 ? 0 : Int(ends[index - 1])
        if start + key.count > byteCapacity {
            let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: max(byteCapacity * 2, start + key.count))
            grown.update(from: bytes, count: start)
            bytes.deallocate()
            bytes = grown
            byteCapacity = max(byteCapacity * 2, start + key.count)
        }
        if index == keyCapacity {
            let grownEnds = UnsafeMutablePointer<Int32>.allocate(capacity: keyCapacity * 2)
            grownEnds.update(from: ends, count: count)
            ends.deallocate()
            ends = grownEnds
            let grownNames = UnsafeMutablePointer<String>.allocate(capacity: keyCapacity * 2)
            grownNames.moveInitialize(from: names, count: count)
            names.deallocate()
            names = grownNames
            keyCapacity *= 2
        }
        if key.count > 0 { (bytes + start).update(from: key.baseAddress!, count: key.count) }
        ends[index] = Int32(start + key.count)
        (names + index).initialize(to: String(decoding: key, as: UTF8.self))
        count += 1
        slots[slot] = Int32(index + 1)
        if count * 2 > slotCount { rehash() }
        return index
    }

    /// FNV-1a over the key, eight bytes at a time.
    private static func hash(_ key: UnsafeBufferPointer<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf29ce484222325
        let raw = UnsafeRawBufferPointer(key)
        var i = 0
        while i + 8 <= raw.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) &* 0x100000001b3
            hash ^= hash >> 29
            i += 8
        }
        while i < raw.count {
            hash = (hash ^ UInt64(raw[i])) &* 0x100000001b3
            i += 1
        }
        return hash ^ (hash >> 32)
    }

    private func rehash() {
        slots.deallocate()
        slotCount *= 2
        slots = .allocate(capacity: slotCount)
        slots.initialize(repeating: 0, count: slotCount)
        let mask = slotCount - 1
        for index in 0..<count {
            var slot = Int(truncatingIfNeeded: withUTF8(index) { Self.hash($0) }) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(index + 1)
        }
    }
}

/// `parts` one after another, in a buffer of exactly their size: what a packed value keeps for the run.
func exactCopy(_ parts: ArraySlice<UInt8>...) -> [UInt8] {
    let total = parts.reduce(0) { $0 + $1.count }
    return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
        var k = 0
        for part in parts {
            part.withUnsafeBufferPointer { source in
                if source.count > 0 { (buffer.baseAddress! + k).update(from: source.baseAddress!, count: source.count) }
            }
            k += part.count
        }
        initialized = total
    }
}
