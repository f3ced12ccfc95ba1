import Foundation
import Testing
@testable import GitSource

/// `readingOrder` (PackOrder): blobs ordered so that each comes after its delta base, checked against
/// `git verify-pack`, git's own account of the pack.
@Suite("GitSource: reading order over the packs' delta chains")
struct PackOrderTests {
    /// A repository whose 120 similar manifests, edited over three commits, git packs as long delta chains;
    /// then one blob left loose (in no pack).
    func makePackedRepository() throws -> (repo: URL, blobs: [ObjectID], loose: ObjectID) {
        let dir = try temporaryDirectory()
        let repo = dir.appendingPathComponent("packed")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        try sh(["git", "init", "-q", "-b", "main", repo.path])
        for round in 0..<3 {
            for app in 0..<120 {
                let text = """
                apiVersion: apps/v1
                kind: StatefulSet
                metadata: {name: app-\(app), namespace: team-\(app % 7)}
                spec:
                  replicas: \(3 + round)
                  serviceName: app-\(app)
                  template:
                    spec:
                      containers:
                      - name: redis
                        image: redis:7.\(round).\(app % 5)
                        args: [--appendonly, "yes", --maxmemory, \(app)mb]
                  volumeClaimTemplates:
                  - metadata: {name: data}
                    spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: \(app + round)Gi}}}

                """
                try write(text, to: "apps/app-\(app)/statefulset.yaml", in: repo)
            }
            try sh(["git", "add", "-A"], in: repo)
            try sh(["git", "commit", "-q", "-m", "round \(round)"], in: repo)
        }
        try sh(["git", "repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=50"], in: repo)
        try write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: loose}\n", to: "loose.yaml", in: repo)
        let loose = ObjectID(hex: try sh(["git", "hash-object", "-w", "loose.yaml"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines))
        // Every blob of every commit, in tree order of each commit (as a reader would ask for them).
        var blobs: [ObjectID] = []
        for rev in ["HEAD~2", "HEAD~1", "HEAD"] {
            for line in try sh(["git", "ls-tree", "-r", rev], in: repo).split(separator: "\n") {
                let fields = line.split(separator: " ", maxSplits: 2)
                blobs.append(ObjectID(hex: String(fields[2].prefix(40))))
            }
        }
        return (repo, blobs, loose)
    }

    /// `git verify-pack -v`: each packed object's offset, and its delta base when it is a delta.
    func packLayout(_ repo: URL) throws -> (offset: [String: Int], base: [String: String]) {
        let pack = try #require(PackOrder.packIndexes(repo.path + "/.git/objects").first)
        var offset: [String: Int] = [:], base: [String: String] = [:]
        for line in try sh(["git", "verify-pack", "-v", pack], in: repo).split(separator: "\n") {
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count >= 5, f[0].count == 40 else { continue }
            offset[String(f[0])] = Int(f[4])
            if f.count >= 7 { base[String(f[0])] = String(f[6]) }
        }
        return (offset, base)
    }

    @Test func eachBlobAfterItsDeltaBase() throws {
        let (repo, blobs, loose) = try makePackedRepository()
        defer { try? FileManager.default.removeItem(at: repo.deletingLastPathComponent()) }
        let git = try GitRepository.open(path: repo.path)
        let asked = blobs + [loose, blobs[5]]   // a loose blob, and a blob asked for twice
        let order = git.readingOrder(asked)
        #expect(order.sorted() == Array(asked.indices), "a permutation of the ids asked for")
        let layout = try packLayout(repo)
        let deltas = blobs.filter { layout.base[$0.hex] != nil }
        #expect(deltas.count > blobs.count / 2, "the fixture is packed as deltas (\(deltas.count) of \(blobs.count))")
        // Depth-first: whenever a blob's base is itself asked for, the base is read first. The order asked
        // in (tree order) does not do that here, or the fixture would prove nothing.
        func basesReadLate(_ order: [Int]) -> Int {
            var seen = Set<String>(), late = 0
            for i in order {
                let id = asked[i].hex
                if let base = layout.base[id], asked.contains(where: { $0.hex == base }), !seen.contains(base) { late += 1 }
                seen.insert(id)
            }
            return late
        }
        #expect(basesReadLate(order) == 0)
        #expect(basesReadLate(Array(asked.indices)) > 0)
        // The loose blob is in no pack: it keeps its place after the packed ones.
        #expect(order.last == blobs.count)
        // Whatever the order, the bytes are git's.
        for i in order.prefix(40) {
            #expect(try git.blob(asked[i]) == Array(try sh(["git", "cat-file", "blob", asked[i].hex], in: repo).utf8))
        }
    }

    @Test func refDeltasAndLargeOffsetsGiveTheSameOrder() throws {
        let (repo, blobs, _) = try makePackedRepository()
        defer { try? FileManager.default.removeItem(at: repo.deletingLastPathComponent()) }
        let objects = repo.path + "/.git/objects"
        let expected = PackOrder.order(blobs, objectsDirectory: objects)
        // The same pack indexed with every offset in the index's 64-bit table (git index-pack --index-version=2,0).
        let pack = String(try #require(PackOrder.packIndexes(objects).first).dropLast(4)) + ".pack"
        let large = repo.deletingLastPathComponent().appendingPathComponent("large/pack")
        try FileManager.default.createDirectory(at: large, withIntermediateDirectories: true)
        let copy = large.appendingPathComponent((pack as NSString).lastPathComponent).path
        try FileManager.default.copyItem(atPath: pack, toPath: copy)
        try sh(["git", "index-pack", "--index-version=2,0", "-o", String(copy.dropLast(5)) + ".idx", copy], in: repo)
        #expect(PackOrder.order(blobs, objectsDirectory: large.deletingLastPathComponent().path) == expected)
        // Deltas naming their base by id (REF_DELTA) rather than by offset: bases still come first.
        try sh(["git", "-c", "repack.useDeltaBaseOffset=false", "repack", "-a", "-d", "-f", "-q", "--depth=50", "--window=50"], in: repo)
        let layout = try packLayout(repo)
        let order = PackOrder.order(blobs, objectsDirectory: objects)
        #expect(order.sorted() == Array(blobs.indices))
        var seen = Set<String>()
        for i in order {
            if let base = layout.base[blobs[i].hex], blobs.contains(where: { $0.hex == base }) { #expect(seen.contains(base)) }
            seen.insert(blobs[i].hex)
        }
    }

    @Test func manyPacksLargestFirstAtMostALimit() throws {
        // A clone fetched many times without a repack: one small pack per fetch.
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let repo = dir.appendingPathComponent("packs")
        try FileManager.default.createDirectory(at: repo, withIntermediateDirectories: true)
        try sh(["git", "init", "-q", "-b", "main", repo.path])
        var blobs: [ObjectID] = []
        for fetch in 0..<(PackOrder.packLimit + 4) {
            try write("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c\(fetch)}\ndata: {n: \"\(String(repeating: "x", count: fetch * 50))\"}\n",
                      to: "c\(fetch).yaml", in: repo)
            try sh(["git", "add", "-A"], in: repo)
            try sh(["git", "commit", "-q", "-m", "fetch \(fetch)"], in: repo)
            try sh(["git", "repack", "-q"], in: repo)
            blobs.append(ObjectID(hex: try sh(["git", "rev-parse", "HEAD:c\(fetch).yaml"], in: repo).trimmingCharacters(in: .whitespacesAndNewlines)))
        }
        let objects = repo.path + "/.git/objects"
        let packs = PackOrder.packIndexes(objects)
        #expect(packs.count == PackOrder.packLimit)
        let sizes = packs.map { (try? FileManager.default.attributesOfItem(atPath: String($0.dropLast(4)) + ".pack")[.size] as? Int) ?? nil }
        #expect(sizes.compactMap { $0 } == sizes.compactMap { $0 }.sorted(by: >), "largest first")
        let order = try GitRepository.open(path: repo.path).readingOrder(blobs)
        #expect(order.sorted() == Array(blobs.indices))
        // The first blobs went into the smallest packs, which are not looked into: they keep their order, last.
        #expect(Array(order.suffix(4)) == [0, 1, 2, 3])
    }

    @Test func damagedPackKeepsTheGivenOrder() throws {
        let (repo, blobs, _) = try makePackedRepository()
        defer { try? FileManager.default.removeItem(at: repo.deletingLastPathComponent()) }
        let objects = repo.path + "/.git/objects"
        let index = try #require(PackOrder.packIndexes(objects).first)
        #expect(PackOrder.order(blobs, objectsDirectory: objects) != Array(blobs.indices))
        // A copy of the objects directory whose pack is cut short, whose index is cut short, or whose pack
        // headers are overwritten: no crash, and the ids keep the order they were given in.
        let pack = String(index.dropLast(4)) + ".pack"
        let packBytes = try Data(contentsOf: URL(fileURLWithPath: pack))
        let indexBytes = try Data(contentsOf: URL(fileURLWithPath: index))
        var scrambled = packBytes
        for i in stride(from: 12, to: scrambled.count - 20, by: 1) { scrambled[i] = 0xff }
        for (name, packData, indexData) in [("short-pack", packBytes.prefix(64), indexBytes),
                                            ("short-index", packBytes, indexBytes.prefix(1100)),
                                            ("scrambled", scrambled, indexBytes)] {
            let copy = repo.deletingLastPathComponent().appendingPathComponent(name + "/pack")
            try FileManager.default.createDirectory(at: copy, withIntermediateDirectories: true)
            try Data(packData).write(to: copy.appendingPathComponent((pack as NSString).lastPathComponent))
            try Data(indexData).write(to: copy.appendingPathComponent((index as NSString).lastPathComponent))
            #expect(PackOrder.order(blobs, objectsDirectory: copy.deletingLastPathComponent().path) == Array(blobs.indices), "\(name)")
        }
        #expect(PackOrder.order(blobs, objectsDirectory: "/nonexistent") == Array(blobs.indices))
        // An id that is not one (not hex) is in no pack: it comes last.
        #expect(PackOrder.order([ObjectID(hex: "not hex")] + blobs, objectsDirectory: objects).last == 0)
    }
}
