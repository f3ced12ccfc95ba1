import Testing
import KubeModel
@testable import CEL

func eval(_ source: String, _ variables: [String: CELValue] = [:], budget: Int = 1_000_000,
          functions: [String: CELFunction] = [:]) throws -> CELResult {
    let declarations = CELDeclarations(variables: Set(variables.keys), functions: functions)
    return try CELProgram(source, declarations: declarations).evaluate(CELActivation(variables), budget: budget)
}

/// A StatefulSet as a reader would produce it (numbers as exact text where they are not integers).
let statefulSet = Value.map([
    ("apiVersion", .string("apps/v1")), ("kind", .string("StatefulSet")),
    ("metadata", .map([("name", .string("redis")), ("labels", .map([("app", .string("redis"))]))])),
    ("spec", .map([
        ("replicas", .int(3)),
        ("ratio", Value(.number("0.5"))),
        ("wholeNumber", Value(.number("4.0"))),
        ("huge", Value(.number("1e300"))),
        ("volumeClaimTemplates", .list([
            .map([("metadata", .map([("name", .string("data"))])),
                  ("spec", .map([("resources", .map([("requests", .map([("storage", .string("10Gi"))]))]))]))]),
        ])),
    ])),
])

@Suite("evaluation")
struct EvaluationTests {
    let object = CELValue.from(statefulSet)

    /// `a.?b.?c.orValue(d)` runs as one step (no optional per field); it must answer exactly as the
    /// general optional operations do, errors included.
    @Test("fused optional path", arguments: [
        ("object.?spec.?replicas", "0"), ("object.?spec.?missing.?deeper", "7"), ("object.?nope", "'x'"),
        ("object.spec.?volumeClaimTemplates", "[]"), ("object.?spec.?replicas.?x", "1"),
        ("object.metadata.?labels.?app", "''"), ("{'a': optional.of({'b': 1})}.?a.?b", "0"),
        ("{'a': optional.none()}.?a.?b", "2"), ("optional.of(object).?spec.?replicas", "0"),
        ("optional.none().?a.?b", "5"), ("[1, 2].?a", "0"), ("object.?spec", "1 / 0"),
        ("object.?metadata.?name", "1 / 0"), ("{'a': {'b': null}}.?a.?b", "3"),
    ])
    func fusedOptionalPath(_ c: (String, String)) throws {
        let variables = ["object": object]
        let fused = try eval("\(c.0).orValue(\(c.1))", variables)
        let general = try eval("(\(c.0)).or(optional.of(\(c.1))).value()", variables)
        switch (fused, general) {
        case (.value(let a), .value(let b)): #expect(celStrictEquals(a, b), "\(c): \(a) vs \(b)")
        case (.error, .error): break
        default: Issue.record("\(c): \(fused) vs \(general)")
        }
    }

    @Test("manifest values: integral numbers are int, others double; maps and lists wrap the Value")
    func fromValue() throws {
        let vars = ["object": object]
        #expect(try eval("object.spec.replicas == 3 && type(object.spec.replicas) == int", vars) == .value(.bool(true)))
        #expect(try eval("object.spec.ratio", vars) == .value(.double(0.5)))
        #expect(try eval("object.spec.wholeNumber", vars) == .value(.int(4)))
        #expect(try eval("object.spec.huge", vars) == .value(.double(1e300)))
        #expect(try eval("object.spec.volumeClaimTemplates.map(t, t.metadata.name)", vars) == .value(.list([.string("data")])))
        #expect(try eval("object.metadata.labels.exists(k, k == 'app')", vars) == .value(.bool(true)))
        #expect(try eval("size(object.spec) == 5 && 'replicas' in object.spec", vars) == .value(.bool(true)))
        #expect(try eval("object.spec.volumeClaimTemplates[0].spec.resources.requests.storage", vars) == .value(.string("10Gi")))
        #expect(try eval("object.metadata == {'name': 'redis', 'labels': {'app': 'redis'}}", vars) == .value(.bool(true)))
        guard case .map(let m) = object, case .manifest = m.storage else {
            Issue.record("a manifest map is wrapped, not copied"); return
        }
    }

    @Test("a missing key is an error naming the key and its position; has() and ?. test presence")
    func missingKeys() throws {
        let vars = ["object": object]
        #expect(try eval("object.spec.serviceName", vars) == .error(CELError("no such key: 'serviceName'", line: 1, column: 13)))
        #expect(try eval("has(object.spec.serviceName) || has(object.spec.replicas)", vars) == .value(.bool(true)))
        #expect(try eval("has(object.spec.serviceName)", vars) == .value(.bool(false)))
        #expect(try eval("object.?spec.?serviceName.orValue('none')", vars) == .value(.string("none")))
        #expect(try eval("object.?spec.?replicas.orValue(1)", vars) == .value(.int(3)))
        #expect(try eval("object.spec.?minReadySeconds.hasValue()", vars) == .value(.bool(false)))
        #expect(try eval("object.spec.replicas.foo", vars)
                == .error(CELError("type 'int' does not support field selection ('foo')", line: 1, column: 22)))
    }

    @Test("manifestValue turns CEL results back into Value")
    func toValue() throws {
        guard case .value(let v) = try eval("{'a': [1, 2u, 1.5, 'x', null, true], 'd': duration('90s')}") else {
            Issue.record("evaluation failed"); return
        }
        #expect(v.manifestValue == Value.map([
            ("a", .list([.int(1), .int(2), Value(.number("1.5")), .string("x"), .null, .bool(true)])),
            ("d", .string("90s")),
        ]))
        #expect(CELValue.from(statefulSet).manifestValue == statefulSet.replacingNumbers())
    }

    @Test("error semantics: && and || absorb errors on either side; overflow and division by zero are errors")
    func errors() throws {
        #expect(try eval("false && 1 / 0 == 1") == .value(.bool(false)))
        #expect(try eval("1 / 0 == 1 && false") == .value(.bool(false)))
        #expect(try eval("1 / 0 == 1 || true") == .value(.bool(true)))
        #expect(try eval("1 / 0 == 1 || false") == .error(CELError("division by zero", line: 1, column: 3)))
        #expect(try eval("9223372036854775807 + 1") == .error(CELError("integer overflow in '+'", line: 1, column: 21)))
        #expect(try eval("-9223372036854775808 / -1") == .error(CELError("integer overflow in '/'", line: 1, column: 22)))
        #expect(try eval("0u - 1u").isError)
        #expect(try eval("-(-9223372036854775808)").isError)
        #expect(try eval("5 % 0").isError)
        #expect(try eval("1.0 / 0.0 == double('Infinity')") == .value(.bool(true)))
        #expect(try eval("1 + 1u").isError)
        #expect(try eval("1 < 'a'").isError)
        #expect(try eval("'a' ? 1 : 2").isError)
        #expect(try eval("true ? 1 : 1 / 0") == .value(.int(1)))
        #expect(try eval("{'a': 1, 'a': 2}").isError)
        #expect(try eval("[1, 2].all(x, x / 0 == 1 || x == 1)").isError)
        #expect(try eval("[1, 2].exists(x, x / (x - 1) == 2)") == .value(.bool(true)))
        #expect(try eval("timestamp('9999-12-31T23:59:59Z') + duration('1s')").isError)
        #expect(try eval("int(1e20)").isError)
        #expect(try eval("uint(-1)").isError)
        #expect(try eval("int('x')").isError)
    }

    @Test("heterogeneous equality and ordering across int, uint and double")
    func numbers() throws {
        #expect(try eval("1 == 1u && 1u == 1.0 && [1] == [1.0] && {1u: 'a'}[1] == 'a' && {1: 'a'}[1.0] == 'a'") == .value(.bool(true)))
        #expect(try eval("1 != 'a' && null != 0 && double('NaN') != double('NaN')") == .value(.bool(true)))
        #expect(try eval("1 < 1.5 && 2u > 1 && -1 < 0u") == .value(.bool(true)))
        #expect(try eval("type(1) == int && type(1u) == uint && type(type(1)) == type") == .value(.bool(true)))
    }

    @Test("the cost budget stops runaway comprehensions, and && / || do not absorb it")
    func budget() throws {
        let list = CELValue.list((0..<2000).map { CELValue.int(Int64($0)) })
        let runaway = "l.map(x, l.map(y, x + y)).size() > 0"
        #expect(try eval(runaway, ["l": list]).errorMessage == "cost budget exceeded (1000000 evaluation steps)")
        #expect(try eval("(\(runaway)) || true", ["l": list]).isError)
        #expect(try eval("true || (\(runaway))", ["l": list]) == .value(.bool(true)))
        #expect(try eval("l.exists(x, l.all(y, y >= 0) && x < 0)", ["l": list]).isError)
        #expect(try eval("l.size()", ["l": list], budget: 3) == .value(.int(2000)))
        #expect(try eval("l.all(x, x >= 0)", ["l": list], budget: 100).isError)
        #expect(try eval("l.all(x, x >= 0)", ["l": list], budget: 20_000) == .value(.bool(true)))
    }

    @Test("host functions: global and receiver calls with arity; thrown errors become CEL errors")
    func hostFunctions() throws {
        let functions: [String: CELFunction] = [
            "lookup": CELFunction(arities: [2, 3]) { args in
                guard case .string(let kind) = args[0] else { throw CELError("lookup: kind must be a string") }
                return kind == "StorageClass" ? .map([(.string("reclaimPolicy"), .string("Retain"))]) : .null
            },
            "twice": CELFunction(arities: [1], receiverArities: [0]) { args in
                guard case .int(let i) = args[0] else { throw CELError("twice: not an int") }
                return .int(i * 2)
            },
        ]
        #expect(try eval("lookup('StorageClass', 'fast').reclaimPolicy == 'Retain'", functions: functions) == .value(.bool(true)))
        #expect(try eval("lookup('PersistentVolume', 'ns', 'pv') == null", functions: functions) == .value(.bool(true)))
        #expect(try eval("twice(2) + 3.twice()", functions: functions) == .value(.int(10)))
        #expect(try eval("twice('a')", functions: functions) == .error(CELError("twice: not an int", line: 1, column: 1)))
        #expect(compileError("lookup('x')", CELDeclarations(functions: functions))
                == CELError("no matching overload: lookup() does not take 1 argument", line: 1, column: 1))
    }

    @Test("programs are Sendable: one program evaluated from many tasks")
    func concurrency() async throws {
        let program = try CELProgram("object.spec.replicas * n + (object.metadata.name.matches('^re') ? 1 : 0)",
                                     declarations: CELDeclarations(variables: ["object", "n"]))
        let object = self.object
        let results = await withTaskGroup(of: Bool.self) { group in
            for n in 0..<8 {
                group.addTask {
                    (0..<200).allSatisfy { _ in
                        program.evaluate(CELActivation(["object": object, "n": .int(Int64(n))])) == .value(.int(Int64(3 * n + 1)))
                    }
                }
            }
            return await group.reduce(into: [Bool]()) { $0.append($1) }
        }
        #expect(results == Array(repeating: true, count: 8))
    }

    @Test("timestamps and durations")
    func time() throws {
        #expect(try eval("timestamp('2024-02-29T23:30:00Z') + duration('1h') == timestamp('2024-03-01T00:30:00Z')") == .value(.bool(true)))
        #expect(try eval("timestamp('2024-02-29T23:30:00Z').getHours('Europe/Paris')") == .value(.int(0)))
        #expect(try eval("timestamp('2024-02-29T23:30:00Z').getDayOfWeek('+01:00')") == .value(.int(5)))
        #expect(try eval("string(timestamp('2024-01-01T00:00:00.120Z') - timestamp('2023-12-31T23:59:00Z'))") == .value(.string("60.12s")))
        #expect(try eval("duration('1h30m').getMinutes()") == .value(.int(90)))
        #expect(try eval("timestamp('2024-01-01T00:00:00Z').getHours('Mars/Olympus')").isError)
    }
}

extension CELResult {
    var isError: Bool { if case .error = self { return true }; return false }
    var errorMessage: String? { if case .error(let e) = self { return e.message }; return nil }
}

extension Value {
    /// The value as CEL gives it back: integral numbers as ints, other numbers re-printed.
    func replacingNumbers() -> Value {
        switch kind {
        case .number: return CELValue.from(self).manifestValue
        case .list(let items): return .list(items.map { $0.replacingNumbers() })
        case .map(let entries): return Value(.map(entries.map { Value.Entry(key: $0.key, value: $0.value.replacingNumbers()) }))
        default: return self
        }
    }
}
