public import KubeModel
public import Findings

/// The live side of a comparison, as the CLI read it (from the API or a snapshot): Drift never talks to
/// a cluster itself.
public struct LiveState: Sendable {
    /// Every live object read, of the kinds listed, kept packed: each is rebuilt only while it is compared.
    public var objects: CompactObjects
    /// Kinds (`apps/StatefulSet`, `Service`) listed completely: an object of such a kind that is not in
    /// `objects` is absent from the cluster.
    public var completeKinds: Set<String>
    /// Kinds that could not be read (not served, denied, cut short), with the reason: their desired
    /// objects are not compared.
    public var unreadKinds: [String: String]
    /// The API server's `gitVersion`, for version-keyed defaults.
    public var serverVersion: String?
    /// The namespaces read (nil: all of them).
    public var namespaces: [String]?

    public init(objects: CompactObjects = [], completeKinds: Set<String> = [], unreadKinds: [String: String] = [:],
                serverVersion: String? = nil, namespaces: [String]? = nil) {
        self.objects = objects; self.completeKinds = completeKinds; self.unreadKinds = unreadKinds
        self.serverVersion = serverVersion; self.namespaces = namespaces
    }

    /// The same from objects as trees (tests, small inputs).
    public init(objects: [KubeObject], completeKinds: Set<String> = [], unreadKinds: [String: String] = [:],
                serverVersion: String? = nil, namespaces: [String]? = nil) {
        self.init(objects: CompactObjects(objects), completeKinds: completeKinds, unreadKinds: unreadKinds,
                  serverVersion: serverVersion, namespaces: namespaces)
    }
}

/// What a comparison found: drift items, the desired objects it could not compare, notes.
public struct DriftComparison: Sendable {
    public var items: [DriftItem] = []
    public var uncompared: [UncomparedObject] = []
    /// Information (`info`): Secrets in git not compared, kinds only partly known...
    public var notes: [Finding] = []
    /// Desired objects compared.
    public var compared: Int = 0
    public init() {}
}
