import ArgumentParser
import Policy
import Lint

/// `--policies DIR` (repeatable): packs added to the built-in one.
struct PolicyOptions: ParsableArguments {
    @Option(name: .customLong("policies"), help: ArgumentHelp("A directory (or file) of policy files to add to the built-in pack; repeatable.", valueName: "dir"))
    var directories: [String] = []

    /// The built-in pack plus `--policies`; a broken policy file is exit 2, naming file, line and column.
    func pack() throws -> PolicyPack {
        do {
            var pack = try PolicyPack.builtIn()
            for directory in directories { try pack.add(path: directory) }
            return pack
        } catch {
            writeAll("ballast: \(error.description)\n", to: 2)
            throw ExitCode(2)
        }
    }
}
