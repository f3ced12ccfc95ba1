import KubeModel

/// The API server's documented defaults (research/drift.md b.1), used two ways only: a live value that
/// equals its field's default for some supported version is excused, and a field git omits whose live
/// value differs from every such default is drift, with the default as the desired value. Defaults are
/// never written into the desired object (research/drift.md FP14).
enum Defaults {
    private enum Rule {
        /// Any of these values (several: the default changed between Kubernetes versions or feature gates).
        case values([Value])
        /// `Always` for `:latest` or untagged images, else `IfNotPresent` (core/v1 `SetDefaults_Container`).
        case imagePullPolicy
        /// A Service port's `targetPort` defaults to its `port`, as an integer.
        case targetPortFromPort
    }

    /// `Kind|pattern`; `*|$pod...` for every pod template (DESIGN §6 path patterns, lists as `[]`).
    private static let table: [String: Rule] = {
        var t: [String: Rule] = [:]
        func add(_ kind: String, _ pattern: String, _ values: Value...) { t[kind + "|" + pattern] = .values(values) }
        let s = Value.string, i = Value.int
        add("StatefulSet", "spec.podManagementPolicy", s("OrderedReady"))
        add("StatefulSet", "spec.revisionHistoryLimit", i(10))
        add("StatefulSet", "spec.minReadySeconds", i(0))
        add("StatefulSet", "spec.updateStrategy.type", s("RollingUpdate"))
        add("StatefulSet", "spec.updateStrategy.rollingUpdate.partition", i(0))
        add("StatefulSet", "spec.updateStrategy.rollingUpdate.maxUnavailable", i(1))
        add("StatefulSet", "spec.persistentVolumeClaimRetentionPolicy.whenDeleted", s("Retain"))
        add("StatefulSet", "spec.persistentVolumeClaimRetentionPolicy.whenScaled", s("Retain"))
        add("StatefulSet", "spec.volumeClaimTemplates[].spec.volumeMode", s("Filesystem"))
        add("StatefulSet", "spec.volumeClaimTemplates[].status.phase", s("Pending"))
        add("Deployment", "spec.revisionHistoryLimit", i(10))
        add("Deployment", "spec.progressDeadlineSeconds", i(600))
        add("Deployment", "spec.strategy.type", s("RollingUpdate"))
        add("Deployment", "spec.strategy.rollingUpdate.maxSurge", s("25%"))
        add("Deployment", "spec.strategy.rollingUpdate.maxUnavailable", s("25%"))
        add("DaemonSet", "spec.revisionHistoryLimit", i(10))
        add("DaemonSet", "spec.updateStrategy.type", s("RollingUpdate"))
        add("DaemonSet", "spec.updateStrategy.rollingUpdate.maxUnavailable", i(1))
        add("DaemonSet", "spec.updateStrategy.rollingUpdate.maxSurge", i(0))
        add("Job", "spec.backoffLimit", i(6))
        add("Job", "spec.completions", i(1))
        add("Job", "spec.parallelism", i(1))
        add("Job", "spec.completionMode", s("NonIndexed"))
        add("Job", "spec.suspend", .bool(false))
        add("Job", "spec.podReplacementPolicy", s("TerminatingOrFailed"), s("Failed"))
        add("CronJob", "spec.concurrencyPolicy", s("Allow"))
        add("CronJob", "spec.suspend", .bool(false))
        add("CronJob", "spec.successfulJobsHistoryLimit", i(3))
        add("CronJob", "spec.failedJobsHistoryLimit", i(1))
        add("StorageClass", "reclaimPolicy", s("Delete"))
        add("StorageClass", "volumeBindingMode", s("Immediate"))
        add("PersistentVolumeClaim", "spec.volumeMode", s("Filesystem"))
        add("PersistentVolume", "spec.volumeMode", s("Filesystem"))
        add("PersistentVolume", "spec.persistentVolumeReclaimPolicy", s("Retain"))
        add("Service", "spec.type", s("ClusterIP"))
        add("Service", "spec.sessionAffinity", s("None"))
        add("Service", "spec.internalTrafficPolicy", s("Cluster"))
        add("Service", "spec.externalTrafficPolicy", s("Cluster"))
        add("Service", "spec.allocateLoadBalancerNodePorts", .bool(true))
        add("Service", "spec.ports[].protocol", s("TCP"))
        t["Service|spec.ports[].targetPort"] = .targetPortFromPort
        add("HorizontalPodAutoscaler", "spec.minReplicas", i(1))
        add("*", "$pod.spec.dnsPolicy", s("ClusterFirst"))
        add("*", "$pod.spec.restartPolicy", s("Always"))   // not for Job templates: git must set it there
        add("*", "$pod.spec.terminationGracePeriodSeconds", i(30))
        add("*", "$pod.spec.schedulerName", s("default-scheduler"))
        for containers in ["containers", "initContainers"] {
            let c = "$pod.spec.\(containers)[]."
            t["*|" + c + "imagePullPolicy"] = .imagePullPolicy
            add("*", c + "terminationMessagePath", s("/dev/termination-log"))
            add("*", c + "terminationMessagePolicy", s("File"))
            add("*", c + "ports[].protocol", s("TCP"))
            add("*", c + "env[].valueFrom.fieldRef.apiVersion", s("v1"))
            for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
                add("*", c + probe + ".timeoutSeconds", i(1))
                add("*", c + probe + ".periodSeconds", i(10))
                add("*", c + probe + ".successThreshold", i(1))
                add("*", c + probe + ".failureThreshold", i(3))
                add("*", c + probe + ".httpGet.scheme", s("HTTP"))
                add("*", c + probe + ".httpGet.path", s("/"))
            }
        }
        for source in ["configMap", "secret", "projected", "downwardAPI"] {
            add("*", "$pod.spec.volumes[].\(source).defaultMode", i(420))
        }
        add("*", "$pod.spec.volumes[].projected.sources[].serviceAccountToken.expirationSeconds", i(3600))
        return t
    }()

    /// Maps git may omit that the server creates whole, so that their defaulted fields are compared one
    /// by one (`updateStrategy: {type: RollingUpdate, rollingUpdate: {partition: 0}}` when git has none).
    private static let serverCreatedParents: Set<String> = [
        "StatefulSet|spec.updateStrategy", "StatefulSet|spec.updateStrategy.rollingUpdate",
        "StatefulSet|spec.persistentVolumeClaimRetentionPolicy",
        "Deployment|spec.strategy", "Deployment|spec.strategy.rollingUpdate",
        "DaemonSet|spec.updateStrategy", "DaemonSet|spec.updateStrategy.rollingUpdate",
    ]

    /// A table line as its kind (`*`: every pod template), the pattern's components (`[]` for a list item)
    /// and what it says: found by the path's last field name, then matched step by step, so that looking
    /// a field up builds no text (it runs for every field only live).
    private struct Entry {
        var kind: String
        var components: [String]
        var rule: Rule?
        var serverCreated: Bool

        func matches(kind: String, steps: [PathStep]) -> Bool {
            var start = 0
            if self.kind == "*" {
                // `$pod` is the kind's pod template (the object itself for a Pod).
                if kind != "Pod" {
                    guard let prefix = podTemplatePrefix(kind: kind), steps.count > prefix.count else { return false }
                    for (k, name) in prefix.enumerated() where steps[k].fieldName != name { return false }
                    start = prefix.count
                }
                // Not for Job templates: git must set restartPolicy there.
                if components == ["spec", "restartPolicy"] && (kind == "Job" || kind == "CronJob") { return false }
            } else if self.kind != kind {
                return false
            }
            guard steps.count - start == components.count else { return false }
            for (k, component) in components.enumerated() {
                switch steps[start + k] {
                case .field(let name): if name != component { return false }
                case .index, .keyed: if component != "[]" { return false }
                }
            }
            return true
        }
    }

    private static let entries: [String: [Entry]] = {
        var byLast: [String: [Entry]] = [:]
        func add(_ key: String, rule: Rule?, serverCreated: Bool) {
            let bar = key.firstIndex(of: "|")!
            var pattern = String(key[key.index(after: bar)...])
            if pattern.hasPrefix("$pod.") { pattern.removeFirst(5) }
            var components: [String] = []
            for part in pattern.split(separator: ".") {
                var name = Substring(part)
                var lists = 0
                while name.hasSuffix("[]") { name = name.dropLast(2); lists += 1 }
                components.append(String(name))
                components.append(contentsOf: repeatElement("[]", count: lists))
            }
            let entry = Entry(kind: String(key[..<bar]), components: components, rule: rule, serverCreated: serverCreated)
            byLast[components.last(where: { $0 != "[]" }) ?? "", default: []].append(entry)
        }
        for (key, rule) in table { add(key, rule: rule, serverCreated: false) }
        for key in serverCreatedParents { add(key, rule: nil, serverCreated: true) }
        return byLast
    }()

    /// The defaults of the field at `steps`, when the table has it. `parent` is the desired map that omits
    /// the field (the container, for `imagePullPolicy`).
    static func values(kind: String, steps: [PathStep], parent: Value?) -> [Value]? {
        guard let rule = entry(kind: kind, steps: steps, where: { $0.rule != nil })?.rule else { return nil }
        switch rule {
        case .values(let values): return values
        case .imagePullPolicy:
            guard let image = parent?["image"]?.stringValue else { return [.string("Always"), .string("IfNotPresent")] }
            return [.string(imageDefaultsToAlways(image) ? "Always" : "IfNotPresent")]
        case .targetPortFromPort:
            guard let port = parent?["port"] else { return nil }
            return [port]
        }
    }

    /// Whether git may omit the map at `steps` and the server then creates it with defaulted fields.
    static func isServerCreatedParent(kind: String, steps: [PathStep]) -> Bool {
        entry(kind: kind, steps: steps, where: \.serverCreated) != nil
    }

    private static func entry(kind: String, steps: [PathStep], where wanted: (Entry) -> Bool) -> Entry? {
        guard case .field(let last)? = steps.last, let candidates = entries[last] else { return nil }
        return candidates.first { wanted($0) && $0.matches(kind: kind, steps: steps) }
    }

    /// core/v1 `SetDefaults_Container`: `Always` when the tag is `latest` or absent (and no digest).
    static func imageDefaultsToAlways(_ image: String) -> Bool {
        if image.utf8.contains(UInt8(ascii: "@")) { return false }
        let lastComponent = image.utf8.lastIndex(of: UInt8(ascii: "/")).map { image[image.index(after: $0)...] } ?? image[...]
        guard let colon = lastComponent.utf8.lastIndex(of: UInt8(ascii: ":")) else { return true }
        return lastComponent[lastComponent.index(after: colon)...] == "latest"
    }
}
