/// One Kubernetes object read from a manifest (or from the cluster), with where it came from.
public struct KubeObject: Sendable, Equatable {
    public var ref: ObjectRef
    public var apiVersion: String
    /// The whole document, spans included.
    public var value: Value
    /// Where the document starts; nil for objects that were not read from a file.
    public var span: SourceSpan?
    /// The path named by a `# Source:` comment of `helm template`, when there was one.
    public var helmSource: String?

    public init(ref: ObjectRef, apiVersion: String, value: Value, span: SourceSpan?, helmSource: String? = nil) {
        self.ref = ref; self.apiVersion = apiVersion; self.value = value; self.span = span; self.helmSource = helmSource
    }

    public var kind: String { ref.kind }
    public var name: String { ref.name }
    public var namespace: String? { ref.namespace }
    public var metadata: Value? { value["metadata"] }
    public var labels: [String: String] { value[path: "metadata", "labels"]?.stringMap ?? [:] }
    public var annotations: [String: String] { value[path: "metadata", "annotations"]?.stringMap ?? [:] }
    public var kindInfo: KindInfo? { KindCatalog.info(group: ref.group, kind: ref.kind) }

    /// The pod template of a workload (StatefulSet, Deployment, CronJob, Job...), when it has one.
    public var podTemplate: Value? {
        if ref.kind == "CronJob" { return value[path: "spec", "jobTemplate", "spec", "template"] }
        if ref.kind == "Pod" { return value }
        return value[path: "spec", "template"]
    }

    /// The pod spec of a workload.
    public var podSpec: Value? { ref.kind == "Pod" ? value["spec"] : podTemplate?["spec"] }
}
