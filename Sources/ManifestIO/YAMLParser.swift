internal import CYAML
import KubeModel

/// One libyaml event, copied into Swift. Scalars keep their text, style and tag; marks are 1-based.
struct YAMLEvent {
    enum Kind: Equatable {
        case streamStart, streamEnd, documentStart, documentEnd
        case alias(anchor: String)
        case scalar(text: String, style: ScalarStyle, tag: String?, anchor: String?)
        case sequenceStart(anchor: String?, tag: String?)
        case sequenceEnd
        case mappingStart(anchor: String?, tag: String?)
        case mappingEnd
    }
    enum ScalarStyle: Equatable { case plain, singleQuoted, doubleQuoted, literal, folded }
    var kind: Kind
    var line: UInt32
    var column: UInt32
}

/// Owns a libyaml parser. Not Sendable: lives inside one task.
///
/// It borrows its input: the buffer must stay valid, at the same address, for the parser's whole life
/// (callers create it inside `withUnsafeBufferPointer` and drop it there), so a 100 MB file is not copied.
final class YAMLParser {
    private let parser = UnsafeMutablePointer<yaml_parser_t>.allocate(capacity: 1)
    private let event = UnsafeMutablePointer<yaml_event_t>.allocate(capacity: 1)
    private let input: UnsafeBufferPointer<UInt8>
    private let file: FileID
    private var initialized = false

    init(bytes: UnsafeBufferPointer<UInt8>, file: FileID) throws(ManifestError) {
        self.file = file
        input = bytes
        // yaml_parser_initialize fails only when malloc does: there is no input problem to report.
        guard yaml_parser_initialize(parser) == 1 else {
            throw ManifestError.syntax(problem: "libyaml: out of memory", at: SourceSpan(file: file, line: 1, column: 1))
        }
        initialized = true
        yaml_parser_set_input_string(parser, input.baseAddress, bytes.count)
    }

    deinit {
        if initialized { yaml_parser_delete(parser) }
        parser.deallocate()
        event.deallocate()
    }

    /// The next event; the C event is freed before return. Wraps `yaml_parser_parse`.
    func next() throws(ManifestError) -> YAMLEvent {
        guard yaml_parser_parse(parser, event) == 1 else { throw currentError() }
        defer { yaml_event_delete(event) }
        let e = event.pointee
        // libyaml marks are 0-based; editors count from 1.
        let line = UInt32(clamping: e.start_mark.line + 1), column = UInt32(clamping: e.start_mark.column + 1)
        let kind: YAMLEvent.Kind
        switch e.type {
        case YAML_STREAM_START_EVENT: kind = .streamStart
        case YAML_STREAM_END_EVENT: kind = .streamEnd
        case YAML_DOCUMENT_START_EVENT: kind = .documentStart
        case YAML_DOCUMENT_END_EVENT: kind = .documentEnd
        case YAML_ALIAS_EVENT: kind = .alias(anchor: Self.string(e.data.alias.anchor) ?? "")
        case YAML_SCALAR_EVENT:
            let s = e.data.scalar
            // A scalar may hold NUL: decode by length, never as a C string.
            let text = String(decoding: UnsafeBufferPointer(start: s.value, count: Int(s.length)), as: UTF8.self)
            let style: YAMLEvent.ScalarStyle
            switch s.style {
            case YAML_SINGLE_QUOTED_SCALAR_STYLE: style = .singleQuoted
            case YAML_DOUBLE_QUOTED_SCALAR_STYLE: style = .doubleQuoted
            case YAML_LITERAL_SCALAR_STYLE: style = .literal
            case YAML_FOLDED_SCALAR_STYLE: style = .folded
            default: style = .plain
            }
            kind = .scalar(text: text, style: style, tag: Self.string(s.tag), anchor: Self.string(s.anchor))
        case YAML_SEQUENCE_START_EVENT:
            kind = .sequenceStart(anchor: Self.string(e.data.sequence_start.anchor), tag: Self.string(e.data.sequence_start.tag))
        case YAML_SEQUENCE_END_EVENT: kind = .sequenceEnd
        case YAML_MAPPING_START_EVENT:
            kind = .mappingStart(anchor: Self.string(e.data.mapping_start.anchor), tag: Self.string(e.data.mapping_start.tag))
        case YAML_MAPPING_END_EVENT: kind = .mappingEnd
        default: kind = .documentEnd   // YAML_NO_EVENT does not occur after a successful parse
        }
        return YAMLEvent(kind: kind, line: line, column: column)
    }

    private static func string(_ p: UnsafeMutablePointer<yaml_char_t>?) -> String? {
        guard let p else { return nil }
        return String(cString: p)
    }

    /// The one place libyaml's errors become Swift errors: its problem text at its problem mark.
    private func currentError() -> ManifestError {
        let p = parser.pointee
        var problem = p.problem.map { String(cString: $0) } ?? "invalid YAML"
        if let context = p.context.map({ String(cString: $0) }) { problem = "\(context): \(problem)" }
        if p.error == YAML_READER_ERROR {
            // Reader errors (encoding) carry a byte offset, not a mark.
            let span = ManifestReader.span(of: Int(p.problem_offset), in: input, file: file)
            return .invalidUTF8(at: span)
        }
        let mark = p.problem_mark
        let span = SourceSpan(file: file, line: Int(mark.line) + 1, column: Int(mark.column) + 1)
        return .syntax(problem: problem, at: span)
    }
}
