import KubeModel

/// Decides the namespace of a namespaced object whose manifest names none, from the file it was read
/// from. `DesiredState` builds it from the kustomization, `.ballast.yaml` `namespaces:`, Argo CD and Flux
/// applications and `--default-namespace` (DESIGN §4); readers only apply it.
public struct NamespaceResolver: Sendable {
    private let resolve: @Sendable (String) -> String

    public init(_ resolve: @escaping @Sendable (_ filePath: String) -> String) { self.resolve = resolve }

    /// Every file gets `namespace`.
    public static func constant(_ namespace: String) -> NamespaceResolver { NamespaceResolver { _ in namespace } }

    /// The effective namespace for objects of the file at `path` (as reports name it).
    public func namespace(forFile path: String) -> String { resolve(path) }
}

extension Value {
    /// Sets `metadata.namespace` (creating `metadata` when absent). The new node has no span: it was not
    /// written in the manifest.
    mutating func setNamespace(_ namespace: String) {
        guard case .map(var entries) = kind else { return }
        let node = Value(.string(namespace), span: nil)
        if let m = entries.firstIndex(where: { $0.key == "metadata" }) {
            guard case .map(var metadata) = entries[m].value.kind else { return }
            if let n = metadata.firstIndex(where: { $0.key == "namespace" }) {
                metadata[n].value = node
            } else {
                metadata.append(Value.Entry(key: "namespace", keySpan: nil, value: node))
            }
            entries[m].value = Value(.map(metadata), span: entries[m].value.span)
        } else {
            entries.append(Value.Entry(key: "metadata", keySpan: nil, value: Value(.map([Value.Entry(key: "namespace", keySpan: nil, value: node)]), span: nil)))
        }
        self = Value(.map(entries), span: span)
    }
}
