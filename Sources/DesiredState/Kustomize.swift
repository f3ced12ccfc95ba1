import Foundation
import Glibc

/// The real kustomize, as `kubectl kustomize` (DESIGN §4: never a re-implementation). Found through
/// `--kubectl PATH`, `BALLAST_KUBECTL`, or `PATH`; kustomize older than v4 is refused.
public struct Kustomize: Sendable {
    public let kubectl: String
    /// `v5.8.1`.
    public let version: String

    /// The kubectl to use and its kustomize version, or why there is none.
    public static func locate(explicit: String?, environment: [String: String]) -> Result<Kustomize, KustomizeUnavailable> {
        let candidate: String?
        if let explicit, !explicit.isEmpty { candidate = explicit }
        else if let fromEnv = environment["BALLAST_KUBECTL"], !fromEnv.isEmpty { candidate = fromEnv }
        else { candidate = searchPath("kubectl", environment["PATH"] ?? "/usr/bin:/bin") }
        guard let kubectl = candidate else {
            return .failure(KustomizeUnavailable("kubectl was not found (--kubectl, BALLAST_KUBECTL or PATH)"))
        }
        let run = runProcess(kubectl, ["version", "--client"], timeout: 20)
        guard run.status == 0 else {
            return .failure(KustomizeUnavailable("\(kubectl) version --client failed: \(firstLine(run.stderr))"))
        }
        let text = String(decoding: run.stdout, as: UTF8.self)
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("Kustomize Version:") }) else {
            return .failure(KustomizeUnavailable("\(kubectl) has no kustomize (kubectl 1.14 or later is needed, with kustomize v4 or later)"))
        }
        let version = line.dropFirst("Kustomize Version:".count).trimmingCharacters(in: .whitespaces)
        let major = Int(version.dropFirst(version.hasPrefix("v") ? 1 : 0).prefix { $0.isNumber }) ?? 0
        guard major >= 4 else {
            return .failure(KustomizeUnavailable("\(kubectl) has kustomize \(version), older than v4: overlays would not render as your GitOps tool renders them (ci/setup installs a newer kubectl)"))
        }
        return .success(Kustomize(kubectl: kubectl, version: version))
    }

    /// `kubectl kustomize DIR`: the rendered YAML, or kustomize's own error. The network is closed to it
    /// (remote bases are refused before, and a proxy that answers nothing stops any other attempt).
    func render(directory: String) -> Result<[UInt8], RenderFailure> {
        var environment = ProcessInfo.processInfo.environment
        for key in ["HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy"] { environment[key] = "http://127.0.0.1:9" }
        environment["NO_PROXY"] = ""; environment["no_proxy"] = ""
        environment["GIT_TERMINAL_PROMPT"] = "0"
        let run = runProcess(kubectl, ["kustomize", directory], environment: environment, timeout: 120)
        if run.timedOut { return .failure(RenderFailure("kubectl kustomize did not finish within 120 s")) }
        guard run.status == 0 else {
            return .failure(RenderFailure(firstLine(run.stderr).isEmpty ? "kubectl kustomize exited \(run.status)" : firstLine(run.stderr)))
        }
        return .success(run.stdout)
    }
}

/// Why kustomizations cannot be rendered at all.
public struct KustomizeUnavailable: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

func firstLine(_ bytes: [UInt8]) -> String {
    let text = String(decoding: bytes, as: UTF8.self)
    let line = text.split(separator: "\n").first(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) ?? ""
    return String(line.prefix(400))
}

func searchPath(_ name: String, _ path: String) -> String? {
    for dir in path.split(separator: ":") where !dir.isEmpty {
        let candidate = dir + "/" + name
        if access(candidate, X_OK) == 0 { return candidate }
    }
    return nil
}

/// Runs a program and collects its output (both pipes drained while it runs), killing it past `timeout`.
func runProcess(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                timeout: Double) -> (status: Int32, stdout: [UInt8], stderr: [UInt8], timedOut: Bool) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    do { try process.run() } catch {
        return (127, [], Array("could not run \(executable): \(error.localizedDescription)".utf8), false)
    }
    let collected = OutputCollector()
    let group = DispatchGroup()
    for (pipe, isOut) in [(out, true), (err, false)] {
        group.enter()
        DispatchQueue.global().async {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            collected.set([UInt8](data), isOut: isOut)
            group.leave()
        }
    }
    var timedOut = false
    if group.wait(timeout: .now() + timeout) == .timedOut {
        timedOut = true
        process.terminate()
        _ = group.wait(timeout: .now() + 5)
    }
    process.waitUntilExit()
    let (stdout, stderr) = collected.get()
    return (process.terminationStatus, stdout, stderr, timedOut)
}

private final class OutputCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var out: [UInt8] = [], err: [UInt8] = []
    func set(_ bytes: [UInt8], isOut: Bool) { lock.lock(); if isOut { out = bytes } else { err = bytes }; lock.unlock() }
    func get() -> ([UInt8], [UInt8]) { lock.lock(); defer { lock.unlock() }; return (out, err) }
}
