import Foundation
import Testing

private let cliGoldenDirectory = packageRoot.appendingPathComponent("Tests/Golden/cli")

/// Compares with `Tests/Golden/cli/NAME`; `BALLAST_RECORD=1` records it and fails, so that no golden is
/// committed unread.
private func expectCLIGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let url = cliGoldenDirectory.appendingPathComponent(name)
    if ProcessInfo.processInfo.environment["BALLAST_RECORD"] != nil {
        try actual.write(to: url, atomically: true, encoding: .utf8)
        Issue.record("recorded \(name): review the diff, then rerun", sourceLocation: sourceLocation)
        return
    }
    let expected = try String(contentsOf: url, encoding: .utf8)
    #expect(actual == expected, "\(name) differs (BALLAST_RECORD=1 re-records)", sourceLocation: sourceLocation)
}

/// Every command's `--help`, and one real run of each, as golden files.
@Suite("CLI goldens")
struct GoldenCLITests {
    @Test("--help", arguments: ["", "check", "drift", "lint", "gate", "snapshot", "inventory", "policies", "policies list",
                                 "policies explain", "policies test", "policies eval"])
    func help(_ command: String) throws {
        let words = command.split(separator: " ").map(String.init)
        let run = try ballast(words + ["--help"])
        #expect(run.status == 0)
        try expectCLIGolden(run.stdout, "help-\(command.isEmpty ? "ballast" : command.replacingOccurrences(of: " ", with: "-")).txt")
    }

    @Test("a real run of each command", arguments: [
        ("lint", ["lint", "fixtures/gitops"], Int32(0)),
        ("lint-kustomize", ["lint", "fixtures/kustomize"], 1),
        ("policies-eval", ["policies", "eval", "quantity(\"1.5Gi\") == quantity(\"1536Mi\")"], 0),
        ("policies-explain", ["policies", "explain", "storageclass-allow-volume-expansion"], 0),
        ("check", ["check", "fixtures/gitops", "--snapshot", "fixtures/cluster"], 1),
        ("drift", ["drift", "fixtures/gitops", "--snapshot", "fixtures/cluster"], 1),
        ("inventory", ["inventory", "fixtures/gitops"], 0),
        ("inventory-json", ["inventory", "fixtures/gitops", "--format", "json"], 0),
        ("inventory-snapshot", ["inventory", "fixtures/gitops", "--snapshot", "fixtures/cluster"], 0),
        ("inventory-snapshot-json", ["inventory", "fixtures/gitops", "--snapshot", "fixtures/cluster", "--format", "json"], 0),
        ("inventory-snapshot-html", ["inventory", "fixtures/gitops", "--snapshot", "fixtures/cluster", "--format", "html"], 0),
    ])
    func run(_ name: String, _ arguments: [String], _ status: Int32) throws {
        let run = try ballast(arguments)
        #expect(run.status == status, "\(run.stderr)")
        try expectCLIGolden(run.stdout, "run-\(name).txt")
    }
}
