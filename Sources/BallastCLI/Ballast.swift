import ArgumentParser
import Foundation
import Report

/// The root command.
struct Ballast: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ballast",
        abstract: "Keep the storage of stateful Kubernetes workloads safe.",
        discussion: """
            Ballast lints GitOps manifests for storage and retention problems (StorageClasses, \
            volumeClaimTemplates, headless Services, PDBs, backups), gates pull requests on unsafe storage \
            changes, and compares the desired state with the live cluster.

            Exit codes: 0 clean; 1 findings at or above --fail-on; 2 usage or configuration error; \
            3 incomplete (something could not be read: never reported as clean).
            """,
        version: versionText,
        subcommands: [CheckCommand.self, Lint.self, GateCommand.self, DriftCommand.self, SnapshotCommand.self, InventoryCommand.self,
                      Policies.self]
    )
}

/// Entry point of the `ballast` executable.
public enum BallastMain {
    public static func main() async {
        // A file size limit (`ulimit -f`) or a full quota must be a failed write the run reports (exit 3),
        // not SIGXFSZ killing the process with a half-written file behind it.
        signal(SIGXFSZ, SIG_IGN)
        do {
            var command = try Ballast.parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let exit as ExitCode {
            Ballast.exit(withError: exit)
        } catch {
            // The parser reports usage errors as 64 (EX_USAGE); Ballast promises 2.
            let code = Ballast.exitCode(for: error)
            if code == .success { Ballast.exit(withError: error) }   // --help, --version
            if code == .validationFailure || code.rawValue == 64 {
                FileHandle.standardError.write(Data((Ballast.fullMessage(for: error) + "\n").utf8))
                Ballast.exit(withError: ExitCode(2))
            }
            FileHandle.standardError.write(Data(("ballast: " + Ballast.fullMessage(for: error) + "\n").utf8))
            Ballast.exit(withError: ExitCode(2))
        }
    }
}
