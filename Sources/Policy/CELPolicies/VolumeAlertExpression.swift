import Glibc

/// Reads the usage thresholds of a volume alert from its PromQL (`storage-alerts-present`): the comparisons
/// of a kubelet volume ratio (`used / capacity`, `available / capacity`, scaled to a percentage or not,
/// `1 - available / capacity`) with a number. Not a PromQL engine: an expression is parsed, and each
/// sub-expression is read as `C^p · (a·u + b)`, with `u` the used fraction of the volume and `C` its
/// capacity, or as something else (another metric, a prediction). What cannot be read that way (a
/// volume ratio compared with another series, a product of two volume metrics, an unknown function of
/// one) makes the whole expression unreadable: the rule then reports it instead of guessing.
enum VolumeAlertExpression {
    struct Threshold: Equatable {
        /// `used/capacity` or `available/capacity` (`inodes_used/inodes`, `inodes_free/inodes` for inodes).
        var metric: String
        /// The comparison with the ratio on the left (`0.8 < x` is read as `x > 0.8`), and its number.
        var op: String
        var threshold: Double
        /// The used fraction (0...1) above which the comparison holds.
        var usedFraction: Double
    }

    struct Matcher: Equatable { var label: String, op: String, value: String }

    struct Reading: Equatable {
        /// The expression names a `kubelet_volume_stats_*` metric.
        var mentionsVolumeStats = false
        /// Why the expression cannot be read (nil: it could).
        var error: String?
        var thresholds: [Threshold] = []
        /// The label matchers of the `kubelet_volume_stats_*` selectors (namespace, persistentvolumeclaim...).
        var matchers: [Matcher] = []
    }

    static func read(_ expression: String) -> Reading {
        var reading = Reading()
        var parser = Parser(tokens: [], position: 0)
        do throws(Unreadable) {
            parser.tokens = try Lexer.tokens(expression)
            let node = try parser.expression(0)
            guard parser.position == parser.tokens.count else { throw Unreadable("unexpected \(parser.tokens[parser.position].text)") }
            var reader = Reader()
            _ = reader.value(node)
            reading.mentionsVolumeStats = reader.mentionsVolumeStats
            reading.matchers = reader.matchers
            if let problem = reader.problems.first {
                reading.error = problem
            } else {
                reading.thresholds = reader.thresholds
            }
        } catch {
            reading.mentionsVolumeStats = expression.contains(volumePrefix)
            reading.error = "cannot parse the expression: \(error.message)"
        }
        return reading
    }

    static let volumePrefix = "kubelet_volume_stats_"

    struct Unreadable: Error { var message: String; init(_ message: String) { self.message = message } }

    // MARK: tokens

    struct Token: Equatable {
        enum Kind { case number, identifier, string, duration, symbol }
        var kind: Kind
        var text: String
        var number: Double = 0
    }

    enum Lexer {
        static func tokens(_ source: String) throws(Unreadable) -> [Token] {
            let s = Array(source.unicodeScalars)
            var i = 0
            var out: [Token] = []
            func isIdentStart(_ c: Unicode.Scalar) -> Bool { c == "_" || c == ":" || (c.isASCII && c.properties.isAlphabetic) }
            func isIdent(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || ("0"..."9").contains(c) }
            func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }
            while i < s.count {
                let c = s[i]
                if c == " " || c == "\t" || c == "\n" || c == "\r" { i += 1; continue }
                if c == "#" { while i < s.count && s[i] != "\n" { i += 1 }; continue }
                if c == "\"" || c == "'" || c == "`" {
                    var text = ""
                    i += 1
                    while i < s.count && s[i] != c {
                        if s[i] == "\\" && c != "`" && i + 1 < s.count { i += 1 }
                        text.unicodeScalars.append(s[i])
                        i += 1
                    }
                    guard i < s.count else { throw Unreadable("unterminated string") }
                    i += 1
                    out.append(Token(kind: .string, text: text))
                    continue
                }
                if isDigit(c) || (c == "." && i + 1 < s.count && isDigit(s[i + 1])) {
                    var j = i
                    if c == "0" && j + 1 < s.count && (s[j + 1] == "x" || s[j + 1] == "X") {
                        j += 2
                        while j < s.count && s[j].properties.isASCIIHexDigit { j += 1 }
                        let text = String(String.UnicodeScalarView(s[i..<j]))
                        out.append(Token(kind: .number, text: text, number: Double(UInt64(text.dropFirst(2), radix: 16) ?? 0)))
                        i = j
                        continue
                    }
                    while j < s.count && (isDigit(s[j]) || s[j] == ".") { j += 1 }
                    if j < s.count && (s[j] == "e" || s[j] == "E"), j + 1 < s.count,
                       isDigit(s[j + 1]) || ((s[j + 1] == "+" || s[j + 1] == "-") && j + 2 < s.count && isDigit(s[j + 2])) {
                        j += 2
                        while j < s.count && isDigit(s[j]) { j += 1 }
                    }
                    if j < s.count && isIdentStart(s[j]) && s[j] != ":" {   // a duration: 5m, 1h30m
                        while j < s.count && (isIdent(s[j])) && s[j] != ":" { j += 1 }
                        out.append(Token(kind: .duration, text: String(String.UnicodeScalarView(s[i..<j]))))
                        i = j
                        continue
                    }
                    let text = String(String.UnicodeScalarView(s[i..<j]))
                    guard let value = Double(text) else { throw Unreadable("bad number \(text)") }
                    out.append(Token(kind: .number, text: text, number: value))
                    i = j
                    continue
                }
                if isIdentStart(c) {
                    var j = i
                    while j < s.count && isIdent(s[j]) { j += 1 }
                    let text = String(String.UnicodeScalarView(s[i..<j]))
                    switch text.lowercased() {
                    case "inf": out.append(Token(kind: .number, text: text, number: .infinity))
                    case "nan": out.append(Token(kind: .number, text: text, number: .nan))
                    default: out.append(Token(kind: .identifier, text: text))
                    }
                    i = j
                    continue
                }
                if c == "[" {   // a range or subquery: kept whole
                    var j = i + 1
                    while j < s.count && s[j] != "]" { j += 1 }
                    guard j < s.count else { throw Unreadable("unclosed [") }
                    out.append(Token(kind: .duration, text: String(String.UnicodeScalarView(s[i...j]))))
                    i = j + 1
                    continue
                }
                let two = i + 1 < s.count ? String(String.UnicodeScalarView([c, s[i + 1]])) : ""
                if ["==", "!=", "<=", ">=", "=~", "!~"].contains(two) {
                    out.append(Token(kind: .symbol, text: two))
                    i += 2
                    continue
                }
                guard "(){},=<>+-*/%^@".unicodeScalars.contains(c) else { throw Unreadable("unexpected character \(c)") }
                out.append(Token(kind: .symbol, text: String(c)))
                i += 1
            }
            return out
        }
    }

    // MARK: syntax

    indirect enum Node {
        case number(Double, String)
        case string(String)
        case selector(name: String, matchers: [Matcher])
        case call(String, [Node])
        case unary(String, Node)
        case binary(String, Node, Node)
    }

    static let aggregations: Set<String> = ["sum", "min", "max", "avg", "count", "stddev", "stdvar", "topk", "bottomk",
                                            "quantile", "count_values", "group", "limitk", "limit_ratio"]
    static let comparisons: Set<String> = ["==", "!=", "<", "<=", ">", ">="]

    static func precedence(_ token: Token) -> Int? {
        let t = token.kind == .identifier ? token.text.lowercased() : token.kind == .symbol ? token.text : ""
        switch t {
        case "or": return 1
        case "and", "unless": return 2
        case "==", "!=", "<", "<=", ">", ">=": return 3
        case "+", "-": return 4
        case "*", "/", "%", "atan2": return 5
        case "^": return 6
        default: return nil
        }
    }

    struct Parser {
        var tokens: [Token]
        var position: Int

        var current: Token? { position < tokens.count ? tokens[position] : nil }
        mutating func take() -> Token? { defer { position += 1 }; return current }
        func isSymbol(_ s: String) -> Bool { current?.kind == .symbol && current?.text == s }
        func isWord(_ s: String) -> Bool { current?.kind == .identifier && current?.text.lowercased() == s }
        mutating func expect(_ s: String) throws(Unreadable) {
            guard isSymbol(s) else { throw Unreadable("expected \(s)" + (current.map { " before \($0.text)" } ?? " at the end")) }
            position += 1
        }

        mutating func expression(_ minimum: Int) throws(Unreadable) -> Node {
            var left = try unary()
            while let token = current, let p = Self.precedenceOf(token), p > minimum {
                position += 1
                let op = token.kind == .identifier ? token.text.lowercased() : token.text
                if isWord("bool") { position += 1 }
                if isWord("on") || isWord("ignoring") { position += 1; try labels() }
                if isWord("group_left") || isWord("group_right") { position += 1; if isSymbol("(") { try labels() } }
                let right = try expression(op == "^" ? p - 1 : p)
                left = .binary(op, left, right)
            }
            return left
        }

        static func precedenceOf(_ token: Token) -> Int? { VolumeAlertExpression.precedence(token) }

        mutating func unary() throws(Unreadable) -> Node {
            if isSymbol("-") || isSymbol("+") {
                let op = take()!.text
                // Unary minus binds looser than ^ (-2^2 is -4), tighter than * and /.
                return .unary(op, try expression(5))
            }
            return try postfix(try primary())
        }

        mutating func postfix(_ node: Node) throws(Unreadable) -> Node {
            while let token = current {
                if token.kind == .duration && token.text.hasPrefix("[") { position += 1; continue }
                if isWord("offset") {
                    position += 1
                    if isSymbol("-") { position += 1 }
                    guard current?.kind == .duration || current?.kind == .number else { throw Unreadable("offset without a duration") }
                    position += 1
                    continue
                }
                if isSymbol("@") { position += 1; _ = take(); if isSymbol("(") { position += 1; try expect(")") }; continue }
                break
            }
            return node
        }

        mutating func labels() throws(Unreadable) {
            try expect("(")
            while !isSymbol(")") {
                guard let t = take(), t.kind == .identifier || t.kind == .string else { throw Unreadable("expected a label name") }
                if isSymbol(",") { position += 1 }
            }
            position += 1
        }

        mutating func arguments() throws(Unreadable) -> [Node] {
            try expect("(")
            var args: [Node] = []
            while !isSymbol(")") {
                args.append(try expression(0))
                if isSymbol(",") { position += 1 } else if !isSymbol(")") { throw Unreadable("expected , or )") }
            }
            position += 1
            return args
        }

        mutating func matchers() throws(Unreadable) -> [Matcher] {
            try expect("{")
            var out: [Matcher] = []
            while !isSymbol("}") {
                guard let label = take(), label.kind == .identifier || label.kind == .string else { throw Unreadable("expected a label matcher") }
                guard let op = take(), op.kind == .symbol, ["=", "!=", "=~", "!~"].contains(op.text) else { throw Unreadable("expected =, !=, =~ or !~") }
                guard let value = take(), value.kind == .string else { throw Unreadable("expected a quoted label value") }
                out.append(Matcher(label: label.text, op: op.text, value: value.text))
                if isSymbol(",") { position += 1 } else if !isSymbol("}") { throw Unreadable("expected , or }") }
            }
            position += 1
            return out
        }

        mutating func primary() throws(Unreadable) -> Node {
            guard let token = take() else { throw Unreadable("the expression ends early") }
            switch token.kind {
            case .number: return .number(token.number, token.text)
            case .string: return .string(token.text)
            case .duration: throw Unreadable("unexpected \(token.text)")
            case .symbol:
                if token.text == "(" {
                    let inner = try expression(0)
                    try expect(")")
                    return inner
                }
                if token.text == "{" {
                    position -= 1
                    let all = try matchers()
                    let name = all.first { $0.label == "__name__" && $0.op == "=" }?.value ?? ""
                    return .selector(name: name, matchers: all.filter { $0.label != "__name__" })
                }
                throw Unreadable("unexpected \(token.text)")
            case .identifier:
                let name = token.text
                if VolumeAlertExpression.aggregations.contains(name.lowercased()) && (isSymbol("(") || isWord("by") || isWord("without")) {
                    if isWord("by") || isWord("without") { position += 1; try labels() }
                    let args = try arguments()
                    if isWord("by") || isWord("without") { position += 1; try labels() }
                    return .call(name.lowercased(), args)
                }
                if isSymbol("(") { return .call(name, try arguments()) }
                return .selector(name: name, matchers: isSymbol("{") ? try matchers() : [])
            }
        }
    }

    // MARK: reading

    /// What a sub-expression is, as far as volume usage goes.
    enum Term {
        case number(Double)
        /// `C^power · (a·u + b)` for the metric family (`bytes`, `inodes`); `available` when the available
        /// metric takes part (for naming the ratio).
        case usage(family: String, a: Double, b: Double, power: Int, available: Bool)
        /// Some other series: another metric, a prediction; `volume` when volume metrics feed it.
        case other(volume: Bool)
        /// A volume quantity that cannot be read as above (the reason).
        case unreadable(String)
    }

    struct Reader {
        var thresholds: [Threshold] = []
        var problems: [String] = []
        var matchers: [Matcher] = []
        var mentionsVolumeStats = false

        static let leaves: [String: (family: String, a: Double, b: Double, available: Bool)] = [
            "kubelet_volume_stats_used_bytes": ("bytes", 1, 0, false),
            "kubelet_volume_stats_available_bytes": ("bytes", -1, 1, true),
            "kubelet_volume_stats_capacity_bytes": ("bytes", 0, 1, false),
            "kubelet_volume_stats_inodes_used": ("inodes", 1, 0, false),
            "kubelet_volume_stats_inodes_free": ("inodes", -1, 1, true),
            "kubelet_volume_stats_inodes": ("inodes", 0, 1, false),
        ]
        /// Functions whose value follows their (last) series argument.
        static let passThrough: Set<String> = ["max_over_time", "min_over_time", "avg_over_time", "last_over_time",
                                               "quantile_over_time", "sort", "sort_desc", "label_replace", "label_join",
                                               "sum", "min", "max", "avg", "topk", "bottomk", "quantile", "limitk", "limit_ratio"]
        /// Functions that turn their argument into something else than a usage level (rates, predictions, counts).
        static let opaque: Set<String> = ["predict_linear", "deriv", "rate", "irate", "increase", "delta", "idelta", "changes",
                                          "resets", "holt_winters", "double_exponential_smoothing", "absent", "absent_over_time",
                                          "present_over_time", "count_over_time", "stddev_over_time", "stdvar_over_time",
                                          "timestamp", "count", "count_values", "group", "stddev", "stdvar", "vector", "time"]

        static func isVolume(_ r: Term) -> Bool {
            switch r {
            case .number: false
            case .usage, .unreadable: true
            case .other(let volume): volume
            }
        }

        mutating func value(_ node: Node) -> Term {
            switch node {
            case .number(let n, _): return .number(n)
            case .string: return .other(volume: false)
            case .selector(let name, let selectorMatchers):
                guard name.hasPrefix(VolumeAlertExpression.volumePrefix) else { return .other(volume: false) }
                mentionsVolumeStats = true
                for m in selectorMatchers where !matchers.contains(m) { matchers.append(m) }
                guard let leaf = Self.leaves[name] else { return .other(volume: true) }
                return .usage(family: leaf.family, a: leaf.a, b: leaf.b, power: 1, available: leaf.available)
            case .call(let name, let args):
                let values = args.map { value($0) }
                let series = values.last { if case .number = $0 { false } else { true } }
                if Self.passThrough.contains(name) { return series ?? .other(volume: false) }
                if name == "scalar", case .number(let n)? = values.first { return .number(n) }
                let volume = values.contains(where: Self.isVolume)
                if Self.opaque.contains(name) || !volume { return .other(volume: volume) }
                return .unreadable("the function \(name)() of a volume metric")
            case .unary(let op, let inner):
                let v = value(inner)
                return op == "-" ? arithmetic("*", .number(-1), v) : v
            case .binary(let op, let l, let r):
                let left = value(l), right = value(r)
                switch op {
                case "and", "unless": return left
                case "or": return .other(volume: Self.isVolume(left) || Self.isVolume(right))
                case _ where VolumeAlertExpression.comparisons.contains(op):
                    compare(op, left, right)
                    return left
                default: return arithmetic(op, left, right)
                }
            }
        }

        func arithmetic(_ op: String, _ l: Term, _ r: Term) -> Term {
            switch (l, r) {
            case (.unreadable, _): return l
            case (_, .unreadable): return r
            case (.number(let x), .number(let y)):
                switch op {
                case "+": return .number(x + y)
                case "-": return .number(x - y)
                case "*": return .number(x * y)
                case "/": return .number(x / y)
                case "^": return .number(pow(x, y))
                default: return .other(volume: false)
                }
            case (.other(let v), _): return .other(volume: v || Self.isVolume(r))
            case (_, .other(let v)): return .other(volume: v || Self.isVolume(l))
            case (.usage(let f, let a, let b, let p, let av), .number(let k)):
                switch op {
                case "*": return .usage(family: f, a: a * k, b: b * k, power: p, available: av)
                case "/" where k != 0: return .usage(family: f, a: a / k, b: b / k, power: p, available: av)
                case "+" where p == 0: return .usage(family: f, a: a, b: b + k, power: p, available: av)
                case "-" where p == 0: return .usage(family: f, a: a, b: b - k, power: p, available: av)
                case "+", "-": return .other(volume: true)   // bytes plus a constant: not a ratio
                default: return .unreadable("\(op) applied to a volume ratio")
                }
            case (.number(let k), .usage(let f, let a, let b, let p, let av)):
                switch op {
                case "*": return .usage(family: f, a: a * k, b: b * k, power: p, available: av)
                case "+" where p == 0: return .usage(family: f, a: a, b: b + k, power: p, available: av)
                case "-" where p == 0: return .usage(family: f, a: -a, b: k - b, power: p, available: av)
                case "+", "-": return .other(volume: true)
                default: return .unreadable("a number \(op) a volume metric")
                }
            case (.usage(let f1, let a1, let b1, let p1, let av1), .usage(let f2, let a2, let b2, let p2, let av2)):
                guard f1 == f2 else { return .unreadable("bytes and inodes in one expression") }
                switch op {
                case "+" where p1 == p2: return .usage(family: f1, a: a1 + a2, b: b1 + b2, power: p1, available: av1 || av2)
                case "-" where p1 == p2: return .usage(family: f1, a: a1 - a2, b: b1 - b2, power: p1, available: av1 || av2)
                case "/" where a2 == 0 && b2 != 0 && p1 - p2 == 0:
                    return .usage(family: f1, a: a1 / b2, b: b1 / b2, power: 0, available: av1 || av2)
                case "/": return .unreadable("a ratio whose denominator is not the capacity")
                default: return .unreadable("\(op) of two volume metrics")
                }
            }
        }

        /// Records the threshold a comparison sets on the used fraction, or why it cannot be read.
        mutating func compare(_ op: String, _ l: Term, _ r: Term) {
            func flipped(_ op: String) -> String {
                switch op { case "<": ">"; case "<=": ">="; case ">": "<"; case ">=": "<="; default: op }
            }
            switch (l, r) {
            case (.unreadable(let why), _), (_, .unreadable(let why)):
                problems.append(why)
            case (.usage(let f, let a, let b, let p, let av), .number(let k)):
                record(op, k, f, a, b, p, av)
            case (.number(let k), .usage(let f, let a, let b, let p, let av)):
                record(flipped(op), k, f, a, b, p, av)
            case (.usage(_, _, _, 0, _), .usage), (.usage(_, _, _, 0, _), .other),
                 (.usage, .usage(_, _, _, 0, _)), (.other, .usage(_, _, _, 0, _)):
                problems.append("a volume ratio compared with another series, not a number")
            default:
                break   // guards such as used_bytes > 0, predictions, other metrics
            }
        }

        mutating func record(_ op: String, _ k: Double, _ family: String, _ a: Double, _ b: Double, _ power: Int, _ available: Bool) {
            guard power == 0, a != 0, ["<", "<=", ">", ">="].contains(op) else { return }
            let bound = (k - b) / a
            let upward = (op.hasPrefix(">")) == (a > 0)   // holds when usage is high
            guard upward else { return }
            let name = family == "bytes" ? (available ? "available/capacity" : "used/capacity")
                                         : (available ? "inodes_free/inodes" : "inodes_used/inodes")
            thresholds.append(Threshold(metric: name, op: op, threshold: k, usedFraction: (bound * 1e9).rounded() / 1e9))
        }
    }
}
