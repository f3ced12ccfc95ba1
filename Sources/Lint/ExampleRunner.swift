import KubeModel
import Policy
public import Findings
import ManifestIO
import CEL

/// How an example is presented to the engine. Every example runs through the same path as a user's
/// manifests (the `Linter`, or the `Gate` for change rules), as written and in the variants a user's files
/// take: below other lines, inside a `v1 List`, and with the rule's waiver annotation.
public enum ExampleVariant: String, Sendable, CaseIterable {
    case asWritten = "as written"
    /// Re-read from text below a comment block and `---`: findings must follow the shifted lines.
    case shifted
    /// The example's objects as the items of a `v1 List`: the same verdict.
    case list = "in a v1 List"
    /// With `ballast.dev/waive.<rule>` on each object: a fail example's findings are suppressed.
    case waived
}

/// The outcome of one example in one variant (the same code backs `ballast policies test` and the tests).
public struct ExampleOutcome: Sendable {
    public var example: PolicyExample
    public var variant: ExampleVariant
    public var passed: Bool
    /// Why it failed.
    public var detail: String
}

extension PolicyPack {
    /// Every example of every policy rule.
    public var allExamples: [PolicyExample] { rules.flatMap(\.examples) }

    /// The rule an example belongs to.
    public func rule(_ id: String) -> PolicyRule? { rules.first { $0.id == id } }

    /// The variants an example runs in: change examples as written, and waived when they have a head object.
    public static func variants(of example: PolicyExample) -> [ExampleVariant] {
        example.isChange ? (example.new == nil ? [.asWritten] : [.asWritten, .waived]) : ExampleVariant.allCases
    }

    /// Runs an example in every variant; the first failure, else a pass.
    public func run(_ example: PolicyExample) -> ExampleOutcome {
        var last = ExampleOutcome(example: example, variant: .asWritten, passed: true, detail: "")
        for variant in Self.variants(of: example) {
            last = run(example, variant: variant)
            if !last.passed { return last }
        }
        return last
    }

    /// Runs one example in one variant through the engine, with the pack narrowed to the example's rule.
    public func run(_ example: PolicyExample, variant: ExampleVariant) -> ExampleOutcome {
        func outcome(_ passed: Bool, _ detail: String = "") -> ExampleOutcome {
            ExampleOutcome(example: example, variant: variant, passed: passed, detail: passed ? "" : "\(variant.rawValue): \(detail)")
        }
        guard rule(example.ruleID) != nil else { return outcome(false, "no rule \(example.ruleID)") }
        // The whole pack, with only the example's rule selected (as `.ballast.yaml` `rules.include` would):
        // params documented by other policy files stay available.
        var options = LintOptions()
        options.config.include = [example.ruleID]
        let waiverKey = WaiverParser.annotationPrefix + example.ruleID
        let prepare: (Value) -> Value = { variant == .waived ? $0.settingAnnotation(waiverKey, "example waiver") : $0 }
        let findings: [Finding]
        var shiftedLines: ClosedRange<Int>?
        if example.isChange {
            let context = example.objects.map(prepare)
            let base = Self.file(example.old.map { [$0] + context } ?? context, name: "<base>")
            let head = Self.file(example.new.map { [prepare($0)] + context } ?? context, name: "<head>")
            findings = Gate(options: options, pack: self).run(base: [base], head: [head]).findings
        } else {
            let objects = example.objects.map(prepare)
            let file: FileResult
            switch variant {
            case .asWritten, .waived:
                file = Self.file(objects, name: example.span?.file.path ?? "<example>")
            case .shifted:
                let text = "# a comment block\n# of three\n# lines\n---\n" + objects.map(\.json).joined(separator: "\n---\n") + "\n"
                file = ManifestReader().parse(Array(text.utf8), file: FileID("<example \(example)>.yaml"), json: false)
                shiftedLines = 5...(4 + 2 * max(objects.count, 1) - 1)
            case .list:
                let list = Value.map([("apiVersion", .string("v1")), ("kind", .string("List")), ("items", .list(objects))])
                file = ManifestReader().parse(Array(list.json.utf8), file: FileID("<example \(example) list>.json"), json: true)
            }
            findings = Linter(options: options, pack: self).lint([file]).findings
        }
        if let error = findings.first(where: { $0.ruleID == PolicyEvaluator.policyError.id }) {
            return outcome(false, "policy-error: \(error.message)")
        }
        let own = findings.filter { $0.ruleID == example.ruleID }
        let active = own.filter { !$0.isSuppressed }
        switch example.expectation {
        case .pass:
            if let finding = active.first { return outcome(false, "pass example fired: \(finding.message)") }
        case .fail:
            guard !own.isEmpty else { return outcome(false, "fail example did not fire") }
            if variant == .waived {
                if let finding = active.first { return outcome(false, "the waiver did not suppress: \(finding.message)") }
                return outcome(true)
            }
            if let at = example.at, !own.contains(where: { $0.path == at }) {
                return outcome(false, "finding at \(own.map { $0.path ?? "<object>" }.joined(separator: ", ")), expected at \(at)")
            }
            if variant == .asWritten, !example.isChange, let span = example.span {
                // Findings point into the example, not at the policy file's top.
                let end = example.objects.map(\.lastLine).max() ?? span.line
                for finding in own {
                    guard let at = finding.span, at.file == span.file, at.line >= span.line, at.line <= end else {
                        return outcome(false, "points outside the example (lines \(span.line)-\(end)): \(finding.span?.description ?? "nowhere")")
                    }
                }
            }
            if let lines = shiftedLines {
                for finding in own where !lines.contains(finding.span?.line ?? 0) {
                    return outcome(false, "does not follow the shifted lines \(lines): \(finding.span?.description ?? "nowhere")")
                }
            }
        }
        return outcome(true)
    }

    /// Objects as one file read, keeping the spans they were written with.
    static func file(_ values: [Value], name: String) -> FileResult {
        var file = FileResult(file: FileID(name))
        for value in values {
            guard let object = ManifestReader.object(from: value) else { continue }
            file.objects.append(ParsedObject(object: object, yaml11Booleans: []))
        }
        return file
    }
}

extension Value {
    /// The last line any node of this value was written on (0 when none has a span).
    var lastLine: Int {
        var line = span?.line ?? 0
        switch kind {
        case .map(let entries): for entry in entries { line = Swift.max(line, entry.keySpan?.line ?? 0, entry.value.lastLine) }
        case .list(let items): for item in items { line = Swift.max(line, item.lastLine) }
        default: break
        }
        return line
    }

    /// A copy with `metadata.annotations[key] = value` (no span: it was not written).
    func settingAnnotation(_ key: String, _ value: String) -> Value {
        guard case .map(var entries) = kind else { return self }
        var metadata = (entries.first { $0.key == "metadata" }?.value.mapEntries) ?? []
        var annotations = (metadata.first { $0.key == "annotations" }?.value.mapEntries) ?? []
        annotations.removeAll { $0.key == key }
        annotations.append(Value.Entry(key: key, value: .string(value)))
        metadata.removeAll { $0.key == "annotations" }
        metadata.append(Value.Entry(key: "annotations", value: Value(.map(annotations))))
        let metadataSpan = entries.first { $0.key == "metadata" }?.value.span
        entries.removeAll { $0.key == "metadata" }
        entries.insert(Value.Entry(key: "metadata", value: Value(.map(metadata), span: metadataSpan)), at: 0)
        return Value(.map(entries), span: span)
    }
}
