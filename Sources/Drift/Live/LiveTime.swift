import Glibc

/// Times and durations as the API and Ballast's annotations write them, in whole Unix seconds.
enum LiveTime {
    /// RFC 3339 (`2026-11-28T02:21:40Z`, `2026-11-28T02:21:40.123+01:00`) → Unix seconds; nil when
    /// malformed. Fractions of a second are dropped.
    static func parse(_ text: String) -> Int64? {
        let b = Array(text.utf8)
        guard b.count >= 20, b[4] == UInt8(ascii: "-"), b[7] == UInt8(ascii: "-"),
              b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t") || b[10] == UInt8(ascii: " "),
              b[13] == UInt8(ascii: ":"), b[16] == UInt8(ascii: ":") else { return nil }
        func digits(_ range: Range<Int>) -> Int? {
            var n = 0
            for i in range {
                guard b[i] >= 0x30 && b[i] <= 0x39 else { return nil }
                n = n * 10 + Int(b[i] - 0x30)
            }
            return n
        }
        guard let year = digits(0..<4), let month = digits(5..<7), let day = digits(8..<10),
              let hour = digits(11..<13), let minute = digits(14..<16), let second = digits(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var i = 19
        if i < b.count && b[i] == UInt8(ascii: ".") {
            i += 1
            while i < b.count && b[i] >= 0x30 && b[i] <= 0x39 { i += 1 }
        }
        var offset = 0
        guard i < b.count else { return nil }
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard i + 6 == b.count, b[i + 3] == UInt8(ascii: ":"), let h = digits((i + 1)..<(i + 3)),
                  let m = digits((i + 4)..<(i + 6)) else { return nil }
            offset = (h * 3600 + m * 60) * (b[i] == UInt8(ascii: "+") ? 1 : -1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900); parts.tm_mon = Int32(month - 1); parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour); parts.tm_min = Int32(minute); parts.tm_sec = Int32(second)
        return Int64(timegm(&parts)) - Int64(offset)
    }

    /// A Go-style duration of whole units (`15m`, `1h`, `24h`, `1h30m`, `90s`, `7d`) → seconds; nil when
    /// malformed, zero or negative. `d` (days) is accepted beyond Go's units: RPOs are often days.
    static func duration(_ text: String) -> Int64? {
        var total: Int64 = 0
        var number: Int64?
        var sawUnit = false
        for c in text.trimmingCharacters(in: " \t").utf8 {
            if c >= 0x30 && c <= 0x39 {
                let (times, o1) = (number ?? 0).multipliedReportingOverflow(by: 10)
                let (value, o2) = times.addingReportingOverflow(Int64(c - 0x30))
                guard !o1 && !o2 else { return nil }
                number = value
                continue
            }
            let unit: Int64
            switch c {
            case UInt8(ascii: "s"): unit = 1
            case UInt8(ascii: "m"): unit = 60
            case UInt8(ascii: "h"): unit = 3600
            case UInt8(ascii: "d"): unit = 86_400
            default: return nil
            }
            guard let n = number else { return nil }
            let (part, o1) = n.multipliedReportingOverflow(by: unit)
            let (sum, o2) = total.addingReportingOverflow(part)
            guard !o1 && !o2 else { return nil }
            total = sum
            number = nil
            sawUnit = true
        }
        guard sawUnit, number == nil, total > 0 else { return nil }
        return total
    }

    /// `1h30m`, `2d4h`, `45s`: a short human form of a number of seconds.
    static func describe(_ seconds: Int64) -> String {
        if seconds < 60 { return "\(seconds)s" }
        let days = seconds / 86_400, hours = (seconds % 86_400) / 3600, minutes = (seconds % 3600) / 60
        var out = ""
        if days > 0 { out += "\(days)d" }
        if hours > 0 { out += "\(hours)h" }
        if minutes > 0 && days == 0 { out += "\(minutes)m" }
        return out.isEmpty ? "\(seconds)s" : out
    }
}
