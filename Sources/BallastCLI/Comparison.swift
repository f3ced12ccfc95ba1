import ArgumentParser
import Foundation
import CMallocTuning
import KubeModel
import Findings
import ManifestIO
import ClusterSource
import DesiredState
import Drift
import Policy
import Lint

/// Wires `drift` and `check`: the desired state (read once), the live state of the kinds git holds (a
/// cluster or a snapshot), the comparison, the live checks and the baseline. Deciding lives in the
/// libraries (DesiredState, ClusterSource, Drift, Policy); this only connects them.
struct Comparison {
    var desired: DesiredState
    var live: LiveOptions
    var config: BallastConfig
    /// Settles findings and drift items under the configuration (selection, severities, waivers), and
    /// lints the desired state when `lints` (`check`).
    var linter: Linter
    var lints: Bool
    /// Run the live checks (`check`).
    var liveChecks: Bool
    /// `--shard i/n`: read and report only this shard's namespaces.
    var shard: Shard? = nil

    /// Kinds read for context even when git holds none of them: claims and volumes (orphans, reclaim
    /// policies), StatefulSets, classes, autoscalers (delegated replicas) and CronJobs (backup age).
    static let contextKinds: [(group: String, kind: String)] = [
        ("apps", "StatefulSet"), ("", "PersistentVolumeClaim"), ("", "PersistentVolume"),
        ("storage.k8s.io", "StorageClass"), ("autoscaling", "HorizontalPodAutoscaler"), ("batch", "CronJob"),
    ]

    /// Consuming: the desired state's file contents are released once they are read.
    consuming func run() async throws -> RunResult {
        let started = Date()
        var result: RunResult
        // The desired objects, packed: each is rebuilt only while it is compared. `check` lints the trees
        // first; `drift` packs each file as soon as it is read.
        let namespaces = live.cluster.namespaces.isEmpty ? nil : Set(live.cluster.namespaces)
        var packed: [PackedFile]
        if lints {
            var files = await desired.readAll()
            if let namespaces {
                // --namespace: only objects of these namespaces (and cluster-scoped ones) are checked and compared.
                for i in files.indices { files[i].objects.removeAll { $0.object.namespace.map { !namespaces.contains($0) } ?? false } }
            }
            desired.inputs = []
            result = await linter.lint([], reader: desired.reader, prepared: files)
            let keys = KeyTable()   // one table for the run's objects
            packed = files.map { PackedFile($0, keys: keys) }
        } else {
            packed = await desired.readAllPacked()
            desired.inputs = []   // the files' bytes (from git, tens of megabytes) are not read again
            // Gone for good: returned now, or they stay resident in the reader threads' arenas while the
            // cluster is read (10 MB of peak RSS at 10,000 StatefulSets, depending on which thread reads).
            ballast_release_free_memory()
            result = RunResult(filesRead: packed.count)
            for file in packed.map(\.result) {
                if let failure = file.failure { result.failures.append(failure) }
                result.notes += file.notes
                for error in file.errors {
                    result.findings.append(Finding(ruleID: error.ruleID, severity: .error, message: error.message, span: error.span))
                }
            }
        }
        result.failures = desired.failures + result.failures
        result.notes += desired.notes
        for (tool, version) in desired.toolVersions { result.toolVersions[tool] = version }

        // Desired objects, first document of each identity (a duplicate is a lint finding); with
        // --namespace, only those of these namespaces (and cluster-scoped ones) are compared.
        var seen = Set<ObjectRef>()
        var objects = CompactObjects()
        for file in packed {
            var kept = file.objects
            kept.removeAll(whereRef: { ref in
                !seen.insert(ref).inserted || (namespaces != nil && ref.namespace.map { !namespaces!.contains($0) } ?? false)
            })
            objects += kept
        }
        packed = []
        let desiredRefs = objects.refs
        // A shard compares its own namespaces' objects; cluster-scoped ones stay for context (classes
        // classify claim drift), and what they yield outside shard 0 is dropped by `restricted(to:)`.
        var compared = objects
        if let shard {
            compared.removeAll(whereRef: { ref in
                guard ref.namespace == nil else { return !shard.contains(ref) }
                // Shards other than 0 read no PVs from a cluster (ShardVolumes.swift): git's are shard 0's alone.
                return !(shard.index == 0 || live.snapshot != nil || !Self.isVolume((ref.group, ref.kind)))
            })
        }
        let kinds = Self.kinds(of: desiredRefs)

        // The live state.
        var read: LiveRead
        let usage: PVCUsageResult
        var now = Int64(Date().timeIntervalSince1970)
        let client = live.snapshot == nil ? try live.cluster.client() : nil
        var scope = namespaces.map { Array($0).sorted() }
        var allNamespaces: CompactObjects?
        if let shard {
            let listed = try listNamespaces(client)
            if let reason = listed.unreadKinds["Namespace"] {
                result.failures.append(ReadFailure(source: "cluster: namespaces (for --shard \(shard))", reason: reason))
            }
            if listed.completeKinds.contains("Namespace") { allNamespaces = listed.objects }
            scope = shard.namespaces(desired: desiredRefs, live: listed.objects.refs.map(\.name), restrictedTo: namespaces)
        }
        if let directory = live.snapshot {
            do { read = try Snapshot.load(directory, kinds: kinds, namespaces: scope) } catch {
                writeAll("ballast: \(error.description)\n", to: 2)
                throw ExitCode(3)
            }
            usage = Snapshot.readUsage(from: directory)
            // A snapshot is judged as of when it was taken.
            if let taken = parseRFC3339(read.readAt) { now = taken }
        } else if let client {
            if let shard {
                read = client.readLive(kinds: kinds.filter { !Self.isVolume($0) }, namespaces: scope)
                if shard.index == 0 { Self.readShardVolumes(client, desired: objects, into: &read) }
            } else {
                read = client.readLive(kinds: kinds, namespaces: scope)
            }
            usage = liveChecks ? client.pvcUsage() : PVCUsageResult()
        } else {
            read = LiveRead()
            usage = PVCUsageResult()
        }
        if let allNamespaces, read.completeKinds.contains("Namespace") {
            // Namespaces are cluster-scoped: shard 0 compares all of them, not only its own.
            read.objects.removeAll(whereRef: { $0.group.isEmpty && $0.kind == "Namespace" })
            read.objects += allNamespaces
        }
        for note in read.notes + usage.notes {
            result.notes.append(Finding(ruleID: "cluster-note", severity: .info, message: note, category: .live))
        }
        for missing in usage.incomplete {
            result.failures.append(ReadFailure(source: "cluster: \(missing.what)", reason: missing.reason))
        }
        // Context kinds that git does not hold and that could not be read: what depends on them is unknown.
        for (qualified, reason) in read.unreadKinds.sorted(by: { $0.key < $1.key })
        where !desiredRefs.contains(where: { $0.qualifiedKind == qualified }) {
            result.notes.append(Finding(ruleID: "cluster-kind-unread", severity: .info,
                                        message: "\(qualified) could not be read (\(reason)): orphans, reclaim policies and live checks that need it are not checked",
                                        category: .live))
        }
        let state = LiveState(objects: read.objects, completeKinds: read.completeKinds, unreadKinds: read.unreadKinds,
                              serverVersion: read.serverVersion, namespaces: read.namespaces)

        // The comparison.
        var driftOptions = DriftOptions()
        driftOptions.ignore = config.driftIgnore.map {
            DriftIgnoreRule(kind: $0.kinds.count == 1 ? $0.kinds[0] : nil, namespace: $0.namespaces.count == 1 ? $0.namespaces[0] : nil,
                            name: $0.names.count == 1 ? $0.names[0] : nil, paths: $0.paths, reason: $0.reason)
        }
        // Entries that list several kinds, namespaces or names become one rule per combination.
        for entry in config.driftIgnore where entry.kinds.count > 1 || entry.namespaces.count > 1 || entry.names.count > 1 {
            for kind in entry.kinds.isEmpty ? [nil] : entry.kinds.map(Optional.some) {
                for namespace in entry.namespaces.isEmpty ? [nil] : entry.namespaces.map(Optional.some) {
                    for name in entry.names.isEmpty ? [nil] : entry.names.map(Optional.some) {
                        driftOptions.ignore.append(DriftIgnoreRule(kind: kind, namespace: namespace, name: name, paths: entry.paths, reason: entry.reason))
                    }
                }
            }
        }
        driftOptions.management = Self.managementSelectors(desiredRefs)
        let comparison = DriftComparer(options: driftOptions).compare(desired: compared, live: state)
        var items = comparison.items
        result.uncompared = comparison.uncompared + desired.unrendered
        result.objectsCompared = comparison.compared
        if let shard, shard.index != 0 {
            // Cluster-scoped objects were compared for context only: shard 0 counts them.
            let context = compared.refs.filter { $0.namespace == nil }.count - comparison.uncompared.filter { $0.object.namespace == nil }.count
            result.objectsCompared = comparison.compared - context
        }
        result.notes += comparison.notes
        if let path = live.baseline {
            let baseline: Baseline
            do { baseline = try Baseline.load(path: path) } catch {
                writeAll("ballast: --baseline \(path): \(error.description)\n", to: 2)
                throw ExitCode(2)
            }
            items = baseline.apply(to: items, now: rfc3339(now))
        }
        result.drift = linter.settleDrift(items)

        if liveChecks {
            let checks = LiveChecks(params: Self.liveParams(config.params)).run(desired: Array(objects), live: read.objects,
                                                                               usage: usage.usage.compactMap { u in
                u.usedFraction.map { PVCUsageSample(namespace: u.namespace, name: u.name, usedFraction: $0) }
            }, now: now)
            // Live findings are settled as lint findings are (selection, severities, waivers).
            result.findings += linter.settleLive(checks.findings, desired: objects)
            result.liveMetrics = checks.metrics
            result.rules += LiveChecks.rules
        }
        if let shard { result = result.restricted(to: shard) }
        result.startedAt = rfc3339(Int64(started.timeIntervalSince1970))
        result.durationSeconds = Date().timeIntervalSince(started)
        result.sort()
        return result
    }

    /// The kinds to read live: every kind git holds (Secrets never) and the context kinds.
    static func kinds(of objects: [ObjectRef]) -> [(group: String, kind: String)] {
        var kinds: [(group: String, kind: String)] = []
        var seen = Set<String>()
        for ref in objects + contextKinds.map({ ObjectRef(group: $0.group, kind: $0.kind, namespace: nil, name: "") })
        where !(ref.group.isEmpty && ref.kind == "Secret") && seen.insert(ref.qualifiedKind).inserted {
            kinds.append((ref.group, ref.kind))
        }
        return kinds
    }

    /// Every Namespace, listed before a shard reads its own (the namespaces only the cluster has hold
    /// unmanaged objects and orphans too): one cluster-scoped list, from the cluster or the snapshot.
    func listNamespaces(_ client: ClusterClient?) throws -> LiveRead {
        guard let directory = live.snapshot else { return client?.readLive(kinds: [("", "Namespace")]) ?? LiveRead() }
        do { return try Snapshot.load(directory, kinds: [("", "Namespace")]) } catch {
            writeAll("ballast: \(error.description)\n", to: 2)
            throw ExitCode(3)
        }
    }

    /// The marks of the appliers that git itself declares: the tracking annotation of each Argo CD
    /// Application and the label of each Flux Kustomization. A live object that carries one but is not in
    /// git is unmanaged drift.
    static func managementSelectors(_ objects: [ObjectRef]) -> [ManagementSelector] {
        objects.compactMap { object in
            switch (object.group, object.kind) {
            case ("argoproj.io", "Application"): .argoCD(application: object.name)
            case ("kustomize.toolkit.fluxcd.io", "Kustomization"): .flux(kustomization: object.name)
            default: nil
            }
        }
    }

    /// The live checks' thresholds from `.ballast.yaml` `params:`.
    static func liveParams(_ params: Value) -> LiveCheckParams {
        var out = LiveCheckParams()
        func number(_ key: String) -> Double? {
            guard let v = params[key] else { return nil }
            if let i = v.intValue { return Double(i) }
            if case .number(let text) = v.kind { return Double(text) }
            return nil
        }
        if let v = number("pvcUsageWarning") { out.pvcUsageWarning = v }
        if let v = number("pvcUsageError") { out.pvcUsageError = v }
        if let v = number("rolloutStuckSeconds") { out.rolloutStuckSeconds = Int64(v) }
        if let v = number("restoreDrillMaxDays") { out.restoreDrillMaxDays = Int64(v) }
        if let v = number("rpoHours") { out.rpoSeconds = Int64(v * 3600) }
        return out
    }
}

/// `2026-11-29T00:00:00Z` → Unix seconds.
func parseRFC3339(_ text: String) -> Int64? {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970) }
    formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
    return formatter.date(from: text).map { Int64($0.timeIntervalSince1970) }
}

func rfc3339(_ seconds: Int64) -> String {
    let formatter = ISO8601DateFormatter()
    formatter.formatOptions = [.withInternetDateTime]
    return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(seconds)))
}
