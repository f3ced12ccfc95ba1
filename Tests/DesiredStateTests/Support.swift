import Foundation
import Testing
import KubeModel
import ManifestIO
@testable import DesiredState

let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// An Argo CD Application that deploys `apps/redis` into namespace `redis`.
let redisArgoApplication = """
    apiVersion: argoproj.io/v1alpha1
    kind: Application
    metadata: {name: redis, namespace: argocd}
    spec:
      destination: {server: https://kubernetes.default.svc, namespace: redis}
      source: {repoURL: https://git.example/gitops.git, path: apps/redis}
    """

/// A fresh directory holding `files` (path → text).
func tree(_ files: [String: String]) throws -> URL {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-desired-\(UUID().uuidString)")
    for (path, text) in files {
        let url = root.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: true, encoding: .utf8)
    }
    return root
}

/// Runs a command in `directory` (git with a fixed identity); throws with stderr on failure.
@discardableResult
func run(_ arguments: [String], in directory: URL) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.currentDirectoryURL = directory
    var env = ProcessInfo.processInfo.environment
    env["GIT_AUTHOR_NAME"] = "Test"; env["GIT_AUTHOR_EMAIL"] = "test@example.com"
    env["GIT_COMMITTER_NAME"] = "Test"; env["GIT_COMMITTER_EMAIL"] = "test@example.com"
    env["GIT_CONFIG_GLOBAL"] = "/dev/null"; env["GIT_CONFIG_NOSYSTEM"] = "1"
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out; process.standardError = err
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    let errors = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw RunError(description: "\(arguments.joined(separator: " ")): \(String(decoding: errors, as: UTF8.self))")
    }
    return String(decoding: data, as: UTF8.self)
}

struct RunError: Error, CustomStringConvertible { var description: String }

/// Options whose kubectl is the one ci/setup provided (its virtual environment first).
func renderingOptions() -> DesiredStateOptions {
    var options = DesiredStateOptions()
    let venv = repositoryRoot.appendingPathComponent(".tools/venv/bin/kubectl").path
    if FileManager.default.isExecutableFile(atPath: venv) { options.kubectl = venv }
    return options
}

/// Every object of a desired state, read.
func objects(_ state: DesiredState) async -> [KubeObject] {
    await state.readAll().flatMap { $0.objects.map(\.object) }
}

/// Loads `paths` relative to `directory` (as a user running Ballast there would name them), read.
func load(_ paths: [String], in directory: URL, options: DesiredStateOptions = renderingOptions()) async -> DesiredState {
    var options = options
    options.directory = directory.path
    var state = await DesiredState.load(paths: paths, options: options)
    state.rendered = await state.reader.read(state.inputs) + state.rendered
    state.inputs = []
    return state
}
