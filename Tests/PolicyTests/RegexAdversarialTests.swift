import Foundation
import Testing
import KubeModel
import CEL
@testable import Policy
@testable import Lint

/// Issue 17 item 3: every regular expression of the built-in pack, fed 100 KB adversarial strings (the
/// inputs that make a backtracking engine exponential or polynomial), finishes and answers correctly.
/// No timing: RE2 is linear in the text, so the checks are the answers (against ICU on a short copy of
/// each input) and that the whole set runs inside one expression's CEL cost budget.
@Suite("built-in pack regexes against adversarial input")
struct RegexAdversarialTests {
    /// One regex of the pack: the pattern as the rule sees it (params and literals resolved), and where.
    struct PackRegex: CustomTestStringConvertible, Sendable {
        var pattern: String
        var rule: String
        var testDescription: String { "\(rule): \(pattern)" }
    }

    /// Strings that defeat backtracking engines, built at length `n`.
    static let families: [(name: String, make: @Sendable (Int) -> String)] = [
        ("a…!", { String(repeating: "a", count: $0) + "!" }),
        ("path segments", { String(repeating: "a/", count: $0 / 2) + "!" }),
        ("white space", { "rabbitmqctl" + String(repeating: " ", count: $0) + "!" }),
        ("flag then spaces", { "--cluster-enabled" + String(repeating: " ", count: $0) + "no" }),
        ("repeated words", { "wal-g " + String(repeating: "delete ", count: $0 / 7) + "!" }),
        ("separators", { String(repeating: "_", count: $0) + "!" }),
        ("upper case", { String(repeating: "PASSWORD", count: $0 / 8) }),
        ("digits", { String(repeating: "9", count: $0) }),
        ("class mix", { String(repeating: "aA0_.-/:@ ", count: $0 / 10) + "\u{1}" }),
        ("tag colons", { ":" + String(repeating: "a:", count: $0 / 2) + "/" }),
        ("image near miss", { String(repeating: "redis/", count: $0 / 6) + "redi" }),
    ]
    static let longLength = 100_000
    static let shortLength = 200

    /// The regex arguments of `matches(`, `find(` and `findAll(` in every expression of the built-in pack,
    /// evaluated with the pack's params. Arguments built from object data (a comprehension variable) are
    /// not patterns of the pack; they are returned apart, by rule.
    static func packRegexes() throws -> (regexes: [PackRegex], fromData: [String]) {
        let pack = try PolicyPack.builtIn()
        let params = pack.params(overrides: .map([]))
        var regexes: [PackRegex] = [], fromData: [String] = [], seen = Set<String>()
        for rule in pack.rules {
            for source in rule.expressionSources {
                for argument in regexArguments(in: source) {
                    let program: CELProgram
                    do { program = try CELProgram(argument, declarations: CELDeclarations(variables: ["params"])) } catch {
                        fromData.append("\(rule.id): \(argument)")
                        continue
                    }
                    guard case .value(.string(let pattern)) = program.evaluate(CELActivation(["params": params])) else {
                        Issue.record("\(rule.id): \(argument) is not a string")
                        continue
                    }
                    if seen.insert(pattern).inserted { regexes.append(PackRegex(pattern: pattern, rule: rule.id)) }
                }
            }
        }
        return (regexes, fromData)
    }

    /// The first argument of each `.matches(`, `.find(`, `.findAll(` call in a CEL source.
    static func regexArguments(in source: String) -> [String] {
        let chars = Array(source)
        var out: [String] = []
        for name in [".matches(", ".find(", ".findAll("] {
            var searchStart = source.startIndex
            while let r = source.range(of: name, range: searchStart..<source.endIndex) {
                searchStart = r.upperBound
                var i = source.distance(from: source.startIndex, to: r.upperBound)
                let start = i
                var depth = 0, quote: Character? = nil
                while i < chars.count {
                    let c = chars[i]
                    if let q = quote {
                        if c == "\\" { i += 1 } else if c == q { quote = nil }
                    } else if c == "'" || c == "\"" {
                        quote = c
                    } else if c == "(" || c == "[" {
                        depth += 1
                    } else if c == ")" || c == "]" || c == "," {
                        if depth == 0 { break }
                        if c != "," { depth -= 1 }
                    }
                    i += 1
                }
                out.append(String(chars[start..<i]).trimmingCharacters(in: .whitespacesAndNewlines))
            }
        }
        return out
    }

    /// One regex call through CEL, as a policy makes it.
    static func evaluate(_ call: String, text: String, pattern: String, budget: Int = 1_000_000) -> CELResult {
        do {
            let program = try CELProgram(call, declarations: CELDeclarations(variables: ["s", "p"]))
            return program.evaluate(CELActivation(["s": .string(text), "p": .string(pattern)]), budget: budget)
        } catch {
            return .error(error)
        }
    }

    @Test("the pack's regexes are found, with the params they are built from")
    func extraction() throws {
        let (regexes, fromData) = try Self.packRegexes()
        let patterns = Set(regexes.map(\.pattern))
        #expect(patterns.contains("^(.*/)?(redis|redis-stack-server|valkey)(:|@|$)"))
        #expect(patterns.contains("^(.*/)?(rabbitmq|etcd|zookeeper|consul|nats|redis-sentinel)(:|@|$)"))
        #expect(patterns.contains(":[^/]+$"))
        #expect(patterns.contains(where: { $0.hasPrefix("wal-g\\s.*delete") }))
        #expect(regexes.count >= 10, "\(regexes)")
        // Only the receiver forms are extracted: the global `matches(s, p)` must not hide a pattern.
        for rule in try PolicyPack.builtIn().rules {
            for source in rule.expressionSources {
                #expect(source.ranges(of: "matches(").count == source.ranges(of: ".matches(").count, "\(rule.id): \(source)")
            }
        }
        // Label matchers of a PrometheusRule (`m.value`) are the object's own regexes, not the pack's.
        #expect(fromData.allSatisfy { $0.contains("m.value") }, "\(fromData)")
    }

    @Test("100 KB adversarial strings: each regex answers as on a short copy, and as ICU does there",
          arguments: try packRegexes().regexes)
    func adversarial(_ regex: PackRegex) throws {
        let oracle = try? NSRegularExpression(pattern: regex.pattern)
        for family in Self.families {
            let long = family.make(Self.longLength), short = family.make(Self.shortLength)
            #expect(long.utf8.count >= Self.longLength - 10)
            guard case .value(.bool(let longAnswer)) = Self.evaluate("s.matches(p)", text: long, pattern: regex.pattern),
                  case .value(.bool(let shortAnswer)) = Self.evaluate("s.matches(p)", text: short, pattern: regex.pattern) else {
                Issue.record("\(family.name): matches() did not answer")
                continue
            }
            // The families repeat one unit, so the answer does not depend on the length.
            #expect(longAnswer == shortAnswer, "\(family.name)")
            if let oracle {
                let icu = oracle.firstMatch(in: short, range: NSRange(short.startIndex..., in: short)) != nil
                #expect(shortAnswer == icu, "\(family.name): RE2 \(shortAnswer), ICU \(icu)")
            }
            // find() is the first match, "" when there is none (an empty match is also "").
            guard case .value(.string(let found)) = Self.evaluate("s.find(p)", text: long, pattern: regex.pattern) else {
                Issue.record("\(family.name): find() did not answer")
                continue
            }
            if !found.isEmpty { #expect(longAnswer, "\(family.name): find() found \(found.prefix(40)) but matches() is false") }
            if !longAnswer { #expect(found.isEmpty, "\(family.name)") }
        }
    }

    @Test("the whole set of regexes over every adversarial string fits one expression's cost budget")
    func wholeSetUnderBudget() throws {
        let regexes = try Self.packRegexes().regexes
        let texts = Self.families.map { CELValue.string($0.make(Self.longLength)) }
        let program = try CELProgram(
            "texts.map(s, patterns.map(p, [s.matches(p), s.find(p) != '' || s.matches(p), s.findAll(p).size() >= 0]))",
            declarations: CELDeclarations(variables: ["texts", "patterns"]))
        let result = program.evaluate(CELActivation([
            "texts": .list(CELList(texts)),
            "patterns": .list(CELList(regexes.map { .string($0.pattern) })),
        ]))
        guard case .value(.list(let rows)) = result else {
            Issue.record("\(result)")
            return
        }
        #expect(rows.count == Self.families.count)
    }
}

extension PolicyRule {
    /// The CEL source of every expression of the rule.
    var expressionSources: [String] {
        var sources = variables.map(\.expression.program.source) + [validate.program.source]
        for e in [when, messageExpression, fieldPathExpression] { if let e { sources.append(e.program.source) } }
        return sources
    }
}
