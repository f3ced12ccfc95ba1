public import Findings
import KubeModel

/// The report formats (`--format`).
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, json, sarif, github, junit, markdown
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
}

extension Renderer {
    /// The text of `render`, as UTF-8. Renderers that build bytes override this and `render` decodes it.
    public func renderUTF8(_ result: RunResult, _ context: ReportContext) -> [UInt8] {
        Array(render(result, context).utf8)
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
