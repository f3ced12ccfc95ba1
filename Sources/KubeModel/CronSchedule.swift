import Glibc

/// Standard 5-field cron schedules as the CronJob controller reads them (robfig/cron's standard parser):
/// minute hour day-of-month month day-of-week, with `*`, lists, ranges, steps, month and day names and the
/// `@hourly`-style macros. When both day fields are restricted a day matches either (Vixie cron).
public struct CronSchedule: Sendable, Equatable {
    var minutes: [Bool], hours: [Bool], days: [Bool], months: [Bool], weekdays: [Bool]
    var dayRestricted: Bool, weekdayRestricted: Bool

    /// The schedule of a 5-field expression or macro; nil when it does not parse.
    public init?(_ expression: String) {
        var text = expression.trimmingCharacters(in: " \t")
        if text.hasPrefix("TZ=") || text.hasPrefix("CRON_TZ=") {
            text = text.split(separator: " ", maxSplits: 1).dropFirst().first.map(String.init) ?? ""
        }
        switch text {
        case "@yearly", "@annually": text = "0 0 1 1 *"
        case "@monthly": text = "0 0 1 * *"
        case "@weekly": text = "0 0 * * 0"
        case "@daily", "@midnight": text = "0 0 * * *"
        case "@hourly": text = "0 * * * *"
        default: break
        }
        let fields = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
        guard fields.count == 5 else { return nil }
        let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let dayNames = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
        guard let minutes = Self.field(fields[0], 0, 59, names: []),
              let hours = Self.field(fields[1], 0, 23, names: []),
              let days = Self.field(fields[2], 1, 31, names: []),
              let months = Self.field(fields[3], 1, 12, names: monthNames, nameBase: 1),
              var weekdays = Self.field(fields[4], 0, 7, names: dayNames) else { return nil }
        if weekdays[7] { weekdays[0] = true }   // 7 is Sunday too
        self.minutes = minutes; self.hours = hours; self.days = days; self.months = months
        self.weekdays = Array(weekdays[0..<7])
        dayRestricted = !(fields[2] == "*" || fields[2] == "?")
        weekdayRestricted = !(fields[4] == "*" || fields[4] == "?")
    }

    private static func field(_ text: String, _ low: Int, _ high: Int, names: [String], nameBase: Int = 0) -> [Bool]? {
        var set = [Bool](repeating: false, count: high + 1)
        func number(_ s: Substring) -> Int? {
            if let n = Int(s) { return n }
            if let i = names.firstIndex(of: s.lowercased()) { return i + nameBase }
            return nil
        }
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            var range = part, step = 1
            if let slash = part.firstIndex(of: "/") {
                guard let s = Int(part[part.index(after: slash)...]), s > 0 else { return nil }
                step = s
                range = part[..<slash]
            }
            var start = low, end = high
            if range == "*" || range == "?" {
            } else if let dash = range.firstIndex(of: "-") {
                guard let a = number(range[..<dash]), let b = number(range[range.index(after: dash)...]) else { return nil }
                start = a; end = b
            } else {
                guard let a = number(range) else { return nil }
                start = a; end = step > 1 ? high : a
            }
            guard start >= low, end <= high, start <= end else { return nil }
            var v = start
            while v <= end { set[v] = true; v += step }
        }
        return set
    }

    /// Whether the schedule fires on a day.
    public func firesOn(month: Int, day: Int, weekday: Int) -> Bool {
        guard months[month] else { return false }
        if dayRestricted && weekdayRestricted { return days[day] || weekdays[weekday] }
        if dayRestricted { return days[day] }
        if weekdayRestricted { return weekdays[weekday] }
        return true
    }

    /// The runs over a 400-day window from `start` (Unix seconds, UTC): the longest gap between two
    /// consecutive runs (how old the last run may be just before the next one), the first run after
    /// `start`, and how many runs there were; nil when it never fires in the window. (A CronJob's
    /// `timeZone` moves runs by whole hours: a daylight-saving shift lengthens one gap by an hour.)
    public func gaps(from start: Int64) -> (longest: Int64, next: Int64?, runs: Int)? {
        let dayStart = start - ((start % 86_400) + 86_400) % 86_400
        var previous: Int64?
        var longest: Int64 = 0
        var next: Int64?
        var runs = 0
        let firings = (0..<24).filter { hours[$0] }.flatMap { h in (0..<60).filter { minutes[$0] }.map { Int64(h * 3600 + $0 * 60) } }
        for d in 0..<400 {
            let day = dayStart + Int64(d) * 86_400
            var t = time_t(day)
            var parts = tm()
            gmtime_r(&t, &parts)
            guard firesOn(month: Int(parts.tm_mon) + 1, day: Int(parts.tm_mday), weekday: Int(parts.tm_wday)) else { continue }
            for offset in firings {
                let when = day + offset
                if let p = previous { longest = max(longest, when - p) }
                previous = when
                runs += 1
                if next == nil && when > start { next = when }
            }
        }
        return previous == nil ? nil : (longest, next, runs)
    }
}
