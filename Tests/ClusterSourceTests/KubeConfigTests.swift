import Foundation
import Testing
@testable import ClusterSource

/// A scratch directory for kubeconfig files.
final class Scratch {
    let path = NSTemporaryDirectory() + "ballast-kubeconfig-\(getpid())-\(UUID().uuidString.prefix(8))"
    init() { try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
    deinit { try? FileManager.default.removeItem(atPath: path) }
    @discardableResult
    func write(_ name: String, _ text: String) -> String {
        let file = path + "/" + name
        try? FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try? text.write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }
}

private func resolve(_ kubeconfig: String? = nil, context: String? = nil, env: [String: String] = [:],
                     saDir: String = "/nonexistent") throws(ClusterError) -> ClusterConfig {
    try KubeConfigLoader.resolve(KubeConfigOptions(kubeconfig: kubeconfig, context: context, environment: env,
                                                   serviceAccountDirectory: saDir))
}

private let pem = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n"
private let pemBase64 = Data(pem.utf8).base64EncodedString()

@Suite("kubeconfig resolution")
struct KubeConfigTests {
    @Test("a single file: server, namespace, token, CA data")
    func singleFile() throws {
        let dir = Scratch()
        let file = dir.write("config", """
        apiVersion: v1
        kind: Config
        clusters:
        - name: prod
          cluster: {server: "https://10.0.0.1:6443/k8s/clusters/c-xyz/", certificate-authority-data: \(pemBase64)}
        users:
        - name: ops
          user: {token: secret-token-1}
        contexts:
        - name: prod
          context: {cluster: prod, user: ops, namespace: redis}
        current-context: prod
        """)
        let config = try resolve(file)
        #expect(config.server == "https://10.0.0.1:6443/k8s/clusters/c-xyz")   // path prefix kept
        #expect(config.namespace == "redis")
        #expect(config.auth == .token(Sensitive("secret-token-1")))
        #expect(config.caPEM?.bytes == Array(pem.utf8))
        #expect(config.contextName == "prod")
        #expect(!config.description.contains("secret-token-1"))
        #expect(!"\(config.auth)".contains("secret-token-1"))
        #expect(!String(reflecting: config).contains("secret-token-1"))
    }

    @Test("KUBECONFIG=a:b: first file wins whole entries and current-context; missing files skipped")
    func mergeRules() throws {
        let dir = Scratch()
        let a = dir.write("a/config", """
        clusters:
        - name: shared
          cluster: {server: "https://a.example:6443", insecure-skip-tls-verify: true}
        users:
        - name: u
          user: {token: ta}
        contexts:
        - name: ctx-a
          context: {cluster: shared, user: u}
        """)
        let b = dir.write("b/config", """
        apiVersion: v1
        kind: Config
        clusters:
        - name: shared
          cluster: {server: "https://b.example:6443", tls-server-name: b.internal}
        - name: only-b
          cluster: {server: "https://only-b.example", certificate-authority: ../b-ca.crt}
        users:
        - name: u
          user: {token: tb, username: x}
        - name: ub
          user: {tokenFile: tokens/ub}
        contexts:
        - name: ctx-b
          context: {cluster: only-b, user: ub, namespace: postgres}
        current-context: ctx-b
        """)
        dir.write("b-ca.crt", pem)
        let env = ["KUBECONFIG": "\(dir.path)/missing:\(a):\(b):\(a)"]
        let b1 = try resolve(env: env)
        // a sets no current-context: b's wins; its relative CA path is resolved against b's directory.
        #expect(b1.contextName == "ctx-b")
        #expect(b1.server == "https://only-b.example:443" || b1.server == "https://only-b.example")
        #expect(b1.caPEM?.bytes == Array(pem.utf8))
        #expect(b1.auth == .tokenFile(path: dir.path + "/b/tokens/ub", initial: nil))
        #expect(b1.namespace == "postgres")
        let a1 = try resolve(context: "ctx-a", env: env)
        // Cluster "shared" and user "u" come whole from a: no tls-server-name from b, no username.
        #expect(a1.server == "https://a.example:6443")
        #expect(a1.tlsServerName == nil)
        #expect(a1.insecureSkipTLSVerify)
        #expect(a1.warnings.contains { $0.contains("insecure-skip-tls-verify") })
        #expect(a1.auth == .token(Sensitive("ta")))
        #expect(a1.namespace == "default")

        // kubectl agrees on the merged result.
        let kubectl = shell("KUBECONFIG='\(env["KUBECONFIG"]!)' kubectl config view --minify --context ctx-a -o jsonpath='{.clusters[0].cluster.server} {.clusters[0].cluster.tls-server-name}'")
        #expect(kubectl.out.trimmingCharacters(in: .whitespaces) == "https://a.example:6443")
    }

    @Test("empty files are fine; a malformed file is an error naming it")
    func emptyAndMalformed() throws {
        let dir = Scratch()
        let empty = dir.write("empty", "")
        let good = dir.write("good", "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:8080'}}]\ncontexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n")
        let config = try resolve(env: ["KUBECONFIG": "\(empty):\(good)"])
        #expect(config.server == "http://127.0.0.1:8080")
        let bad = dir.write("bad.yaml", "clusters:\n- name: c\n  cluster: {server: x\n")
        #expect {
            try resolve(env: ["KUBECONFIG": "\(bad):\(good)"])
        } throws: { error in
            guard case ClusterError.kubeconfigUnreadable(let file, _) = error else { return false }
            return file == bad && "\(error)".hasPrefix("kubeconfig \(bad):")
        }
        let wrongType = dir.write("wrong.yaml", "clusters:\n- name: c\n  cluster: {server: [1]}\ncontexts: [{name: x, context: {cluster: c}}]\ncurrent-context: x\n")
        #expect(throws: ClusterError.kubeconfigInvalid(file: wrongType, key: "clusters[name=c].cluster.server",
                                                       problem: "expected a string, found array")) {
            try resolve(wrongType)
        }
        #expect(throws: ClusterError.kubeconfigUnreadable(file: dir.path + "/nope", reason: "no such file or not readable")) {
            try resolve(dir.path + "/nope")
        }
    }

    @Test("missing context, cluster and user")
    func missingNames() throws {
        let dir = Scratch()
        let file = dir.write("config", """
        clusters: [{name: c, cluster: {server: "https://c"}}]
        contexts: [{name: x, context: {cluster: c, user: nobody}}, {name: z, context: {cluster: gone}}]
        current-context: ghost
        """)
        #expect(throws: ClusterError.contextNotFound("ghost")) { try resolve(file) }
        #expect(throws: ClusterError.contextNotFound("nope")) { try resolve(file, context: "nope") }
        #expect(throws: ClusterError.userNotFound("nobody")) { try resolve(file, context: "x") }
        #expect(throws: ClusterError.clusterNotFound("gone")) { try resolve(file, context: "z") }
        #expect("\(ClusterError.contextNotFound("nope"))" == "context \"nope\" does not exist")
    }

    @Test("contradictions kubectl rejects")
    func contradictions() throws {
        let dir = Scratch()
        dir.write("ca.crt", pem)
        func config(cluster: String, user: String = "{token: t}") -> String {
            dir.write("c-\(UUID().uuidString.prefix(6))", "clusters: [{name: c, cluster: \(cluster)}]\nusers: [{name: u, user: \(user)}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n")
        }
        let both = config(cluster: "{server: 'https://c', certificate-authority: ca.crt, certificate-authority-data: \(pemBase64)}")
        #expect { try resolve(both) } throws: { "\($0)".contains("certificate-authority and certificate-authority-data are both set") }
        let insecure = config(cluster: "{server: 'https://c', certificate-authority: ca.crt, insecure-skip-tls-verify: true}")
        #expect { try resolve(insecure) } throws: { "\($0)".contains("insecure-skip-tls-verify is not allowed") }
        let twoAuths = config(cluster: "{server: 'https://c'}", user: "{token: hunter2, username: bob, password: pw-secret}")
        #expect {
            try resolve(twoAuths)
        } throws: { error in
            let text = "\(error)"
            return text.contains("more than one authentication method") && !text.contains("hunter2") && !text.contains("pw-secret")
        }
        let certNoKey = config(cluster: "{server: 'https://c'}", user: "{client-certificate-data: \(pemBase64)}")
        #expect { try resolve(certNoKey) } throws: { "\($0)".contains("client-certificate is set without client-key") }
        let badBase64 = config(cluster: "{server: 'https://c', certificate-authority-data: '%%%'}")
        #expect(throws: ClusterError.kubeconfigInvalid(file: badBase64, key: "clusters[name=c].cluster.certificate-authority-data",
                                                       problem: "not valid base64")) { try resolve(badBase64) }
        let provider = config(cluster: "{server: 'https://c'}", user: "{auth-provider: {name: gcp}}")
        #expect { try resolve(provider) } throws: { "\($0)".contains("auth-provider \"gcp\" is not supported") }
    }

    @Test("an http server gets no credentials")
    func httpNoCredentials() throws {
        let dir = Scratch()
        let file = dir.write("config", "clusters: [{name: c, cluster: {server: 'http://127.0.0.1:1'}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n")
        let config = try resolve(file)
        #expect(config.auth == .none)
        #expect(config.warnings.contains { $0.contains("no credentials are sent") })
    }

    @Test("exec plugin stanza: relative command, args, env; unsupported apiVersion")
    func execStanza() throws {
        let dir = Scratch()
        let file = dir.write("sub/config", """
        clusters: [{name: c, cluster: {server: 'https://c'}}]
        users:
        - name: u
          user:
            exec:
              apiVersion: client.authentication.k8s.io/v1
              command: ./bin/plugin.sh
              args: [--flag]
              env: [{name: OFFSET, value: "3600"}]
              interactiveMode: Never
              provideClusterInfo: true
        - name: path
          user: {exec: {apiVersion: client.authentication.k8s.io/v1, command: gke-gcloud-auth-plugin, interactiveMode: Never}}
        - name: old
          user: {exec: {apiVersion: client.authentication.k8s.io/v1alpha1, command: x}}
        contexts: [{name: x, context: {cluster: c, user: u}}, {name: p, context: {cluster: c, user: path}}, {name: o, context: {cluster: c, user: old}}]
        current-context: x
        """)
        let config = try resolve(file)
        guard case .exec(let exec) = config.auth else { Issue.record("no exec: \(config.auth)"); return }
        #expect(exec.command == dir.path + "/sub/./bin/plugin.sh")
        #expect(exec.args == ["--flag"])
        #expect(exec.env.map(\.name) == ["OFFSET"])
        #expect(exec.provideClusterInfo)
        guard case .exec(let onPath) = try resolve(file, context: "p").auth else { Issue.record("no exec"); return }
        #expect(onPath.command == "gke-gcloud-auth-plugin")   // no "/": a PATH lookup
        #expect { try resolve(file, context: "o") } throws: { "\($0)".contains("client.authentication.k8s.io/v1alpha1\" is not supported") }
    }

    @Test("in-cluster: explicit, automatic without a kubeconfig, and its errors")
    func inCluster() throws {
        let dir = Scratch()
        let sa = dir.path + "/sa"
        dir.write("sa/token", "sa-token-value\n")
        dir.write("sa/ca.crt", pem)
        dir.write("sa/namespace", "drift\n")
        let env = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443", "HOME": dir.path]
        let explicit = try KubeConfigLoader.resolve(KubeConfigOptions(inCluster: true, environment: env, serviceAccountDirectory: sa))
        #expect(explicit.server == "https://10.96.0.1:443")
        #expect(explicit.namespace == "drift")
        #expect(explicit.auth == .tokenFile(path: sa + "/token", initial: nil))
        #expect(explicit.caPEM?.bytes == Array(pem.utf8))
        #expect(explicit.origin == "in-cluster")
        // No kubeconfig anywhere ($HOME has none) and KUBERNETES_SERVICE_HOST set: in-cluster.
        let automatic = try resolve(env: env, saDir: sa)
        #expect(automatic.origin == "in-cluster")
        var v6 = env
        v6["KUBERNETES_SERVICE_HOST"] = "fd00::1"
        v6["POD_NAMESPACE"] = "ops"
        let ipv6 = try KubeConfigLoader.resolve(KubeConfigOptions(inCluster: true, environment: v6, serviceAccountDirectory: sa))
        #expect(ipv6.server == "https://[fd00::1]:443")
        #expect(ipv6.namespace == "ops")
        #expect(throws: ClusterError.inCluster("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined")) {
            try KubeConfigLoader.resolve(KubeConfigOptions(inCluster: true, environment: [:], serviceAccountDirectory: sa))
        }
        #expect(throws: ClusterError.noConfiguration("no kubeconfig found (KUBECONFIG, ~/.kube/config) and not running in a pod")) {
            try resolve(env: ["HOME": dir.path], saDir: sa)
        }
    }
}
