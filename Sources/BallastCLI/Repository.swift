import ArgumentParser
import Foundation
import KubeModel
import Findings
import ManifestIO
import GitSource

/// `--repo PATH|URL`, `--ref`, `--path`, `--ssh-key`: where manifests come from when they come from git.
struct RepositoryOptions: ParsableArguments {
    @Option(help: "A local repository (work tree or bare) or a URL to clone into the cache (https, ssh, git, file, or scp-like user@host:org/repo.git).")
    var repo: String?

    @Option(name: .customLong("path"), help: ArgumentHelp("Only files under this directory of the repository; repeatable.", valueName: "dir"))
    var paths: [String] = []

    @Option(help: "SSH private key for ssh remotes, ssh:// or user@host:path (default: the SSH agent).")
    var sshKey: String?

    @Option(help: "Blobs larger than this many bytes are not read: the run is then incomplete (exit 3).")
    var maxBlobSize: Int = 64 << 20

    var credentials: GitCredentials {
        GitCredentials.fromEnvironment(ProcessInfo.processInfo.environment, sshKeyPath: sshKey)
    }

    /// Opens the local repository, or brings the remote one into the cache (clone, then incremental fetch).
    func open(_ spec: String) throws(GitError) -> GitRepository {
        guard case .remote = RepositoryLocation(spec) else {
            guard RepositoryLocation.pathExists(spec) else {
                throw GitError(.notARepository, "\(spec): no such repository (a path, or a URL such as https://host/org/repo.git or git@host:org/repo.git)")
            }
            return try GitRepository.open(path: spec)
        }
        let cache = GitCache(environment: ProcessInfo.processInfo.environment)
        let bar = CloneProgress(url: redactURL(spec))
        defer { bar.finish() }
        var progress: (@Sendable (GitProgress) -> Void)?
        if bar.enabled { progress = { p in bar.update(p) } }
        return try cache.repository(for: spec, credentials: credentials, progress: progress)
    }
}

/// Clone progress on standard error, only on a terminal.
final class CloneProgress: @unchecked Sendable {
    let enabled = isTerminal(2)
    let url: String
    private let lock = NSLock()
    private var last = -1
    init(url: String) { self.url = url }
    func update(_ p: GitProgress) {
        lock.lock(); defer { lock.unlock() }
        let percent = p.totalObjects > 0 ? p.receivedObjects * 100 / p.totalObjects : 0
        guard percent != last else { return }
        last = percent
        writeAll("\rballast: fetching \(url): \(percent)% (\(p.receivedObjects)/\(p.totalObjects) objects, \(p.receivedBytes / 1024) KiB)", to: 2)
    }
    func finish() { if enabled && last >= 0 { writeAll("\r\u{1B}[K", to: 2) } }
}

/// A git problem as the CLI reports it: an unknown ref is a usage error (2), anything else could not be
/// read (3). Credentials never reach the message (GitError redacts URLs).
func gitFailure(_ error: GitError) -> ExitCode {
    writeAll("ballast: \(error.message)\n", to: 2)
    return ExitCode(error.kind == .unknownRef ? 2 : 3)
}
