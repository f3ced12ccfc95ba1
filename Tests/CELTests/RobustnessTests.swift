import Foundation
import Synchronization
import Testing
import KubeModel
@testable import CEL

/// Hostile input: random expressions built from CEL fragments must compile or fail with a positioned
/// error, and evaluate to a value or an error, never trap.
@Suite("robustness")
struct RobustnessTests {
    static let fragments = [
        "1", "-", "+", "*", "/", "%", "(", ")", "[", "]", "{", "}", ",", ":", "?", ".", ".?", "[?", "!", "&&", "||",
        "==", "!=", "<", ">=", " in ", "x", "y", "x.a", "9223372036854775807", "-9223372036854775808", "18446744073709551615u",
        "0.0", "1e308", "'s'", "b'\\xff'", "null", "true", "size(", "int(", "uint(", "double(", "string(", "timestamp(",
        "duration(", "'1h'", "'2024-01-01T00:00:00Z'", ".map(v, ", ".all(v, ", ".exists_one(v, ", ".filter(v, ", "v",
        "has(x.a)", "quantity('1Gi')", ".add(", ".sub(", "optional.of(", "optional.none()", ".orValue(", ".value()",
        "'a'.replace('', ", ".split(", ".substring(", ".charAt(", "'%d %s'.format(", "matches(", "'a+'", "'('", ".findAll(",
        "[1, 2, 3]", "{'a': 1}", "dyn(", "type(", ".getHours(", "'Europe/Paris'", "'-99:99'", "x.a.b", "[?x.?a]",
        "{?'k': x.?a}", "x[?0]", ".sum()", ".min()", ".isSorted()", "'\\u00e9'", "\"\"\"", "r'\\'", "`k`", "0x", "1u",
    ]

    @Test("2000 random expressions: no trap, errors are positioned (CEL_FUZZ_ITERATIONS, CEL_FUZZ_SEED run more)")
    func randomExpressions() {
        let environment = ProcessInfo.processInfo.environment
        let iterations = environment["CEL_FUZZ_ITERATIONS"].flatMap { Int($0) } ?? 2000
        var state: UInt64 = environment["CEL_FUZZ_SEED"].flatMap { UInt64($0) } ?? 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int(truncatingIfNeeded: state >> 33)
        }
        let activation = CELActivation([
            "x": .from(.map([("a", .list([.int(1), Value(.number("2.5")), .string("s")]))])),
            "y": .list([.int(1), .uint(2), .double(.nan)]),
        ])
        var compiled = 0, values = 0
        for _ in 0..<iterations {
            let count = 1 + next() % 12
            let source = (0..<count).map { _ in Self.fragments[next() % Self.fragments.count] }.joined()
            do {
                let program = try CELProgram(source, declarations: CELDeclarations(variables: ["x", "y"]))
                compiled += 1
                switch program.evaluate(activation, budget: 10_000) {
                case .value: values += 1
                case .error(let e): #expect(e.line >= 1 && e.column >= 1, "\(source): \(e)")
                }
            } catch {
                #expect(error.line >= 1 && error.column >= 1, "\(source): \(error)")
            }
        }
        print("robustness: \(compiled) of \(iterations) random expressions compiled, \(values) evaluated to a value")
        #expect(compiled > 50)
    }

    /// The deepest expressions the parser accepts (249 levels) compile and evaluate on a thread with a
    /// 4 MiB stack even in a debug build (release frames are about a tenth of debug ones).
    @Test("maximum nesting compiles and evaluates on a 4 MiB thread stack")
    func deepestExpressions() {
        let sources = [
            String(repeating: "int(", count: 249) + "1" + String(repeating: ")", count: 249),
            String(repeating: "[", count: 249) + "1" + String(repeating: "]", count: 249),
            String(repeating: "!", count: 248) + "true",
            (0..<249).map { _ in "1" }.joined(separator: " + "),
            String(repeating: "{'a': ", count: 249) + "1" + String(repeating: "}", count: 249),
            String(repeating: "[1].map(x, ", count: 120) + "1" + String(repeating: ")", count: 120),
        ]
        let outcomes = Mutex<[String]>([])
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            for source in sources {
                let outcome: String
                do {
                    switch try CELProgram(source).evaluate() {
                    case .value: outcome = "value"
                    case .error(let e): outcome = "error: \(e)"
                    }
                } catch {
                    outcome = "compile error: \(error)"
                }
                outcomes.withLock { $0.append(outcome) }
            }
            done.signal()
        }
        thread.stackSize = 4 << 20
        thread.start()
        done.wait()
        #expect(outcomes.withLock { $0 } == Array(repeating: "value", count: sources.count))
    }
}
