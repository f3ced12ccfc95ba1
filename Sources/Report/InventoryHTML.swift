import Inventory
import Mustache

/// The inventory as one self-contained HTML page (`ballast inventory --format html`), through the
/// Mustache template `inventoryHTMLTemplate`, which HTML-escapes every value (a `<script>` in a manifest
/// stays text), as `HTMLRenderer` does for reports. Control characters are spelt out first.
public enum InventoryHTML {
    /// Compiled once per process: the template is a constant of this module and the golden test renders
    /// it, so a parse error is a programming error.
    private static let template: MustacheTemplate = {
        do { return try MustacheTemplate(string: inventoryHTMLTemplate) } catch {
            preconditionFailure("inventory template does not parse: \(error)")
        }
    }()

    /// The page.
    public static func render(_ inventory: Inventory) -> String { template.render(page(inventory)) }

    static func page(_ inventory: Inventory) -> [String: Any] {
        let stores = inventory.stores
        var page: [String: Any] = [
            "summary": "\(stores.count) data store\(stores.count == 1 ? "" : "s"), \(inventory.storageClasses.count) StorageClass"
                + (inventory.storageClasses.count == 1 ? "" : "es") + (inventory.hasLive ? "; live state read" : "; from git only"),
            "hasLive": inventory.hasLive,
            "incomplete": inventory.incomplete.map(v),
            "isIncomplete": !inventory.incomplete.isEmpty,
        ]
        page["stores"] = stores.map { s -> [String: Any] in
            var row: [String: Any] = [
                "store": v("\(s.namespace)/\(s.name)"), "engine": v(s.engine ?? "—"),
                "replicas": s.replicas.map(String.init) ?? "?", "total": s.totalSize?.description ?? "?",
                "retention": v("\(s.whenDeleted)/\(s.whenScaled)"), "rpo": v(s.rpo ?? "—"), "rto": v(s.rto ?? "—"),
                "volumes": s.volumes.map { volume -> [String: Any] in
                    var row: [String: Any] = ["name": v(volume.name), "class": v(volume.storageClass ?? "default"),
                                              "size": volume.size?.description ?? "?", "total": volume.totalSize?.description ?? "?"]
                    if let reclaim = volume.reclaimPolicy { row["reclaim"] = v(reclaim) }
                    return row
                },
                "backups": s.backups.map { backup -> [String: Any] in
                    var row: [String: Any] = ["mechanism": backup.mechanism, "object": v(backup.object)]
                    if let schedule = backup.schedule { row["schedule"] = v(schedule) }
                    return row
                },
                "pdbs": s.disruptionBudgets.map(v), "alerts": s.alerts.map(v),
                "hasBackups": !s.backups.isEmpty, "hasPDBs": !s.disruptionBudgets.isEmpty, "hasAlerts": !s.alerts.isEmpty,
            ]
            if let source = s.source { row["source"] = v(source) }
            if let live = s.liveReplicas, live != s.replicas { row["liveReplicas"] = String(live) }
            return row
        }
        page["classes"] = inventory.storageClasses.map { c -> [String: Any] in
            [
                "name": v(c.name), "isDefault": c.isDefault, "provisioner": v(c.provisioner ?? "—"), "tier": v(c.tier ?? "—"),
                "reclaim": v(c.reclaimPolicy ?? "—"), "binding": v(c.bindingMode ?? "—"),
                "expansion": c.allowsExpansion.map { $0 ? "yes" : "no" } ?? "—", "definedIn": c.definedIn, "users": c.users.map(v),
            ]
        }
        let usage = stores.flatMap { s in s.usage.map { (s.namespace, $0) } }
        page["hasUsage"] = !usage.isEmpty
        page["usage"] = usage.map { namespace, u -> [String: Any] in
            let fraction = u.usedFraction ?? 0
            let tenths = Int((fraction * 1000).rounded())
            return [
                "claim": v("\(namespace)/\(u.claim)"), "used": Inventory.bytesText(u.usedBytes),
                "capacity": Inventory.bytesText(u.capacityBytes),
                "percent": u.usedFraction == nil ? "?" : "\(tenths / 10).\(tenths % 10)%",
                "barWidth": String(max(0, min(200, Int(fraction * 200)))),
                "level": fraction >= 0.9 ? "high" : fraction >= 0.8 ? "warn" : "",
            ]
        }
        return page
    }

    private static func v(_ s: String) -> String { visibleText(s) }
}
