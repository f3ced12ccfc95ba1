import KubeModel
import Findings

/// One shard of `--shard i/n`: the namespaces whose name hashes to `index`, so that an indexed Job's `n`
/// pods split one large cluster between them and their reports add up to the unsharded one.
///
/// A namespace belongs to shard `FNV-1a-64(UTF-8 bytes of its name) mod count` (the 64-bit FNV-1a of
/// Fowler, Noll and Vo: offset basis 0xcbf29ce484222325, prime 0x100000001b3). The hash is fixed here,
/// not Swift's `Hasher` (seeded per process), so every pod, every night and every version agrees.
/// Cluster-scoped objects (StorageClasses, PVs, Namespaces) and file-level findings belong to shard 0.
public struct Shard: Hashable, Sendable, CustomStringConvertible {
    /// 0-based index of this shard, below `count`.
    public let index: Int
    /// How many shards the work is split into (1 or more).
    public let count: Int

    /// `"i/n"` with `0 <= i < n`; nil for anything else (`"4/4"`, `"1"`, `"-1/2"`, `"a/b"`).
    public init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              let index = Int(parts[0]), let count = Int(parts[1]), count >= 1, index < count else { return nil }
        self.index = index
        self.count = count
    }

    public var description: String { "\(index)/\(count)" }

    /// FNV-1a 64 of the name's UTF-8 bytes.
    public static func hash(_ name: String) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01b3
        }
        return hash
    }

    /// The shard a namespace belongs to; nil (cluster-scoped) is shard 0.
    public static func index(of namespace: String?, count: Int) -> Int {
        guard let namespace else { return 0 }
        return Int(hash(namespace) % UInt64(count))
    }

    /// Whether this shard holds `namespace` (nil: a cluster-scoped object, held by shard 0).
    public func contains(namespace: String?) -> Bool { Self.index(of: namespace, count: count) == index }

    /// Whether this shard holds the object.
    public func contains(_ ref: ObjectRef) -> Bool { contains(namespace: ref.namespace) }

    /// The namespaces this shard lists from the API, sorted: those of git's objects and those the cluster
    /// has (`live`, from a list of Namespaces: unmanaged objects and orphans live in namespaces git may not
    /// name), kept when they hash to this shard and, with `--namespace`, are among `restrictedTo`.
    public func namespaces(desired: [ObjectRef], live: [String], restrictedTo: Set<String>?) -> [String] {
        var names = Set(desired.compactMap(\.namespace)).union(live)
        if let restrictedTo { names.formIntersection(restrictedTo) }
        return names.filter { contains(namespace: $0) }.sorted()
    }
}

extension RunResult {
    /// What this shard reports: findings, notes, drift items, objects not compared and live figures of
    /// its own namespaces; findings and notes of no object (a file that does not parse) on shard 0 only.
    /// Read failures stay in every shard: what could not be read may have held any shard's objects.
    public func restricted(to shard: Shard) -> RunResult {
        var out = self
        out.findings = findings.filter { finding in finding.object.map(shard.contains) ?? (shard.index == 0) }
        // Notes about no object and no file (a cluster warning) are every shard's.
        out.notes = notes.filter { note in
            if let object = note.object { return shard.contains(object) }
            return note.span == nil || shard.index == 0
        }
        out.drift = drift.filter { shard.contains($0.object) }
        out.uncompared = uncompared.filter { shard.contains($0.object) }
        out.liveMetrics.pvcUsage = liveMetrics.pvcUsage.filter { shard.contains(namespace: $0.namespace) }
        out.liveMetrics.backupAges = liveMetrics.backupAges.filter { shard.contains(namespace: $0.namespace) }
        return out
    }
}
