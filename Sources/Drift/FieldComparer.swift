import KubeModel

/// One difference the walk found, before classification.
struct Difference {
    enum Reason: Equatable {
        /// Git and live disagree on a field git declares.
        case changed
        /// Git omits the field and live differs from its documented default (the default is `desired`).
        case defaultDiffers
        /// Git dropped a field the applier had set (`evidence` says how that is known).
        case removed(evidence: String)
        /// Reordered `env` changes what a `$(VAR)` reference resolves to.
        case envOrder(String)
    }
    var steps: [PathStep]
    /// nil: absent in git.
    var desired: Value?
    /// nil: absent live.
    var live: Value?
    var span: SourceSpan?
    var reason: Reason
}

/// Walks the desired object and the live one together, desired fields only (DESIGN §6): fields only live
/// are ignored unless the default table says git's omission means something else.
struct FieldComparer {
    let apiVersion: String
    let kind: String
    private(set) var steps: [PathStep] = []
    private(set) var differences: [Difference] = []

    init(apiVersion: String, kind: String) { self.apiVersion = apiVersion; self.kind = kind }

    /// Server-written metadata, never drift (DESIGN §6).
    static let serverMetadata: Set<String> = ["uid", "resourceVersion", "generation", "creationTimestamp",
                                              "managedFields", "selfLink", "deletionTimestamp",
                                              "deletionGracePeriodSeconds"]

    /// Compares two whole objects. `apiVersion`/`kind` (identity already matched; versions convert) and
    /// `status` are not compared.
    mutating func compareObjects(desired: Value, live: Value) {
        compareMaps(desired, live, mode: .root)
    }

    /// Whether a key of the map at the current path is never compared.
    private func isIgnored(_ key: String) -> Bool {
        guard case .field(let parent)? = steps.last else {
            // An item of volumeClaimTemplates: apiVersion/kind come from apps/v1 conversion, status from
            // defaulting (research/drift.md FP1).
            if steps.count >= 2, steps[steps.count - 2] == .field("volumeClaimTemplates") {
                return key == "apiVersion" || key == "kind" || key == "status"
            }
            return false
        }
        if parent == "metadata" { return Self.serverMetadata.contains(key) }
        if parent == "annotations" {
            return key == "kubectl.kubernetes.io/last-applied-configuration" || key == "kubectl.kubernetes.io/restartedAt"
        }
        return false
    }

    private mutating func compare(_ desired: Value, _ live: Value) {
        // `clusterIP: ""`, `nodePort: 0`: the Service asks the cluster to allocate (research/drift.md FP6).
        if kind == "Service" && Self.isOmitEmpty(desired) && Allocation.isAllocated(kind: kind, steps: steps) { return }
        // `field: null` in git declares nothing (kubectl drops it before sending).
        if desired.isNull { return }
        switch (desired.kind, live.kind) {
        case (.map, .map):
            compareMaps(desired, live, mode: .nested)
        case (.list(let d), .list(let l)):
            compareLists(d, l, desired: desired, live: live)
        case (.map, _), (.list, _):
            if ValueSemantics.isEmpty(desired) && ValueSemantics.isEmpty(live) { return }
            record(desired, live, span: desired.span, .changed)
        case (.string(let a), .string(let b)) where a == b:
            return   // equal text is equal for every field type: the field's type is looked up only when it differs
        case (.int(let a), .int(let b)) where a == b:
            return
        default:
            if !ValueSemantics.scalarsEqual(desired, live, isQuantity: ValueSemantics.isQuantityField(steps)) {
                record(desired, live, span: desired.span, .changed)
            }
        }
    }

    private enum MapMode { case root, nested, serverCreated }

    private func skips(_ key: String, _ mode: MapMode) -> Bool {
        switch mode {
        case .root: key == "apiVersion" || key == "kind" || key == "status"
        case .nested: isIgnored(key)
        case .serverCreated: false
        }
    }

    private mutating func compareMaps(_ desired: Value, _ live: Value, mode: MapMode) {
        let d = desired.mapEntries ?? [], l = live.mapEntries ?? []
        let liveIndex = MapIndex(l)
        let desiredIndex = MapIndex(d)
        for entry in d where !skips(entry.key, mode) {
            steps.append(.field(entry.key))
            if let k = liveIndex.position(of: entry.key, in: l) {
                compare(entry.value, l[k].value)
            } else if !Self.isOmitEmpty(entry.value) && !(entry.key == "metadata" && Self.isOnlyTimestamp(entry.value)) {
                record(entry.value, nil, span: entry.value.span ?? entry.keySpan, .changed)
            }
            steps.removeLast()
        }
        // Fields only live: drift only where git's omission means a default the live value differs from.
        for entry in l where desiredIndex.position(of: entry.key, in: d) == nil && !skips(entry.key, mode) {
            steps.append(.field(entry.key))
            omitted(entry.value, parent: desired)
            steps.removeLast()
        }
    }

    /// Values the server drops when serialising `omitempty` fields: absent live equals them.
    static func isOmitEmpty(_ value: Value) -> Bool {
        switch value.kind {
        case .null: true
        case .bool(let b): !b
        case .int(let i): i == 0
        case .string(let s): s.isEmpty
        case .number(let n): ValueSemantics.numbersEqual(n, "0")
        case .list(let items): items.isEmpty
        case .map(let entries): entries.isEmpty
        }
    }

    /// A template's `metadata: {creationTimestamp: null}` (research/drift.md FP13): nothing once the
    /// server drops the timestamp.
    static func isOnlyTimestamp(_ value: Value) -> Bool {
        guard let entries = value.mapEntries else { return false }
        return entries.allSatisfy { $0.key == "creationTimestamp" }
    }

    private mutating func omitted(_ live: Value, parent: Value) {
        if let defaults = Defaults.values(kind: kind, steps: steps, parent: parent) {
            let isQuantity = ValueSemantics.isQuantityField(steps)
            if !defaults.contains(where: { ValueSemantics.scalarsEqual($0, live, isQuantity: isQuantity) }), let first = defaults.first {
                record(first, live, span: parent.span, .defaultDiffers)
            }
        } else if live.isMap && Defaults.isServerCreatedParent(kind: kind, steps: steps) {
            compareMaps(Value(.map([]), span: parent.span), live, mode: .serverCreated)
        }
    }

    private mutating func compareLists(_ d: [Value], _ l: [Value], desired: Value, live: Value) {
        if d.isEmpty && l.isEmpty { return }
        switch ListKeys.matching(apiVersion: apiVersion, kind: kind, steps: steps) {
        case .set:
            if !d.allSatisfy({ item in l.contains(item) }) { record(desired, live, span: desired.span, .changed) }
        case .keys(let keys):
            if !compareKeyed(d, l, keys: keys, desired: desired) { comparePositional(d, l, desired: desired, live: live) }
            if steps.last == .field("env") { checkEnvOrder(d, l, desired: desired) }
        case .position:
            comparePositional(d, l, desired: desired, live: live)
        }
    }

    private mutating func comparePositional(_ d: [Value], _ l: [Value], desired: Value, live: Value) {
        guard d.count == l.count else {
            record(desired, live, span: desired.span, .changed)
            return
        }
        for k in d.indices {
            steps.append(.index(k))
            compare(d[k], l[k])
            steps.removeLast()
        }
    }

    /// Matches items by key; false (nothing recorded) when an item lacks a key or keys repeat, so that
    /// the caller falls back to positions.
    private mutating func compareKeyed(_ d: [Value], _ l: [Value], keys: ItemKeys, desired: Value) -> Bool {
        var liveByKey = KeyPositions(capacity: l.count)
        for (k, item) in l.enumerated() {
            guard let key = ListKeys.key(for: item, keys: keys), liveByKey.insert(key, at: k) else { return false }
        }
        var desiredSteps: [PathStep] = []
        desiredSteps.reserveCapacity(d.count)
        var seen = KeyPositions(capacity: d.count)
        for (k, item) in d.enumerated() {
            guard let step = ListKeys.step(for: item, keys: keys), case .keyed(_, _, let key) = step,
                  seen.insert(key, at: k) else { return false }
            desiredSteps.append(step)
        }
        for (k, item) in d.enumerated() {
            let step = desiredSteps[k]
            guard case .keyed(_, _, let key) = step else { continue }
            steps.append(step)
            if let liveIndex = liveByKey.position(of: key) {
                compare(item, l[liveIndex])
            } else {
                record(item, nil, span: item.span ?? desired.span, .changed)
            }
            steps.removeLast()
        }
        return true
    }

    /// research/drift.md RD6: `$(VAR)` resolves only against variables defined earlier in the list, so a
    /// reorder that moves a definition across its use changes the value the container sees.
    private mutating func checkEnvOrder(_ d: [Value], _ l: [Value], desired: Value) {
        var liveOrder: [String: Int] = [:]
        for (k, item) in l.enumerated() { if let name = item["name"]?.stringValue { liveOrder[name] = k } }
        var desiredOrder: [String: Int] = [:]
        for (k, item) in d.enumerated() { if let name = item["name"]?.stringValue { desiredOrder[name] = k } }
        for (k, item) in d.enumerated() {
            guard let name = item["name"]?.stringValue, let text = item["value"]?.stringValue, let liveUse = liveOrder[name] else { continue }
            for reference in envReferences(text) {
                guard let gitDefinition = desiredOrder[reference], let liveDefinition = liveOrder[reference] else { continue }
                if (gitDefinition < k) != (liveDefinition < liveUse) {
                    let gitNames = Value.list(d.compactMap { $0["name"] })
                    let liveNames = Value.list(l.compactMap { $0["name"] })
                    record(gitNames, liveNames, span: desired.span, .envOrder("$(\(reference)) in \(name)"))
                    return
                }
            }
        }
    }

    private mutating func record(_ desired: Value?, _ live: Value?, span: SourceSpan?, _ reason: Difference.Reason) {
        differences.append(Difference(steps: steps, desired: desired, live: live, span: span, reason: reason))
    }
}

/// The names `$(NAME)` references in an env value; `$$(NAME)` is an escape, not a reference.
func envReferences(_ text: String) -> [String] {
    var names: [String] = []
    let bytes = Array(text.utf8)
    var i = 0
    while i + 1 < bytes.count {
        if bytes[i] == UInt8(ascii: "$") && bytes[i + 1] == UInt8(ascii: "$") { i += 2; continue }
        if bytes[i] == UInt8(ascii: "$") && bytes[i + 1] == UInt8(ascii: "("),
           let close = bytes[(i + 2)...].firstIndex(of: UInt8(ascii: ")")) {
            names.append(String(decoding: bytes[(i + 2)..<close], as: UTF8.self))
            i = close + 1
            continue
        }
        i += 1
    }
    return names
}

/// The positions of a keyed list's items by key: scanned in a short list (most have a few items), through
/// a dictionary in a long one.
struct KeyPositions {
    private var short: [(key: ItemKey, position: Int)] = []
    private var table: [ItemKey: Int]?

    init(capacity: Int) {
        if capacity > 8 { table = Dictionary(minimumCapacity: capacity) } else { short.reserveCapacity(capacity) }
    }

    /// Adds `key`; false when it is already there.
    mutating func insert(_ key: ItemKey, at position: Int) -> Bool {
        if table != nil { return table!.updateValue(position, forKey: key) == nil }
        if short.contains(where: { $0.key == key }) { return false }
        short.append((key, position))
        return true
    }

    func position(of key: ItemKey) -> Int? {
        if let table { return table[key] }
        return short.first { $0.key == key }?.position
    }
}

/// Finds keys in a map's entries: by scanning small maps, through a dictionary for large ones
/// (ConfigMap `data` with thousands of keys).
struct MapIndex {
    private let table: [String: Int]?
    init(_ entries: [Value.Entry]) {
        if entries.count <= 16 { table = nil; return }
        var t: [String: Int] = [:]
        t.reserveCapacity(entries.count)
        for (k, entry) in entries.enumerated() { t[entry.key] = k }
        table = t
    }
    func position(of key: String, in entries: [Value.Entry]) -> Int? {
        if let table { return table[key] }
        return entries.lastIndex(where: { $0.key == key })
    }
}
