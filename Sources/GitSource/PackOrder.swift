import Glibc

/// The order in which to read many blobs so that each one's delta base is still in libgit2's delta-base
/// cache when it is read.
///
/// A blob stored as a delta is rebuilt from its base, which may itself be a delta (chains are up to 50 deep
/// in packs git makes). libgit2 keeps the objects it rebuilt along a chain in a cache of 16 MB per pack,
/// emptied whenever it is full, so reading blobs in tree order rebuilds most chains from their root once the
/// repository's blobs no longer fit in it: reading every blob of a 50,000-app repository took 15x the time of
/// a 10,000-app one. Read depth-first over the packs' delta trees instead, each blob comes right after its
/// base, and one delta is applied per blob: the growth is then linear.
///
/// Only the packs' indexes (`.idx`, version 2) and the objects' headers are read here, never their content.
/// The order is a hint: an object in no pack (loose, in an alternate) or a pack that does not parse keeps
/// the order it was given in, after the others. Reading any object in any order stays correct.
struct PackOrder {
    /// Indices into `ids`: for each pack in turn, its objects depth-first over their delta trees, then the
    /// objects found in no pack, in their given order.
    static func order(_ ids: [ObjectID], objectsDirectory: String) -> [Int] {
        var pending = Array(ids.indices)
        var ordered: [Int] = []
        ordered.reserveCapacity(ids.count)
        let raw = ids.map { RawID(hex: $0.hex) }
        for path in packIndexes(objectsDirectory) where !pending.isEmpty {
            guard let pack = PackFile(index: path) else { continue }
            var left: [Int] = []
            var wanted: [(offset: Int, position: Int)] = []
            for i in pending {
                if let id = raw[i], let offset = pack.offset(of: id) { wanted.append((offset, i)) } else { left.append(i) }
            }
            guard let order = pack.depthFirst(wanted) else { continue }   // an unreadable pack: the next one, or the given order
            ordered += order
            pending = left
        }
        return ordered + pending
    }

    /// Packs looked into, largest first: a clone fetched many times without a repack may hold hundreds of
    /// small packs, and each pack looked into costs a search per object still unplaced.
    static let packLimit = 16

    /// The pack indexes of an objects directory, largest pack first (then by name), at most `packLimit`.
    static func packIndexes(_ objectsDirectory: String) -> [String] {
        let directory = objectsDirectory + "/pack"
        guard let handle = opendir(directory) else { return [] }
        defer { closedir(handle) }
        var found: [(path: String, size: Int)] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard name.hasPrefix("pack-") && name.hasSuffix(".idx") else { continue }
            var st = stat()
            let pack = directory + "/" + name.dropLast(4) + ".pack"
            found.append((directory + "/" + name, stat(pack, &st) == 0 ? Int(st.st_size) : 0))
        }
        return found.sorted { ($0.size, $1.path) > ($1.size, $0.path) }.prefix(packLimit).map(\.path)
    }
}

/// An object id as its 20 bytes (SHA-1; a SHA-256 repository's ids are not found, and keep their order).
struct RawID: Equatable {
    var bytes: (UInt64, UInt64, UInt32)

    init?(hex: String) {
        var out = [UInt8](repeating: 0, count: 20)
        var count = 0
        var high: UInt8?
        for c in hex.utf8 {
            let v: UInt8
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): v = c &- UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): v = c &- UInt8(ascii: "a") &+ 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): v = c &- UInt8(ascii: "A") &+ 10
            default: return nil
            }
            if let h = high {
                guard count < 20 else { return nil }
                out[count] = h << 4 | v
                count += 1
                high = nil
            } else {
                high = v
            }
        }
        guard count == 20, high == nil else { return nil }
        self.init(out[...])
    }

    init(_ b: ArraySlice<UInt8>) {
        bytes = (0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { to in
            for (i, byte) in b.prefix(20).enumerated() { to[i] = byte }
        }
    }

    init(_ p: UnsafeRawBufferPointer, at start: Int) {
        bytes = (0, 0, 0)
        withUnsafeMutableBytes(of: &bytes) { to in to.copyMemory(from: UnsafeRawBufferPointer(rebasing: p[start..<(start + 20)])) }
    }

    var first: Int { withUnsafeBytes(of: bytes) { Int($0[0]) } }

    static func == (a: RawID, b: RawID) -> Bool { a.bytes == b.bytes }

    /// Compares with the 20 bytes at `start` in `p`, as memcmp does.
    func compare(_ p: UnsafeRawBufferPointer, at start: Int) -> Int32 {
        withUnsafeBytes(of: bytes) { mine in memcmp(mine.baseAddress!, p.baseAddress! + start, 20) }
    }
}

/// A pack and its index, mapped read-only. Every read is bounds-checked: a damaged file gives no order,
/// never a crash.
final class PackFile {
    private let index: MappedFile
    private let pack: MappedFile
    private let count: Int
    /// Where the ids, the 31-bit offsets and the 64-bit offsets start in the index.
    private let ids: Int, offsets: Int, largeOffsets: Int

    convenience init?(index path: String) {
        guard let index = MappedFile(path), let pack = MappedFile(String(path.dropLast(4)) + ".pack") else { return nil }
        self.init(index: index, pack: pack)
    }

    init?(index: MappedFile, pack: MappedFile) {
        let idx = index.bytes
        // Version 2: "\377tOc", version 2, a fan-out of 256 counts; then ids, CRCs, offsets, large offsets.
        guard idx.count >= 8 + 1024 + 40, idx[0] == 0xff, idx[1] == 0x74, idx[2] == 0x4f, idx[3] == 0x63,
              Self.uint32(idx, 4) == 2 else { return nil }
        let count = Self.uint32(idx, 8 + 255 * 4)
        guard idx.count >= 8 + 1024 + count * 28 + 40, pack.bytes.count >= 12 + 20 else { return nil }
        self.index = index
        self.pack = pack
        self.count = count
        ids = 8 + 1024
        offsets = ids + count * 24
        largeOffsets = offsets + count * 4
    }

    static func uint32(_ p: UnsafeRawBufferPointer, _ at: Int) -> Int {
        Int(p[at]) << 24 | Int(p[at + 1]) << 16 | Int(p[at + 2]) << 8 | Int(p[at + 3])
    }

    /// The offset in the pack of the object `id`, nil when the pack does not hold it.
    func offset(of id: RawID) -> Int? {
        let idx = index.bytes
        let byte = id.first
        var low = byte == 0 ? 0 : Self.uint32(idx, 8 + (byte - 1) * 4)
        var high = Self.uint32(idx, 8 + byte * 4)
        guard low <= high, high <= count else { return nil }
        while low < high {
            let mid = (low + high) / 2
            let order = id.compare(idx, at: ids + mid * 20)
            if order == 0 { return objectOffset(mid) }
            if order < 0 { high = mid } else { low = mid + 1 }
        }
        return nil
    }

    /// Every object of the index, by offset, positioned in index order (the fuzz target's question).
    func everyObject() -> [(offset: Int, position: Int)] {
        (0..<count).compactMap { n in objectOffset(n).map { ($0, n) } }
    }

    private func objectOffset(_ n: Int) -> Int? {
        let idx = index.bytes
        let small = Self.uint32(idx, offsets + n * 4)
        guard small & 0x8000_0000 != 0 else { return small }
        let at = largeOffsets + (small & 0x7fff_ffff) * 8
        guard at + 8 <= idx.count - 40 else { return nil }
        let value = Self.uint32(idx, at) << 32 | Self.uint32(idx, at + 4)
        return value >= 0 ? value : nil
    }

    /// The offset of the base of the object at offset `object`: nil for a whole object, or `.failure` when the
    /// header does not parse (the pack is then left in its given order).
    private func base(of object: Int) -> Result<Int?, PackOrderFailure> {
        let p = pack.bytes
        let end = p.count - 20
        guard object >= 12, object < end else { return .failure(PackOrderFailure()) }
        var i = object
        var c = p[i]
        let type = (c >> 4) & 7
        var sizeBytes = 0
        while c & 0x80 != 0 {   // the size, which is not needed
            i += 1; sizeBytes += 1
            guard i < end, sizeBytes < 10 else { return .failure(PackOrderFailure()) }
            c = p[i]
        }
        i += 1
        switch type {
        case 1, 2, 3, 4: return .success(nil)
        case 6:   // OFS_DELTA: the base is that many bytes before, in git's "offset encoding"
            guard i < end else { return .failure(PackOrderFailure()) }
            c = p[i]
            var distance = Int(c & 0x7f)
            var used = 1
            while c & 0x80 != 0 {
                i += 1; used += 1
                guard i < end, used <= 9 else { return .failure(PackOrderFailure()) }
                c = p[i]
                distance = ((distance + 1) << 7) | Int(c & 0x7f)
            }
            guard distance > 0, distance <= object - 12 else { return .failure(PackOrderFailure()) }
            return .success(object - distance)
        case 7:   // REF_DELTA: the base's id (in this pack, or the chain stops here)
            guard i + 20 <= end else { return .failure(PackOrderFailure()) }
            return .success(offset(of: RawID(p, at: i)))
        default: return .failure(PackOrderFailure())
        }
    }

    /// The positions of `wanted` (objects of this pack by offset), ordered depth-first over the delta trees
    /// they belong to: roots by offset, each base before the deltas made from it. Nil when a header does
    /// not parse or a chain does not end.
    func depthFirst(_ wanted: [(offset: Int, position: Int)]) -> [Int]? {
        var parent: [Int: Int] = [:]          // offset → base offset, or -1 for a whole object
        var children: [Int: [Int]] = [:]
        var positions: [Int: [Int]] = [:]     // offset → the positions that want it (an id may be asked twice)
        parent.reserveCapacity(wanted.count * 2)
        for (offset, position) in wanted {
            positions[offset, default: []].append(position)
            var at = offset
            var steps = 0
            while parent[at] == nil {
                steps += 1
                guard steps <= 10_000, case .success(let base) = self.base(of: at) else { return nil }
                parent[at] = base ?? -1
                guard let base else { break }
                children[base, default: []].append(at)
                at = base
            }
        }
        var ordered: [Int] = []
        ordered.reserveCapacity(wanted.count)
        var stack = parent.compactMap { $0.value == -1 ? $0.key : nil }.sorted(by: >)
        while let at = stack.popLast() {
            if let here = positions[at] { ordered += here }
            if let next = children[at] { stack += next.sorted(by: >) }
        }
        // Every wanted object hangs from a root; a REF_DELTA cycle would leave some out.
        return ordered.count == wanted.count ? ordered : nil
    }
}

struct PackOrderFailure: Error {}

/// For the fuzz target (`ci/fuzz pack`): an index and a pack given as bytes, every object of the index
/// ordered depth-first. Nil when the index or the pack does not parse. Never traps, whatever the bytes.
@_spi(Fuzzing) public enum PackOrderProbe {
    public static func orderEveryObject(index: [UInt8], pack: [UInt8]) -> [Int]? {
        guard let file = PackFile(index: MappedFile(copying: index), pack: MappedFile(copying: pack)) else { return nil }
        return file.depthFirst(file.everyObject())
    }
}

/// A file mapped read-only, unmapped when released (or a copy of bytes, for the fuzz target).
final class MappedFile {
    let bytes: UnsafeRawBufferPointer
    private let isMapped: Bool

    init(copying source: [UInt8]) {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(source.count, 1), alignment: 8)
        source.withUnsafeBytes { buffer.copyMemory(from: $0) }
        bytes = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[..<source.count])
        isMapped = false
    }

    init?(_ path: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_size > 0 else { return nil }
        let size = Int(st.st_size)
        guard let address = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), address != MAP_FAILED else { return nil }
        bytes = UnsafeRawBufferPointer(start: address, count: size)
        isMapped = true
    }

    deinit {
        if isMapped { munmap(UnsafeMutableRawPointer(mutating: bytes.baseAddress), bytes.count) }
        else { UnsafeMutableRawPointer(mutating: bytes.baseAddress)?.deallocate() }
    }
}
