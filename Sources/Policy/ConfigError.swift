public import KubeModel

/// A problem in Ballast's configuration or policy files: exit 2, naming file, line and column.
public struct ConfigError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    public var span: SourceSpan?
    public init(_ message: String, at span: SourceSpan?) { self.message = message; self.span = span }
    public var description: String { span.map { "\($0): \(message)" } ?? message }
}

/// Which objects hold data (DESIGN §5): labels, namespaces or images from `.ballast.yaml`; without them,
/// well-known data images and StatefulSets with volumeClaimTemplates.
public struct DataTierSelector: Sendable, Equatable {
    public var labels: [String: String] = [:]
    public var namespaces: [String] = []
    public var images: [String] = []
    public static let wellKnownImages = ["redis", "rabbitmq", "postgres", "postgresql", "mysql", "mariadb", "mongo",
                                         "mongodb", "zookeeper", "cassandra", "etcd", "valkey", "keydb", "kafka"]
    public var isConfigured: Bool { !labels.isEmpty || !namespaces.isEmpty || !images.isEmpty }
    public init() {}
}

