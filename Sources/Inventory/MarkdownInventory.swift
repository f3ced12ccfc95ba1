import KubeModel

extension Inventory {
    /// The inventory as Markdown: a table of data stores, one of StorageClasses, then per store its
    /// backups, budgets, alerts and usage. Values from manifests are escaped for table cells.
    public var markdown: String {
        var out = "# Storage inventory\n\n"
        out += "\(stores.count) data store\(stores.count == 1 ? "" : "s"), \(storageClasses.count) StorageClass\(storageClasses.count == 1 ? "" : "es")"
        out += hasLive ? "; live state read.\n" : "; from git only.\n"
        if !incomplete.isEmpty {
            out += "\n**Incomplete** ⚠️: what these held is missing from the inventory.\n\n"
            for reason in incomplete { out += "- " + escape(reason) + "\n" }
        }
        out += "\n## Data stores\n\n"
        out += "| store | engine | replicas | storage | per replica | total | retention (deleted/scaled) | backup | RPO | RTO | PDB | alerts |\n"
        out += "|---|---|---|---|---|---|---|---|---|---|---|---|\n"
        for store in stores {
            let replicas = store.replicas.map(String.init) ?? "?"
            let live = store.liveReplicas.map { $0 == store.replicas ? "" : " (live \($0))" } ?? ""
            let classes = store.volumes.map { "\($0.name): \($0.storageClass ?? "default")" + ($0.reclaimPolicy.map { ", \($0)" } ?? "") }
            let sizes = store.volumes.map { "\($0.name): \($0.size?.description ?? "?")" }
            let backups = store.backups.map { "\($0.mechanism) \($0.object)" + ($0.schedule.map { " `\($0)`" } ?? "") }
            let row = [
                "`\(store.namespace)/\(store.name)`" + (store.source == nil ? " (live only)" : ""),
                store.engine ?? "—", replicas + live,
                cell(classes), cell(sizes), store.totalSize?.description ?? "?",
                "\(store.whenDeleted)/\(store.whenScaled)",
                backups.isEmpty ? "**none**" : cell(backups),
                store.rpo ?? "—", store.rto ?? "—",
                store.disruptionBudgets.isEmpty ? "**none**" : cell(store.disruptionBudgets),
                store.alerts.isEmpty ? "**none**" : cell(store.alerts),
            ]
            out += "| " + row.map(escape).joined(separator: " | ") + " |\n"
        }
        out += "\n## StorageClasses\n\n| class | provisioner | tier | reclaim | binding | expansion | defined in | used by |\n"
        out += "|---|---|---|---|---|---|---|---|\n"
        for entry in storageClasses {
            let row = [
                "`\(entry.name)`" + (entry.isDefault ? " (default)" : ""), entry.provisioner ?? "—", entry.tier ?? "—",
                entry.reclaimPolicy ?? "—", entry.bindingMode ?? "—", entry.allowsExpansion.map { $0 ? "yes" : "no" } ?? "—",
                entry.definedIn, entry.users.isEmpty ? "—" : cell(entry.users),
            ]
            out += "| " + row.map(escape).joined(separator: " | ") + " |\n"
        }
        let measured = stores.filter { !$0.usage.isEmpty }
        if hasLive {
            out += "\n## Live usage\n\n"
            if measured.isEmpty { out += "No kubelet stats for the stores' claims.\n" } else {
                out += "| claim | used | capacity | used % |\n|---|---|---|---|\n"
                for store in measured {
                    for usage in store.usage {
                        let row = ["`\(store.namespace)/\(usage.claim)`", bytes(usage.usedBytes), bytes(usage.capacityBytes),
                                   usage.usedFraction.map { percent($0) } ?? "?"]
                        out += "| " + row.map(escape).joined(separator: " | ") + " |\n"
                    }
                }
            }
        }
        return out
    }

    /// Several values in one cell.
    private func cell(_ values: [String]) -> String { values.joined(separator: "<br>") }

    /// A control character or a `|` would break the table; `<` would become markup (only `<br>` is ours).
    private func escape(_ text: String) -> String {
        var out = ""
        var rest = Substring(text)
        while let range = rest.firstRange(of: "<br>") {
            out += escapeOne(rest[..<range.lowerBound]) + "<br>"
            rest = rest[range.upperBound...]
        }
        return out + escapeOne(rest)
    }

    private func escapeOne(_ text: Substring) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "|": out += "\\|"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x202A...0x202E).contains(scalar.value):
                out += "\\u{\(String(scalar.value, radix: 16, uppercase: true))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

func bytes(_ value: Int64?) -> String { Inventory.bytesText(value) }

extension Inventory {
    /// Bytes in binary units when exact (`21474836480` → `20Gi`), else the bytes with GiB to one decimal
    /// (`70155713799 (65.3Gi)`); `?` when unknown.
    public static func bytesText(_ value: Int64?) -> String {
        guard let value else { return "?" }
        let exact = Quantity(value, format: .binarySI).description
        guard exact == String(value), value >= 1 << 30 else { return exact }
        let tenths = (value * 10 + (1 << 29)) >> 30
        return "\(value) (\(tenths / 10).\(tenths % 10)Gi)"
    }
}

/// `0.934` → `93.4%`.
func percent(_ fraction: Double) -> String {
    let tenths = Int((fraction * 1000).rounded())
    return "\(tenths / 10).\(tenths % 10)%"
}
