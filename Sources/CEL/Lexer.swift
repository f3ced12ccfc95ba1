/// One token of CEL source, with its 1-based line and column (columns count Unicode scalars).
struct Token: Sendable {
    enum Kind: Sendable, Equatable {
        case int(UInt64)          // magnitude; the parser applies a leading minus
        case uint(UInt64)
        case double(Double)
        case string(String)
        case bytes([UInt8])
        case ident(String)
        case quotedIdent(String)  // `content-type`
        case punct(String)
        case end
    }
    var kind: Kind
    var line: Int
    var column: Int
}

/// Splits CEL source into tokens. Errors name the line and column where the bad text starts.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var i = 0
    private var line = 1
    private var column = 1

    init(_ source: String) { scalars = Array(source.unicodeScalars) }

    static func tokenize(_ source: String) throws(CELError) -> [Token] {
        var lexer = Lexer(source)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
        i + offset < scalars.count ? scalars[i + offset] : nil
    }
    private mutating func advance() {
        if scalars[i] == "\n" { line += 1; column = 1 } else { column += 1 }
        i += 1
    }
    private func error(_ message: String, _ l: Int, _ c: Int) -> CELError { CELError(message, line: l, column: c) }

    mutating func next() throws(CELError) -> Token {
        // Whitespace and comments.
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" { advance(); continue }
            if c == "/" && peek(1) == "/" { while let d = peek(), d != "\n" { advance() }; continue }
            break
        }
        let startLine = line, startColumn = column
        func token(_ kind: Token.Kind) -> Token { Token(kind: kind, line: startLine, column: startColumn) }
        guard let c = peek() else { return token(.end) }

        if (c >= "0" && c <= "9") || (c == "." && (peek(1).map { $0 >= "0" && $0 <= "9" } ?? false)) {
            return token(try number())
        }
        if c == "_" || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") {
            // String prefixes: r, b, rb, br (any case) directly followed by a quote.
            var j = 0
            var raw = false, bytes = false
            while j < 2, let p = peek(j), "rRbB".unicodeScalars.contains(p) {
                if p == "r" || p == "R" { if raw { break }; raw = true } else { if bytes { break }; bytes = true }
                j += 1
            }
            if j > 0, let q = peek(j), q == "'" || q == "\"" {
                for _ in 0..<j { advance() }
                return token(try quoted(raw: raw, bytes: bytes, line: startLine, column: startColumn))
            }
            var name = ""
            while let d = peek(), d == "_" || (d >= "a" && d <= "z") || (d >= "A" && d <= "Z") || (d >= "0" && d <= "9") {
                name.unicodeScalars.append(d); advance()
            }
            return token(.ident(name))
        }
        if c == "'" || c == "\"" {
            return token(try quoted(raw: false, bytes: false, line: startLine, column: startColumn))
        }
        if c == "`" {
            advance()
            var name = ""
            while let d = peek(), d != "`" {
                guard d == "_" || d == "." || d == "-" || d == "/" || (d >= "a" && d <= "z") || (d >= "A" && d <= "Z") || (d >= "0" && d <= "9") else {
                    throw error("invalid character in quoted identifier", line, column)
                }
                name.unicodeScalars.append(d); advance()
            }
            guard peek() == "`", !name.isEmpty else { throw error("unterminated quoted identifier", startLine, startColumn) }
            advance()
            return token(.quotedIdent(name))
        }
        let two = peek(1).map { String(c) + String($0) } ?? ""
        if ["==", "!=", "<=", ">=", "&&", "||", ".?", "[?"].contains(two) {
            // `[?` is only the optional index when directly followed by `?`; `.?` likewise.
            advance(); advance()
            return token(.punct(two))
        }
        if "+-*/%!<>?:.,()[]{}".unicodeScalars.contains(c) {
            advance()
            return token(.punct(String(c)))
        }
        throw error("unexpected character '\(c)'", startLine, startColumn)
    }

    private mutating func number() throws(CELError) -> Token.Kind {
        let l = line, col = column
        if peek() == "0", let x = peek(1), x == "x" || x == "X" {
            advance(); advance()
            var text = ""
            while let d = peek(), d.properties.isASCIIHexDigit { text.unicodeScalars.append(d); advance() }
            guard let v = UInt64(text, radix: 16) else { throw error("invalid hexadecimal literal", l, col) }
            if let u = peek(), u == "u" || u == "U" { advance(); return .uint(v) }
            return .int(v)
        }
        var text = ""
        var isDouble = false
        while let d = peek(), d >= "0" && d <= "9" { text.unicodeScalars.append(d); advance() }
        if peek() == ".", let d = peek(1), d >= "0" && d <= "9" {
            isDouble = true; text += "."; advance()
            while let d = peek(), d >= "0" && d <= "9" { text.unicodeScalars.append(d); advance() }
        }
        if let e = peek(), e == "e" || e == "E" {
            var j = 1
            if let s = peek(1), s == "+" || s == "-" { j = 2 }
            if let d = peek(j), d >= "0" && d <= "9" {
                isDouble = true
                for _ in 0..<j { text.unicodeScalars.append(peek() ?? "e"); advance() }
                while let d = peek(), d >= "0" && d <= "9" { text.unicodeScalars.append(d); advance() }
            }
        }
        if isDouble {
            guard let v = Double(text.hasPrefix(".") ? "0" + text : text) else { throw error("invalid double literal", l, col) }
            return .double(v)
        }
        guard let v = UInt64(text) else { throw error("integer literal out of range", l, col) }
        if let u = peek(), u == "u" || u == "U" { advance(); return .uint(v) }
        return .int(v)
    }

    /// A string or bytes literal starting at the quote.
    private mutating func quoted(raw: Bool, bytes: Bool, line l: Int, column col: Int) throws(CELError) -> Token.Kind {
        guard let quote = peek() else { throw error("unterminated string", l, col) }
        let triple = peek(1) == quote && peek(2) == quote
        for _ in 0..<(triple ? 3 : 1) { advance() }
        var out: [UInt8] = []
        var text = ""
        func append(scalar: Unicode.Scalar) {
            if bytes { out.append(contentsOf: Array(String(scalar).utf8)) } else { text.unicodeScalars.append(scalar) }
        }
        while true {
            guard let c = peek() else { throw error("unterminated string literal", l, col) }
            if c == quote && (!triple || (peek(1) == quote && peek(2) == quote)) {
                for _ in 0..<(triple ? 3 : 1) { advance() }
                break
            }
            if !triple && (c == "\n" || c == "\r") { throw error("newline in string literal", line, column) }
            if c == "\\" && !raw {
                let el = line, ec = column
                advance()
                guard let e = peek() else { throw error("unterminated string literal", l, col) }
                advance()
                switch e {
                case "\\", "'", "\"", "`", "?": append(scalar: e)
                case "a": append(scalar: "\u{07}")
                case "b": append(scalar: "\u{08}")
                case "f": append(scalar: "\u{0C}")
                case "n": append(scalar: "\n")
                case "r": append(scalar: "\r")
                case "t": append(scalar: "\t")
                case "v": append(scalar: "\u{0B}")
                case "x", "X", "u", "U":
                    let n = e == "u" ? 4 : e == "U" ? 8 : 2
                    var hex = ""
                    for _ in 0..<n {
                        guard let h = peek(), h.properties.isASCIIHexDigit else { throw error("invalid escape sequence", el, ec) }
                        hex.unicodeScalars.append(h); advance()
                    }
                    guard let v = UInt32(hex, radix: 16) else { throw error("invalid escape sequence", el, ec) }
                    if n == 2 && bytes { out.append(UInt8(v)) } else {
                        guard !(bytes && n > 2), let s = Unicode.Scalar(v) else { throw error("invalid escape sequence", el, ec) }
                        append(scalar: s)
                    }
                case "0"..."3":
                    var v = UInt32(e.value - 48)
                    for _ in 0..<2 {
                        guard let o = peek(), o >= "0" && o <= "7" else { throw error("invalid octal escape", el, ec) }
                        v = v * 8 + (o.value - 48); advance()
                    }
                    if bytes { out.append(UInt8(v)) } else if let s = Unicode.Scalar(v) { append(scalar: s) }
                default: throw error("invalid escape sequence '\\\(e)'", el, ec)
                }
                continue
            }
            // A raw \r\n inside a literal is kept as written.
            append(scalar: c)
            advance()
        }
        return bytes ? .bytes(out) : .string(text)
    }
}
