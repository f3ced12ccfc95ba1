import Foundation
import Testing

/// Runs git in `repo` with a fixed identity and date.
@discardableResult
func git(_ arguments: [String], in repo: URL) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["git"] + arguments
    process.currentDirectoryURL = repo
    var env = ProcessInfo.processInfo.environment
    env["GIT_AUTHOR_NAME"] = "Test"; env["GIT_AUTHOR_EMAIL"] = "t@example.com"
    env["GIT_COMMITTER_NAME"] = "Test"; env["GIT_COMMITTER_EMAIL"] = "t@example.com"
    env["GIT_CONFIG_GLOBAL"] = "/dev/null"; env["GIT_CONFIG_NOSYSTEM"] = "1"
    process.environment = env
    let out = Pipe()
    process.standardOutput = out
    process.standardError = FileHandle.nullDevice
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return String(decoding: data, as: UTF8.self)
}

/// A repository whose base commit (tag `base`) holds `files` and whose head commit (tag `head`) applies
/// `change` (path → content, nil deletes).
func pullRequest(_ files: [String: String], change: [String: String?]) throws -> URL {
    let repo = try temporaryDirectory()
    try git(["init", "-q", "-b", "main"], in: repo)
    for (path, text) in files {
        let url = repo.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    try git(["add", "-A"], in: repo); try git(["commit", "-q", "-m", "base"], in: repo); try git(["tag", "base"], in: repo)
    for (path, text) in change {
        let url = repo.appendingPathComponent(path)
        if let text {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        } else {
            try FileManager.default.removeItem(at: url)
        }
    }
    try git(["add", "-A"], in: repo); try git(["commit", "-q", "-m", "head"], in: repo); try git(["tag", "head"], in: repo)
    return repo
}

let storageClasses = """
    apiVersion: storage.k8s.io/v1
    kind: StorageClass
    metadata: {name: fast-ssd}
    provisioner: pd.csi.storage.gke.io
    reclaimPolicy: Retain
    allowVolumeExpansion: true
    volumeBindingMode: WaitForFirstConsumer

    """

let changePolicy = """
    apiVersion: ballast.dev/v1alpha1
    kind: Policy
    metadata: {name: test-change}
    spec:
      rules:
      - id: test-reclaim-downgrade
        on: change
        summary: reclaim policy must not go Retain to Delete
        description: d
        remediation: r
        match: {kinds: [storage.k8s.io/StorageClass]}
        validate: "oldObject == null || object == null || !(oldObject.?reclaimPolicy.orValue('Delete') == 'Retain' && object.?reclaimPolicy.orValue('Delete') == 'Delete')"
        messageExpression: "'reclaimPolicy goes Retain -> Delete'"
        fieldPath: reclaimPolicy
        examples:
          pass: [{old: null, new: {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: a}, provisioner: p}}]
          fail:
          - old: {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: a}, provisioner: p, reclaimPolicy: Retain}
            new: {apiVersion: storage.k8s.io/v1, kind: StorageClass, metadata: {name: a}, provisioner: p}

    """

@Suite("ballast gate", .serialized)
struct GateCommandTests {
    func policyDirectory() throws -> URL {
        let dir = try temporaryDirectory()
        try changePolicy.write(to: dir.appendingPathComponent("change.yaml"), atomically: true, encoding: .utf8)
        return dir
    }

    @Test func movedAndChangedFileIsOneChange() throws {
        let repo = try pullRequest(["platform/storage.yaml": storageClasses],
                                   change: ["platform/storage.yaml": nil,
                                            "platform/storage/classes.yaml": storageClasses.replacingOccurrences(of: "Retain", with: "Delete")])
        let policies = try policyDirectory()
        defer { try? FileManager.default.removeItem(at: repo); try? FileManager.default.removeItem(at: policies) }
        let r = try ballast(["gate", "--repo", repo.path, "--base", "base", "--head", "head", "--policies", policies.path,
                             "--format", "json", "--fail-on", "error"])
        #expect(r.status == 1, "\(r.stderr)")
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let findings = report?["findings"] as? [[String: Any]] ?? []
        let change = try #require(findings.first { $0["rule"] as? String == "test-reclaim-downgrade" })
        #expect(change["file"] as? String == "platform/storage/classes.yaml")
        #expect(change["line"] as? Int == 5)
        #expect(change["before"] as? String == "\"Retain\"" && change["after"] as? String == "\"Delete\"")
        #expect(change["category"] as? String == "change")
        #expect((report?["summary"] as? [String: Any])?["changedObjects"] as? Int == 1)
        let markdown = try ballast(["gate", "--repo", repo.path, "--base", "base", "--head", "head", "--policies", policies.path,
                                    "--format", "markdown"])
        #expect(markdown.stdout.hasPrefix("## Ballast gate: blocked ❌"))
        #expect(markdown.stdout.contains("`reclaimPolicy`: `\"Retain\"` → `\"Delete\"`"))
    }

    @Test func onlyFindingsHeadIntroduces() throws {
        let undefined = """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: old-claim, namespace: db}
            spec:
              storageClassName: nowhere
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}

            """
        let repo = try pullRequest(["platform/storage.yaml": storageClasses, "db/old.yaml": undefined],
                                   change: ["db/new.yaml": undefined.replacingOccurrences(of: "old-claim", with: "new-claim")
                                                .replacingOccurrences(of: "nowhere", with: "elsewhere"),
                                            "db/old.yaml": undefined + "# touched\n"])
        defer { try? FileManager.default.removeItem(at: repo) }
        let r = try ballast(["gate", "--repo", repo.path, "--base", "base", "--head", "head", "--format", "json"])
        #expect(r.status == 1)
        let report = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
        let findings = (report?["findings"] as? [[String: Any]] ?? []).filter { $0["rule"] as? String == "vct-storageclass-undefined" }
        #expect(findings.count == 1)
        #expect(findings.first?["object"] as? String == "PersistentVolumeClaim/db/new-claim")
        // The old claim's own findings (its class, and prune protection) were there before: counted, not shown.
        #expect(((report?["summary"] as? [String: Any])?["preexisting"] as? Int ?? 0) >= 1)
        #expect(!(report?["findings"] as? [[String: Any]] ?? []).contains { $0["object"] as? String == "PersistentVolumeClaim/db/old-claim" })
    }

    @Test func waiverOnHeadLetsAChangeThrough() throws {
        let annotations = ["test-reclaim-downgrade", "reclaim-policy-downgrade", "storageclass-immutable-change"]
            .map { "    ballast.dev/waive.\($0): \"scratch data only; until=2099-01-01\"" }.joined(separator: "\n")
        let waived = storageClasses.replacingOccurrences(of: "Retain", with: "Delete")
            .replacingOccurrences(of: "metadata: {name: fast-ssd}", with: "metadata:\n  name: fast-ssd\n  annotations:\n" + annotations)
        let repo = try pullRequest(["s.yaml": storageClasses], change: ["s.yaml": waived])
        let policies = try policyDirectory()
        defer { try? FileManager.default.removeItem(at: repo); try? FileManager.default.removeItem(at: policies) }
        let blocked = try ballast(["gate", "--repo", repo.path, "--base", "base", "--head", "head", "--format", "json"],
                                  stdin: nil)
        #expect(blocked.status == 0, "\(blocked.stdout)")
        let r = try ballast(["gate", "--repo", repo.path, "--base", "base", "--head", "head", "--policies", policies.path,
                             "--format", "markdown", "--fail-on", "error"])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("**Waived**"))
        #expect(r.stdout.contains("`reclaim-policy-downgrade` on `StorageClass/fast-ssd`: scratch data only (until 2099-01-01)"))
        #expect(r.stdout.contains("`test-reclaim-downgrade` on `StorageClass/fast-ssd`: scratch data only (until 2099-01-01)"))
        // Without the waivers the same change is blocked by the built-in change rules.
        let unwaived = try pullRequest(["s.yaml": storageClasses], change: ["s.yaml": storageClasses.replacingOccurrences(of: "Retain", with: "Delete")])
        defer { try? FileManager.default.removeItem(at: unwaived) }
        let stop = try ballast(["gate", "--repo", unwaived.path, "--base", "base", "--head", "head"])
        #expect(stop.status == 1)
        #expect(stop.stdout.contains("error reclaim-policy-downgrade"))
        #expect(stop.stdout.contains("error storageclass-immutable-change"))
    }

    @Test func badRepositoriesAndRefs() throws {
        let repo = try pullRequest(["s.yaml": storageClasses], change: ["s.yaml": storageClasses + "# x\n"])
        defer { try? FileManager.default.removeItem(at: repo) }
        let unknown = try ballast(["gate", "--repo", repo.path, "--base", "nope"])
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown ref nope"))
        let missing = try ballast(["gate", "--repo", "/nonexistent/repo"])
        #expect(missing.status == 3)
        #expect(missing.stderr.contains("no such repository"))
        let notRepo = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: notRepo) }
        let plain = try ballast(["lint", "--repo", notRepo.path])
        #expect(plain.status == 3)
        #expect(plain.stderr.contains("is not a git repository"))
        #expect(!plain.stdout.contains("clean"))
    }

    @Test func lintFromARepositoryURL() throws {
        let repo = try pullRequest(["apps/s.yaml": storageClasses, "apps/kustomization.yaml": "resources: [s.yaml]\n"],
                                   change: ["apps/pvc.yaml": """
                                       apiVersion: v1
                                       kind: PersistentVolumeClaim
                                       metadata: {name: c, namespace: db}
                                       spec: {storageClassName: missing, accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}}

                                       """])
        let cache = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: repo); try? FileManager.default.removeItem(at: cache) }
        let url = "file://" + repo.path
        let head = try ballast(["lint", "--repo", url], environment: ["XDG_CACHE_HOME": cache.path])
        #expect(head.status == 1)
        #expect(head.stdout.contains("apps/pvc.yaml:4:26: error vct-storageclass-undefined"))
        // The kustomization is rendered (from a temporary export of the tree), its object reported at s.yaml.
        #expect(!head.stdout.contains("kustomization-not-rendered"), "\(head.stdout)")
        let base = try ballast(["lint", "--repo", url, "--ref", "base"], environment: ["XDG_CACHE_HOME": cache.path])
        #expect(base.status == 0)
        #expect(base.stdout.hasSuffix("clean: no findings in 1 file, 1 object\n"), "\(base.stdout)")
        let plain = try ballast(["lint", "--repo", url, "--ref", "base", "--no-render"], environment: ["XDG_CACHE_HOME": cache.path])
        #expect(plain.stdout.contains("apps/kustomization.yaml:1:1: info kustomization-skipped"), "\(plain.stdout)")
        let narrowed = try ballast(["lint", "--repo", url, "--path", "nothing-here"], environment: ["XDG_CACHE_HOME": cache.path])
        #expect(narrowed.stdout.contains("0 files"))
    }
}
