import KubeModel
import Policy
public import Findings
public import ManifestIO
import CEL

/// The pull-request gate: lint head and report only the findings head introduces (by fingerprint: rule,
/// object, field path; the others are counted as pre-existing), and evaluate the change rules on every
/// object that differs between base and head, paired by identity (a moved file is no delete + create).
public struct Gate: Sendable {
    let linter: Linter
    let changeRules: [PolicyRule]

    public init(options: LintOptions, pack: PolicyPack) {
        linter = Linter(options: options, pack: pack)
        var pack = pack
        pack.filter { !options.disabledRules.contains($0) && options.config.isEnabled($0) }
        changeRules = pack.rules.filter { $0.trigger == .change }
    }

    /// `base` and `head`: the files read at each revision (unchanged files may be passed once, in both).
    /// `renamedFrom`: head path → base path of the files git pairs as renamed.
    public func run(base: [FileResult], head: [FileResult], renamedFrom: [String: String] = [:]) -> RunResult {
        var headResult = linter.lint(head)
        let baseResult = linter.lint(base)
        let baseFingerprints = Set(baseResult.findings.map(\.fingerprint))
        let introduced = headResult.findings.filter { !baseFingerprints.contains(Self.fingerprint(of: $0, renamedFrom: renamedFrom)) }
        headResult.preexistingCount = headResult.findings.count - introduced.count
        headResult.findings = introduced
        headResult.failures += baseResult.failures

        // Pair objects by identity.
        var baseObjects: [ObjectRef: KubeObject] = [:]
        for file in base { for parsed in file.objects where baseObjects[parsed.object.ref] == nil { baseObjects[parsed.object.ref] = parsed.object } }
        var headObjects: [ObjectRef: KubeObject] = [:]
        var headStored: [StoredObject] = []
        for file in head {
            for parsed in file.objects where headObjects[parsed.object.ref] == nil {
                headObjects[parsed.object.ref] = parsed.object
                var stored = StoredObject(parsed.object)
                stored.waivers = WaiverParser.waivers(of: parsed.object, today: linter.options.today).waivers
                stored.facts = ObjectFacts(parsed.object, dataTier: linter.options.config.dataTier)
                headStored.append(stored)
            }
        }
        let index = ObjectIndex(headStored)
        let runtime = PolicyRuntime(index: index, dataTier: linter.options.config.dataTier,
                                    buildObjects: changeRules.contains { $0.readsObjects })
        var changed = 0
        var changeFindings: [Finding] = []
        for ref in Set(baseObjects.keys).union(headObjects.keys).sorted() {
            let old = baseObjects[ref], new = headObjects[ref]
            if let old, let new, old.value == new.value { continue }
            changed += 1
            for rule in changeRules {
                let finding = PolicyRuntime.$current.withValue(runtime) {
                    PolicyEvaluator.evaluate(rule, object: new, old: old, params: linter.params)
                }
                guard var finding else { continue }
                if let path = finding.path {
                    finding.before = Self.value(at: path, in: old)
                    finding.after = Self.value(at: path, in: new)
                }
                if new == nil, let span = old?.span {
                    finding.span = span   // a deletion points at where the object was in base
                }
                changeFindings.append(finding)
            }
        }
        headResult.changedObjects = changed
        headResult.findings += changeFindings
        // Waivers on the head object let a change through (the report says so); config applies again.
        linter.applyConfig(to: &headResult, stored: headStored, onlyChange: true)
        headResult.rules += changeRules.map(\.descriptor)
        headResult.sort()
        return headResult
    }

    /// A head finding's fingerprint as base would have it: a finding with no object (a parse error, a
    /// duplicate key) is known by its file, and a renamed file is known in base by its base path.
    static func fingerprint(of finding: Finding, renamedFrom: [String: String]) -> String {
        guard finding.object == nil, let path = finding.span?.file.path, let old = renamedFrom[path] else { return finding.fingerprint }
        var moved = finding
        moved.span?.file = FileID(old)
        return moved.fingerprint
    }

    /// The value at a field path as compact JSON, `<absent>` when missing.
    static func value(at path: String, in object: KubeObject?) -> String {
        guard let object, let node = PathResolver.resolve(path, in: object.value).node else { return "<absent>" }
        return node.json
    }
}
