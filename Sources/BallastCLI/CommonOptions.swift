import ArgumentParser
import Findings
import Report
import Foundation

extension FailOn: ExpressibleByArgument {}

/// One `--format` value: `FMT` (standard output) or `FMT=FILE`.
struct FormatTarget: ExpressibleByArgument, Sendable {
    var format: OutputFormat
    var file: String?
    init?(argument: String) {
        let parts = argument.split(separator: "=", maxSplits: 1).map(String.init)
        guard let format = OutputFormat(rawValue: parts[0]) else { return nil }
        self.format = format
        file = parts.count == 2 ? parts[1] : nil
        if file?.isEmpty == true { return nil }
    }
    static var allValueStrings: [String] { OutputFormat.allCases.map(\.rawValue) }
}

/// Options every command that reports takes.
struct ReportOptions: ParsableArguments {
    @Option(name: .customLong("format"),
            help: ArgumentHelp("Output format, FMT or FMT=FILE; repeatable (text, json, sarif, github, junit, markdown, html, prometheus).",
                               valueName: "fmt[=file]"))
    var formats: [FormatTarget] = []

    @Option(help: "Lowest severity that fails the run: error, warning, info or never.")
    var failOn: FailOn = .error

    @Flag(help: "No colour, even on a terminal (also NO_COLOR).")
    var noColor = false

    @Flag(name: [.short, .long], help: "Print only findings: no notes, no summary when clean.")
    var quiet = false

    func validate() throws {
        let toStdout = formats.filter { $0.file == nil }
        if toStdout.count > 1 {
            throw ValidationError("only one --format may write to standard output; give the others a file (FMT=FILE)")
        }
    }

    /// Writes the report in every format asked for, and returns the run's exit code, computed once from the
    /// result: a report file that cannot be written makes the run incomplete (exit 3), since the user would
    /// otherwise read an old report.
    func finish(_ result: RunResult, command: String) -> Int32 {
        var result = result
        result.failures += write(result, command: command)
        return result.exitCode(failOn: failOn)
    }

    /// Writes the report in every format asked for; what could not be written. Files are written first
    /// (each atomically: the old report or the new one, never half), so the report on standard output
    /// already counts a file that could not be written and never says "clean" for an incomplete run.
    func write(_ result: RunResult, command: String) -> [ReadFailure] {
        let targets = formats.isEmpty ? [FormatTarget(argument: "text")!] : formats
        var unwritten: [ReadFailure] = []
        var shown = result
        for target in targets.filter({ $0.file != nil }) + targets.filter({ $0.file == nil }) {
            shown.failures = result.failures + unwritten
            let color = target.file == nil && !noColor && isTerminal(1)
                && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
            let context = ReportContext(useColor: color, quiet: quiet, command: command)
            guard let file = target.file else {
                // Standard output is written as the report is rendered: a large report never sits whole in memory.
                target.format.renderer.write(shown, context) { writeAll($0, to: 1) }
                continue
            }
            let bytes = target.format.renderer.renderUTF8(shown, context)
            do { try Data(bytes).write(to: URL(fileURLWithPath: file), options: .atomic) } catch {
                writeAll("ballast: could not write \(file): \(error.localizedDescription)\n", to: 2)
                unwritten.append(ReadFailure(source: file, reason: "the report could not be written: \(error.localizedDescription)"))
            }
        }
        return unwritten
    }
}
