import Synchronization
import KubeModel
import Policy
public import Findings
public import ManifestIO
public import DesiredState
import CEL

/// Settings of a lint run.
public struct LintOptions: Sendable {
    /// Rule ids not to run.
    public var disabledRules: Set<String> = []
    /// `.ballast.yaml`: rule selection, severities, waivers, ignored paths.
    public var config = BallastConfig()
    /// `YYYY-MM-DD`, for waiver expiry.
    public var today = WaiverParser.today()
    /// Whether the run's objects and index stay allocated until the process exits. A command that exits
    /// after one lint sets it: freeing hundreds of thousands of objects one by one is work the kernel does
    /// in one go at exit.
    public var keepsMemoryUntilExit = false
    public init() {}
}

/// What a run keeps allocated until the process ends (`LintOptions.keepsMemoryUntilExit`).
enum KeptUntilExit {
    private static let kept = Mutex<[any Sendable]>([])
    static func keep(_ value: any Sendable) { kept.withLock { $0.append(value) } }
}

/// What the first phase keeps of one file: its findings and notes, and its objects in compact form.
struct FileOutcome: Sendable {
    var findings: [Finding] = []
    /// Deferred checks, each with the position in `objects` of the object it was prepared on.
    var deferred: [PendingCheck] = []
    var notes: [Finding] = []
    var objects: [StoredObject] = []
    var failure: ReadFailure?
}

/// A deferred check and the position of the object it was prepared on (in its file's outcome, then in
/// phase two's `stored`).
struct PendingCheck: Sendable {
    var object: Int
    var check: DeferredCheck
}

/// Lints manifests in two phases. Phase one runs per file, in parallel as files are read: parse errors
/// become findings at their positions, each object goes through the schema checks and the rules that need
/// no other object, and is then kept in compact form. Phase two indexes every object and runs the
/// cross-object rules, rebuilding only the objects they look at. Whatever could not be read makes the
/// run incomplete.
public struct Linter: Sendable {
    public var options: LintOptions
    public var rules: [BuiltinRule]
    /// Policy rules that run on desired objects (`on: lint`).
    var policyRules: [PolicyRule]
    let params: CELValue
    let descriptors: [RuleDescriptor]
    /// The rules each known kind meets, chosen once (every object would otherwise ask every rule).
    let byKind: [KindKey: KindRules]

    struct KindKey: Hashable, Sendable {
        var group: String, kind: String
        init(_ ref: ObjectRef) { group = ref.group; kind = ref.kind }
    }

    /// The rules that may apply to objects of one kind.
    struct KindRules: Sendable {
        /// Swift rules.
        var builtins: [BuiltinRule]
        /// Policy rules of phase one (no index), and of phase two.
        var ownPolicies: [PolicyRule]
        var indexPolicies: [PolicyRule]
    }

    /// The rules for `ref`'s kind (computed on the spot for kinds outside the catalogue).
    func rules(for ref: ObjectRef) -> KindRules {
        if let known = byKind[KindKey(ref)] { return known }
        return Self.kindRules(ref, rules, policyRules)
    }

    static func kindRules(_ ref: ObjectRef, _ builtins: [BuiltinRule], _ policies: [PolicyRule]) -> KindRules {
        let policies = policies.filter { $0.match.mayMatch(ref) }
        return KindRules(builtins: builtins.filter { $0.applies(to: ref) },
                         ownPolicies: policies.filter { !$0.needsIndex }, indexPolicies: policies.filter(\.needsIndex))
    }

    /// A linter with `pack` (default: the Swift rules only; the CLI passes `PolicyPack.builtIn()`).
    public init(options: LintOptions = LintOptions(), pack: PolicyPack = PolicyPack()) {
        self.options = options
        // Params come from every policy file, whichever rules run: a rule may read a param another file
        // documents, and selecting rules (`rules.include`) must not take their defaults away.
        params = pack.params(overrides: options.config.params)
        var pack = pack
        pack.filter { !options.disabledRules.contains($0) && options.config.isEnabled($0) }
        rules = pack.builtins
        policyRules = pack.rules.filter { $0.trigger == .lint }
        descriptors = pack.descriptors
        var byKind: [KindKey: KindRules] = [:]
        for info in KindCatalog.inScope + KindCatalog.others {
            let ref = ObjectRef(group: info.group, kind: info.kind, namespace: nil, name: "")
            byKind[KindKey(ref)] = Self.kindRules(ref, rules, policyRules)
        }
        self.byKind = byKind
    }

    /// Reads and lints `inputs`, one task per core taking files in small batches as it gets free (a core
    /// slowed by the machine does not hold the others back); results do not depend on completion order.
    /// With `applications` pending (DesiredState `findsApplicationsWhileReading`), the Argo CD / Flux
    /// applications are found among the objects read, and the files whose namespace they change are read
    /// and checked again; their notes are added to the result's (unsorted) notes.
    public func lint(_ inputs: [ManifestInput], reader: ManifestReader, prepared: [FileResult] = [],
                     applications: PendingApplications? = nil, workers: Int = systemCores()) async -> RunResult {
        Profile.phase("files collected, pack loaded")
        var outcomes = await phaseOne(inputs, reader: reader, prepared: prepared, workers: workers)
        var applicationNotes: [Finding] = []
        if let applications {
            let holds = inputs.indices.map { i in outcomes[i].objects.contains { PendingApplications.isApplication($0.ref) } }
            let revision = await applications.resolve(inputs, holdsApplications: holds)
            let again = await phaseOne(revision.reread.map { inputs[$0] }, reader: revision.reader, prepared: [], workers: workers)
            for (i, outcome) in zip(revision.reread, again) { outcomes[i] = outcome }
            applicationNotes = revision.notes
        }
        Profile.phase("phase one: files read and checked")
        var result = await finish(consume outcomes, workers: workers)   // phase two frees the files' outcomes early
        result.notes += applicationNotes
        return result
    }

    /// Phase one over files to read and files already read, in input order.
    func phaseOne(_ inputs: [ManifestInput], reader: ManifestReader, prepared: [FileResult],
                  workers: Int) async -> [FileOutcome] {
        // Files still to read, then files already read (rendered kustomizations, or a desired state that
        // drift reads too): one phase one for both.
        let total = inputs.count + prepared.count
        let workerCount = max(1, min(workers, total))
        var outcomes = [FileOutcome?](repeating: nil, count: total)
        let next = WorkCounter()
        await withTaskGroup(of: [(Int, FileOutcome)].self) { group in
            for _ in 0..<workerCount {
                group.addTask {
                    // One key table per worker, written by it alone: the objects it keeps store each key once.
                    var packer = ObjectPacker()
                    var out: [(Int, FileOutcome)] = []
                    while let range = next.take(8, of: total) {
                        for i in range {
                            let file = i < inputs.count ? reader.read(inputs[i]) : prepared[i - inputs.count]
                            out.append((i, self.checkFile(file, packer: &packer)))
                        }
                    }
                    return out
                }
            }
            for await chunk in group { for (i, outcome) in chunk { outcomes[i] = outcome } }
        }
        let read = outcomes.compactMap { $0 }
        outcomes = []   // `read` is then the only owner of the files' outcomes, and phase two frees them early
        return read
    }

    /// Lints files already read.
    public func lint(_ files: [FileResult]) -> RunResult {
        var packer = ObjectPacker()
        return finish(files.map { checkFile($0, packer: &packer) })
    }

    /// Phase one: everything that needs only this file.
    func checkFile(_ file: FileResult, packer: inout ObjectPacker) -> FileOutcome {
        let runtime = PolicyRuntime(index: nil, dataTier: options.config.dataTier, buildObjects: false)
        return PolicyRuntime.$current.withValue(runtime) { checkFileInRuntime(file, packer: &packer) }
    }

    private func checkFileInRuntime(_ file: FileResult, packer: inout ObjectPacker) -> FileOutcome {
        var outcome = FileOutcome()
        if let failure = file.failure { outcome.failure = failure; return outcome }
        outcome.notes = file.notes
        for error in file.errors {
            outcome.findings.append(Finding(ruleID: error.ruleID, severity: .error, message: error.message, span: error.span))
        }
        for parsed in file.objects {
            let object = parsed.object
            if object.name.isEmpty {
                outcome.findings.append(Finding(ruleID: "schema-missing-required", severity: .error,
                                                message: "metadata.name is required", object: object.ref,
                                                span: object.value["metadata"]?.span ?? object.span, path: "metadata.name"))
            }
            outcome.findings += SchemaChecks.findings(for: parsed, disabled: options.disabledRules)
            let kindRules = rules(for: object.ref)
            for rule in kindRules.builtins {
                switch rule.check {
                case .object(let check): outcome.findings += check(rule, parsed)
                case .deferred(let check):
                    for prepared in check(rule, parsed) { outcome.deferred.append(PendingCheck(object: outcome.objects.count, check: prepared)) }
                default: break
                }
            }
            var activation: CELActivation?
            var shared: CELSharedResults?
            for rule in kindRules.ownPolicies where rule.match.matches(object) {
                if activation == nil {
                    activation = PolicyEvaluator.activation(object: CELValue.from(object.value), old: .null, params: params)
                    shared = CELSharedResults()
                }
                if let finding = PolicyEvaluator.evaluate(rule, subject: object, activation: activation!, shared: shared) {
                    outcome.findings.append(finding)
                }
            }
            let (waivers, waiverFindings) = WaiverParser.waivers(of: object, today: options.today)
            outcome.findings += waiverFindings
            outcome.objects.append(packer.pack(object, waivers: waivers, facts: ObjectFacts(object, dataTier: options.config.dataTier)))
        }
        return outcome
    }

    /// Phase two, sequential: the index and the cross-object rules.
    func finish(_ outcomes: [FileOutcome]) -> RunResult {
        var phase = PhaseTwo(self, outcomes)
        for object in phase.stored { phase.result.findings += crossObjectFindings(object, phase) }
        return complete(phase)
    }

    /// Phase two across the cores: objects taken in batches by whichever core is free, each batch's findings
    /// put into the result as soon as the batches before it are in, so that the findings of phase two are
    /// never held twice (once per object, once in the result).
    func finish(_ outcomes: consuming [FileOutcome], workers: Int) async -> RunResult {
        // Memory at 50,000 apps: the files' outcomes are consumed here (copied into the phase, then freed);
        // and the findings leave the phase before the tasks get a copy of it, so that one array of them is
        // grown and settled in place (every copy of it is over 100 MB there).
        var phase = PhaseTwo(self, outcomes)
        var result = phase.result
        phase.result = RunResult()
        Profile.phase("phase two: objects indexed")
        let count = phase.stored.count
        // Room for about one finding per object: a large array's pages that are never written cost nothing,
        // and growing it would hold two copies of every finding for a moment.
        result.findings.reserveCapacity(result.findings.count + count + count / 2)
        let batch = 64
        let batches = (count + batch - 1) / batch
        let inFlight = 2 * max(1, min(workers, count / 256))
        let shared = phase
        var settled: (findings: [Finding], notes: [Finding]) = ([], [])
        await withTaskGroup(of: PhaseTwoPart.self) { group in
            group.addTask { let s = Self.settle(shared); return .settled(s.findings, notes: s.notes) }
            var started = 0
            func start() {
                guard started < batches else { return }
                let number = started
                started += 1
                group.addTask {
                    var found: [Finding] = []
                    for i in (number * batch)..<min(count, (number + 1) * batch) { found += self.crossObjectFindings(shared.stored[i], shared) }
                    return .batch(number, found)
                }
            }
            for _ in 0..<inFlight { start() }
            // Batches finished ahead of their turn wait here until the ones before them are in (a new batch
            // starts as each one finishes, so only a slow batch lets a few pile up behind it).
            var waiting: [Int: [Finding]] = [:]
            var next = 0
            while let part = await group.next() {
                switch part {
                case .batch(let number, let found):
                    waiting[number] = found
                    while let found = waiting.removeValue(forKey: next) {
                        result.findings += found
                        next += 1
                    }
                    start()
                case .settled(let findings, let notes): settled = (findings, notes)
                }
            }
        }
        Profile.phase("phase two: cross-object rules")
        settle(&result, stored: phase.stored, settled: settled)
        if options.keepsMemoryUntilExit { KeptUntilExit.keep(phase) }
        Profile.phase("phase two: config applied, sorted")
        return result
    }

    /// What a task of phase two hands back.
    enum PhaseTwoPart: Sendable {
        case batch(Int, [Finding])
        case settled([Finding], notes: [Finding])
    }

    /// What phase two works from.
    struct PhaseTwo: Sendable {
        var result: RunResult
        var stored: [StoredObject] = []
        var deferred: [PendingCheck] = []
        let context: LintContext
        let runtime: PolicyRuntime

        init(_ linter: Linter, _ outcomes: [FileOutcome]) {
            result = RunResult(rules: linter.descriptors)
            stored.reserveCapacity(outcomes.reduce(0) { $0 + $1.objects.count })
            result.findings.reserveCapacity(outcomes.reduce(0) { $0 + $1.findings.count })
            for outcome in outcomes {
                if let failure = outcome.failure { result.failures.append(failure); continue }
                result.filesRead += 1
                result.findings += outcome.findings
                result.notes += outcome.notes
                let first = stored.count
                stored += outcome.objects
                deferred += outcome.deferred.map { PendingCheck(object: first + $0.object, check: $0.check) }
            }
            result.objectsChecked = stored.count
            let index = ObjectIndex(stored)
            context = LintContext(index: index)
            runtime = PolicyRuntime(index: index, dataTier: linter.options.config.dataTier,
                                    buildObjects: linter.policyRules.contains { $0.readsObjects })
        }
    }

    /// The checks prepared in phase one, settled on the index, and a note per kind Ballast does not know.
    /// Independent of the cross-object rules: it runs beside them.
    static func settle(_ phase: PhaseTwo) -> (findings: [Finding], notes: [Finding]) {
        var findings: [Finding] = []
        for pending in phase.deferred { findings += pending.check.settle(phase.context, phase.stored[pending.object]) }
        var unknownKinds: [String: SourceSpan?] = [:]
        for i in phase.stored.indices where KindCatalog.info(group: phase.stored[i].ref.group, kind: phase.stored[i].ref.kind) == nil {
            let key = phase.stored[i].apiVersion + " " + phase.stored[i].ref.kind
            if unknownKinds[key] == nil { unknownKinds[key] = phase.stored[i].span }
        }
        let notes = unknownKinds.sorted(by: { $0.key < $1.key }).map { kind, span in
            Finding(ruleID: "unknown-kind", severity: .info,
                    message: "\(kind) is not a kind Ballast checks; its objects are only indexed", span: span)
        }
        return (findings, notes)
    }

    private func complete(_ phase: PhaseTwo) -> RunResult {
        var result = phase.result
        settle(&result, stored: phase.stored, settled: Self.settle(phase))
        return result
    }

    /// The run's findings completed with the settled checks and notes, under the configuration, sorted.
    private func settle(_ result: inout RunResult, stored: [StoredObject], settled: (findings: [Finding], notes: [Finding])) {
        result.findings += settled.findings
        applyConfig(to: &result, stored: stored)
        result.notes += settled.notes
        Self.sortInPlace(&result.findings)
        result.sort()
    }

    /// Findings put in report order (`Finding.reportOrder`, stable: what `RunResult.sort` gives) through an
    /// order of positions and swaps. Sorting the findings themselves writes up to half of them into a
    /// scratch buffer (over 40 MB at 50,000 apps); `RunResult.sort` then finds them in order and writes none.
    static func sortInPlace(_ findings: inout [Finding]) {
        guard findings.count > 1, findings.count <= Int(Int32.max) else { return }
        var order = (0..<Int32(findings.count)).map { $0 }
        findings.withUnsafeBufferPointer { found in
            order.sort { Finding.reportOrder(found[Int($0)], found[Int($1)]) }   // stable: ties keep their order
        }
        // Position k takes the finding at order[k]: each cycle of the permutation is walked once, by swaps.
        var placed = [Bool](repeating: false, count: findings.count)
        for start in findings.indices where !placed[start] {
            var k = start
            while Int(order[k]) != start {
                let from = Int(order[k])
                findings.swapAt(k, from)
                placed[k] = true
                k = from
            }
            placed[k] = true
        }
    }
}

extension Linter {
    /// The cross-object rules on one object; it is rebuilt only when a rule needs its tree.
    func crossObjectFindings(_ object: StoredObject, _ phase: PhaseTwo) -> [Finding] {
        let context = phase.context, runtime = phase.runtime
        var findings: [Finding] = []
        var rebuilt: KubeObject?
        let kindRules = rules(for: object.ref)
        for rule in kindRules.builtins {
            switch rule.check {
            case .object, .deferred: continue
            case .identity(let check): findings += check(rule, object, context)
            case .index(let check):
                if rebuilt == nil { rebuilt = object.object }
                findings += check(rule, rebuilt!, context)
            }
        }
        guard !kindRules.indexPolicies.isEmpty else { return findings }
        // One task-local binding for all the object's policies (a binding per rule cost more than some rules).
        PolicyRuntime.$current.withValue(runtime) {
            var activation: CELActivation?
            var shared: CELSharedResults?
            for rule in kindRules.indexPolicies {
                if rebuilt == nil { rebuilt = object.object }
                guard rule.match.matches(rebuilt!) else { continue }
                if activation == nil {
                    activation = PolicyEvaluator.activation(object: CELValue.from(rebuilt!.value), old: .null, params: params)
                    shared = CELSharedResults()
                }
                if let finding = PolicyEvaluator.evaluate(rule, subject: rebuilt!, activation: activation!, shared: shared) {
                    findings.append(finding)
                }
            }
        }
        return findings
    }

    /// Rule selection, severity overrides and waivers (annotations and `.ballast.yaml`), applied once to
    /// every finding whatever rule made it. Waived findings stay, marked, for JSON and SARIF.
    func applyConfig(to result: inout RunResult, stored: [StoredObject], onlyChange: Bool = false) {
        let config = options.config
        var annotationWaivers: [ObjectRef: [String: Waiver]] = [:]
        for object in stored where !object.waivers.isEmpty { annotationWaivers[object.ref] = object.waivers }
        let configWaivers = activeConfigWaivers
        // In place: a second array of every finding would double the largest allocation of a big run.
        var kept = 0
        for i in result.findings.indices {
            let finding = result.findings[i]
            guard let settled = onlyChange && finding.category != .change
                ? finding : settle(finding, annotationWaivers: annotationWaivers, configWaivers: configWaivers) else { continue }
            result.findings[kept] = settled
            kept += 1
        }
        result.findings.removeLast(result.findings.count - kept)
        if onlyChange { return }
        for waiver in config.waivers where waiver.until.map({ $0 < options.today }) ?? false {
            result.findings.append(Finding(ruleID: "waiver-expired", severity: .warning,
                                           message: "waiver of \(waiver.rule) in .ballast.yaml expired on \(waiver.until ?? ""): it suppresses nothing",
                                           span: waiver.span, remediation: WaiverParser.descriptors[1].remediation))
        }
        for waiver in config.waivers where waiver.reason.trimmingCharacters(in: " \t").isEmpty {
            result.findings.append(Finding(ruleID: "waiver-invalid", severity: .warning,
                                           message: "waiver of \(waiver.rule) in .ballast.yaml gives no reason",
                                           span: waiver.span, remediation: WaiverParser.descriptors[0].remediation))
        }
    }
}

extension Linter {
    /// The `.ballast.yaml` waivers still in force.
    var activeConfigWaivers: [ConfigWaiver] { options.config.waivers.filter { $0.until.map { $0 >= options.today } ?? true } }

    /// One finding under the configuration: dropped when its rule is not selected, its severity overridden,
    /// and waived by its object's annotation or a `.ballast.yaml` waiver. The one place every category of
    /// finding (lint, change, live) is settled.
    func settle(_ finding: Finding, annotationWaivers: [ObjectRef: [String: Waiver]], configWaivers: [ConfigWaiver]) -> Finding? {
        let config = options.config
        guard config.isEnabled(finding.ruleID), !options.disabledRules.contains(finding.ruleID) else { return nil }
        var finding = finding
        if let severity = config.severity[finding.ruleID] { finding.severity = severity }
        if finding.ruleID.hasPrefix("waiver-") { return finding }
        if let ref = finding.object, let waiver = annotationWaivers[ref]?[finding.ruleID] {
            finding.waiver = waiver
        } else if let waiver = configWaivers.first(where: { $0.covers(finding) }) {
            finding.waiver = Waiver(reason: waiver.reason, until: waiver.until)
        }
        return finding
    }

    /// Findings about the live cluster, settled as lint findings are: rule selection, severities, the
    /// waiver annotations of the desired objects they name, and `.ballast.yaml` waivers.
    public func settleLive<Objects: Sequence>(_ findings: [Finding], desired: Objects) -> [Finding] where Objects.Element == KubeObject {
        var annotationWaivers: [ObjectRef: [String: Waiver]] = [:]
        for object in desired {
            let waivers = WaiverParser.waivers(of: object, today: options.today).waivers
            if !waivers.isEmpty { annotationWaivers[object.ref] = waivers }
        }
        let configWaivers = activeConfigWaivers
        return findings.compactMap { settle($0, annotationWaivers: annotationWaivers, configWaivers: configWaivers) }
    }

    /// Drift items under `.ballast.yaml` waivers of the rule `drift` (by object pattern or file glob), for
    /// items that no annotation or `drift.ignore` waived already.
    public func settleDrift(_ items: [DriftItem]) -> [DriftItem] {
        let waivers = activeConfigWaivers.filter { $0.rule == "drift" }
        guard !waivers.isEmpty else { return items }
        return items.map { item in
            guard item.waiver == nil else { return item }
            let probe = Finding(ruleID: "drift", severity: .error, message: "", object: item.object, span: item.span)
            guard let waiver = waivers.first(where: { $0.covers(probe) }) else { return item }
            var item = item
            item.waiver = Waiver(reason: waiver.reason, until: waiver.until)
            return item
        }
    }
}

extension ConfigWaiver {
    /// Whether the waiver covers a finding: its rule, and one of its objects or paths.
    func covers(_ finding: Finding) -> Bool {
        guard rule == finding.ruleID, !reason.trimmingCharacters(in: " \t").isEmpty else { return false }
        if let ref = finding.object {
            let parts = ref.description.split(separator: "/").map(String.init)
            for pattern in objects {
                let want = pattern.split(separator: "/").map(String.init)
                if want.count == parts.count && zip(want, parts).allSatisfy({ $0 == "*" || $0 == $1 }) { return true }
            }
        }
        if let path = finding.span?.file.path, paths.contains(where: { $0.matches(path) }) { return true }
        return false
    }
}

extension BuiltinRule {
    /// Every built-in Swift rule, in catalogue order.
    public static let all: [BuiltinRule] = [
        .vctStorageClassUndefined, .statefulSetHeadlessService, .statefulSetSelectorMatchesLabels, .duplicateObject,
    ]

    /// Rules the reader reports (malformed input), for SARIF metadata.
    public static let readerRules: [RuleDescriptor] = [
        RuleDescriptor(id: "invalid-yaml", severity: .error, summary: "Manifests are valid YAML",
                       description: "libyaml could not parse the file, or a limit (alias expansion, nesting depth) was exceeded.",
                       remediation: "Fix the syntax at the position given."),
        RuleDescriptor(id: "invalid-json", severity: .error, summary: "JSON manifests are valid JSON",
                       remediation: "Fix the syntax at the position given."),
        RuleDescriptor(id: "duplicate-key", severity: .error, summary: "A mapping has each key once",
                       description: "kubectl rejects documents with duplicate keys; other tools keep the last one silently.",
                       remediation: "Remove one of the two keys."),
        RuleDescriptor(id: "invalid-utf8", severity: .error, summary: "Manifests are UTF-8",
                       remediation: "Re-encode the file as UTF-8."),
        RuleDescriptor(id: "binary-file", severity: .error, summary: "Manifest files are text",
                       remediation: "Remove the binary file or rename it so it does not end in .yaml/.yml/.json."),
    ]
}

/// Hands out consecutive ranges of work items to tasks, each range once.
final class WorkCounter: Sendable {
    private let next = Atomic<Int>(0)

    /// The next `size` items (fewer at the end) of `total`, or nil when all are taken.
    func take(_ size: Int, of total: Int) -> Range<Int>? {
        let start = next.add(size, ordering: .relaxed).oldValue
        guard start < total else { return nil }
        return start..<min(total, start + size)
    }
}
