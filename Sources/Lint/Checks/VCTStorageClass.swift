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
        var claims: [(spec: Value, path: FieldPath, metadata: Value?)] = []
        if object.kind == "PersistentVolumeClaim" {
            if let spec = object.value["spec"] { claims.append((spec, FieldPath("spec"), object.metadata)) }
        } else if let templates = object.value[path: "spec", "volumeClaimTemplates"]?.listValue {
            for i in templates.indices {
                guard let spec = templates[i]["spec"] else { continue }
                let path = FieldPath("spec", "volumeClaimTemplates").item(in: templates, at: i).key("spec")
                claims.append((spec, path, templates[i]["metadata"]))
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
            let finding = rule.finding(object, "StorageClass \(jsonQuoted(name)) is not defined in the input",
                                       at: nameValue, path: claim.path.key("storageClassName"))
            checks.append(DeferredCheck { context in
                context.index.contains("storage.k8s.io/StorageClass", namespace: nil, name: name) ? [] : [finding]
            })
        }
        return checks
    })
}
