import Foundation
import Testing

/// ci/k8s: the manifests lint clean, the ClusterRole reads only what `check` reads, and the CronJob's
/// script (ci/k8s/base/config.yaml, `ballast-run`) fails loud. The script runs for real, under /bin/sh,
/// around stand-ins for `ballast` and `curl`.
@Suite("ci/k8s", .serialized)
struct InClusterJobTests {
    static let configFile = "ci/k8s/base/config.yaml"

    /// Records its arguments, writes the metrics it is given (STUB_METRICS) and the reports (unless
    /// STUB_NO_REPORTS), exits STUB_EXIT.
    static let ballastStub = """
        printf '%s\\n' "$@" > "$STUB_LOG/ballast.args"
        for a in "$@"; do
          case "$a" in
            prometheus=*) [ -n "${STUB_METRICS:-}" ] && printf '%s\\n' "$STUB_METRICS" > "${a#prometheus=}" ;;
            json=*|html=*) [ -z "${STUB_NO_REPORTS:-}" ] && echo new > "${a#*=}" ;;
          esac
        done
        exit "${STUB_EXIT:-0}"
        """
    /// Keeps what would have been pushed and where; exits STUB_CURL_EXIT.
    static let curlStub = """
        for a in "$@"; do
          case "$a" in
            @*) cat "${a#@}" > "$STUB_LOG/pushed" ;;
            http*) printf '%s' "$a" > "$STUB_LOG/url" ;;
          esac
        done
        exit "${STUB_CURL_EXIT:-0}"
        """

    struct Outcome {
        var run: RunOutput
        var reports: URL
        var ballastArguments: [String]?
        var pushed: String?
        var url: String?
    }

    /// Runs the script once in a fresh directory; `prepare` may put last night's files in `reports`.
    func runJob(exit: Int32, metrics: String?, curlExit: Int32 = 0, arguments: [String] = [],
                environment: [String: String] = [:], prepare: (URL) throws -> Void = { _ in }) throws -> Outcome {
        let script = try yamlString("object.data['ballast-run']", in: Self.configFile)
        let stubs = try StubDirectory()
        defer { stubs.remove() }
        try stubs.add("ballast", Self.ballastStub)
        try stubs.add("curl", Self.curlStub)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let reports = dir.appendingPathComponent("reports"), metricsDir = dir.appendingPathComponent("metrics")
        let log = dir.appendingPathComponent("log")
        for d in [reports, metricsDir, log] { try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true) }
        try prepare(reports)
        var env = ["BALLAST_REPO": "https://git.example.test/platform/gitops.git", "BALLAST_REPORTS": reports.path,
                   "BALLAST_METRICS": metricsDir.path, "BALLAST_CONFIG": "/etc/ballast/.ballast.yaml",
                   "PUSHGATEWAY_URL": "http://pushgateway.test:9091", "CLUSTER_NAME": "test",
                   "STUB_LOG": log.path, "STUB_EXIT": String(exit), "STUB_CURL_EXIT": String(curlExit)]
        if let metrics { env["STUB_METRICS"] = metrics }
        for (k, v) in environment { env[k] = v }
        for k in environment.keys where environment[k] == "" { env.removeValue(forKey: k) }
        let run = try runScript(script, arguments: arguments, stubs: stubs, directory: dir, environment: env)
        let args = contents(log.appendingPathComponent("ballast.args")).map { $0.split(separator: "\n").map(String.init) }
        var outcome = Outcome(run: run, reports: reports, ballastArguments: args,
                              pushed: contents(log.appendingPathComponent("pushed")),
                              url: contents(log.appendingPathComponent("url")))
        // Keep the reports' state for the caller: copy them out before the directory goes.
        let kept = try temporaryDirectory()
        for name in (try? FileManager.default.contentsOfDirectory(atPath: reports.path)) ?? [] {
            try FileManager.default.copyItem(at: reports.appendingPathComponent(name), to: kept.appendingPathComponent(name))
        }
        outcome.reports = kept
        return outcome
    }

    @Test func completeRunPublishesAndKeepsLastNightAsBaseline() throws {
        let o = try runJob(exit: 0, metrics: "ballast_check_success 1") { reports in
            try "old\n".write(to: reports.appendingPathComponent("ballast.json"), atomically: true, encoding: .utf8)
        }
        defer { try? FileManager.default.removeItem(at: o.reports) }
        #expect(o.run.status == 0, "\(o.run.stderr)")
        let args = try #require(o.ballastArguments)
        #expect(args.first == "check" && args.contains("--in-cluster"), "\(args)")
        #expect(args.contains("https://git.example.test/platform/gitops.git"), "\(args)")
        #expect(args.contains("--baseline") && args.contains { $0.hasSuffix("/reports/previous.json") }, "\(args)")
        #expect(args.contains { $0.hasPrefix("prometheus=") && $0.hasSuffix("/metrics/ballast.prom") }, "\(args)")
        #expect(contents(o.reports.appendingPathComponent("previous.json")) == "old\n")
        #expect(contents(o.reports.appendingPathComponent("ballast.json")) == "new\n")
        #expect(o.pushed == "ballast_check_success 1\n")
        #expect(o.url == "http://pushgateway.test:9091/metrics/job/ballast/cluster/test")
    }

    @Test func findingsFailTheJobAndStillPublish() throws {
        let o = try runJob(exit: 1, metrics: "ballast_check_success 1")
        defer { try? FileManager.default.removeItem(at: o.reports) }
        #expect(o.run.status == 1)
        #expect(o.run.stderr.contains("ballast check exited 1"), "\(o.run.stderr)")
        #expect(o.pushed == "ballast_check_success 1\n")
    }

    @Test func incompleteRunNeverPublishesSuccess() throws {
        let o = try runJob(exit: 3, metrics: "ballast_check_success{cluster=\"t\"} 1\nballast_findings 0")
        defer { try? FileManager.default.removeItem(at: o.reports) }
        #expect(o.run.status == 3)
        #expect(o.pushed == "ballast_check_success{cluster=\"t\"} 0\nballast_findings 0\n")
    }

    @Test func runThatDiesLeavesNoStaleReport() throws {
        let o = try runJob(exit: 2, metrics: nil, environment: ["STUB_NO_REPORTS": "1"]) { reports in
            try "last night: clean\n".write(to: reports.appendingPathComponent("index.html"), atomically: true, encoding: .utf8)
        }
        defer { try? FileManager.default.removeItem(at: o.reports) }
        #expect(o.run.status == 2)
        #expect(contents(o.reports.appendingPathComponent("index.html")) == nil)
        #expect(o.pushed == "# TYPE ballast_check_success gauge\nballast_check_success 0\n")
    }

    @Test func failedPushFailsACleanRun() throws {
        let o = try runJob(exit: 0, metrics: "ballast_check_success 1", curlExit: 22)
        defer { try? FileManager.default.removeItem(at: o.reports) }
        #expect(o.run.status == 3)
        #expect(o.run.stderr.contains("could not push metrics"), "\(o.run.stderr)")
    }

    @Test func withoutPushgatewayTheExitCodeIsBallasts() throws {
        let o = try runJob(exit: 3, metrics: "ballast_check_success 0", environment: ["PUSHGATEWAY_URL": ""])
        defer { try? FileManager.default.removeItem(at: o.reports) }
        #expect(o.run.status == 3)
        #expect(o.pushed == nil)
    }

    @Test func shardWritesItsOwnReportsAndGroup() throws {
        let o = try runJob(exit: 0, metrics: "ballast_check_success 1", arguments: ["--shard", "2/4"],
                           environment: ["JOB_COMPLETION_INDEX": "2"])
        defer { try? FileManager.default.removeItem(at: o.reports) }
        #expect(o.run.status == 0, "\(o.run.stderr)")
        let args = try #require(o.ballastArguments)
        #expect(args.suffix(2) == ["--shard", "2/4"], "\(args)")
        #expect(args.contains { $0.hasPrefix("json=") && $0.hasSuffix("/reports/shard-2/ballast.json") }, "\(args)")
        #expect(o.url == "http://pushgateway.test:9091/metrics/job/ballast/cluster/test/shard/2")
    }

    @Test func missingRepositoryStopsBeforeBallast() throws {
        let o = try runJob(exit: 0, metrics: nil, environment: ["BALLAST_REPO": ""])
        defer { try? FileManager.default.removeItem(at: o.reports) }
        #expect(o.run.status != 0)
        #expect(o.run.stderr.contains("BALLAST_REPO"), "\(o.run.stderr)")
        #expect(o.ballastArguments == nil)
    }

    /// The ConfigMap's .ballast.yaml is a valid config (unknown keys would be exit 2).
    @Test func configMapSettingsLoad() throws {
        let settings = try yamlString("object.data['.ballast.yaml']", in: Self.configFile)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent(".ballast.yaml")
        try settings.write(to: file, atomically: true, encoding: .utf8)
        let r = try ballast(["lint", "--config", file.path, "fixtures/gitops"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
    }

    /// get/list/watch only, never Secrets, and exactly the kinds `check` reads.
    @Test func clusterRoleIsReadOnly() throws {
        let text = try String(contentsOf: packageRoot.appendingPathComponent("ci/k8s/base/rbac.yaml"), encoding: .utf8)
        let role = try #require(text.components(separatedBy: "\n---\n").first { $0.contains("kind: ClusterRole\n") })
        let readOnly = try yamlValue("""
            object.rules.all(r, r.verbs.all(v, v in ['get', 'list', 'watch'])
              && !r.resources.exists(x, x == '*' || x.startsWith('secrets')) && !('*' in r.apiGroups))
            """, text: role, origin: "rbac.yaml")
        #expect(readOnly as? Bool == true)
        let lists = try #require(try yamlValue("object.rules.map(r, r.resources)", text: role, origin: "rbac.yaml")
                                 as? [[String]])
        let resources = lists.flatMap { $0 }
        #expect(Set(resources) == ["statefulsets", "storageclasses", "persistentvolumeclaims", "persistentvolumes",
                                   "services", "configmaps", "cronjobs", "jobs", "poddisruptionbudgets", "namespaces",
                                   "horizontalpodautoscalers", "deployments", "daemonsets", "networkpolicies",
                                   "volumesnapshots", "customresourcedefinitions", "nodes", "nodes/proxy"])
    }

    /// `lint`, not `check`: `check` compares the manifests with a cluster that runs them, and there is
    /// none here. An empty snapshot would report every object missing (drift, exit 1) and a snapshot made
    /// to match would be the manifests copied, so comparing them proves nothing that lint does not; the
    /// live checks would run on invented state. `check` itself is tested on fixtures/gitops with the
    /// snapshot of a cluster that runs it (fixtures/cluster).
    @Test func manifestsLintClean() throws {
        let r = try ballast(["lint", "--fail-on", "info", "ci/k8s"])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout.contains("clean: no findings"), "\(r.stdout)")
    }

    /// The sharded Job's `--shard $(JOB_COMPLETION_INDEX)/N` names as many shards as the Job has
    /// completions, and each index's value is one the real binary accepts.
    @Test func shardedJobArgumentsMatchItsCompletions() throws {
        let file = "ci/k8s/sharded/cronjob-sharded.yaml"
        let job = "object.spec.jobTemplate.spec"
        let completions = try #require(try yamlValue("\(job).completions", in: file) as? Int)
        let args = try #require(try yamlValue("\(job).template.spec.containers[0].args", in: file) as? [String])
        #expect(args == ["--shard", "$(JOB_COMPLETION_INDEX)/\(completions)"], "\(args)")
        for index in 0..<completions {
            let value = args[1].replacingOccurrences(of: "$(JOB_COMPLETION_INDEX)", with: String(index))
            let run = try ballast(["lint", "--fail-on", "info", "ci/k8s", "--shard", value])
            #expect(run.status == 0, "--shard \(value): \(run.stdout)\(run.stderr)")
        }
    }

    /// As applied: each variant rendered by kustomize (kubectl from PATH or ci/setup's .tools/venv).
    @Test(arguments: ["nightly", "sharded"])
    func renderedVariantLintsClean(_ variant: String) throws {
        let venv = packageRoot.appendingPathComponent(".tools/venv/bin/kubectl").path
        let kubectl = FileManager.default.isExecutableFile(atPath: venv) ? venv : "kubectl"
        let rendered = try #require(systemToolOutput(kubectl, ["kustomize", packageRoot.appendingPathComponent("ci/k8s/\(variant)").path]),
                                    "kubectl kustomize failed (run ci/setup)")
        let r = try ballast(["lint", "--fail-on", "info", "-"], stdin: rendered)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(rendered.contains("image: ghcr.io/ballast-dev/ballast:0.1.0"))
    }
}
