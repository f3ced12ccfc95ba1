import Foundation

/// A CEL timestamp: nanoseconds since the Unix epoch, within 0001-01-01T00:00:00Z ... 9999-12-31T23:59:59.999999999Z.
public struct CELTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    public let nanoseconds: Int128
    static let minSeconds: Int128 = -62_135_596_800          // 0001-01-01T00:00:00Z
    static let maxSeconds: Int128 = 253_402_300_799          // 9999-12-31T23:59:59Z
    static let perSecond: Int128 = 1_000_000_000

    /// Fails (nil) outside the CEL timestamp range.
    public init?(nanoseconds: Int128) {
        guard nanoseconds >= CELTimestamp.minSeconds * CELTimestamp.perSecond,
              nanoseconds <= CELTimestamp.maxSeconds * CELTimestamp.perSecond + 999_999_999 else { return nil }
        self.nanoseconds = nanoseconds
    }
    public static func < (a: Self, b: Self) -> Bool { a.nanoseconds < b.nanoseconds }

    var seconds: Int128 { floorDiv(nanoseconds, CELTimestamp.perSecond) }
    var subsecondNanos: Int128 { nanoseconds - seconds * CELTimestamp.perSecond }

    /// RFC 3339 in UTC with as many fractional digits as needed (Go's `time.RFC3339Nano`).
    public var description: String {
        let civil = CivilTime(seconds: seconds)
        var out = pad(civil.year, 4) + "-" + pad(civil.month, 2) + "-" + pad(civil.day, 2) + "T"
        out += pad(civil.hour, 2) + ":" + pad(civil.minute, 2) + ":" + pad(civil.second, 2)
        out += fraction(subsecondNanos)
        return out + "Z"
    }

    /// Parses RFC 3339 (`2009-02-13T23:31:30Z`, `...30.5+01:00`).
    static func parse(_ text: String) -> CELTimestamp? {
        let b = Array(text.utf8)
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= b.count else { return nil }
            var v = 0
            for _ in 0..<n {
                guard b[i] >= 48 && b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48); i += 1
            }
            return v
        }
        func expect(_ c: UInt8) -> Bool { guard i < b.count, b[i] == c else { return false }; i += 1; return true }
        guard let year = digits(4), expect(45), let month = digits(2), expect(45), let day = digits(2),
              expect(84), let hour = digits(2), expect(58), let minute = digits(2), expect(58),
              let second = digits(2) else { return nil }
        var nanos: Int128 = 0
        if i < b.count, b[i] == 46 {
            i += 1
            var count = 0
            while i < b.count, b[i] >= 48 && b[i] <= 57 {
                if count < 9 { nanos = nanos * 10 + Int128(b[i] - 48) }
                count += 1; i += 1
            }
            guard count > 0 else { return nil }
            for _ in count..<max(count, 9) { nanos *= 10 }
        }
        var offset = 0
        if expect(90) {
        } else if i < b.count, b[i] == 43 || b[i] == 45 {
            let negative = b[i] == 45; i += 1
            guard let oh = digits(2), expect(58), let om = digits(2), oh < 24, om < 60 else { return nil }
            offset = (oh * 3600 + om * 60) * (negative ? -1 : 1)
        } else { return nil }
        guard i == b.count, (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60 else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let secs = Int128(days) * 86_400 + Int128(hour * 3600 + minute * 60 + second - offset)
        return CELTimestamp(nanoseconds: secs * perSecond + nanos)
    }
}

/// A CEL duration: signed nanoseconds in an Int64, the range Go's `time.Duration` (and cel-go) has.
public struct CELDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Signed length in nanoseconds.
    public let nanoseconds: Int64
    /// A duration of `nanoseconds`.
    public init(nanoseconds: Int64) { self.nanoseconds = nanoseconds }
    public static func < (a: Self, b: Self) -> Bool { a.nanoseconds < b.nanoseconds }

    /// Seconds with the fraction as needed: `1.5s`, `-60s`, `0s` (the form cel-go prints).
    public var description: String {
        let magnitude = nanoseconds.magnitude
        let sign = nanoseconds < 0 ? "-" : ""
        return sign + String(magnitude / 1_000_000_000) + fraction(Int128(magnitude % 1_000_000_000)) + "s"
    }

    /// Parses Go's duration syntax (`1h30m`, `1.5s`, `-300ms`, `0`).
    static func parse(_ text: String) -> CELDuration? {
        var s = Substring(text)
        var negative = false
        if let f = s.first, f == "-" || f == "+" { negative = f == "-"; s = s.dropFirst() }
        if s == "0" { return CELDuration(nanoseconds: 0) }
        guard !s.isEmpty else { return nil }
        var total: Int128 = 0
        while !s.isEmpty {
            var whole: Int128 = 0, frac: Int128 = 0, fracScale: Int128 = 1, sawDigit = false
            while let c = s.first, let d = c.wholeNumberValue, c.isASCII {
                whole = whole * 10 + Int128(d); sawDigit = true; s = s.dropFirst()
                guard whole < Int128(1) << 80 else { return nil }
            }
            if s.first == "." {
                s = s.dropFirst()
                while let c = s.first, let d = c.wholeNumberValue, c.isASCII {
                    if fracScale < 1_000_000_000_000_000_000 { frac = frac * 10 + Int128(d); fracScale *= 10 }
                    sawDigit = true; s = s.dropFirst()
                }
            }
            guard sawDigit else { return nil }
            let unitText = s.prefix(while: { !($0.isASCII && ($0.isNumber || $0 == ".")) })
            s = s.dropFirst(unitText.count)
            let unit: Int128
            switch unitText {
            case "ns": unit = 1
            case "us", "µs", "μs": unit = 1_000
            case "ms": unit = 1_000_000
            case "s": unit = 1_000_000_000
            case "m": unit = 60_000_000_000
            case "h": unit = 3_600_000_000_000
            default: return nil
            }
            total += whole * unit + frac * unit / fracScale
            guard total <= Int128(Int64.max) + 1 else { return nil }
        }
        let signed = negative ? -total : total
        guard let n = Int64(exactly: signed) else { return nil }
        return CELDuration(nanoseconds: n)
    }
}

func floorDiv(_ a: Int128, _ b: Int128) -> Int128 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}

private func pad(_ v: Int, _ width: Int) -> String {
    let s = String(v)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}

/// `.5`, `.000000001`: fractional seconds with trailing zeros removed; empty when zero.
func fraction(_ nanos: Int128) -> String {
    guard nanos != 0 else { return "" }
    var digits = pad(Int(nanos), 9)
    while digits.hasSuffix("0") { digits.removeLast() }
    return "." + digits
}

func isLeap(_ y: Int) -> Bool { y % 4 == 0 && (y % 100 != 0 || y % 400 == 0) }
func daysIn(month: Int, year: Int) -> Int {
    switch month {
    case 2: isLeap(year) ? 29 : 28
    case 4, 6, 9, 11: 30
    default: 31
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
    let y = month <= 2 ? year - 1 : year
    let era = (y >= 0 ? y : y - 399) / 400
    let yoe = y - era * 400
    let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
    return era * 146_097 + doe - 719_468
}

/// The calendar fields of a moment, in a zone already applied to `seconds`.
struct CivilTime {
    var year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0, dayOfWeek = 0, dayOfYear = 0
    init(seconds: Int128) {
        let days = Int(floorDiv(seconds, 86_400))
        let rem = Int(seconds - Int128(days) * 86_400)
        hour = rem / 3600; minute = rem % 3600 / 60; second = rem % 60
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        day = doy - (153 * mp + 2) / 5 + 1
        month = mp < 10 ? mp + 3 : mp - 9
        year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        dayOfWeek = ((days % 7) + 11) % 7          // 1970-01-01 was a Thursday (4)
        dayOfYear = days - daysFromCivil(year: year, month: 1, day: 1)
    }
}

/// The UTC offset in seconds of `zone` (IANA name, `UTC`, or `[+-]HH:MM`) at the moment given.
func zoneOffset(_ zone: String, atSeconds seconds: Int128) -> Int? {
    let b = Array(zone.utf8)
    if b.count >= 4, b.allSatisfy({ ($0 >= 48 && $0 <= 58) || $0 == 43 || $0 == 45 }) {
        var i = 0
        var sign = 1
        if b[0] == 43 || b[0] == 45 { sign = b[0] == 45 ? -1 : 1; i = 1 }
        let parts = String(decoding: b[i...], as: UTF8.self).split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let h = Int(parts[0]), let m = Int(parts[1]), h < 24, m < 60 else { return nil }
        return sign * (h * 3600 + m * 60)
    }
    if zone == "UTC" || zone == "Z" { return 0 }
    // IANA names only: the name becomes a path under the zoneinfo directory.
    guard !zone.contains(".."), !zone.hasPrefix("/"),
          zone.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "_/+-".unicodeScalars.contains($0)) }),
          let tz = TimeZone(identifier: zone) else { return nil }
    let date = Date(timeIntervalSince1970: Double(seconds))
    return tz.secondsFromGMT(for: date)
}
