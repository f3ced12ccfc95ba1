import KubeModel
import ManifestIO
@testable import Drift

private let liveFile = FileID("fuzz-live.json")

/// A live object (JSON) whose `metadata.managedFields` is read; every path its FieldsV1 sets name is
/// attributed back to its managers, as drift reports do.
func fuzzManagedFields(_ bytes: [UInt8]) {
    guard let live = try? JSONReader.parse(bytes, file: liveFile) else { return }
    let entries = ManagedFieldsEntry.entries(of: live)
    var paths: [[PathStep]] = []
    for entry in entries { collectPaths(entry.fields, prefix: [], into: &paths) }
    for steps in paths.prefix(200) { _ = entries.attribution(for: steps) }
}

/// The paths a FieldsV1 tree names (`f:` fields, `i:` indices, `k:` keys), bounded so one input stays fast.
private func collectPaths(_ node: Value, prefix: [PathStep], into paths: inout [[PathStep]]) {
    guard paths.count < 200, prefix.count < 64, let entries = node.mapEntries else { return }
    for entry in entries {
        let step: PathStep
        if entry.key.hasPrefix("f:") {
            step = .field(String(entry.key.dropFirst(2)))
        } else if entry.key.hasPrefix("i:"), let i = Int(entry.key.dropFirst(2)) {
            step = .index(i)
        } else if entry.key.hasPrefix("k:") {
            _ = ManagedFieldsEntry.canonicalKeys(entry.key)
            guard let keys = try? JSONReader.parse(Array(entry.key.utf8.dropFirst(2)), file: liveFile),
                  let members = keys.mapEntries else { continue }
            let key = ItemKey(names: members.map(\.key), values: members.map(\.value))
            step = .keyed(label: members.first?.key ?? "", value: "", key: key)
        } else {
            continue
        }
        paths.append(prefix + [step])
        collectPaths(entry.value, prefix: prefix + [step], into: &paths)
    }
}
