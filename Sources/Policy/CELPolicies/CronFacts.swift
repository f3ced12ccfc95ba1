import Glibc
import KubeModel
import CEL
import Synchronization

/// `cron(expr)` for policies: the facts of a schedule (KubeModel's `CronSchedule`), cached by expression.
enum CronFacts {
    private static let cache = Mutex<[String: CELValue]>([:])

    /// `cron(expr)` → `{valid, intervalSeconds, next}`; cached by expression (a repository has few).
    static func facts(_ expression: String) -> CELValue {
        if let cached = cache.withLock({ $0[expression] }) { return cached }
        let result: CELValue
        if let schedule = CronSchedule(expression), let gaps = schedule.gaps(from: Int64(time(nil))) {
            result = .map([
                (.string("valid"), .bool(true)),
                (.string("intervalSeconds"), .int(Int64(gaps.longest))),
                (.string("next"), gaps.next.map { .string(rfc3339(Int($0))) } ?? .null),
            ])
        } else {
            result = .map([(.string("valid"), .bool(false)), (.string("intervalSeconds"), .int(0)), (.string("next"), .null)])
        }
        cache.withLock { $0[expression] = result }
        return result
    }

    static func rfc3339(_ seconds: Int) -> String {
        var t = time_t(seconds)
        var p = tm()
        gmtime_r(&t, &p)
        func two(_ v: Int32) -> String { v < 10 ? "0\(v)" : "\(v)" }
        return "\(p.tm_year + 1900)-\(two(p.tm_mon + 1))-\(two(p.tm_mday))T\(two(p.tm_hour)):\(two(p.tm_min)):\(two(p.tm_sec))Z"
    }
}
