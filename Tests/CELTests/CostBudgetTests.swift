import Testing
import KubeModel
@testable import CEL

/// Issue 17 item 3: the cost budget of DESIGN §5 (1,000,000 evaluation steps per expression per object)
/// stops a quadratic expression exactly at the budget. The evaluator spends one step per node evaluated
/// and one per comprehension iteration.
@Suite("cost budget")
struct CostBudgetTests {
    static let quadratic = "l.all(i, l.all(j, true))"
    static let defaultBudget = 1_000_000

    static func list(_ n: Int) -> CELValue { .list(CELList((0..<n).map { CELValue.int(Int64($0)) })) }

    /// `l.all(i, l.all(j, true))` over n items: the call and `l` (2), then per outer item one iteration
    /// step, the inner call and its `l` (3), and per inner item one iteration step and `true` (2n).
    static func quadraticSteps(_ n: Int) -> Int { 2 * n * n + 3 * n + 2 }

    /// `quadratic && p.all(k, true)`: one more for `&&`, and 2 + 2m for the linear tail over m items.
    static func paddedSteps(_ n: Int, _ m: Int) -> Int { 1 + quadraticSteps(n) + 2 + 2 * m }

    static func evaluate(_ source: String, n: Int, m: Int = 0, budget: Int = defaultBudget) throws -> CELResult {
        let program = try CELProgram(source, declarations: CELDeclarations(variables: ["l", "p"]))
        return program.evaluate(CELActivation(["l": list(n), "p": list(m)]), budget: budget)
    }

    /// The smallest budget the expression evaluates under (the steps it takes), by bisection.
    static func measuredSteps(_ source: String, n: Int, m: Int = 0) throws -> Int {
        var low = 0, high = 1 << 22   // low fails, high passes
        while high - low > 1 {
            let mid = (low + high) / 2
            if case .value = try evaluate(source, n: n, m: m, budget: mid) { high = mid } else { low = mid }
        }
        return high
    }

    @Test("steps are counted as documented", arguments: [0, 1, 2, 3, 10, 31])
    func stepCount(n: Int) throws {
        #expect(try Self.measuredSteps(Self.quadratic, n: n) == Self.quadraticSteps(n))
        #expect(try Self.measuredSteps(Self.quadratic + " && p.all(k, true)", n: n, m: 7) == Self.paddedSteps(n, 7))
    }

    @Test("at the budget: an expression of budget - 1 steps passes, one of budget + 1 steps fails")
    func exactBoundary() throws {
        // 706 items: 998,992 quadratic steps; the linear tail pads to the exact step count.
        let n = 706, source = Self.quadratic + " && p.all(k, true)"
        let under = (Self.defaultBudget - 1 - Self.paddedSteps(n, 0)) / 2
        #expect(Self.paddedSteps(n, under) == Self.defaultBudget - 1)
        #expect(Self.paddedSteps(n, under + 1) == Self.defaultBudget + 1)
        #expect(try Self.evaluate(source, n: n, m: under) == .value(.bool(true)))
        let over = try Self.evaluate(source, n: n, m: under + 1)
        guard case .error(let error) = over else {
            Issue.record("budget + 1 steps evaluated: \(over)")
            return
        }
        #expect(error.message == "cost budget exceeded (1000000 evaluation steps)")
        // Not an error that `&&`, `||` or `exists` may absorb.
        #expect(error.isFatal)
    }

    @Test("a quadratic expression over a large list stops at the budget, not at the end of the list")
    func quadraticStops() throws {
        // 10,000 items: 200 million steps if it ran to the end.
        let result = try Self.evaluate("l.exists(i, l.exists(j, i + j < 0)) || true", n: 10_000)
        guard case .error(let error) = result else {
            Issue.record("expected the budget error, got \(result)")
            return
        }
        #expect(error.message == "cost budget exceeded (1000000 evaluation steps)")
    }
}
