public import Findings
import KubeModel

/// The report formats (`--format`).
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json, sarif, github, junit, markdown, html, prometheus
}

/// What a renderer needs besides the result.
public struct ReportContext: Sendable {
    public var useColor: Bool
    public var quiet: Bool
    /// The subcommand, for titles (`lint`, `gate`).
    public var command: String
    public var toolVersion: String
    public init(useColor: Bool = false, quiet: Bool = false, command: String = "lint", toolVersion: String = ballastVersion) {
        self.useColor = useColor; self.quiet = quiet; self.command = command; self.toolVersion = toolVersion
    }
}

public let ballastVersion = "0.1.0"

/// One renderer per format, each in its own file.
public protocol Renderer: Sendable {
    func render(_ result: RunResult, _ context: ReportContext) -> String
    /// The same report as UTF-8, as it is written out.
    func renderUTF8(_ result: RunResult, _ context: ReportContext) -> [UInt8]
    /// The bytes of `renderUTF8`, handed to `sink` in pieces as they are rendered: a renderer that streams
    /// holds one piece at a time, not the whole report (the JSON of 50,000 apps is over 200 MB).
    func write(_ result: RunResult, _ context: ReportContext, to sink: ([UInt8]) -> Void)
}

extension Renderer {
    /// The text of `render`, as UTF-8. Renderers that build bytes override this and `render` decodes it.
    public func renderUTF8(_ result: RunResult, _ context: ReportContext) -> [UInt8] {
        Array(render(result, context).utf8)
    }

    /// The whole report in one piece (renderers that do not stream).
    public func write(_ result: RunResult, _ context: ReportContext, to sink: ([UInt8]) -> Void) {
        sink(renderUTF8(result, context))
    }
}

extension OutputFormat {
    public var renderer: any Renderer {
        switch self {
        case .text: TextRenderer()
        case .json: JSONRenderer()
        case .sarif: SARIFRenderer()
        case .github: GitHubRenderer()
        case .junit: JUnitRenderer()
        case .markdown: MarkdownRenderer()
        case .html: HTMLRenderer()
        case .prometheus: PrometheusRenderer()
        }
    }
}

extension RunResult {
    /// `3 errors, 1 warning` (only the non-zero counts; "no findings" when none).
    var countsPhrase: String {
        var parts: [String] = []
        for (severity, word) in [(Severity.error, "error"), (.warning, "warning"), (.info, "info")] {
            let n = count(severity)
            if n > 0 { parts.append("\(n) \(word)\(n == 1 || word == "info" ? "" : "s")") }
        }
        return parts.isEmpty ? "no findings" : parts.joined(separator: ", ")
    }
}

func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }

extension RunResult {
    /// Whether a comparison with the live cluster ran (or left items): only then do reports show drift,
    /// so that a lint report stays as it was.
    var hasComparison: Bool { objectsCompared != nil || !drift.isEmpty || !uncompared.isEmpty }

    /// Active drift items by class, in `DriftClass.allCases` order, zero counts included.
    var driftCountsByClass: [(DriftClass, Int)] {
        var counts = [Int](repeating: 0, count: DriftClass.allCases.count)
        for i in drift.indices where drift[i].isActive {   // by index: no copy of each item
            counts[DriftClass.allCases.firstIndex(of: drift[i].driftClass) ?? 0] += 1
        }
        return zip(DriftClass.allCases, counts).map { ($0, $1) }
    }

    /// `3 drift items (2 in-place, 1 git-behind)`, or `no drift`. Callers never use it on an incomplete
    /// run without saying so.
    var driftPhrase: String {
        let active = drift.filter(\.isActive).count
        if active == 0 { return "no drift" }
        let parts = driftCountsByClass.filter { $0.1 > 0 }.map { "\($0.1) \($0.0.rawValue)" }
        return plural(active, "drift item") + " (" + parts.joined(separator: ", ") + ")"
    }

    /// The verdict every format states first: incomplete beats blocked beats drift beats passed.
    var verdict: Verdict {
        if isIncomplete { return .incomplete }
        let counts = severityCounts
        if counts.errors > 0 { return .blocked }
        if drift.contains(where: \.isActive) { return .drift }
        return counts.warnings > 0 ? .warnings : .passed
    }
}

/// What a run amounts to, in one word.
enum Verdict: String {
    case incomplete, blocked, drift, warnings, passed
}

extension DriftItem {
    /// `kubectl-edit Update 2026-11-28T10:00:00Z` (subresource as `Update/scale`): the most recent writer;
    /// `+N` when others hold the path too; `unknown` without managedFields.
    var whoAndWhen: String {
        guard let first = attribution.first else { return "unknown writer" }
        var s = first.manager + " " + first.operation + (first.subresource.map { "/" + $0 } ?? "")
        if let time = first.time { s += " " + time }
        if attribution.count > 1 { s += " (+\(attribution.count - 1) more)" }
        return s
    }

    /// The path as reports print it: `(object)` for object-level items.
    var displayPath: String { path.isEmpty ? "(object)" : path }

    /// The SARIF, JUnit and GitHub rule id: `drift/in-place`.
    var ruleID: String { "drift/" + driftClass.rawValue }
}
