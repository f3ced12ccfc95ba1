import Foundation
import KubeModel
import Testing
@testable import ClusterSource

private let statefulSets = KindCatalog.info(group: "apps", kind: "StatefulSet")!
private let pvcs = KindCatalog.info(group: "", kind: "PersistentVolumeClaim")!
private let stsPath = "/apis/apps/v1/statefulsets"

private func names(_ objects: [KubeObject]) -> [String] { objects.map { "\($0.namespace ?? "")/\($0.name)" }.sorted() }

@Suite("reading the stand-in API server")
struct ClientTests {
    @Test("bearer token: discovery, an all-namespaces list, items get apiVersion and kind back")
    func bearerList() throws {
        let server = try StandIn()
        let client = try server.client()
        let discovery = try client.discover()
        #expect(discovery.served(statefulSets)?.apiVersion == "apps/v1")
        #expect(discovery.groupVersions["policy"] == ["v1"])
        let objects = try client.list(kind: statefulSets)
        #expect(names(objects) == ["postgres/postgres", "rabbitmq/rabbitmq", "redis/redis"])
        let redis = try #require(objects.first { $0.name == "redis" })
        #expect(redis.ref == ObjectRef(group: "apps", kind: "StatefulSet", namespace: "redis", name: "redis"))
        #expect(redis.value.mapEntries?.prefix(2).map(\.key) == ["apiVersion", "kind"])
        #expect(redis.value["kind"]?.stringValue == "StatefulSet")
        #expect(redis.value[path: "spec", "replicas"]?.intValue == 4)   // the kubectl scale
        let requests = try server.requests()
        let list = try #require(requests.first { $0["path"]?.stringValue == stsPath })
        #expect(list["query"]?.stringValue == "limit=500")
        #expect(list["auth"]?.stringValue == "bearer")
        #expect(list["user"]?.stringValue == "alice")
        #expect(list["agent"]?.stringValue?.hasPrefix("ballast/") == true)
    }

    @Test("client certificate and key from files, passed in memory")
    func clientCertificate() throws {
        let server = try StandIn()
        let client = try server.client(kubeconfig: server.kubeconfig(user: "    client-certificate: \(server.pki.clientCert)\n    client-key: \(server.pki.clientKey)"))
        #expect(try client.list(kind: pvcs, namespaces: ["redis"]).count == 5)
        let seen = try server.requests().filter { $0["path"]?.stringValue == "/api/v1/namespaces/redis/persistentvolumeclaims" }
        #expect(seen.first?["auth"]?.stringValue == "cert")
        #expect(seen.first?["user"]?.stringValue == "alice")
    }

    @Test("pages of `limit` follow `continue`; requests = ceil(n/limit); one connection reused")
    func pagination() throws {
        let server = try StandIn()
        var options = StandIn.fastOptions
        options.pageSize = 4
        let client = try server.client(options: options)
        _ = try client.discover()
        try server.control("reset")
        let objects = try client.list(kind: pvcs)
        #expect(objects.count == 13)
        let lists = try server.requests().filter { $0["path"]?.stringValue == "/api/v1/persistentvolumeclaims" }
        #expect(lists.count == 4)   // 4 + 4 + 4 + 1
        #expect(lists.dropFirst().allSatisfy { $0["query"]?.stringValue?.contains("continue=") == true })
        #expect(lists.allSatisfy { $0["query"]?.stringValue?.contains("resourceVersion") == false })
        #expect(Set(names(objects)).count == 13)
        #expect(try server.connections() == 0)   // the connection from discovery was kept alive
        #expect(client.stats.connections == 1)
    }

    @Test("410 Expired on page 2 restarts the list once; a second 410 reads it unpaginated; a third makes it incomplete")
    func expiredContinue() throws {
        let server = try StandIn()
        var options = StandIn.fastOptions
        options.pageSize = 5
        let client = try server.client(options: options)
        try server.inject("/api/v1/persistentvolumeclaims", "\"type\":\"expire\",\"when\":\"continue\"")
        let objects = try client.list(kind: pvcs)
        #expect(objects.count == 13)
        #expect(Set(names(objects)).count == 13)   // nothing stitched from two snapshots
        let lists = try server.requests().filter { $0["path"]?.stringValue == "/api/v1/persistentvolumeclaims" }
        #expect(lists.count == 5)   // page 1, 410, then 3 pages from the beginning

        try server.inject("/api/v1/persistentvolumeclaims", "\"type\":\"expire\",\"when\":\"continue\"",
                          "\"type\":\"expire\",\"when\":\"continue\"")
        try server.control("reset")
        #expect(try client.list(kind: pvcs).count == 13)
        let queries = try server.requests().compactMap { $0["query"]?.stringValue }
        #expect(queries.count == 5)   // page 1, 410, page 1, 410, the full list
        #expect(queries.last == "")
        try server.inject("/api/v1/persistentvolumeclaims", "\"type\":\"expire\",\"when\":\"continue\"",
                          "\"type\":\"expire\",\"when\":\"continue\"", "\"type\":\"expire\",\"when\":\"full\"")
        #expect(throws: ClusterError.expired(path: "/api/v1/persistentvolumeclaims")) { try client.list(kind: pvcs) }
        // The server's own expiry (compaction) works the same way.
        try server.control("expire", "{\"withToken\":true}")
        #expect(try client.list(kind: pvcs).count == 13)
    }

    @Test("429 text/plain with Retry-After is honoured, then the list succeeds")
    func tooManyRequests() throws {
        let server = try StandIn()
        let client = try server.client()
        _ = try client.discover()
        try server.inject(stsPath, "\"type\":\"status\",\"code\":429,\"retryAfter\":1,\"text\":true")
        let start = Date()
        #expect(try client.list(kind: statefulSets).count == 3)
        #expect(Date().timeIntervalSince(start) >= 1.0)
        #expect(client.stats.retries == 1)
    }

    @Test("5xx, dropped connections, cut bodies and stalled bodies are retried with backoff")
    func transientFailures() throws {
        let server = try StandIn()
        let client = try server.client()
        _ = try client.discover()
        try server.inject(stsPath, "\"type\":\"status\",\"code\":503", "\"type\":\"drop\"", "\"type\":\"cut\"",
                          "\"type\":\"status\",\"code\":500,\"retryAfter\":0", "\"type\":\"trickle\",\"interval\":4")
        #expect(try client.list(kind: statefulSets).count == 3)
        // Every fault was served, then the page. (libcurl itself re-sends once on a reused connection
        // that the server closed unanswered, so the client may count one retry less.)
        #expect(try server.requests().filter { $0["path"]?.stringValue == stsPath }.count == 6)
        #expect(client.stats.retries >= 4)
    }

    @Test("the client-side rate limit spaces requests beyond the burst")
    func rateLimit() throws {
        let server = try StandIn()
        var options = StandIn.fastOptions
        options.qps = 5
        options.burst = 2
        let client = try server.client(options: options)
        let start = Date()
        for _ in 0..<5 { _ = try client.serverVersion() }
        // 2 at once, then 3 more at 5/s: at least 0.6 s.
        #expect(Date().timeIntervalSince(start) >= 0.55)
        #expect(client.stats.requests == 5)
    }

    @Test("proxy-url: requests tunnel through the proxy; Warning headers become notes")
    func proxyAndWarnings() throws {
        let server = try StandIn()
        let log = server.directory + "/proxy.log"
        let proxy = try PythonHelper("proxy.py", [log])
        let cluster = "    server: \(server.server)\n    certificate-authority-data: \(server.pki.base64(server.pki.ca))\n    proxy-url: http://127.0.0.1:\(proxy.port)"
        let client = try server.client(kubeconfig: server.kubeconfig(cluster: cluster))
        try server.inject("/apis/policy/v1/poddisruptionbudgets", "\"type\":\"warning\",\"text\":\"policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+\"")
        let result = client.readAll()
        #expect(result.isComplete)
        #expect(try String(contentsOfFile: log, encoding: .utf8) == "127.0.0.1:\(server.port)\n")   // one tunnel, reused
        #expect(result.notes.contains("server warning: 299 - \"policy/v1beta1 PodDisruptionBudget is deprecated in v1.21+\""))
    }

    @Test("a slow response within the timeouts is waited for")
    func slowResponse() throws {
        let server = try StandIn()
        let client = try server.client()
        try server.inject(stsPath, "\"type\":\"slow\",\"delay\":1.5")
        #expect(try client.list(kind: statefulSets).count == 3)
        #expect(client.stats.retries == 0)
    }

    @Test("retries are bounded: a server that keeps failing is an error")
    func boundedRetries() throws {
        let server = try StandIn()
        var options = StandIn.fastOptions
        options.maxAttempts = 3
        let client = try server.client(options: options)
        _ = try client.discover()
        try server.inject(stsPath, "\"type\":\"status\",\"code\":503,\"message\":\"etcd leader changed\"",
                          "\"type\":\"status\",\"code\":503,\"message\":\"etcd leader changed\"",
                          "\"type\":\"status\",\"code\":503,\"message\":\"etcd leader changed\"")
        #expect(throws: ClusterError.http(path: stsPath + "?limit=500", code: 503, reason: "ServiceUnavailable",
                                          message: "etcd leader changed (after 3 attempts)")) {
            try client.list(kind: statefulSets)
        }
    }

    @Test("a wrong token is a 401 error that shows no token")
    func wrongToken() throws {
        let server = try StandIn()
        let client = try server.client(kubeconfig: server.kubeconfig(user: "    token: not-the-right-token"))
        #expect {
            try client.list(kind: statefulSets)
        } throws: { error in
            error as? ClusterError == .unauthorized(path: "/api") && !"\(error)".contains("not-the-right-token")
        }
    }

    @Test("username/password go as basic auth (which kube-apiserver no longer accepts); no password in errors")
    func basicAuth() throws {
        let server = try StandIn()
        let client = try server.client(kubeconfig: server.kubeconfig(user: "    username: admin\n    password: pw-very-secret"))
        #expect(client.config.description.contains("basic auth as admin") && !client.config.description.contains("pw-very-secret"))
        #expect {
            try client.list(kind: statefulSets)
        } throws: { error in
            error as? ClusterError == .unauthorized(path: "/api") && !"\(error)".contains("pw-very-secret")
        }
        #expect(try server.requests().first?["auth"]?.stringValue == "basic")
    }

    @Test("RBAC denial names verb and resource; readAll is then incomplete, never clean")
    func forbidden() throws {
        let server = try StandIn()
        try server.control("deny", "{\"deny\":{\"alice\":[\"list statefulsets.apps\"]}}")
        let client = try server.client()
        #expect {
            try client.list(kind: statefulSets)
        } throws: { error in
            guard case ClusterError.forbidden(let verb, let resource, nil, let message) = error else { return false }
            return verb == "list" && resource == "statefulsets.apps" && message.contains("User \"alice\" cannot list resource \"statefulsets\"")
                && "\(error)".hasPrefix("permission denied: cannot list statefulsets.apps at the cluster scope")
        }
        let result = client.readAll()
        #expect(!result.isComplete)
        #expect(result.incomplete.map(\.what) == ["apps/StatefulSet"])
        #expect(result.objects.contains { $0.kind == "PersistentVolumeClaim" })
        #expect(!result.objects.contains { $0.kind == "StatefulSet" })
    }

    @Test("readAll reads every in-scope kind, never Secrets, notes VolumeSnapshot when not served")
    func readAll() throws {
        let server = try StandIn()
        let client = try server.client()
        var result = client.readAll()
        #expect(result.isComplete, "\(result.incomplete)")
        #expect(result.serverVersion == "v1.32.4")
        let kinds = Set(result.objects.map(\.kind))
        #expect(kinds == ["StatefulSet", "StorageClass", "PersistentVolumeClaim", "PersistentVolume", "Service", "ConfigMap",
                          "CronJob", "PodDisruptionBudget", "Namespace"])
        let paths = try server.requests().compactMap { $0["path"]?.stringValue }
        #expect(!paths.contains { $0.contains("secrets") })
        #expect(paths.contains("/apis/snapshot.storage.k8s.io/v1/volumesnapshots"))   // served (empty) here
        #expect(client.stats.connections == 1)

        try server.control("disable", "{\"resources\":[{\"group\":\"snapshot.storage.k8s.io\",\"plural\":\"volumesnapshots\"}]}")
        result = try server.client().readAll(namespaces: ["redis"])
        #expect(result.isComplete)
        #expect(result.notes.contains("snapshot.storage.k8s.io/VolumeSnapshot is not served by this cluster; not read"))
        #expect(Set(result.objects.compactMap(\.namespace)) == ["redis"])
        #expect(result.objects.filter { $0.kind == "Namespace" }.map(\.name) == ["redis"])
        #expect(result.objects.contains { $0.kind == "StorageClass" })   // cluster-scoped kinds are still read
        #expect(throws: ClusterError.secretsRefused) { try server.client().list(kind: KindCatalog.info(group: "", kind: "Secret")!) }
        let snapshots = try #require(KindCatalog.info(group: "snapshot.storage.k8s.io", kind: "VolumeSnapshot"))
        #expect(throws: ClusterError.notServed("snapshot.storage.k8s.io/VolumeSnapshot")) { try server.client().list(kind: snapshots) }
    }

    @Test("a certificate signed by another CA is refused and says so")
    func untrusted() throws {
        let rogue = try StandIn(rogue: true)
        let client = try rogue.client()
        #expect {
            try client.list(kind: statefulSets)
        } throws: { error in
            guard case ClusterError.untrustedCertificate = error else { return false }
            return "\(error)".contains("is not signed by the configured certificate authority")
        }
        // insecure-skip-tls-verify is honoured, with a warning.
        let insecure = try rogue.client(kubeconfig: rogue.kubeconfig(cluster: "    server: \(rogue.server)\n    insecure-skip-tls-verify: true"))
        #expect(insecure.config.warnings.count == 1)
        #expect(try insecure.list(kind: statefulSets).count == 3)
        let result = insecure.readAll()
        #expect(result.isComplete)
        #expect(result.notes.first == "insecure-skip-tls-verify is set for cluster standin: the server's certificate is not verified")
    }

    @Test("tls-server-name: verify the certificate as another name than the URL host")
    func tlsServerName() throws {
        let server = try StandIn()
        let client = try server.client(kubeconfig: server.kubeconfig(cluster: "    server: \(server.server)\n    certificate-authority: \(server.pki.ca)\n    tls-server-name: api.ballast.test"))
        #expect(try client.list(kind: statefulSets).count == 3)
        let wrong = try server.client(kubeconfig: server.kubeconfig(cluster: "    server: \(server.server)\n    certificate-authority: \(server.pki.ca)\n    tls-server-name: other.example"))
        #expect(throws: ClusterError.self) { try wrong.list(kind: statefulSets) }
    }

    @Test("an unreachable server is a typed error")
    func unreachable() throws {
        let server = try StandIn()
        let port = server.port
        let kubeconfig = server.kubeconfig()
        let path = try server.write("k", kubeconfig.replacingOccurrences(of: ":\(port)", with: ":1"))
        var options = StandIn.fastOptions
        options.maxAttempts = 2
        let client = try ClusterClient(try KubeConfigLoader.resolve(KubeConfigOptions(kubeconfig: path, environment: [:])), options: options)
        #expect {
            try client.list(kind: statefulSets)
        } throws: { error in
            guard case ClusterError.unreachable(let s, let detail) = error else { return false }
            return s == "https://127.0.0.1:1" && detail.contains("after 2 attempts")
        }
    }

    @Test("a truncated or non-JSON body is an invalid-response error")
    func badBodies() throws {
        let server = try StandIn()
        let client = try server.client()
        _ = try client.discover()
        try server.inject(stsPath, "\"type\":\"truncate\"")
        #expect {
            try client.list(kind: statefulSets)
        } throws: { error in
            guard case ClusterError.invalidResponse(let path, let problem) = error else { return false }
            return path == stsPath + "?limit=500" && problem == "unterminated string (at byte 109 of 109 received)"
        }
        try server.inject(stsPath, "\"type\":\"garbage\"")
        #expect { try client.list(kind: statefulSets) } throws: { "\($0)".contains("invalid response: unexpected '<'") }
    }

    @Test("a rotated token file is re-read: the next request uses the new token")
    func tokenFileRotation() throws {
        let server = try StandIn()
        let tokenPath = try server.write("sa/token", StandIn.aliceToken + "\n")
        let client = try server.client(kubeconfig: server.kubeconfig(user: "    tokenFile: \(tokenPath)"))
        #expect(try client.list(kind: statefulSets).count == 3)
        // Rotate: the server forgets alice's token, knows a new one; the file changes.
        try server.control("tokens", "{\"tokens\":{\"rotated-token-2\":\"alice\"}}")
        try "rotated-token-2\n".write(toFile: tokenPath + ".new", atomically: false, encoding: .utf8)
        _ = rename(tokenPath + ".new", tokenPath)   // as the kubelet swaps the projected volume
        #expect(try client.list(kind: statefulSets).count == 3)
    }

    @Test("in-cluster service account against the stand-in")
    func inClusterServiceAccount() throws {
        let server = try StandIn()
        try server.write("sa/token", StandIn.bobToken)
        try server.write("sa/ca.crt", String(decoding: server.pki.bytes(server.pki.ca), as: UTF8.self))
        try server.write("sa/namespace", "postgres")
        let config = try KubeConfigLoader.resolve(KubeConfigOptions(
            environment: ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": "\(server.port)"],
            serviceAccountDirectory: server.directory + "/sa"))
        let client = try ClusterClient(config, options: StandIn.fastOptions)
        #expect(try client.list(kind: statefulSets, namespaces: [config.namespace]).map(\.name) == ["postgres"])
        #expect(try server.requests().last?["user"]?.stringValue == "bob")
    }
}
