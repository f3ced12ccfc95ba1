import KubeModel
import Findings

/// A backup CronJob of the live cluster, with what it backs up.
struct BackupJob {
    var object: KubeObject
    /// StatefulSet names (same namespace), from `ballast.dev/backup-of` (live or git) or the name
    /// `<sts>-backup…`.
    var targets: [String]
    /// `status.lastSuccessfulTime`, Unix seconds.
    var lastSuccess: Int64?
}

/// The indexes one run of the live checks shares: desired objects by identity, live objects by kind,
/// StatefulSets by namespace, backup CronJobs.
struct LiveContext {
    let desired: [ObjectRef: KubeObject]
    /// The live objects in identity order, packed; `live(group:kind:)` rebuilds those of one kind.
    let live: CompactObjects
    let usage: [PVCUsageSample]
    let now: Int64
    let params: LiveCheckParams
    /// Desired StatefulSets by namespace (git names the volume claim templates and the RPO).
    let desiredStatefulSets: [String: [KubeObject]]
    /// Positions in `live` of the StatefulSets, by namespace and name.
    let liveStatefulSets: [String: [String: Int]]
    let backupJobs: [BackupJob]

    init(desired: [KubeObject], live: CompactObjects, usage: [PVCUsageSample], now: Int64, params: LiveCheckParams) {
        var byRef: [ObjectRef: KubeObject] = [:]
        var stsByNamespace: [String: [KubeObject]] = [:]
        for object in desired {
            if byRef[object.ref] == nil { byRef[object.ref] = object }   // a duplicate is lint's finding
            if LiveContext.isStatefulSet(object.ref) { stsByNamespace[object.namespace ?? "", default: []].append(object) }
        }
        let live = live.sortedByRef()
        var liveSts: [String: [String: Int]] = [:]
        for k in live.indices where LiveContext.isStatefulSet(live.ref(at: k)) {
            liveSts[live.ref(at: k).namespace ?? "", default: [:]][live.ref(at: k).name] = k
        }
        self.desired = byRef
        self.live = live
        self.usage = usage
        self.now = now
        self.params = params
        desiredStatefulSets = stsByNamespace
        liveStatefulSets = liveSts
        var jobs: [BackupJob] = []
        for object in live.objects(group: "batch", kind: "CronJob") {
            let twin = byRef[object.ref]
            var targets = LiveContext.annotationList("ballast.dev/backup-of", object, twin)
            let name = Array(object.name.utf8), suffix = Array("-backup".utf8)
            if name.count > suffix.count {
                for start in 1...(name.count - suffix.count) where name[start..<(start + suffix.count)].elementsEqual(suffix) {
                    let target = String(decoding: name[..<start], as: UTF8.self)
                    if !targets.contains(target) { targets.append(target) }
                }
            }
            guard !targets.isEmpty else { continue }
            jobs.append(BackupJob(object: object, targets: targets,
                                  lastSuccess: object.value[path: "status", "lastSuccessfulTime"]?.stringValue.flatMap(LiveTime.parse)))
        }
        backupJobs = jobs
    }

    static func isStatefulSet(_ ref: ObjectRef) -> Bool { ref.group == "apps" && ref.kind == "StatefulSet" }
    static func isCronJob(_ ref: ObjectRef) -> Bool { ref.group == "batch" && ref.kind == "CronJob" }

    /// The comma-separated values of an annotation on the live object, else on its desired twin.
    static func annotationList(_ key: String, _ live: KubeObject, _ desired: KubeObject?) -> [String] {
        let text = live.annotations[key] ?? desired?.annotations[key] ?? ""
        return text.split(separator: ",").map { String($0).trimmingCharacters(in: " \t") }.filter { !$0.isEmpty }
    }

    /// Live objects of a kind.
    func live(group: String, kind: String) -> [KubeObject] { live.objects(group: group, kind: kind) }

    /// Where a finding about `ref` points: the node at `path` in its desired object when git has it
    /// (falling back to the object's start), else nothing.
    func span(of ref: ObjectRef, at path: [String] = []) -> SourceSpan? {
        guard let object = desired[ref] else { return nil }
        return (path.isEmpty ? nil : object.value[path: path]?.span) ?? object.span
    }

    /// The desired StatefulSet and volume claim template a PVC named `<template>-<statefulset>-<ordinal>`
    /// comes from, if git has them.
    func claimTemplate(namespace: String, claim: String) -> (statefulSet: KubeObject, template: Value, name: String)? {
        for sts in desiredStatefulSets[namespace] ?? [] {
            for template in sts.value[path: "spec", "volumeClaimTemplates"]?.listValue ?? [] {
                guard let name = template[path: "metadata", "name"]?.stringValue else { continue }
                let prefix = "\(name)-\(sts.name)-"
                guard claim.hasPrefix(prefix) else { continue }
                let ordinal = claim.dropFirst(prefix.count)
                if !ordinal.isEmpty && ordinal.allSatisfy(\.isNumber) { return (sts, template, name) }
            }
        }
        return nil
    }

    /// Where a finding about a claim points: the claim in git, else its StatefulSet's template in git.
    func claimSpan(namespace: String, name: String, field: [String]) -> SourceSpan? {
        let ref = ObjectRef(group: "", kind: "PersistentVolumeClaim", namespace: namespace, name: name)
        if let span = span(of: ref, at: field) { return span }
        guard let owner = claimTemplate(namespace: namespace, claim: name) else { return nil }
        return (field.isEmpty ? nil : owner.template[path: field]?.span) ?? owner.template.span ?? owner.statefulSet.span
    }

    /// The StatefulSet named `name` in `namespace`: git's, else the live one.
    func statefulSet(namespace: String, name: String) -> KubeObject? {
        desired[ObjectRef(group: "apps", kind: "StatefulSet", namespace: namespace, name: name)]
            ?? liveStatefulSets[namespace]?[name].map { live[$0] }
    }

    /// A finding of category `.live` with the rule's remediation unless one is given.
    func finding(_ rule: String, _ severity: Severity, _ message: String, object: ObjectRef, span: SourceSpan?,
                 path: String?, remediation: String? = nil) -> Finding {
        Finding(ruleID: rule, severity: severity, message: message, object: object, span: span, path: path,
                category: .live, remediation: remediation ?? LiveRule.descriptor(rule)?.remediation)
    }

    /// An integer field (`int` or integral `number`), nil when absent or not a whole number.
    static func integer(_ value: Value?) -> Int64? {
        guard let value else { return nil }
        if let i = value.intValue { return i }
        if case .number(let text) = value.kind { return Int64(text) }
        return nil
    }

    /// `0.923` → `92.3`.
    static func percent(_ fraction: Double) -> String {
        let tenths = Int64((fraction * 1000).rounded())
        return "\(tenths / 10).\(abs(tenths % 10))"
    }
}
