import Foundation
import KubeModel
import Testing
@testable import ClusterSource

private let statefulSets = KindCatalog.info(group: "apps", kind: "StatefulSet")!

/// A kubeconfig user running Support/exec-plugin.sh with `mode`.
private func execUser(_ server: StandIn, mode: String, offset: Int = 3600, counter: String,
                      command: String = TestPaths.support + "/exec-plugin.sh", hint: String? = nil,
                      extraEnv: [(String, String)] = []) -> String {
    var text = """
        exec:
          apiVersion: client.authentication.k8s.io/v1
          command: \(command)
          interactiveMode: Never
          provideClusterInfo: true
          env:
          - {name: MODE, value: \(mode)}
          - {name: COUNTER, value: \(counter)}
          - {name: TOKEN, value: \(StandIn.aliceToken)}
          - {name: OFFSET, value: "\(offset)"}
    """
    for (name, value) in extraEnv { text += "\n      - {name: \(name), value: \"\(value)\"}" }
    if let hint { text += "\n      installHint: \"\(hint)\"" }
    return text
}

private func runs(_ counter: String) -> Int {
    (try? String(contentsOfFile: counter, encoding: .utf8))?.split(separator: "\n").count ?? 0
}

@Suite("exec credential plugins")
struct ExecPluginTests {
    @Test("runs once and is cached until expirationTimestamp; gets KUBERNETES_EXEC_INFO")
    func cached() throws {
        let server = try StandIn()
        let counter = server.directory + "/runs-cached"
        let client = try server.client(kubeconfig: server.kubeconfig(user: execUser(server, mode: "ok", counter: counter)))
        #expect(try client.list(kind: statefulSets).count == 3)
        #expect(try client.list(kind: statefulSets).count == 3)
        #expect(runs(counter) == 1)
        #expect(client.execPluginRuns == 1)
        let info = try String(contentsOfFile: counter + ".info", encoding: .utf8)
        #expect(info.hasPrefix("{\"kind\":\"ExecCredential\",\"apiVersion\":\"client.authentication.k8s.io/v1\",\"spec\":{\"cluster\":{\"server\":\"\(server.server)\",\"certificate-authority-data\":"))
        #expect(info.hasSuffix("\"interactive\":false}}"))
    }

    @Test("a client certificate and key from the plugin authenticate the connection")
    func certificate() throws {
        let server = try StandIn()
        let counter = server.directory + "/runs-cert"
        let user = execUser(server, mode: "cert", counter: counter,
                            extraEnv: [("CERT", server.pki.clientCert), ("KEY", server.pki.clientKey)])
        let client = try server.client(kubeconfig: server.kubeconfig(user: user))
        #expect(try client.list(kind: statefulSets).count == 3)
        let seen = try server.requests().filter { $0["path"]?.stringValue == "/apis/apps/v1/statefulsets" }
        #expect(seen.first?["auth"]?.stringValue == "cert")
        #expect(seen.first?["user"]?.stringValue == "alice")
        #expect(runs(counter) == 1)
    }

    @Test("an expired credential runs the plugin again")
    func expired() throws {
        let server = try StandIn()
        let counter = server.directory + "/runs-expired"
        let client = try server.client(kubeconfig: server.kubeconfig(user: execUser(server, mode: "ok", offset: -60, counter: counter)))
        _ = try client.list(kind: statefulSets)
        #expect(runs(counter) == client.stats.requests)
        #expect(runs(counter) > 1)
    }

    @Test("a 401 runs the plugin again once and retries")
    func unauthorizedRefreshes() throws {
        let server = try StandIn()
        let counter = server.directory + "/runs-stale"
        let client = try server.client(kubeconfig: server.kubeconfig(user: execUser(server, mode: "stale-first", counter: counter)))
        #expect(try client.list(kind: statefulSets).count == 3)
        #expect(runs(counter) == 2)
    }

    @Test("failing, hanging, missing and malformed plugins are typed errors without tokens")
    func failures() throws {
        let server = try StandIn()
        func failure(_ mode: String, command: String = TestPaths.support + "/exec-plugin.sh", hint: String? = nil) throws -> String {
            var options = StandIn.fastOptions
            options.environment = ProcessInfo.processInfo.environment
            let path = try server.write("k-\(mode)", server.kubeconfig(user: execUser(server, mode: mode, counter: server.directory + "/runs-\(mode)", command: command, hint: hint)))
            let config = try KubeConfigLoader.resolve(KubeConfigOptions(kubeconfig: path, environment: [:], execTimeoutSeconds: 1))
            let client = try ClusterClient(config, options: options)
            do { _ = try client.list(kind: statefulSets); return "no error" } catch { return "\(error)" }
        }
        let plugin = TestPaths.support + "/exec-plugin.sh"
        #expect(try failure("fail") == "exec plugin \(plugin): failed with exit code 3")
        let start = Date()
        #expect(try failure("hang") == "exec plugin \(plugin): timed out after 1 s; killed")
        #expect(Date().timeIntervalSince(start) < 10)
        #expect(try failure("badversion") == "exec plugin \(plugin): configured to use API version client.authentication.k8s.io/v1, plugin returned version client.authentication.k8s.io/v1beta1")
        #expect(try failure("nostatus") == "exec plugin \(plugin): output has no status")
        #expect(try failure("ok", command: "no-such-auth-plugin", hint: "install it with: apt install no-such-auth-plugin")
                == "exec plugin no-such-auth-plugin: executable no-such-auth-plugin not found; install it with: apt install no-such-auth-plugin")
        for mode in ["fail", "hang", "badversion", "nostatus"] {
            #expect(!(try failure(mode)).contains(StandIn.aliceToken))
        }
    }
}
