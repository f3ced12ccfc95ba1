import Foundation
import Testing

/// `--shard i/n`: the n shards of a run report, together, exactly what the unsharded run reports.
@Suite("--shard")
struct ShardCommandTests {
    /// The `key` array of a JSON report, each element re-serialised with sorted keys (order-free compare).
    func items(_ json: String, _ key: String) throws -> [String] {
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any], "not JSON: \(json.prefix(200))")
        let list = report[key] as? [Any] ?? []
        return try list.map { String(decoding: try JSONSerialization.data(withJSONObject: $0, options: [.sortedKeys]), as: UTF8.self) }.sorted()
    }

    /// `summary.objectsCompared` (nil for lint).
    func objectsCompared(_ json: String) throws -> Int? {
        let report = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return (report?["summary"] as? [String: Any])?["objectsCompared"] as? Int
    }

    @Test("the union of the shards' reports is the unsharded report", arguments: [
        ["check", "fixtures/gitops", "--snapshot", "fixtures/cluster"],
        ["drift", "fixtures/gitops", "--snapshot", "fixtures/cluster"],
        ["lint", "fixtures/bad"],
        ["lint", "fixtures/gitops"],
    ])
    func unionIsWhole(_ arguments: [String]) throws {
        try expectUnionIsWhole(arguments)
        // The fixtures put redis in shard 0, postgres in 2, rabbitmq and monitoring in 3 (of 4): a shard
        // really is a part, not the whole.
        let shard2 = try ballast(arguments + ["--format", "json", "--shard", "2/4"])
        for item in try items(shard2.stdout, "findings") + items(shard2.stdout, "drift") {
            #expect(!item.contains("\"namespace\":\"redis\""), "\(item)")
        }
    }

    /// PVs bound to claims of other shards' namespaces (Released in postgres, a reclaim policy unlike
    /// git's class in rabbitmq, Failed in redis, one Available): each is reported once, by shard 0.
    @Test("PVs bound across shards are reported once", arguments: ["check", "drift"])
    func volumesAcrossShards(_ command: String) throws {
        let snapshot = try Self.snapshotWithVolumesAcrossShards()
        defer { try? FileManager.default.removeItem(atPath: snapshot) }
        let arguments = [command, "fixtures/gitops", "--snapshot", snapshot]
        try expectUnionIsWhole(arguments)
        let report = try ballast(arguments + ["--format", "json"]).stdout
        let whole = try items(report, "findings") + items(report, "drift")
        for name in ["pvc-shard-delete-rabbitmq", "pvc-shard-failed-redis"] + (command == "check" ? ["pvc-shard-released-postgres"] : []) {
            #expect(whole.contains { $0.contains(name) }, "\(command): nothing about \(name)")
        }
        #expect(!whole.contains { $0.contains("pvc-shard-available") })
    }

    /// fixtures/cluster with the PVs of Tests/Fixtures/shard/volumes-across-shards.json added, in a new
    /// temporary directory (the caller removes it).
    static func snapshotWithVolumesAcrossShards() throws -> String {
        let directory = NSTemporaryDirectory() + "ballast-shard-volumes-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.copyItem(atPath: packageRoot.appendingPathComponent("fixtures/cluster").path, toPath: directory)
        let extra = try JSONSerialization.jsonObject(with: Data(contentsOf: packageRoot.appendingPathComponent("Tests/Fixtures/shard/volumes-across-shards.json"))) as? [Any] ?? []
        let file = directory + "/persistentvolumes.json"
        var list = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
        list["items"] = (list["items"] as? [Any] ?? []) + extra
        try JSONSerialization.data(withJSONObject: list).write(to: URL(fileURLWithPath: file))
        let metaFile = directory + "/snapshot.json"
        var meta = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: metaFile))) as? [String: Any])
        meta["lists"] = (meta["lists"] as? [[String: Any]] ?? []).map { entry in
            var entry = entry
            if entry["file"] as? String == "persistentvolumes.json" { entry["count"] = ((list["items"] as? [Any]) ?? []).count }
            return entry
        }
        try JSONSerialization.data(withJSONObject: meta).write(to: URL(fileURLWithPath: metaFile))
        return directory
    }

    /// The n shards' findings and drift items, together, are the unsharded run's (n = 1, 2, 4), and
    /// their objectsCompared add up.
    func expectUnionIsWhole(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let whole = try ballast(arguments + ["--format", "json"])
        #expect([0, 1].contains(whole.status), "\(whole.stderr)", sourceLocation: sourceLocation)
        for count in [1, 2, 4] {
            var findings: [String] = [], drift: [String] = [], compared = 0
            for index in 0..<count {
                let part = try ballast(arguments + ["--format", "json", "--shard", "\(index)/\(count)"])
                #expect([0, 1].contains(part.status), "\(index)/\(count): \(part.stderr)")
                findings += try items(part.stdout, "findings")
                drift += try items(part.stdout, "drift")
                compared += try objectsCompared(part.stdout) ?? 0
            }
            #expect(compared == (try objectsCompared(whole.stdout) ?? 0), "\(arguments) in \(count) shards: objects compared")
            #expect(findings.sorted() == (try items(whole.stdout, "findings")), "\(arguments) in \(count) shards: findings differ")
            #expect(drift.sorted() == (try items(whole.stdout, "drift")), "\(arguments) in \(count) shards: drift differs")
        }
    }

    @Test("a bad --shard is a usage error", arguments: ["4/4", "1", "-1/2", "a/b", "1/0", "0/"])
    func badShard(_ value: String) throws {
        let run = try ballast(["lint", "fixtures/gitops", "--shard=\(value)"])
        #expect(run.status == 2)
        #expect(run.stderr.contains("--shard takes i/n"), "\(run.stderr)")
    }
}
