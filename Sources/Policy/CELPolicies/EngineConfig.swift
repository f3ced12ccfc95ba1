/// Configuration file readers for the engines Ballast knows. They work on the UTF-8 bytes: a workload's
/// config is read by several rules, on every workload of a repository.
enum EngineConfig {
    /// redis.conf: `directive value...`; the last occurrence wins, repeated `save` lines are joined by `;`.
    static func redis(_ text: String) -> [(String, String)] {
        var settings = Settings()
        forEachLine(text) { line in
            let line = trim(line)
            guard let first = line.first, first != UInt8(ascii: "#") else { return }
            let keyEnd = line.firstIndex(where: { $0 == space || $0 == tab }) ?? line.endIndex
            let key = lowercased(line[..<keyEnd])
            var value = trim(line[keyEnd...])
            if value.count >= 2, let f = value.first, f == doubleQuote || f == quote, value.last == f {
                value = value.dropFirst().dropLast()
            }
            settings.set(key, string(value), joiningRepeats: key == "save")
        }
        return settings.pairs
    }

    /// postgresql.conf: `name = value` (the `=` optional), `#` comments, single-quoted values unquoted;
    /// names are case-insensitive; the last occurrence wins.
    static func postgres(_ text: String) -> [(String, String)] {
        var settings = Settings()
        forEachLine(text) { raw in
            var line = raw
            // Cut a comment that is not inside quotes.
            var inQuote = false
            for i in line.indices {
                if line[i] == quote { inQuote.toggle() }
                if line[i] == hash && !inQuote { line = line[..<i]; break }
            }
            line = trim(line)
            guard !line.isEmpty else { return }
            let keyEnd = line.firstIndex(where: { $0 == space || $0 == tab || $0 == equals }) ?? line.endIndex
            let key = lowercased(line[..<keyEnd])
            var rest = trim(line[keyEnd...])
            if rest.first == equals { rest = trim(rest.dropFirst()) }
            var value = string(rest)
            if rest.count >= 2, rest.first == quote, rest.last == quote {
                value = string(rest.dropFirst().dropLast())
                if value.utf8.contains(quote) { value = value.replacingAll("''", "'") }
            }
            settings.set(key, value, joiningRepeats: false)
        }
        return settings.pairs
    }

    /// rabbitmq.conf (the sysctl-like format): `key = value`, `#` comment lines; keys as written (they are
    /// lowercase dotted paths); the last occurrence wins.
    static func rabbitmq(_ text: String) -> [(String, String)] {
        var settings = Settings()
        forEachLine(text) { raw in
            let line = trim(raw)
            guard let first = line.first, first != hash, let eq = line.firstIndex(of: equals) else { return }
            let key = string(trim(line[..<eq]))
            guard !key.isEmpty else { return }
            settings.set(key, string(trim(line[line.index(after: eq)...])), joiningRepeats: false)
        }
        return settings.pairs
    }

    private typealias Bytes = ArraySlice<UInt8>
    private static let space = UInt8(ascii: " "), tab = UInt8(ascii: "\t"), hash = UInt8(ascii: "#")
    private static let quote = UInt8(ascii: "'"), doubleQuote = UInt8(ascii: "\""), equals = UInt8(ascii: "=")

    /// Settings in first-seen order, the last value kept (or repeats joined by `;`).
    private struct Settings {
        var order: [String] = []
        var values: [String: String] = [:]
        mutating func set(_ key: String, _ value: String, joiningRepeats: Bool) {
            if let previous = values[key] {
                values[key] = joiningRepeats ? previous + ";" + value : value
            } else {
                order.append(key)
                values[key] = value
            }
        }
        var pairs: [(String, String)] { order.map { ($0, values[$0] ?? "") } }
    }

    /// Calls `body` with each line (split at \n and \r, empty lines skipped).
    private static func forEachLine(_ text: String, _ body: (Bytes) -> Void) {
        let bytes = Array(text.utf8)[...]
        var start = bytes.startIndex
        for i in bytes.indices where bytes[i] == 10 || bytes[i] == 13 {
            if i > start { body(bytes[start..<i]) }
            start = i + 1
        }
        if start < bytes.endIndex { body(bytes[start...]) }
    }

    private static func trim(_ s: Bytes) -> Bytes {
        var s = s
        while let f = s.first, f == space || f == tab { s = s.dropFirst() }
        while let l = s.last, l == space || l == tab { s = s.dropLast() }
        return s
    }

    private static func string(_ s: Bytes) -> String { String(decoding: s, as: UTF8.self) }

    /// Lowercased: ASCII by table, anything else as Swift lowercases it.
    private static func lowercased(_ s: Bytes) -> String {
        guard s.allSatisfy({ $0 < 128 }) else { return string(s).lowercased() }
        if !s.contains(where: { $0 >= 65 && $0 <= 90 }) { return string(s) }
        return String(decoding: s.map { $0 >= 65 && $0 <= 90 ? $0 + 32 : $0 }, as: UTF8.self)
    }
}
