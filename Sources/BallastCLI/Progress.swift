/// A one-line progress message on standard error, only when it is a terminal and the work is long.
struct Progress {
    let enabled: Bool
    init(label: String, total: Int) {
        enabled = total >= 2_000 && isTerminal(2)
        if enabled { writeAll("ballast: \(label) \(total) files…", to: 2) }
    }
    func finish() { if enabled { writeAll("\r\u{1B}[K", to: 2) } }
}
