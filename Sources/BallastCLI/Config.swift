import ArgumentParser
import Foundation
import Policy
import Lint

/// Loads `--config FILE`, or `.ballast.yaml` in the current directory when it exists. A broken config is a
/// configuration error: exit 2, naming file, line and column.
func loadConfig(_ path: String?) throws -> BallastConfig {
    let chosen = path ?? ".ballast.yaml"
    if path == nil && !FileManager.default.fileExists(atPath: chosen) { return BallastConfig() }
    do {
        return try BallastConfig.load(path: chosen)
    } catch {
        writeAll("ballast: \(error.description)\n", to: 2)
        throw ExitCode(2)
    }
}
