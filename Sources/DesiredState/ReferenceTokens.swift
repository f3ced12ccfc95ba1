import KubeModel
import ManifestIO

/// What a change refers to, as the names index sees it. An unchanged file is read when it sits in a
/// directory the change touched, when it declares (`name:`) one of `names`, when any of its name fields
/// holds one of `deletedNames`, or when its name fields hold every value of one of `deletedSelectors`.
///
/// - `names`: the changed objects' own names and what they refer to (StorageClass, governing Service,
///   claims, Secrets, ConfigMaps), at base and at head: the files that declare them.
/// - `deletedNames`, `deletedSelectors`: the names of the objects of base that head no longer has (deleted,
///   or renamed: a new identity), and the label values each of their selectors requires (all of them, as a
///   selector does: one common value such as `app.kubernetes.io/name: redis` alone would bring in every
///   Redis). Whatever named or was selected by them is judged again without them: the claims and templates
///   of a StorageClass, the StatefulSet of a Service, a PodDisruptionBudget or a ConfigMap, the CronJob of
///   a claim.
struct ReferenceTokens {
    enum Side { case base, head }

    var names = Set<String>()
    var directories = Set<String>()
    /// The selector values of each object of the changed files at base, and the identities head still has.
    private var baseObjects: [ObjectRef: Set<String>] = [:]
    private var headObjects = Set<ObjectRef>()

    /// The names of the base objects that head no longer has.
    var deletedNames: Set<String> { Set(deleted.map(\.key.name)) }
    /// The label values each selector of a base object that head no longer has requires.
    var deletedSelectors: [Set<String>] { deleted.map(\.value).filter { !$0.isEmpty } }

    private var deleted: [(key: ObjectRef, value: Set<String>)] {
        baseObjects.filter { !headObjects.contains($0.key) }.sorted { $0.key < $1.key }
    }

    /// Collects names from a changed file, parsed.
    mutating func collect(from bytes: [UInt8], name: String, at side: Side) {
        let file = ManifestReader().parse(bytes, file: FileID(name), json: name.hasSuffix(".json"))
        for parsed in file.objects {
            let object = parsed.object
            if !object.name.isEmpty { names.insert(object.name) }
            Self.walk(object.value) { key, text in
                switch key {
                case "storageClassName", "serviceName", "claimName", "secretName": names.insert(text)
                default: break
                }
            }
            for volume in object.podSpec?["volumes"]?.listValue ?? [] {
                if let name = volume[path: "configMap", "name"]?.stringValue { names.insert(name) }
            }
            switch side {
            case .head: headObjects.insert(object.ref)
            case .base: baseObjects[object.ref, default: []].formUnion(Self.selectedLabels(object))
            }
        }
    }

    /// The label values `spec.selector` requires: a label map (Service) or a label selector's
    /// `matchLabels` (PodDisruptionBudget).
    static func selectedLabels(_ object: KubeObject) -> [String] {
        let selector = object.value[path: "spec", "selector"]
        return ((selector?["matchLabels"] ?? selector)?.mapEntries ?? []).compactMap { $0.value.stringValue }
    }

    static func walk(_ value: Value, _ visit: (String, String) -> Void) {
        switch value.kind {
        case .map(let entries):
            for entry in entries {
                if let text = entry.value.stringValue { visit(entry.key, text) } else { walk(entry.value, visit) }
            }
        case .list(let items): for item in items { walk(item, visit) }
        default: break
        }
    }
}
