import Foundation
import KubeModel

extension LiveContext {
    /// Whether a data store ships its changes continuously to an archive, so that its recovery point is the
    /// archive's, not the last base backup: a PostgreSQL whose configuration (a ConfigMap in git that its
    /// pods mount) sets `archive_mode = on|always` with an `archive_command` or `archive_library`. Its
    /// declared RPO is then met (or not) by the archive, which the API does not show; the base-backup
    /// CronJob is judged by its schedule only.
    func archivesContinuously(_ statefulSet: KubeObject) -> Bool {
        guard let namespace = statefulSet.namespace else { return false }
        let volumes = statefulSet.value[path: "spec", "template", "spec", "volumes"]?.listValue ?? []
        for volume in volumes {
            guard let name = volume[path: "configMap", "name"]?.stringValue,
                  let configMap = desired[ObjectRef(group: "", kind: "ConfigMap", namespace: namespace, name: name)] else { continue }
            for entry in configMap.value["data"]?.mapEntries ?? [] {
                if let text = entry.value.stringValue, Self.isArchivingPostgreSQLConfig(text) { return true }
            }
        }
        return false
    }

    /// `postgresql.conf` text with WAL archiving on (last setting wins, as PostgreSQL reads it).
    static func isArchivingPostgreSQLConfig(_ text: String) -> Bool {
        var mode: String?, command: String?
        for raw in text.split(separator: "\n") {
            let line = raw.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let parts = line.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2 else { continue }
            let value = parts[1].trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
            switch parts[0] {
            case "archive_mode": mode = value.lowercased()
            case "archive_command", "archive_library": command = value
            default: continue
            }
        }
        return (mode == "on" || mode == "always") && !(command ?? "").isEmpty && command != "(disabled)"
    }
}
