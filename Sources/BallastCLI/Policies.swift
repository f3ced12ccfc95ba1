import ArgumentParser
import Foundation
import KubeModel
import Findings
import ManifestIO
import Policy
import Lint
import Report
import CEL
import Drift

/// `ballast policies list | explain RULE | test [DIR...] | eval EXPR`
struct Policies: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policies",
        abstract: "List, explain and test the policy rules; evaluate a CEL expression.",
        subcommands: [List.self, Explain.self, Test.self, Eval.self]
    )

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List every rule: id, severity, trigger, summary.")
        @OptionGroup var policies: PolicyOptions
        @Option(help: "text or json.") var format: String = "text"

        func run() async throws {
            let pack = try policies.pack()
            var rows: [(id: String, severity: String, on: String, origin: String, summary: String)] = []
            for rule in pack.builtins { rows.append((rule.id, rule.descriptor.severity.rawValue, "lint", "built-in (Swift)", rule.descriptor.summary)) }
            for rule in pack.rules {
                rows.append((rule.id, rule.descriptor.severity.rawValue, rule.trigger.rawValue,
                             rule.origin?.file.path ?? "", rule.descriptor.summary))
            }
            switch format {
            case "json":
                let items = rows.map {
                    "{\"id\": \(jsonQuoted($0.id)), \"severity\": \(jsonQuoted($0.severity)), \"on\": \(jsonQuoted($0.on)), \"source\": \(jsonQuoted($0.origin)), \"summary\": \(jsonQuoted($0.summary))}"
                }
                writeAll("{\"rules\": [\n  " + items.joined(separator: ",\n  ") + "\n]}\n", to: 1)
            case "text":
                let width = rows.map(\.id.count).max() ?? 10
                var out = ""
                for row in rows {
                    out += row.id.padding(width) + "  " + row.severity.padding(7) + "  " + row.on.padding(6) + "  " + row.summary + "\n"
                }
                out += "\(rows.count) rules\n"
                writeAll(out, to: 1)
            default:
                throw ValidationError("--format must be text or json")
            }
        }
    }

    struct Explain: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a rule: summary, description, remediation, examples.",
            discussion: "--all shows every rule: the pack's CEL rules, the Swift built-in rules and the live rules (docs/rules.md is --all --format markdown).")
        @Argument(help: "The rule id.") var rule: String?
        @Flag(help: "Every rule, lint, change and live.") var all = false
        @Option(help: "text or markdown (markdown with --all).") var format: String = "text"
        @OptionGroup var policies: PolicyOptions

        func validate() throws {
            guard (rule == nil) == all else { throw ValidationError("give a rule id or --all") }
            guard format == "text" || (format == "markdown" && all) else { throw ValidationError("--format is text, or markdown with --all") }
        }

        func run() async throws {
            let pack = try policies.pack()
            let reference = pack.reference + LiveChecks.reference
            guard let rule else {
                if format == "markdown" { writeAll(RuleReferenceMarkdown.render(reference), to: 1); return }
                writeAll(reference.map(RuleReferenceText.render).joined(separator: "\n"), to: 1)
                return
            }
            if let builtin = pack.builtins.first(where: { $0.id == rule }) {
                var out = "\(builtin.id) (\(builtin.descriptor.severity.rawValue), built-in Swift rule)\n\n"
                out += builtin.descriptor.summary + "\n\n" + builtin.descriptor.description + "\n\nRemediation: "
                out += builtin.descriptor.remediation + "\n"
                for example in builtin.examples {
                    out += "\nExample (\(example.expectation.rawValue) #\(example.number)):\n" + indent(example.yaml) + "\n"
                }
                writeAll(out, to: 1)
                return
            }
            guard let policy = pack.rule(rule) else {
                // Live rules and the reader's rules: what the reference knows of them.
                if let entry = reference.first(where: { $0.descriptor.id == rule }) {
                    writeAll(RuleReferenceText.render(entry), to: 1)
                    return
                }
                writeAll("ballast: no rule \(jsonQuoted(rule)); `ballast policies list` shows them\n", to: 2)
                throw ExitCode(2)
            }
            var out = "\(policy.id) (\(policy.descriptor.severity.rawValue), on: \(policy.trigger.rawValue))"
            if let origin = policy.origin { out += " — \(origin.file.path):\(origin.line)" }
            out += "\n\n" + policy.descriptor.summary + "\n"
            if !policy.descriptor.description.isEmpty { out += "\n" + policy.descriptor.description + "\n" }
            if !policy.descriptor.remediation.isEmpty { out += "\nRemediation: " + policy.descriptor.remediation + "\n" }
            if !policy.match.kinds.isEmpty { out += "\nApplies to: " + policy.match.kinds.sorted().joined(separator: ", ") + "\n" }
            for example in policy.examples {
                out += "\nExample (\(example.expectation.rawValue) #\(example.number)"
                out += example.span.map { ", \($0.file.path):\($0.line)" } ?? ""
                out += "):\n"
                if example.isChange {
                    out += "  old: " + (example.old?.json ?? "null") + "\n  new: " + (example.new?.json ?? "null") + "\n"
                } else {
                    for object in example.objects { out += "  " + object.json + "\n" }
                }
            }
            writeAll(out, to: 1)
        }

        func indent(_ s: String) -> String { s.split(separator: "\n", omittingEmptySubsequences: false).map { "  " + $0 }.joined(separator: "\n") }
    }

    struct Test: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run every rule's examples: pass examples must stay silent, fail examples must fire.",
            discussion: "Without DIR, tests the built-in pack; with DIRs, the policy files found there. Exit 1 names each failing rule and example.")
        @Argument(help: "Policy directories or files.") var directories: [String] = []

        func run() async throws {
            var pack: PolicyPack
            do {
                if directories.isEmpty {
                    pack = try PolicyPack.builtIn()
                } else {
                    pack = PolicyPack(builtins: [])
                    for directory in directories { try pack.add(path: directory) }
                }
            } catch {
                writeAll("ballast: \(error.description)\n", to: 2)
                throw ExitCode(2)
            }
            var failed = 0
            var out = ""
            let examples = pack.allExamples
            for example in examples {
                let outcome = pack.run(example)
                if !outcome.passed {
                    failed += 1
                    out += "FAIL \(example): \(outcome.detail)\n"
                }
            }
            let withoutExamples = pack.rules.filter { rule in
                !rule.examples.contains { $0.expectation == .pass } || !rule.examples.contains { $0.expectation == .fail }
            }
            for rule in withoutExamples { out += "FAIL \(rule.id): needs at least one pass and one fail example\n"; failed += 1 }
            out += "\(examples.count - failed + withoutExamples.count) passed, \(failed) failed (\(pack.rules.count) rules, \(examples.count) examples)\n"
            writeAll(out, to: 1)
            if failed > 0 { throw ExitCode(1) }
        }
    }

    struct Eval: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Evaluate a CEL expression, with `object` and `oldObject` from files.")
        @Argument(help: "The CEL expression.") var expression: String
        @Option(help: "A manifest file bound to `object`.") var object: String?
        @Option(help: "A manifest file bound to `oldObject`.") var oldObject: String?

        func run() async throws {
            var variables: [String: Value] = [:]
            for (name, path) in [("object", object), ("oldObject", oldObject)] {
                guard let path else { continue }
                let result = ManifestReader().read(ManifestInput(name: path, source: path == "-" ? .stdin : .path(path)))
                if let failure = result.failure {
                    writeAll("ballast: could not read \(failure.source): \(failure.reason)\n", to: 2)
                    throw ExitCode(3)
                }
                if let error = result.errors.first {
                    writeAll("ballast: \(error.description)\n", to: 2)
                    throw ExitCode(2)
                }
                guard let first = result.objects.first else {
                    writeAll("ballast: \(path) holds no object\n", to: 2)
                    throw ExitCode(2)
                }
                variables[name] = first.object.value
            }
            switch PolicyPack.evaluate(expression, variables: variables) {
            case .success(let text):
                writeAll(text + "\n", to: 1)
            case .failure(let error):
                writeAll("ballast: \(error.description)\n", to: 2)
                throw ExitCode(error.isCompileError ? 2 : 1)
            }
        }
    }
}

extension String {
    func padding(_ width: Int) -> String { count >= width ? self : self + String(repeating: " ", count: width - count) }
}
