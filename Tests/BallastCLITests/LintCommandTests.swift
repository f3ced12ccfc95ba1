import Foundation
import Testing

/// A realistic, clean input: the example repository's StorageClasses and Redis app in one stream.
let goodStatefulSet: String = {
    let root = packageRoot.appendingPathComponent("fixtures/gitops")
    let files = ["platform/storage/storageclasses.yaml", "platform/monitoring/volume-alerts.yaml", "apps/redis/statefulset.yaml",
                 "apps/redis/service.yaml", "apps/redis/configmap.yaml", "apps/redis/pdb.yaml", "apps/redis/backup.yaml",
                 "apps/redis/monitoring.yaml", "apps/redis/networkpolicy.yaml"]
    return files.map { (try? String(contentsOf: root.appendingPathComponent($0), encoding: .utf8)) ?? "" }
        .joined(separator: "\n---\n")
}()

/// 1-based line and column where `needle` starts in `text` (columns in characters).
func position(of needle: String, in text: String) -> (line: Int, column: Int) {
    var line = 1
    for l in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if let r = l.range(of: needle) { return (line, l.distance(from: l.startIndex, to: r.lowerBound) + 1) }
        line += 1
    }
    return (0, 0)
}

@Suite("ballast lint", .serialized)
struct LintCommandTests {
    @Test func cleanInputFromStdin() throws {
        let r = try ballast(["lint", "-"], stdin: goodStatefulSet)
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        // The notes: PrometheusRule and PodMonitor are indexed for the monitoring rules, not checked themselves.
        #expect(r.stdout.hasSuffix("\n\nclean: no findings in 1 file, 13 objects (2 notes)\n"), "\(r.stdout)")
        #expect(r.stdout.split(separator: "\n").filter { !$0.isEmpty }.allSatisfy { $0.contains(" info unknown-kind: monitoring.coreos.com/v1 ") || $0.hasPrefix("clean:") })
    }

    @Test func findingsExitOneWithPositions() throws {
        let bad = goodStatefulSet.replacingOccurrences(of: "      storageClassName: fast-ssd", with: "      storageClassName: fast-nvme")
        let at = position(of: "fast-nvme", in: bad)
        let r = try ballast(["lint", "-"], stdin: bad)
        #expect(r.status == 1)
        #expect(r.stdout.contains("<stdin>:\(at.line):\(at.column): error vct-storageclass-undefined: StatefulSet/redis/redis: StorageClass \"fast-nvme\" is not defined in the input"),
                "\(r.stdout)")
        #expect(r.stdout.hasSuffix("1 error in 1 file, 13 objects (2 notes)\n"), "\(r.stdout)")
    }

    @Test func failOn() throws {
        let warning = goodStatefulSet.replacingOccurrences(of: "image: redis:7.2.4", with: "image: redis:latest")
        #expect(try ballast(["lint", "-"], stdin: warning).status == 0)
        #expect(try ballast(["lint", "--fail-on", "warning", "-"], stdin: warning).status == 1)
        let error = goodStatefulSet.replacingOccurrences(of: "      storageClassName: fast-ssd", with: "      storageClassName: nope")
        #expect(try ballast(["lint", "-"], stdin: error).status == 1)
        #expect(try ballast(["lint", "--fail-on", "never", "-"], stdin: error).status == 0)
    }

    @Test func malformedFileDoesNotStopTheOthers() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try goodStatefulSet.write(to: dir.appendingPathComponent("a-good.yaml"), atomically: true, encoding: .utf8)
        try "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n   bad: indent\n".write(
            to: dir.appendingPathComponent("b-bad.yaml"), atomically: true, encoding: .utf8)
        try "{\"apiVersion\": \"v1\", \"kind\": \"ConfigMap\",}".write(to: dir.appendingPathComponent("c.json"), atomically: true, encoding: .utf8)
        let undefined = goodStatefulSet.replacingOccurrences(of: "      storageClassName: fast-ssd", with: "      storageClassName: nope")
        try undefined.write(to: dir.appendingPathComponent("d-undefined.yaml"), atomically: true, encoding: .utf8)
        let nope = position(of: "storageClassName: nope", in: undefined)
        let r = try ballast(["lint", dir.path])
        #expect(r.status == 1)
        let lines = r.stdout.split(separator: "\n").filter { $0.contains(": error ") }
        #expect(lines.contains { $0.hasSuffix("b-bad.yaml:5:7: error invalid-yaml: mapping values are not allowed in this context") })
        #expect(lines.contains { $0.contains("c.json:1:42: error invalid-json: trailing comma before '}' (JSON allows none)") })
        #expect(lines.contains { $0.contains("d-undefined.yaml:\(nope.line):\(nope.column + 18): error vct-storageclass-undefined") })
        #expect(r.stdout.contains("4 files, 26 objects"), "\(r.stdout)")
    }

    @Test func unreadableInputIsIncomplete() throws {
        let r = try ballast(["lint", "-", "does/not/exist.yaml"], stdin: goodStatefulSet)
        #expect(r.status == 3)
        #expect(r.stdout.contains("error: could not read does/not/exist.yaml: No such file or directory"))
        #expect(r.stdout.contains("incomplete:"))
        #expect(!r.stdout.contains("clean"))
        let json = try ballast(["lint", "--format", "json", "does/not/exist.yaml"])
        #expect(json.status == 3)
        #expect(json.stdout.contains("\"incomplete\": true"))
    }

    @Test func usageErrorsExitTwo() throws {
        #expect(try ballast(["lint", "--bogus"]).status == 2)
        #expect(try ballast(["lint", "--fail-on", "sometimes", "-"], stdin: "").status == 2)
        #expect(try ballast(["lint", "--format", "xml", "-"], stdin: "").status == 2)
        let two = try ballast(["lint", "--format", "json", "--format", "sarif", "-"], stdin: "")
        #expect(two.status == 2)
        #expect(two.stderr.contains("only one --format may write to standard output"))
    }

    @Test func formatsToFiles() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let json = dir.appendingPathComponent("out.json").path, sarif = dir.appendingPathComponent("out.sarif").path
        let r = try ballast(["lint", "--format", "text", "--format", "json=\(json)", "--format", "sarif=\(sarif)", "-"],
                            stdin: goodStatefulSet)
        #expect(r.status == 0)
        #expect(r.stdout.contains("clean: no findings"), "\(r.stdout)")
        let report = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        #expect(report?["schemaVersion"] as? Int == 1)
        let sarifReport = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: sarif))) as? [String: Any]
        #expect(sarifReport?["version"] as? String == "2.1.0")
        let unwritable = try ballast(["lint", "--format", "json=/nonexistent-dir/x.json", "-"], stdin: goodStatefulSet)
        #expect(unwritable.status == 3)
        #expect(unwritable.stderr.contains("could not write /nonexistent-dir/x.json"))
    }

    @Test func githubFormat() throws {
        let bad = goodStatefulSet.replacingOccurrences(of: "      storageClassName: fast-ssd", with: "      storageClassName: fast-nvme")
        let at = position(of: "fast-nvme", in: bad)
        let r = try ballast(["lint", "--format", "github", "-"], stdin: bad)
        #expect(r.stdout == "::error file=<stdin>,line=\(at.line),col=\(at.column),title=vct-storageclass-undefined::StatefulSet/redis/redis: StorageClass \"fast-nvme\" is not defined in the input\n")
    }

    @Test func emptyAndNotesOnly() throws {
        let r = try ballast(["lint", "-"], stdin: "# nothing here\n---\nfoo: bar\n")
        #expect(r.status == 0)
        #expect(r.stdout.contains("<stdin>:3:1: info missing-kind: document 1 has no apiVersion and kind; skipped"))
        let quiet = try ballast(["lint", "-q", "-"], stdin: "# nothing here\n---\nfoo: bar\n")
        #expect(quiet.stdout.isEmpty)
    }

    @Test func kustomizationAndHelmAreSkippedWithANote() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("chart/templates"), withIntermediateDirectories: true)
        try "apiVersion: v2\nname: x\nversion: 1.0.0\n".write(to: dir.appendingPathComponent("chart/Chart.yaml"), atomically: true, encoding: .utf8)
        try "{{ .Values.x }}\n".write(to: dir.appendingPathComponent("chart/templates/sts.yaml"), atomically: true, encoding: .utf8)
        try "resources: [a.yaml]\n".write(to: dir.appendingPathComponent("kustomization.yaml"), atomically: true, encoding: .utf8)
        let r = try ballast(["lint", dir.path])
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains("info helm-chart-skipped"))
        // The kustomization names a file that does not exist: a note at its line, and not rendered.
        #expect(r.stdout.contains("kustomization.yaml:1:13: info kustomization-invalid: a.yaml does not exist"), "\(r.stdout)")
        #expect(r.stdout.contains("info kustomization-not-rendered"))
        let plain = try ballast(["lint", "--no-render", dir.path])
        #expect(plain.stdout.contains("info kustomization-skipped"), "\(plain.stdout)")
    }

    @Test func hugeFileParsesWithBoundedMemory() throws {
        let dir = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("huge.yaml")
        FileManager.default.createFile(atPath: path.path, contents: nil)
        let handle = try FileHandle(forWritingTo: path)
        // 100 MB: 100 ConfigMaps with a 1 MB block scalar each.
        let blob = String(repeating: "    0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef012345678\n", count: 13_107)
        for i in 0..<100 {
            try handle.write(contentsOf: Data("---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: blob-\(i), namespace: x}\ndata:\n  blob: |\n\(blob)".utf8))
        }
        try handle.close()
        let size = try FileManager.default.attributesOfItem(atPath: path.path)[.size] as? Int ?? 0
        #expect(size > 100_000_000)
        let r = try ballast(["lint", path.path])
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        #expect(r.stdout == "clean: no findings in 1 file, 100 objects\n")
        #expect(r.maxRSSKiB < 1_000_000, "peak RSS \(r.maxRSSKiB) KiB for a 100 MB file")
    }

    @Test func help() throws {
        let r = try ballast(["lint", "--help"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("USAGE: ballast lint"))
        #expect(r.stdout.contains("--fail-on"))
        #expect(try ballast(["--version"]).stdout.hasPrefix("ballast 0.1.0\n"))   // then the C libraries: VersionTests
    }
}
