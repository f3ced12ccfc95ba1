import Foundation
import Testing

/// ci/github, ci/gitlab and .pre-commit-hooks.yaml: they parse (Ballast's own YAML reader: syntax and
/// duplicate keys), have the shape their hosts expect, and their scripts fail loud. The scripts run for
/// real around stand-ins for `docker` and `ballast`.
@Suite("CI integrations", .serialized)
struct CIIntegrationTests {
    static let files = ["ci/github/action.yml", "ci/github/workflows/ballast-gate.yml",
                        "ci/github/workflows/ballast-nightly.yml", "ci/gitlab/ballast.gitlab-ci.yml", ".pre-commit-hooks.yaml"]

    @Test func filesParse() throws {
        let r = try ballast(["lint", "--format", "json"] + Self.files)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((report["findings"] as? [Any])?.isEmpty == true, "\(r.stdout)")
        // One note per file: read, and skipped only for not being a Kubernetes object.
        let notes = try #require(report["notes"] as? [[String: Any]])
        #expect(Set(notes.compactMap { $0["file"] as? String }) == Set(Self.files), "\(notes)")
        #expect(notes.allSatisfy { ["missing-kind", "not-an-object"].contains($0["rule"] as? String ?? "") }, "\(notes)")
    }

    @Test func preCommitHook() throws {
        let ok = try yamlValue("""
            object.items.size() == 1 && object.items[0].id == 'ballast-lint' && object.items[0].language == 'system'
              && object.items[0].entry == 'ballast lint' && object.items[0].files == '\\\\.(ya?ml|json)$'
            """, in: ".pre-commit-hooks.yaml", wrapping: "PreCommitHooks")
        #expect(ok as? Bool == true)
    }

    // MARK: GitHub

    @Test func actionInputsAndOutputs() throws {
        let ok = try yamlValue("""
            object.runs.using == 'composite'
              && ['command', 'args', 'formats', 'fail-on', 'version', 'image', 'fail'].all(k, k in object.inputs)
              && ['exit-code', 'complete'].all(k, k in object.outputs)
            """, in: "ci/github/action.yml", wrapping: "GitHubAction")
        #expect(ok as? Bool == true)
    }

    struct ActionRun { var run: RunOutput; var outputs: [String: String]; var dockerArguments: [String] }

    /// The action's main step, run by bash with a stand-in `docker` that exits `exit`.
    func runAction(exit: Int32, inputs: [String: String]) throws -> ActionRun {
        let script = try yamlString("object.runs.steps.filter(s, s.?id.orValue('') == 'run')[0].run",
                                    in: "ci/github/action.yml", wrapping: "GitHubAction")
        let stubs = try StubDirectory()
        defer { stubs.remove() }
        try stubs.add("docker", "printf '%s\\n' \"$@\" > \"$STUB_LOG/docker.args\"\nexit \"${STUB_EXIT:-0}\"")
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let output = dir.appendingPathComponent("github-output")
        FileManager.default.createFile(atPath: output.path, contents: nil)
        var env = ["GITHUB_OUTPUT": output.path, "GITHUB_WORKSPACE": dir.path, "RUNNER_TEMP": dir.path,
                   "STUB_LOG": dir.path, "STUB_EXIT": String(exit),
                   "BALLAST_COMMAND": "lint", "BALLAST_ARGS": "", "BALLAST_FORMATS": "github", "BALLAST_FAIL_ON": "error",
                   "BALLAST_IMAGE": "", "BALLAST_VERSION": "0.1.0", "BALLAST_FAIL": "true"]
        for (k, v) in inputs { env[k] = v }
        let run = try runScript(script, shell: "/bin/bash", stubs: stubs, directory: dir, environment: env)
        var outputs: [String: String] = [:]
        for line in (contents(output) ?? "").split(separator: "\n") {
            let kv = line.split(separator: "=", maxSplits: 1)
            if kv.count == 2 { outputs[String(kv[0])] = String(kv[1]) }
        }
        let args = (contents(dir.appendingPathComponent("docker.args")) ?? "").split(separator: "\n").map(String.init)
        return ActionRun(run: run, outputs: outputs, dockerArguments: args)
    }

    @Test func actionPassesInputsToBallast() throws {
        let a = try runAction(exit: 0, inputs: [
            "BALLAST_COMMAND": "gate", "BALLAST_ARGS": "--repo . --base origin/main",
            "BALLAST_FORMATS": "github\nsarif=out/ballast.sarif\nmarkdown=ballast.md",
            "BALLAST_IMAGE": "ghcr.io/ballast-dev/ballast", "BALLAST_FAIL_ON": "warning"])
        #expect(a.run.status == 0, "\(a.run.stdout)\(a.run.stderr)")
        let image = try #require(a.dockerArguments.firstIndex(of: "ghcr.io/ballast-dev/ballast:0.1.0"), "\(a.dockerArguments)")
        #expect(Array(a.dockerArguments[(image + 1)...]) == [
            "gate", "--fail-on", "warning", "--format", "github", "--format", "sarif=out/ballast.sarif",
            "--format", "markdown=ballast.md", "--repo", ".", "--base", "origin/main"])
        #expect(a.dockerArguments.contains("BALLAST_GIT_TOKEN"), "the token passes by name, never by value")
        #expect(a.outputs == ["exit-code": "0", "complete": "true"])
    }

    @Test(arguments: [(Int32(1), "true", "findings"), (2, "false", "configuration error"), (3, "false", "INCOMPLETE")])
    func actionFailsLoud(code: Int32, complete: String, message: String) throws {
        let a = try runAction(exit: code, inputs: [:])
        #expect(a.run.status == code)
        #expect(a.run.stdout.contains("::error::") && a.run.stdout.contains(message), "\(a.run.stdout)")
        #expect(a.outputs == ["exit-code": String(code), "complete": complete])
        // fail: false only sets the outputs; the workflow's last step fails instead.
        let quiet = try runAction(exit: code, inputs: ["BALLAST_FAIL": "false"])
        #expect(quiet.run.status == 0)
        #expect(quiet.outputs["exit-code"] == String(code))
    }

    @Test func actionRejectsAnUnknownCommand() throws {
        let a = try runAction(exit: 0, inputs: ["BALLAST_COMMAND": "deploy"])
        #expect(a.run.status == 2)
        #expect(a.dockerArguments.isEmpty)
    }

    /// Results go to code scanning and artifacts only from a complete run (exit 0 or 1).
    @Test(arguments: [("ci/github/workflows/ballast-gate.yml", "gate", "github/codeql-action/upload-sarif"),
                      ("ci/github/workflows/ballast-nightly.yml", "check", "actions/upload-artifact")])
    func workflowPublishesOnlyCompleteRuns(file: String, job: String, publisher: String) throws {
        let condition = try yamlString("""
            object.jobs.\(job).steps.filter(s, s.?uses.orValue('').startsWith('\(publisher)'))[0]['if']
            """, in: file, wrapping: "Workflow")
        #expect(condition.contains("steps.ballast.outputs.complete == 'true'"), "\(condition)")
        let uses = try yamlString("object.jobs.\(job).steps.filter(s, s.?id.orValue('') == 'ballast')[0].uses",
                                  in: file, wrapping: "Workflow")
        #expect(uses.hasPrefix("ballast-dev/ballast/ci/github@"))
    }

    @Test(arguments: ["ci/github/workflows/ballast-gate.yml", "ci/github/workflows/ballast-nightly.yml"])
    func workflowEndsWithBallastsExitCode(file: String) throws {
        let job = file.contains("gate") ? "gate" : "check"
        let script = try yamlString("object.jobs.\(job).steps[size(object.jobs.\(job).steps) - 1].run",
                                    in: file, wrapping: "Workflow")
        let stubs = try StubDirectory()
        defer { stubs.remove() }
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        for (code, expected) in [("0", Int32(0)), ("1", 1), ("3", 3), ("", 1)] {
            let r = try runScript(script, shell: "/bin/bash", stubs: stubs, directory: dir, environment: ["CODE": code])
            #expect(r.status == expected, "CODE=\(code): \(r.stdout)")
            if expected != 0 { #expect(r.stdout.contains("::error::"), "CODE=\(code): \(r.stdout)") }
        }
    }

    // MARK: GitLab

    @Test func gitlabTemplateReports() throws {
        let reports = try yamlValue("object['.ballast'].artifacts.reports", in: "ci/gitlab/ballast.gitlab-ci.yml",
                                    wrapping: "GitLabCI")
        #expect(reports as? [String: String] == ["junit": "ballast-junit.xml", "codequality": "gl-code-quality.json"])
        let jobs = try yamlValue("['ballast-lint', 'ballast-gate'].all(j, object[j].extends == '.ballast')",
                                 in: "ci/gitlab/ballast.gitlab-ci.yml", wrapping: "GitLabCI")
        #expect(jobs as? Bool == true)
    }

    /// The job script with a stand-in `ballast` that writes the golden JSON report and exits `exit`.
    func runGitLabJob(exit: Int32) throws -> (RunOutput, codeQuality: String?) {
        let script = try yamlString("object['.ballast'].script[1]", in: "ci/gitlab/ballast.gitlab-ci.yml",
                                    wrapping: "GitLabCI")
        let stubs = try StubDirectory()
        defer { stubs.remove() }
        let golden = packageRoot.appendingPathComponent("Tests/Golden/report.json").path
        try stubs.add("ballast", """
            for a in "$@"; do case "$a" in json=*) cp "\(golden)" "${a#json=}" ;; esac; done
            exit \(exit)
            """)
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try "stale\n".write(to: dir.appendingPathComponent("gl-code-quality.json"), atomically: true, encoding: .utf8)
        let r = try runScript(script, shell: "/bin/bash", stubs: stubs, directory: dir,
                              environment: ["BALLAST_ARGS": "lint .", "BALLAST_FAIL_ON": "error"])
        return (r, contents(dir.appendingPathComponent("gl-code-quality.json")))
    }

    @Test(arguments: [Int32(2), 3])
    func gitlabJobPublishesNoCodeQualityForAnIncompleteRun(code: Int32) throws {
        let (r, codeQuality) = try runGitLabJob(exit: code)
        #expect(r.status == code)
        #expect(codeQuality == nil, "a stale or empty Code Quality report would read as no issues")
        #expect(r.stderr.contains("exit \(code)"), "\(r.stderr)")
    }

    static var hasJQ: Bool { systemToolOutput("jq", ["--version"]) != nil }

    @Test(.enabled(if: hasJQ, "jq is not installed"))
    func gitlabCodeQualityFromTheJSONReport() throws {
        let (r, codeQuality) = try runGitLabJob(exit: 1)
        #expect(r.status == 1)
        let issues = try #require(try JSONSerialization.jsonObject(with: Data((codeQuality ?? "").utf8)) as? [[String: Any]])
        // The golden report has three active findings and one waived.
        #expect(issues.count == 3)
        let first = try #require(issues.first)
        #expect(first["check_name"] as? String == "invalid-yaml")
        #expect(first["severity"] as? String == "major")
        #expect((first["location"] as? [String: Any])?["path"] as? String == "apps/redis/config map.yaml")
        #expect(Set(issues.compactMap { $0["fingerprint"] as? String }).count == 3)
    }
}
