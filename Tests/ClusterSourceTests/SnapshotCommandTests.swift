import Foundation
import Testing
import KubeModel
@testable import ClusterSource

/// `ballast snapshot` end to end: the built binary against the stand-in API server over TLS.
@Suite("ballast snapshot (CLI)", .serialized)
struct SnapshotCommandTests {
    /// The `ballast` built with these tests (beside the test bundle), or `BALLAST_BIN`.
    static let binary: String = {
        if let bin = ProcessInfo.processInfo.environment["BALLAST_BIN"] { return bin }
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        for candidate in [products, products.deletingLastPathComponent()] {
            let binary = candidate.appendingPathComponent("ballast").path
            if FileManager.default.isExecutableFile(atPath: binary) { return binary }
        }
        return products.appendingPathComponent("ballast").path
    }()

    @Test func theBinaryIsTheOneBuiltWithTheseTests() {
        #expect(FileManager.default.isExecutableFile(atPath: Self.binary), "no ballast at \(Self.binary)")
    }

    @Test func writesAPrivateSnapshotAndNeverATokenInOutput() throws {
        let server = try StandIn()
        let kubeconfig = try server.write("config", server.kubeconfig())
        let out = server.directory + "/snap"
        let run = shell("'\(Self.binary)' snapshot --kubeconfig '\(kubeconfig)' --out '\(out)' 2>&1")
        #expect(run.status == 0, "\(run.out)\(run.err)")
        #expect(run.out.contains("snapshot written to"))
        #expect(run.out.contains("StatefulSet: 3"))
        #expect(!run.out.contains(StandIn.aliceToken))
        var st = stat()
        #expect(stat(out, &st) == 0 && st.st_mode & 0o777 == 0o700)
        #expect(stat(out + "/snapshot.json", &st) == 0 && st.st_mode & 0o777 == 0o600)
        let read = try Snapshot.read(from: out)
        #expect(read.isComplete)
        #expect(read.objects.contains { $0.ref == ObjectRef(group: "apps", kind: "StatefulSet", namespace: "redis", name: "redis") })
        #expect(!read.objects.contains { $0.kind == "Secret" })
    }

    @Test func deniedListIsIncompleteExitThree() throws {
        let server = try StandIn()
        try server.control("deny", "{\"deny\":{\"alice\":[\"list persistentvolumes\"]}}")
        let kubeconfig = try server.write("config", server.kubeconfig())
        let run = shell("'\(Self.binary)' snapshot --kubeconfig '\(kubeconfig)' --out '\(server.directory)/snap' 2>&1")
        #expect(run.status == 3, "\(run.out)")
        #expect(run.out.contains("INCOMPLETE"))
        #expect(run.out.contains("persistentvolumes"))
    }

    @Test func badKubeconfigIsExitTwo() throws {
        let dir = NSTemporaryDirectory() + "ballast-kc-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try "apiVersion: v1\nkind: Config\ncurrent-context: nowhere\n".write(toFile: dir + "/config", atomically: true, encoding: .utf8)
        let run = shell("'\(Self.binary)' snapshot --kubeconfig '\(dir)/config' --out '\(dir)/snap' 2>&1")
        #expect(run.status == 2, "\(run.out)")
        #expect(run.out.contains("nowhere"))
    }
}
