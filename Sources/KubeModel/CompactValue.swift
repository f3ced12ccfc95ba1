/// A `Value` packed into one byte buffer (spans included), for keeping every object of a large
/// repository in memory at a fraction of the tree's size. `value` rebuilds the tree.
///
/// Layout, one node after another in document order: a tag byte (low 4 bits: kind; bit 7: a span
/// follows; bit 6: the span names a file other than `file`), then the span as varints (file index when
/// bit 6, line, column), then the payload: varint (ints zig-zag), length-prefixed UTF-8, or a count of
/// children (maps: key, key span, value per entry).
public struct CompactValue: Sendable, Equatable {
    private let bytes: [UInt8]
    /// The file most spans belong to.
    public let file: FileID?

    private enum Tag: UInt8 { case null = 0, bool0, bool1, int, string, number, list, map }
    private static let hasSpan: UInt8 = 0x80, otherFile: UInt8 = 0x40

    public init(_ value: Value) {
        file = value.span?.file
        var out: [UInt8] = []
        out.reserveCapacity(256)
        Self.encode(value, file: file, into: &out)
        bytes = Array(out)   // a copy without spare capacity
    }

    /// Bytes held.
    public var byteCount: Int { bytes.count }

    /// The tree, spans included.
    public var value: Value {
        bytes.withUnsafeBufferPointer { buffer in
            var reader = Reader(bytes: buffer, file: file)
            return reader.node()
        }
    }

    private static func encode(_ value: Value, file: FileID?, into out: inout [UInt8]) {
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
            for item in items { encode(item, file: file, into: &out) }
        case .map(let entries):
            varint(UInt64(entries.count), into: &out)
            for entry in entries {
                string(entry.key, into: &out)
                if let span = entry.keySpan {
                    let other = span.file != file
                    out.append(other ? 2 : 1)
                    encodeSpan(span, file: file, flagged: other, into: &out)
                } else {
                    out.append(0)
                }
                encode(entry.value, file: file, into: &out)
            }
        }
    }

    private static func encodeSpan(_ span: SourceSpan, file: FileID?, flagged: Bool, into out: inout [UInt8]) {
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

    private static func varint(_ v: UInt64, into out: inout [UInt8]) {
        var v = v
        while v >= 0x80 { out.append(UInt8(truncatingIfNeeded: v) | 0x80); v >>= 7 }
        out.append(UInt8(v))
    }

    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let file: FileID?
        var i = 0

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
                    let key = string()
                    let flag = i < bytes.count ? bytes[i] : 0
                    i += 1
                    let keySpan = flag == 0 ? nil : self.span(otherFile: flag == 2)
                    entries.append(Value.Entry(key: key, keySpan: keySpan, value: node()))
                }
                return Value(.map(entries), span: span)
            }
        }
    }
}
