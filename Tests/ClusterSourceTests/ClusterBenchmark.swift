import Foundation
import KubeModel
import Testing
@testable import ClusterSource

/// The figures of `ci/bench-cluster` (issue: 10,000 StatefulSets + 30,000 PVCs + 30,000 PVs from the
/// stand-in on loopback). Runs only with BALLAST_BENCH set; it prints figures and checks the request
/// count, and records (does not fail on) the time and memory ratios, which depend on the machine's load.
@Suite("cluster benchmark")
struct ClusterBenchmark {
    static let enabled = ProcessInfo.processInfo.environment["BALLAST_BENCH"] != nil
    static let counts = ["statefulsets": 10_000, "persistentvolumeclaims": 30_000, "persistentvolumes": 30_000]

    /// VmHWM / VmRSS of this process in bytes.
    static func memory(_ field: String) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return -1 }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? -1) * 1024
        }
        return -1
    }

    /// Resets the peak-RSS counter (Linux: `echo 5 > /proc/self/clear_refs`).
    static func resetPeak() { try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8) }

    static func time(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    @Test(.enabled(if: ClusterBenchmark.enabled))
    func largeCluster() throws {
        let spec = ClusterBenchmark.counts.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: ",")
        let server = try StandIn(snapshot: nil, generate: spec)
        let kinds = ["StatefulSet", "PersistentVolumeClaim", "PersistentVolume"].compactMap { kind in
            KindCatalog.inScope.first { $0.kind == kind }
        }
        let expectedRequests = ClusterBenchmark.counts.values.map { ($0 + 499) / 500 }.reduce(0, +)
        var qpsOptions = ClientOptions()
        qpsOptions.environment = [:]
        var unlimited = qpsOptions
        unlimited.qps = 0

        // 1. Capture (streamed to disk): the default client, 20 qps / burst 100.
        func capture(_ options: ClientOptions) throws -> (seconds: Double, requests: Int, bytes: Int, peak: Int, urls: [String]) {
            let client = try server.client(options: options)
            _ = try client.discover(kinds: kinds)
            try server.control("reset")
            ClusterBenchmark.resetPeak()
            let dir = server.directory + "/capture-\(UUID().uuidString.prefix(6))"
            let seconds = try ClusterBenchmark.time { try Snapshot.capture(from: client, kinds: kinds, to: dir) }
            let peak = ClusterBenchmark.memory("VmHWM")
            try? FileManager.default.removeItem(atPath: dir)
            let urls = try server.requests().compactMap { r -> String? in
                guard let path = r["path"]?.stringValue, let query = r["query"]?.stringValue, query.contains("limit=") else { return nil }
                return "\(server.server)\(path)?\(query)"
            }
            return (seconds, client.stats.listRequests, client.stats.bytesReceived, peak, urls)
        }
        // 2. The same pages with the curl CLI, sequentially on one connection.
        func curl(_ urls: [String]) throws -> Double {
            var config = "silent\nheader = \"Authorization: Bearer \(StandIn.aliceToken)\"\ncacert = \"\(server.pki.ca)\"\n"
            for url in urls { config += "url = \"\(url)\"\noutput = \"/dev/null\"\n" }
            let file = try server.write("curl.config", config)
            var status: Int32 = 0
            let seconds = ClusterBenchmark.time { status = shell("curl -K '\(file)'").status }
            #expect(status == 0)
            return seconds
        }

        let warm = try capture(qpsOptions)
        #expect(warm.requests == expectedRequests)
        let curl1 = try curl(warm.urls)
        let ours = try capture(qpsOptions)
        let oursUnlimited = try capture(unlimited)
        let curl2 = try curl(warm.urls)
        let curlBest = min(curl1, curl2)

        // 3. The whole read kept in memory as [KubeObject] (what drift compares).
        let client = try server.client(options: unlimited)
        _ = try client.discover(kinds: kinds)
        ClusterBenchmark.resetPeak()
        let baseline = ClusterBenchmark.memory("VmRSS")
        var objects: [KubeObject] = []
        let listSeconds = try ClusterBenchmark.time {
            for kind in kinds { objects += try client.list(kind: kind) }
        }
        let listPeak = ClusterBenchmark.memory("VmHWM")
        #expect(objects.count == ClusterBenchmark.counts.values.reduce(0, +))

        objects = []
        // 4. Reading a captured snapshot back (`--snapshot DIR`).
        let snapshotDir = server.directory + "/snapshot"
        try Snapshot.capture(from: try server.client(options: unlimited), kinds: kinds, to: snapshotDir)
        var readBack = 0
        let readSeconds = try ClusterBenchmark.time { readBack = try Snapshot.read(from: snapshotDir).objects.count }
        #expect(readBack == ClusterBenchmark.counts.values.reduce(0, +))

        let mb = { (n: Int) in String(format: "%.1f MB", Double(n) / 1e6) }
        let lines = [
            "objects: \(ClusterBenchmark.counts)",
            "list requests: \(ours.requests) (expected Σ ceil(n/500) = \(expectedRequests))",
            "JSON received: \(mb(ours.bytes))",
            "curl (sequential, one connection): \(String(format: "%.2f", curl1)) s, \(String(format: "%.2f", curl2)) s",
            "capture, 20 qps burst 100: \(String(format: "%.2f", ours.seconds)) s = \(String(format: "%.2f", ours.seconds / curlBest))x curl; peak RSS \(mb(ours.peak)) = \(String(format: "%.2f", Double(ours.peak) / Double(ours.bytes)))x JSON",
            "capture, no rate limit: \(String(format: "%.2f", oursUnlimited.seconds)) s = \(String(format: "%.2f", oursUnlimited.seconds / curlBest))x curl; peak RSS \(mb(oursUnlimited.peak))",
            "list into [KubeObject], no rate limit: \(String(format: "%.2f", listSeconds)) s = \(String(format: "%.2f", listSeconds / curlBest))x curl; peak RSS \(mb(listPeak)) (before: \(mb(baseline))) = \(String(format: "%.2f", Double(listPeak) / Double(ours.bytes)))x JSON",
            "Snapshot.read of the captured directory: \(String(format: "%.2f", readSeconds)) s",
            "MemoryLayout<Value>.stride = \(MemoryLayout<Value>.stride), <Value.Entry>.stride = \(MemoryLayout<Value.Entry>.stride)",
        ]
        print(lines.map { "bench-cluster: " + $0 }.joined(separator: "\n"))
    }
}
