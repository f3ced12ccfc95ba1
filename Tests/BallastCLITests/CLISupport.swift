import Foundation
import Testing

/// The package root (this file is Tests/BallastCLITests/CLISupport.swift).
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The built `ballast` (BALLAST_BIN overrides; `swift build --build-tests` builds it).
/// The `ballast` built with these tests: beside the test bundle in the same build products directory
/// (whatever the configuration or scratch path), or `BALLAST_BIN`.
let ballastBinary: String = {
    if let bin = ProcessInfo.processInfo.environment["BALLAST_BIN"] { return bin }
    let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
    for candidate in [products, products.deletingLastPathComponent()] {
        let binary = candidate.appendingPathComponent("ballast").path
        if FileManager.default.isExecutableFile(atPath: binary) { return binary }
    }
    return products.appendingPathComponent("ballast").path   // absent: the run fails and names this path
}()

struct RunOutput {
    var status: Int32
    var stdout: String
    var stderr: String
    /// Peak RSS of the child in KiB (from wait4's rusage).
    var maxRSSKiB: Int
}

/// Runs `ballast` with `arguments`, feeding `stdin`, in `directory` (default: the package root).
func ballast(_ arguments: [String], stdin: String? = nil, directory: URL = packageRoot,
             environment: [String: String] = [:]) throws -> RunOutput {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: ballastBinary)
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var env = ProcessInfo.processInfo.environment
    env["NO_COLOR"] = "1"
    // The kubectl ci/setup installed when the machine's was missing or too old (kustomize v5).
    let venvKubectl = packageRoot.appendingPathComponent(".tools/venv/bin/kubectl").path
    if env["BALLAST_KUBECTL"] == nil, FileManager.default.isExecutableFile(atPath: venvKubectl) { env["BALLAST_KUBECTL"] = venvKubectl }
    for (k, v) in environment { env[k] = v }
    process.environment = env
    // Output goes to files, so a large report cannot block the child on a full pipe.
    let dir = try temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: dir) }
    let outURL = dir.appendingPathComponent("stdout"), errURL = dir.appendingPathComponent("stderr")
    FileManager.default.createFile(atPath: outURL.path, contents: nil)
    FileManager.default.createFile(atPath: errURL.path, contents: nil)
    let out = try FileHandle(forWritingTo: outURL), err = try FileHandle(forWritingTo: errURL)
    let input = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = input
    try process.run()
    if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
    try input.fileHandleForWriting.close()
    process.waitUntilExit()
    try out.close(); try err.close()
    let stdoutData = try Data(contentsOf: outURL), stderrData = try Data(contentsOf: errURL)
    var usage = rusage()
    getrusage(RUSAGE_CHILDREN.rawValue, &usage)
    return RunOutput(status: process.terminationStatus, stdout: String(decoding: stdoutData, as: UTF8.self),
                     stderr: String(decoding: stderrData, as: UTF8.self), maxRSSKiB: usage.ru_maxrss)
}

/// A fresh temporary directory, removed by the caller.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}
