import KubeModel

extension Inventory {
    /// The inventory as JSON (`schemaVersion: 1`): sizes as Kubernetes quantity strings, exact; absent
    /// values as null; keys in a fixed order, so two runs over one repository print the same bytes.
    public var json: String {
        var out = "{\n  \"schemaVersion\": 1,\n  \"live\": \(hasLive),\n"
        out += "  \"incomplete\": " + list(incomplete.map(str)) + ",\n  \"stores\": ["
        out += stores.map { "\n    " + storeJSON($0) }.joined(separator: ",")
        out += stores.isEmpty ? "],\n" : "\n  ],\n"
        out += "  \"storageClasses\": ["
        out += storageClasses.map { "\n    " + classJSON($0) }.joined(separator: ",")
        out += storageClasses.isEmpty ? "]\n}\n" : "\n  ]\n}\n"
        return out
    }

    private func storeJSON(_ s: DataStore) -> String {
        let volumes = s.volumes.map { v in
            object([("name", str(v.name)), ("storageClass", str(v.storageClass)), ("size", str(v.size?.description)),
                    ("totalSize", str(v.totalSize?.description)), ("reclaimPolicy", str(v.reclaimPolicy))])
        }
        let backups = s.backups.map { b in
            object([("mechanism", str(b.mechanism)), ("object", str(b.object)), ("schedule", str(b.schedule))])
        }
        let usage = s.usage.map { u in
            object([("claim", str(u.claim)), ("usedBytes", num(u.usedBytes)), ("capacityBytes", num(u.capacityBytes)),
                    ("usedPercent", u.usedFraction.map { percent($0).dropLast().description } ?? "null")])
        }
        return object([
            ("namespace", str(s.namespace)), ("name", str(s.name)), ("engine", str(s.engine)), ("image", str(s.image)),
            ("replicas", num(s.replicas)), ("liveReplicas", num(s.liveReplicas)), ("source", str(s.source)),
            ("volumes", list(volumes)), ("totalSize", str(s.totalSize?.description)),
            ("retention", object([("whenDeleted", str(s.whenDeleted)), ("whenScaled", str(s.whenScaled))])),
            ("backups", list(backups)), ("rpo", str(s.rpo)), ("rto", str(s.rto)),
            ("podDisruptionBudgets", list(s.disruptionBudgets.map(str))), ("alerts", list(s.alerts.map(str))),
            ("usage", list(usage)),
        ])
    }

    private func classJSON(_ c: StorageClassEntry) -> String {
        object([
            ("name", str(c.name)), ("provisioner", str(c.provisioner)), ("tier", str(c.tier)),
            ("reclaimPolicy", str(c.reclaimPolicy)), ("volumeBindingMode", str(c.bindingMode)),
            ("allowVolumeExpansion", c.allowsExpansion.map { "\($0)" } ?? "null"), ("isDefault", "\(c.isDefault)"),
            ("definedIn", str(c.definedIn)), ("users", list(c.users.map(str))),
        ])
    }

    private func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\(jsonQuoted($0.0)): \($0.1)" }.joined(separator: ", ") + "}"
    }
    private func list(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
    private func str(_ s: String?) -> String { s.map(jsonQuoted) ?? "null" }
    private func num(_ n: Int64?) -> String { n.map(String.init) ?? "null" }
}
