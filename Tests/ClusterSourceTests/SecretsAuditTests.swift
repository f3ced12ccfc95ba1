import Foundation
import Testing
@testable import ClusterSource

/// Issue 17 item 6: every command, in every output format, with profiling on, given every kind of secret a
/// run can hold — a kubeconfig token, a client key, an exec plugin's token, a git token (BALLAST_GIT_TOKEN and
/// an https-style URL password) and a Secret manifest with `data` and `stringData` — never lets one of those
/// values reach standard output, standard error, a written file or the clone cache.
@Suite("secrets audit: no credential or Secret value in any output (CLI)")
struct SecretsAuditTests {
    static let gitToken = "gittok-7d1e9a40c2b54f6e"
    static let execToken = "exectok-3b9f27c1d8e04a55"
    static let dataValue = "s3cr3t-data-value-8842"
    static let stringDataValue = "s3cr3t-stringdata-value-1177"
    static let formats = ["text", "json", "sarif", "github", "junit", "markdown", "html", "prometheus"]

    /// A git repository: fixtures/gitops at `base`, then a Secret manifest added at HEAD.
    static func repository(in root: String) throws -> String {
        let repo = root + "/manifests"
        let git = "git -c user.name=t -c user.email=t@example.com"
        let secret = """
            apiVersion: v1
            kind: Secret
            metadata: {name: db-credentials, namespace: redis}
            type: Opaque
            data:
              password: \(Data(dataValue.utf8).base64EncodedString())
            stringData:
              token: \(stringDataValue)

            """
        let script = """
            set -e
            cp -R '\(TestPaths.repository)/fixtures/gitops' '\(repo)'
            cd '\(repo)'
            git init -q -b main .
            \(git) add -A && \(git) commit -q -m base && git tag base
            cat > secret.yaml <<'YAML'
            \(secret)YAML
            \(git) add -A && \(git) commit -q -m secret
            """
        let run = shell(script)
        guard run.status == 0 else { throw ClusterError.snapshot(path: repo, problem: run.err) }
        return repo
    }

    @Test func noSecretValueAnywhere() throws {
        let server = try StandIn()
        try server.control("tokens", "{\"tokens\":{\"\(StandIn.aliceToken)\":\"alice\",\"\(Self.execToken)\":\"alice\"}}")
        let root = server.directory
        let repo = try Self.repository(in: root)
        // The smart-HTTP git server wants the token as the basic-auth password.
        let gitServer = try PythonHelperOnPort(script: TestPaths.repository + "/Tests/GitSourceTests/Support/git_http_server.py",
                                               arguments: [root], environment: ["GIT_TEST_TOKEN": Self.gitToken])
        let plainURL = "http://127.0.0.1:\(gitServer.port)/manifests"
        let passwordURL = "http://ci-bot:\(Self.gitToken)@127.0.0.1:\(gitServer.port)/manifests"

        let pki = server.pki
        let kubeconfigs = [
            "token": try server.write("kc-token", server.kubeconfig()),
            "client-key": try server.write("kc-cert", server.kubeconfig(user: """
                    client-certificate-data: \(pki.base64(pki.clientCert))
                    client-key-data: \(pki.base64(pki.clientKey))
                """)),
            "exec": try server.write("kc-exec", server.kubeconfig(user: """
                    exec:
                      apiVersion: client.authentication.k8s.io/v1
                      command: \(TestPaths.support)/exec-plugin.sh
                      interactiveMode: Never
                      env:
                      - {name: MODE, value: ok}
                      - {name: COUNTER, value: \(root)/exec-runs}
                      - {name: TOKEN, value: \(Self.execToken)}
                """)),
        ]
        let keyText = try String(contentsOfFile: pki.clientKey, encoding: .utf8)
        var secrets = [StandIn.aliceToken, Self.execToken, Self.gitToken, Self.dataValue, Self.stringDataValue,
                       Data(Self.dataValue.utf8).base64EncodedString(), pki.base64(pki.clientKey)]
        secrets += keyText.split(separator: "\n").filter { !$0.hasPrefix("-----") && $0.count > 16 }.map(String.init)

        let cache = root + "/cache"
        let environment = "env XDG_CACHE_HOME='\(cache)' BALLAST_PROFILE=1 NO_COLOR=1 BALLAST_GIT_TOKEN='\(Self.gitToken)' "
        var runs: [(String, String)] = []   // (name, command line)
        func reports(_ name: String) -> String {
            Self.formats.dropFirst().map { "--format \($0)='\(root)/out-\(name).\($0)'" }.joined(separator: " ")
        }
        runs.append(("lint-url-password", "lint --repo '\(passwordURL)' --format text \(reports("lint-url-password"))"))
        runs.append(("lint-path", "lint '\(repo)' --format json \(reports("lint-path"))"))
        runs.append(("gate", "gate --repo '\(repo)' --base base --head HEAD --format markdown \(reports("gate"))"))
        for (user, kubeconfig) in kubeconfigs.sorted(by: { $0.key < $1.key }) {
            runs.append(("check-\(user)", "check --repo '\(plainURL)' --kubeconfig '\(kubeconfig)' --format sarif \(reports("check-\(user)"))"))
            runs.append(("drift-\(user)", "drift --repo '\(passwordURL)' --kubeconfig '\(kubeconfig)' --format html \(reports("drift-\(user)"))"))
            runs.append(("snapshot-\(user)", "snapshot --kubeconfig '\(kubeconfig)' --out '\(root)/snap-\(user)'"))
        }
        runs.append(("eval", "policies eval 'object.kind == \"Secret\" && has(object.data)' --object '\(repo)/secret.yaml'"))
        runs.append(("eval-error", "policies eval 'object.data.password + 1' --object '\(repo)/secret.yaml'"))
        runs.append(("eval-string", "policies eval 'object.stringData.token.startsWith(\"x\")' --object '\(repo)/secret.yaml'"))

        for (name, command) in runs {
            let run = shell("cd '\(root)' && \(environment) timeout -s KILL 120 '\(SnapshotCommandTests.binary)' \(command)")
            #expect(run.status != 2 && run.status < 128, "\(name): \(run.status) \(run.out.prefix(300))\(run.err.prefix(600))")
            for secret in secrets {
                #expect(!run.out.contains(secret), "\(name): a secret on standard output")
                #expect(!run.err.contains(secret), "\(name): a secret on standard error")
            }
            if name.hasPrefix("lint") {   // the profile (phases, rule times) goes to standard error
                #expect(!run.err.isEmpty, "\(name): BALLAST_PROFILE=1 printed nothing")
            }
        }
        // Every written file: reports, snapshots, and the whole clone cache (config, refs, logs, packs' neighbours).
        var scanned = 0
        for base in [root, cache] {
            for entry in FileManager.default.enumerator(atPath: base)?.allObjects as? [String] ?? [] {
                guard !entry.hasPrefix("manifests/"), !entry.hasPrefix("kc-"), entry != "exec-runs.info" else { continue }   // our own inputs
                guard !entry.hasSuffix(".pack"), !entry.hasSuffix(".idx") else { continue }   // zlib-compressed repository content
                guard let data = FileManager.default.contents(atPath: base + "/" + entry) else { continue }   // absent: a directory
                let text = String(decoding: data, as: UTF8.self)
                scanned += 1
                for secret in secrets { #expect(!text.contains(secret), "\(entry) holds a secret value") }
            }
        }
        #expect(scanned > 60, "the audit read only \(scanned) files")
        let cacheConfigs = (FileManager.default.enumerator(atPath: cache)?.allObjects as? [String] ?? []).filter { $0.hasSuffix("/config") }
        #expect(!cacheConfigs.isEmpty, "no clone in the cache")
        #expect(try String(contentsOfFile: root + "/out-gate.json", encoding: .utf8).contains("schemaVersion"))
    }
}

/// A helper script run with python3 that prints its port (a bare number) first; killed when the value goes.
final class PythonHelperOnPort {
    let port: Int
    private let process = Process()
    init(script: String, arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script] + arguments
        var env = ProcessInfo.processInfo.environment
        for (k, v) in environment { env[k] = v }
        process.environment = env
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        while !line.contains(0x0A) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            kill(process.processIdentifier, SIGKILL)
            throw ClusterError.unreachable(server: script, detail: "did not start")
        }
        self.port = port
    }
    deinit {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }
}
