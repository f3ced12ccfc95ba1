import Glibc
import Synchronization

/// Where a lint run spends its time, for whoever tunes Ballast: with `BALLAST_PROFILE=1` in the
/// environment, the phases and the time of each policy rule (summed over objects and cores) go to stderr
/// at the end of the run. Off, it costs one branch per rule evaluation.
public enum Profile {
    /// Whether `BALLAST_PROFILE` is set (read once).
    public static let enabled: Bool = getenv("BALLAST_PROFILE") != nil

    private static let clock = ContinuousClock()
    private static let start = clock.now
    private static let phases = Mutex<[(String, Duration)]>([])
    private static let rules = Mutex<[String: (time: Duration, count: Int)]>([:])

    /// The time now, when profiling (nil otherwise).
    public static func now() -> ContinuousClock.Instant? { enabled ? clock.now : nil }

    /// Records that a phase ended (time since the process's first profile call).
    public static func phase(_ name: String) {
        guard enabled else { return }
        let elapsed = clock.now - start
        phases.withLock { $0.append((name, elapsed)) }
    }

    /// Adds the time one rule took on one object.
    static func rule(_ id: String, since begin: ContinuousClock.Instant?) {
        guard let begin else { return }
        let spent = clock.now - begin
        rules.withLock { table in
            let old = table[id] ?? (.zero, 0)
            table[id] = (old.time + spent, old.count + 1)
        }
    }

    /// Writes the phases and the rules (slowest first) to stderr.
    public static func report() {
        guard enabled else { return }
        var text = "profile: phases (seconds since start)\n"
        for (name, at) in phases.withLock({ $0 }) { text += "  \(seconds(at))  \(name)\n" }
        text += "profile: rules (seconds over all objects and cores, evaluations)\n"
        for (id, entry) in rules.withLock({ $0 }).sorted(by: { $0.value.time > $1.value.time }) {
            text += "  \(seconds(entry.time))  \(id)  \(entry.count)\n"
        }
        _ = text.withCString { write(2, $0, strlen($0)) }
    }

    private static func seconds(_ d: Duration) -> String {
        let ms = d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        let s = String(ms / 1000), frac = String(ms % 1000)
        return s + "." + String(repeating: "0", count: 3 - frac.count) + frac
    }
}
