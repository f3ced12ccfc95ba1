import Foundation
import Testing
@testable import ClusterSource

/// nghttpd (Debian nghttp2-server) speaks HTTP/2 over TLS; the Python stand-in speaks only HTTP/1.1.
private let nghttpd = "/usr/sbin/nghttpd"

/// A free loopback port (bound, then released for the server to take).
private func freePort() -> Int {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
    _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
    return Int(UInt16(bigEndian: address.sin_port))
}

@Suite("HTTP/2")
struct HTTP2Tests {
    @Test("HTTP/2 is negotiated (ALPN) when the server offers it, on one reused connection",
          .enabled(if: FileManager.default.isExecutableFile(atPath: nghttpd), "needs nghttpd (apt: nghttp2-server)"))
    func negotiated() throws {
        let pki = TestPKI.shared
        let root = NSTemporaryDirectory() + "ballast-h2-\(getpid())-\(UUID().uuidString.prefix(6))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: root) }
        try #"{"major":"1","minor":"32","gitVersion":"v1.32.4-h2"}"#.write(toFile: root + "/version", atomically: true, encoding: .utf8)
        let port = freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: nghttpd)
        server.arguments = ["-a", "127.0.0.1", "-d", root, "\(port)", pki.serverKey, pki.serverCert]
        server.standardOutput = FileHandle.nullDevice
        try server.run()
        defer { kill(server.processIdentifier, SIGKILL); server.waitUntilExit() }
        var config = ClusterConfig(server: "https://127.0.0.1:\(port)", caPEM: pki.bytes(pki.ca))
        config.auth = .token(Sensitive("h2-token"))
        let client = try ClusterClient(config, options: StandIn.fastOptions)
        var version: String?
        for _ in 0..<50 where version == nil {   // nghttpd needs a moment to listen
            version = try? client.serverVersion()
            if version == nil { usleep(100_000) }
        }
        #expect(version == "v1.32.4-h2")
        #expect(try client.serverVersion() == "v1.32.4-h2")
        #expect(client.stats.httpVersion == 2)
    }
}
