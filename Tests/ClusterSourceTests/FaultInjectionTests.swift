import Foundation
import Testing
@testable import ClusterSource

/// Issue 17: the API stand-in misbehaves while the built `ballast` reads it. Every case ends with exit 3, a
/// message naming what could not be read, no output saying "clean" or "complete", and no half-written file.
@Suite("fault injection: the API server fails mid-run (CLI)")
struct FaultInjectionTests {
    static var binary: String { SnapshotCommandTests.binary }

    /// The files left in a directory (hidden temporaries included).
    static func files(_ directory: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []).sorted()   // absent: no files
    }

    /// Runs `ballast snapshot` against `server` with `extra` arguments, bounded by `timeout` (the shell kills it).
    static func snapshot(_ server: StandIn, out: String, extra: String = "", prefix: String = "") throws -> (status: Int32, out: String, err: String) {
        let kubeconfig = try server.write("config", server.kubeconfig())
        return shell("\(prefix)timeout -s KILL 90 '\(binary)' snapshot --kubeconfig '\(kubeconfig)' --out '\(out)' \(extra)")
    }

    /// What every failed snapshot must look like: exit 3, INCOMPLETE, the kind named, the list file absent,
    /// no temporary file left, and snapshot.json saying complete: false.
    static func expectIncomplete(_ run: (status: Int32, out: String, err: String), out: String, file: String, kind: String,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(run.status == 3, "\(run.out)\(run.err)", sourceLocation: sourceLocation)
        #expect(run.out.contains("INCOMPLETE"), "\(run.out)", sourceLocation: sourceLocation)
        #expect(run.out.contains("incomplete: \(kind):"), "\(run.out)", sourceLocation: sourceLocation)
        let left = files(out)
        #expect(!left.contains(file), "a partial \(file) was left: \(left)", sourceLocation: sourceLocation)
        #expect(!left.contains { $0.hasPrefix(".") }, "temporary files left: \(left)", sourceLocation: sourceLocation)
        let read = try Snapshot.read(from: out)
        #expect(!read.isComplete, sourceLocation: sourceLocation)
        #expect(read.incomplete.contains { $0.what == kind }, "\(read.incomplete)", sourceLocation: sourceLocation)
    }

    @Test func serverDropsTheConnectionMidList() throws {
        // 700 claims: two pages; every continue request is answered by a closed connection.
        let server = try StandIn(generate: "persistentvolumeclaims=700")
        try server.inject("/api/v1/persistentvolumeclaims", "\"type\":\"drop\",\"when\":\"continue\",\"times\":-1")
        let out = server.directory + "/snap"
        let run = try Self.snapshot(server, out: out)
        try Self.expectIncomplete(run, out: out, file: "persistentvolumeclaims.json", kind: "PersistentVolumeClaim")
        #expect(run.out.contains("StatefulSet: 3"), "the other kinds are still read: \(run.out)")
        #expect(try server.requests().contains { ($0["query"]?.stringValue ?? "").contains("continue=") })
    }

    @Test func serverDiesMidList() throws {
        // The first page arrives, then the server process is killed while the continue request waits.
        let server = try StandIn(generate: "persistentvolumes=700")
        try server.inject("/api/v1/persistentvolumes", "\"type\":\"slow\",\"delay\":3,\"when\":\"continue\"")
        let kubeconfig = try server.write("config", server.kubeconfig())
        let out = server.directory + "/snap"
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.binary)
        process.arguments = ["snapshot", "--kubeconfig", kubeconfig, "--out", out, "--request-timeout", "2"]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while Date() < deadline, !((try? server.requests()) ?? []).contains(where: { ($0["query"]?.stringValue ?? "").contains("continue=") }) {
            usleep(50_000)   // absent: the server is not answering yet; retry until the deadline
        }
        server.crash()
        let text = String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 3, "\(text)")
        #expect(text.contains("INCOMPLETE"), "\(text)")
        #expect(text.contains("incomplete: PersistentVolume:"), "\(text)")
        #expect(!Self.files(out).contains("persistentvolumes.json"), "\(Self.files(out))")
        #expect(!Self.files(out).contains { $0.hasPrefix(".") }, "\(Self.files(out))")
    }

    @Test func serverAnswers500Forever() throws {
        let server = try StandIn()
        // Retry-After: 0 keeps the six attempts fast; the answer never changes.
        try server.inject("/apis/apps/v1/statefulsets", "\"type\":\"status\",\"code\":500,\"retryAfter\":0,\"times\":-1")
        let out = server.directory + "/snap"
        let run = try Self.snapshot(server, out: out)
        try Self.expectIncomplete(run, out: out, file: "statefulsets.apps.json", kind: "apps/StatefulSet")
        #expect(run.out.contains("500"), "\(run.out)")
        #expect(run.out.contains("after 6 attempts"), "\(run.out)")
    }

    @Test func truncatedBody() throws {
        let server = try StandIn()
        try server.inject("/apis/apps/v1/statefulsets", "\"type\":\"truncate\",\"times\":-1")
        let out = server.directory + "/snap"
        let run = try Self.snapshot(server, out: out)
        try Self.expectIncomplete(run, out: out, file: "statefulsets.apps.json", kind: "apps/StatefulSet")
    }

    @Test func bodyCutShortOfItsContentLength() throws {
        let server = try StandIn()
        try server.inject("/apis/apps/v1/statefulsets", "\"type\":\"cut\",\"times\":-1")
        let out = server.directory + "/snap"
        let run = try Self.snapshot(server, out: out)
        try Self.expectIncomplete(run, out: out, file: "statefulsets.apps.json", kind: "apps/StatefulSet")
    }

    @Test func stallBeyondTheRequestTimeout() throws {
        let server = try StandIn()
        try server.inject("/api/v1/persistentvolumes", "\"type\":\"slow\",\"delay\":60,\"times\":-1")
        let out = server.directory + "/snap"
        let started = Date()
        let run = try Self.snapshot(server, out: out, extra: "--request-timeout 1")
        try Self.expectIncomplete(run, out: out, file: "persistentvolumes.json", kind: "PersistentVolume")
        #expect(run.out.lowercased().contains("timed out") || run.out.lowercased().contains("timeout"), "\(run.out)")
        #expect(Date().timeIntervalSince(started) < 45, "the timeout was not honoured")
    }

    @Test func requestTimeoutMustBePositive() throws {
        let run = shell("'\(Self.binary)' snapshot --out /nonexistent --request-timeout 0 2>&1")
        #expect(run.status == 2, "\(run.out)")
        #expect(run.out.contains("--request-timeout"))
    }

    @Test func diskFullWhileWritingASnapshot() throws {
        let server = try StandIn()
        let out = server.directory + "/snap"
        // 16 KiB per file (ulimit -f counts 512-byte blocks): the claims and volumes lists do not fit.
        let run = try Self.snapshot(server, out: out, prefix: "ulimit -f 32; ")
        #expect(run.status == 3, "\(run.out)\(run.err)")
        #expect(run.out.contains("INCOMPLETE"), "\(run.out)")
        #expect(run.out.contains("File too large"), "\(run.out)")
        let left = Self.files(out)
        #expect(!left.contains { $0.hasPrefix(".") }, "temporary files left: \(left)")
        // Every list file that is there is whole, and snapshot.json says what is missing.
        let read = try Snapshot.read(from: out)
        #expect(!read.isComplete)
        #expect(read.incomplete.allSatisfy { !$0.reason.contains("snapshot file") }, "a half-written list: \(read.incomplete)")
    }

    @Test func diskFullOnSnapshotJSONLeavesNoSnapshot() throws {
        // A previous complete snapshot is rewritten on a disk that takes no byte: the old snapshot.json is
        // gone first, so the directory is no snapshot rather than an old description of new files.
        let server = try StandIn()
        let out = server.directory + "/snap"
        let first = try Self.snapshot(server, out: out)
        #expect(first.status == 0, "\(first.out)\(first.err)")
        // Standard error is a file too (the shell helper's): through the pipe, so the limit spares it.
        let run = try Self.snapshot(server, out: out, extra: "2>&1", prefix: "ulimit -f 0; ")
        #expect(run.status == 3, "\(run.out)\(run.err)")
        #expect(run.out.contains("snapshot.json") && run.out.contains("File too large"), "\(run.out)")
        #expect(!Self.files(out).contains { $0.hasPrefix(".") }, "\(Self.files(out))")
        #expect(throws: ClusterError.self) { try Snapshot.read(from: out) }
    }

    @Test func driftAgainstAServerThatFailsNeverSaysClean() throws {
        let server = try StandIn()
        try server.inject("/apis/apps/v1/statefulsets", "\"type\":\"status\",\"code\":500,\"retryAfter\":0,\"times\":-1")
        let kubeconfig = try server.write("config", server.kubeconfig())
        let json = server.directory + "/report.json"
        let run = shell("cd '\(TestPaths.repository)' && timeout -s KILL 90 '\(Self.binary)' drift fixtures/gitops --kubeconfig '\(kubeconfig)' --format text --format json='\(json)'")
        #expect(run.status == 3, "\(run.out)\(run.err)")
        #expect(!run.out.lowercased().contains("clean"), "\(run.out)")
        let report = try String(contentsOfFile: json, encoding: .utf8)
        #expect(report.contains("\"incomplete\": true") || report.contains("\"incomplete\":true"), "\(report.prefix(400))")
    }

    @Test func reportFileOnAFullDiskIsExitThreeAndNeverHalfWritten() throws {
        let dir = NSTemporaryDirectory() + "ballast-report-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // An old report is there; the new one cannot be written (no byte fits).
        try "old report\n".write(toFile: dir + "/report.json", atomically: true, encoding: .utf8)
        let run = shell("cd '\(TestPaths.repository)' && ulimit -f 0; '\(Self.binary)' lint fixtures/gitops --format text --format json='\(dir)/report.json' --format sarif='\(dir)/report.sarif' 2>&1")
        #expect(run.status == 3, "\(run.out)\(run.err)")
        #expect(run.out.contains("ballast: could not write \(dir)/report.json"), "\(run.out)")
        #expect(!run.out.lowercased().contains("clean"), "standard output said clean: \(run.out)")
        #expect(try String(contentsOfFile: dir + "/report.json", encoding: .utf8) == "old report\n")
        #expect(Self.files(dir) == ["report.json"], "\(Self.files(dir))")
    }
}
