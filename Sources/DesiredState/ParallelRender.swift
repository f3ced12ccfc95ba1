import Foundation

extension Kustomize {
    /// `kubectl kustomize` on each directory, up to `width` at once (each render is its own process: on N
    /// cores N renders take about the time of one). The results come back in the order of `directories`,
    /// whatever order the renders finish in, so the report does not depend on scheduling.
    func renderAll(_ directories: [String], width: Int = ProcessInfo.processInfo.activeProcessorCount)
        -> [Result<[UInt8], RenderFailure>] {
        let workers = max(1, min(width, directories.count))
        if workers == 1 { return directories.map { render(directory: $0) } }
        let results = RenderResults(count: directories.count)
        let group = DispatchGroup()
        // Plain threads, not the dispatch pool: each waits on a child process, and runProcess's pipe readers
        // run on the pool.
        for _ in 0..<workers {
            group.enter()
            let thread = Thread { [self] in
                while let i = results.claim() { results.store(i, render(directory: directories[i])) }
                group.leave()
            }
            thread.start()
        }
        group.wait()
        return results.all()
    }
}

/// The shared work list of renderAll: the next index to render and the results stored by index.
private final class RenderResults: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var slots: [Result<[UInt8], RenderFailure>?]
    init(count: Int) { slots = Array(repeating: nil, count: count) }
    func claim() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard next < slots.count else { return nil }
        next += 1
        return next - 1
    }
    func store(_ index: Int, _ result: Result<[UInt8], RenderFailure>) { lock.lock(); slots[index] = result; lock.unlock() }
    func all() -> [Result<[UInt8], RenderFailure>] {
        lock.lock(); defer { lock.unlock() }
        return slots.map { $0 ?? .failure(RenderFailure("not rendered")) }
    }
}
