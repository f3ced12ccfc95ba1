import KubeModel
import Policy
import Findings
import ManifestIO

extension BuiltinRule {
    /// `vct-storageclass-undefined`: a claim (StatefulSet volumeClaimTemplate or PVC) names a StorageClass
    /// that the input does not define. Without `storageClassName` the claim gets the cluster's default class,
    /// which depends on the cluster: a warning. `storageClassName: ""` asks for no class (static binding).
    static let vctStorageClassUndefined = BuiltinRule(
        id: "vct-storageclass-undefined", severity: .error,
        summary: "Claims name a StorageClass the repository defines",
        description: """
            A PersistentVolumeClaim or volumeClaimTemplate whose StorageClass does not exist stays Pending and \
            the StatefulSet never becomes ready. Without storageClassName the claim takes the cluster's default \
            class, which differs between clusters.
            """,
        remediation: "Define the StorageClass in the repository, or name one that exists; set storageClassName explicitly.",
        kinds: ["apps/StatefulSet", "PersistentVolumeClaim"],
        pass: [
            """
            apiVersion: storage.k8s.io/v1
            kind: StorageClass
            metadata: {name: fast-ssd}
            provisioner: ebs.csi.aws.com
            ---
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: data, namespace: db}
            spec:
              storageClassName: fast-ssd
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}
            """,
            """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: static, namespace: db}
            spec:
              storageClassName: ""
              volumeName: pv-0001
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}
            """,
        ],
        fail: [
            (yaml: """
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: redis, namespace: cache}
            spec:
              serviceName: redis
              selector: {matchLabels: {app: redis}}
              template:
                metadata: {labels: {app: redis}}
                spec: {containers: [{name: redis, image: "redis:7.2.4"}]}
              volumeClaimTemplates:
              - metadata: {name: data}
                spec:
                  storageClassName: fast-nvme
                  accessModes: [ReadWriteOnce]
                  resources: {requests: {storage: 10Gi}}
            """, at: "spec.volumeClaimTemplates[name=data].spec.storageClassName"),
            (yaml: """
            apiVersion: v1
            kind: PersistentVolumeClaim
            metadata: {name: data, namespace: db}
            spec:
              accessModes: [ReadWriteOnce]
              resources: {requests: {storage: 1Gi}}
            """, at: "spec.storageClassName"),
        ],
        check: .deferred { rule, parsed in
        let object = parsed.object
        // `template`: the claim's position among the volumeClaimTemplates (nil for a PVC).
        var claims: [(spec: Value, path: FieldPath, metadata: Value?, template: Int?)] = []
        if object.kind == "PersistentVolumeClaim" {
            if let spec = object.value["spec"] { claims.append((spec, FieldPath("spec"), object.metadata, nil)) }
        } else if let templates = object.value[path: "spec", "volumeClaimTemplates"]?.listValue {
            for i in templates.indices {
                guard let spec = templates[i]["spec"] else { continue }
                let path = FieldPath("spec", "volumeClaimTemplates").item(in: templates, at: i).key("spec")
                claims.append((spec, path, templates[i]["metadata"], i))
            }
        }
        var checks: [DeferredCheck] = []
        for claim in claims {
            let field = claim.spec.entry("storageClassName")
            // The beta annotation still names a class when the field is absent.
            let annotation = claim.metadata?[path: "annotations", "volume.beta.kubernetes.io/storage-class"]
            guard let nameValue = field?.value ?? annotation, !nameValue.isNull else {
                let finding = rule.finding(object, "no storageClassName: the claim gets the cluster's default StorageClass, which differs between clusters",
                                           at: claim.spec, path: claim.path.key("storageClassName"), severity: .warning)
                checks.append(DeferredCheck { _ in [finding] })
                continue
            }
            guard let name = nameValue.stringValue, !name.isEmpty else { continue }
            // Most classes are defined: the check keeps the class name and where it is written, and writes the
            // finding (its path read again from the stored object) only when the class is missing.
            let stamp = FindingStamp(rule), span = nameValue.span, template = claim.template
            checks.append(DeferredCheck { context, stored in
                if context.index.contains("storage.k8s.io/StorageClass", namespace: nil, name: name) { return [] }
                return [stamp.finding(stored, "StorageClass \(jsonQuoted(name)) is not defined in the input", at: span,
                                      path: Self.claimPath(of: stored, template: template).key("storageClassName"))]
            })
        }
        return checks
    })

    /// The path of a claim's spec in a stored object: a PVC's `spec`, or that of its volumeClaimTemplate
    /// number `template`, named as phase one named it.
    private static func claimPath(of stored: StoredObject, template: Int?) -> FieldPath {
        guard let template, let templates = stored.compact.value(at: ["spec", "volumeClaimTemplates"])?.listValue,
              templates.indices.contains(template) else { return FieldPath("spec") }
        return FieldPath("spec", "volumeClaimTemplates").item(in: templates, at: template).key("spec")
    }
}
