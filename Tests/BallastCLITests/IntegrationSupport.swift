import Foundation
import Testing

/// Reads a value out of a YAML file with Ballast's own reader: `ballast policies eval EXPR --object FILE`
/// prints the result as JSON. Files that are not Kubernetes objects (a workflow, a GitLab template) get an
/// `apiVersion` and `kind` put in front (`wrapping`); a top-level list is put under `items:` first.
func yamlValue(_ expression: String, in relativePath: String, wrapping kind: String? = nil) throws -> Any {
    let text = try String(contentsOf: packageRoot.appendingPathComponent(relativePath), encoding: .utf8)
    guard let kind else { return try yamlValue(expression, text: text, origin: relativePath) }
    let isList = text.split(separator: "\n").first { !$0.hasPrefix("#") && !$0.isEmpty }?.hasPrefix("- ") ?? false
    let body = isList
        ? "items:\n" + text.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n")
        : text
    return try yamlValue(expression, text: "apiVersion: ci.ballast.dev/v1\nkind: \(kind)\n" + body, origin: relativePath)
}

/// `yamlValue` of a manifest given as text (`origin` names it in failures).
func yamlValue(_ expression: String, text: String, origin: String) throws -> Any {
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let file = dir.appendingPathComponent("object.yaml")
    try text.write(to: file, atomically: true, encoding: .utf8)
    let r = try ballast(["policies", "eval", expression, "--object", file.path])
    guard r.status == 0 else {
        Issue.record("policies eval \(expression) on \(origin): exit \(r.status): \(r.stderr)")
        return NSNull()
    }
    return try JSONSerialization.jsonObject(with: Data(r.stdout.utf8), options: .fragmentsAllowed)
}

/// The string at `expression` in a YAML file (a script inside a ConfigMap, a workflow step's `run`).
func yamlString(_ expression: String, in relativePath: String, wrapping kind: String? = nil) throws -> String {
    let value = try yamlValue(expression, in: relativePath, wrapping: kind)
    return try #require(value as? String, "\(expression) in \(relativePath) is not a string: \(value)")
}

/// A directory of stand-in executables put first on PATH, so that a CI script runs for real around them.
struct StubDirectory {
    let url: URL
    init() throws { url = try temporaryDirectory() }

    /// Writes an executable `name` with this shell `body`.
    func add(_ name: String, _ body: String) throws {
        let path = url.appendingPathComponent(name).path
        try ("#!/bin/sh\n" + body + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: path)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Runs `script` with `shell` (`/bin/sh`, `/bin/bash`) in `directory`, with only `environment` (PATH: the
/// stubs, then the system's directories).
func runScript(_ script: String, shell: String = "/bin/sh", arguments: [String] = [], stubs: StubDirectory,
               directory: URL, environment: [String: String] = [:]) throws -> RunOutput {
    let scriptURL = stubs.url.appendingPathComponent("script-under-test")
    try script.write(to: scriptURL, atomically: true, encoding: .utf8)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: shell)
    process.arguments = [scriptURL.path] + arguments
    process.currentDirectoryURL = directory
    var env = ["PATH": stubs.url.path + ":/usr/bin:/bin", "HOME": directory.path, "LC_ALL": "C"]
    for (k, v) in environment { env[k] = v }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    // Small outputs: read both after exit (the scripts print a few lines).
    process.waitUntilExit()
    let stdout = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    return RunOutput(status: process.terminationStatus, stdout: stdout, stderr: stderr, maxRSSKiB: 0)
}

/// The contents of a file, or nil when it does not exist (try?: "absent" is what the tests ask about).
func contents(_ url: URL) -> String? { try? String(contentsOf: url, encoding: .utf8) }
