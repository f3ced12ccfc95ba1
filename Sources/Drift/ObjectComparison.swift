import KubeModel
import Findings
import ManifestIO

/// Compares one desired object with its live counterpart: field differences, removals proven by the
/// applier's records, delegated fields dropped, each difference classified and attributed.
struct ObjectComparison {
    let options: DriftOptions
    let classifier: Classifier
    /// Workloads an HPA scales (from git or live): their `spec.replicas` is delegated.
    let autoscaled: Set<ObjectRef>
    /// Label/annotation keys of the management selectors (applier-injected).
    let injectedKeys: Set<String>

    func items(desired: KubeObject, live: KubeObject) -> [DriftItem] {
        var comparer = FieldComparer(apiVersion: desired.apiVersion, kind: desired.kind)
        comparer.compareObjects(desired: desired.value, live: live.value)
        var differences = comparer.differences

        let entries = ManagedFieldsEntry.entries(of: live.value)
        var removals = RemovalFinder(apiVersion: desired.apiVersion, kind: desired.kind, injectedKeys: injectedKeys)
        if let text = live.annotations["kubectl.kubernetes.io/last-applied-configuration"],
           // An annotation that is not JSON proves nothing: no removal is the correct answer then.
           let applied = try? JSONReader.parse(Array(text.utf8), file: FileID("<last-applied-configuration>")) {
            removals.walk(lastApplied: applied, desired: desired.value, live: live.value)
        }
        for entry in entries where entry.operation == "Apply" && options.appliers.contains(entry.manager) && entry.subresource == nil {
            removals.walk(fieldsOf: entry, desired: desired.value, live: live.value)
        }
        if !removals.differences.isEmpty {
            var seen = Set(differences.map { $0.steps.text })
            for removal in removals.differences where seen.insert(removal.steps.text).inserted {
                differences.append(removal)
            }
        }

        differences.removeAll { isDelegated($0, desired: desired, entries: entries) }
        return differences.map { item(for: $0, desired: desired, live: live, entries: entries) }
    }

    /// `spec.replicas` belongs to an HPA when one targets the workload; to whoever scales it through the
    /// `scale` subresource when git does not declare it (a `kubectl scale` of a declared count is drift).
    private func isDelegated(_ difference: Difference, desired: KubeObject, entries: [ManagedFieldsEntry]) -> Bool {
        guard difference.steps == [.field("spec"), .field("replicas")] else { return false }
        if autoscaled.contains(desired.ref) { return true }
        if desired.value[path: "spec", "replicas"] == nil {
            return entries.contains { $0.subresource == "scale" && $0.owns(difference.steps) }
                || difference.reason == .defaultDiffers
        }
        return false
    }

    private func item(for difference: Difference, desired: KubeObject, live: KubeObject,
                      entries: [ManagedFieldsEntry]) -> DriftItem {
        let verdict = classifier.classify(difference, desired: desired, live: live)
        let attribution = entries.attribution(for: difference.steps)
        var message: String
        switch difference.reason {
        case .changed:
            message = difference.live == nil ? "declared in git, absent live" : "git and live differ"
        case .defaultDiffers:
            message = "git omits the field; its default \(difference.desired?.json ?? "") differs from live"
        case .removed(let evidence):
            message = "removed from git but still set live (proven by \(evidence))"
        case .envOrder(let reference):
            message = "env order differs and changes what \(reference) resolves to"
        }
        if let note = verdict.note { message += "; " + note }
        if let writer = attribution.first, writer.subresource == "scale" || !options.appliers.contains(writer.manager) {
            message += "; last written by \(writer.manager)\(writer.subresource.map { " (\($0))" } ?? "")"
        }
        return DriftItem(object: desired.ref, path: difference.steps.text,
                         desired: difference.desired?.json ?? "<absent>", live: difference.live?.json ?? "<absent>",
                         driftClass: verdict.driftClass, attribution: attribution, remediation: verdict.remediation,
                         span: difference.span ?? nearestSpan(difference.steps, in: desired) ?? desired.span, message: message)
    }

    /// The span of the deepest part of `steps` that git writes (for a removed field: its parent).
    private func nearestSpan(_ steps: [PathStep], in desired: KubeObject) -> SourceSpan? {
        var node = desired.value
        var best = node.span
        for (depth, step) in steps.enumerated() {
            switch step {
            case .field(let name):
                guard let child = node[name] else { return best }
                node = child
            case .index(let i):
                guard let items = node.listValue, i < items.count else { return best }
                node = items[i]
            case .keyed(_, _, let wanted):
                guard case .keys(let keys) = ListKeys.matching(apiVersion: desired.apiVersion, kind: desired.kind,
                                                               steps: Array(steps[0..<depth])),
                      let found = node.listValue?.first(where: { item in
                          ListKeys.key(for: item, keys: keys) == wanted
                      }) else { return best }
                node = found
            }
            best = node.span ?? best
        }
        return best
    }
}
