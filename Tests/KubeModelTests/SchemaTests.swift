import Foundation
import Testing
@testable import KubeModel

@Suite("Kubernetes schema")
struct SchemaTests {
    static let redis = """
        {
          "apiVersion": "apps/v1",
          "kind": "StatefulSet",
          "metadata": {
            "name": "redis", "namespace": "data",
            "labels": {"app": "redis", "app.kubernetes.io/part-of": "cache"},
            "annotations": {"ballast.dev/waive.pdb-required": "single replica; until=2030-01-01"},
            "creationTimestamp": null
          },
          "spec": {
            "serviceName": "redis-headless",
            "replicas": 3,
            "podManagementPolicy": "Parallel",
            "selector": {"matchLabels": {"app": "redis"},
                         "matchExpressions": [{"key": "tier", "operator": "In", "values": ["cache"]}]},
            "updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": 0, "maxUnavailable": "50%"}},
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "template": {
              "metadata": {"labels": {"app": "redis"}},
              "spec": {
                "terminationGracePeriodSeconds": 30,
                "securityContext": {"fsGroup": 1001, "runAsNonRoot": true, "seccompProfile": {"type": "RuntimeDefault"}},
                "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                  {"weight": 100, "podAffinityTerm": {"topologyKey": "kubernetes.io/hostname",
                                                      "labelSelector": {"matchLabels": {"app": "redis"}}}}]}},
                "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "data", "effect": "NoSchedule"}],
                "containers": [{
                  "name": "redis",
                  "image": "redis:7.2.4",
                  "imagePullPolicy": "IfNotPresent",
                  "args": ["--appendonly", "yes"],
                  "ports": [{"name": "redis", "containerPort": 6379, "protocol": "TCP"}],
                  "env": [{"name": "REDIS_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "redis", "key": "password"}}}],
                  "resources": {"requests": {"cpu": "250m", "memory": "1Gi"}, "limits": {"memory": 1073741824, "cpu": 1.5}},
                  "readinessProbe": {"tcpSocket": {"port": "redis"}, "periodSeconds": 5},
                  "livenessProbe": {"exec": {"command": ["redis-cli", "ping"]}, "initialDelaySeconds": 30.0},
                  "volumeMounts": [{"name": "data", "mountPath": "/data"}]
                }],
                "volumes": [{"name": "config", "configMap": {"name": "redis", "defaultMode": 420}}]
              }
            },
            "volumeClaimTemplates": [{
              "metadata": {"name": "data"},
              "spec": {"accessModes": ["ReadWriteOnce"], "storageClassName": "fast-retain", "volumeMode": "Filesystem",
                       "resources": {"requests": {"storage": "10Gi"}}}
            }]
          },
          "status": {"replicas": 3, "readyReplicas": 3, "availableReplicas": 3}
        }
        """

    @Test("the generated table parses, and has every in-scope kind of the catalogue")
    func tableIsSound() {
        #expect(SchemaTable.parsed.problems == [])
        #expect(KubeSchema.kubernetesVersion == "v1.37.0")
        for info in KindCatalog.inScope {
            #expect(KubeSchema.hasKind(apiVersion: info.preferredAPIVersion, kind: info.kind), "\(info.qualifiedKind)")
        }
        #expect(SchemaTable.parsed.roots.count == KindCatalog.inScope.count)
    }

    @Test("a realistic StatefulSet has no violations")
    func validStatefulSet() throws {
        #expect(try violations(Self.redis, apiVersion: "apps/v1", kind: "StatefulSet") == [])
    }

    static let validObjects: [(apiVersion: String, kind: String, json: String)] = [
        ("storage.k8s.io/v1", "StorageClass", """
            {"metadata": {"name": "fast-retain", "annotations": {"storageclass.kubernetes.io/is-default-class": "false"}},
             "provisioner": "ebs.csi.aws.com", "parameters": {"type": "gp3", "encrypted": "true"},
             "reclaimPolicy": "Retain", "volumeBindingMode": "WaitForFirstConsumer", "allowVolumeExpansion": true,
             "mountOptions": ["noatime"],
             "allowedTopologies": [{"matchLabelExpressions": [{"key": "topology.kubernetes.io/zone", "values": ["eu-west-1a"]}]}]}
            """),
        ("v1", "PersistentVolumeClaim", """
            {"metadata": {"name": "backup", "namespace": "data"},
             "spec": {"accessModes": ["ReadWriteOncePod"], "storageClassName": "standard", "volumeMode": "Block",
                      "resources": {"requests": {"storage": "50Gi"}},
                      "dataSourceRef": {"apiGroup": "snapshot.storage.k8s.io", "kind": "VolumeSnapshot", "name": "snap"}},
             "status": {"phase": "Bound", "capacity": {"storage": "50Gi"}, "accessModes": ["ReadWriteOncePod"]}}
            """),
        ("v1", "PersistentVolume", """
            {"metadata": {"name": "pv-1"},
             "spec": {"capacity": {"storage": "100Gi"}, "accessModes": ["ReadWriteOnce"], "persistentVolumeReclaimPolicy": "Retain",
                      "storageClassName": "fast-retain", "csi": {"driver": "ebs.csi.aws.com", "volumeHandle": "vol-1", "fsType": "ext4"},
                      "claimRef": {"namespace": "data", "name": "data-redis-0"},
                      "nodeAffinity": {"required": {"nodeSelectorTerms": [{"matchExpressions": [
                        {"key": "topology.kubernetes.io/zone", "operator": "In", "values": ["eu-west-1a"]}]}]}}}}
            """),
        ("v1", "Service", """
            {"metadata": {"name": "redis-headless"},
             "spec": {"clusterIP": "None", "type": "ClusterIP", "publishNotReadyAddresses": true, "selector": {"app": "redis"},
                      "ipFamilyPolicy": "SingleStack", "ipFamilies": ["IPv4"], "sessionAffinity": "None",
                      "ports": [{"name": "redis", "port": 6379, "targetPort": "redis", "protocol": "TCP"}]}}
            """),
        ("v1", "ConfigMap", #"{"metadata": {"name": "redis"}, "data": {"redis.conf": "appendonly yes\nmaxmemory 1gb\n"}, "immutable": false}"#),
        ("v1", "Secret", #"{"metadata": {"name": "redis"}, "type": "Opaque", "data": {"password": "c2VjcmV0"}, "stringData": {"user": "default"}}"#),
        ("batch/v1", "CronJob", """
            {"metadata": {"name": "redis-backup"},
             "spec": {"schedule": "0 */6 * * *", "timeZone": "Etc/UTC", "concurrencyPolicy": "Forbid",
                      "successfulJobsHistoryLimit": 3, "startingDeadlineSeconds": 300,
                      "jobTemplate": {"spec": {"backoffLimit": 2, "ttlSecondsAfterFinished": 86400, "template": {"spec": {
                        "restartPolicy": "OnFailure",
                        "containers": [{"name": "backup", "image": "redis:7.2.4", "command": ["sh", "-c", "redis-cli --rdb /backup/dump.rdb"],
                                        "volumeMounts": [{"name": "backup", "mountPath": "/backup"}]}],
                        "volumes": [{"name": "backup", "persistentVolumeClaim": {"claimName": "backup"}}]}}}}}}
            """),
        ("policy/v1", "PodDisruptionBudget", """
            {"metadata": {"name": "redis"},
             "spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "redis"}}, "unhealthyPodEvictionPolicy": "AlwaysAllow"}}
            """),
        ("v1", "Namespace", #"{"metadata": {"name": "data", "labels": {"pod-security.kubernetes.io/enforce": "restricted"}}}"#),
    ]

    @Test("realistic objects of every other in-scope kind have no violations", arguments: 0..<9)
    func validObjects(index: Int) throws {
        let object = Self.validObjects[index]
        #expect(try violations(object.json, apiVersion: object.apiVersion, kind: object.kind) == [], "\(object.kind)")
    }

    @Test("a KubeObject is checked by its own apiVersion and kind")
    func kubeObject() throws {
        let value = try TestJSON.parse(#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"typo": 1}}"#)
        let service = KubeObject(ref: ObjectRef(group: "", kind: "Service", namespace: "data", name: "s"), apiVersion: "v1",
                                 value: value, span: value.span)
        #expect(KubeSchema.validate(service)?.map(\.path) == ["spec.typo"])
        let pod = KubeObject(ref: ObjectRef(group: "", kind: "Pod", namespace: "data", name: "p"), apiVersion: "v1",
                             value: value, span: nil)
        #expect(KubeSchema.validate(pod) == nil)
    }

    @Test("kinds outside the table are not judged")
    func unknownKinds() throws {
        #expect(try violations(#"{"spec": {"x": 1}}"#, apiVersion: "apps/v1", kind: "Deployment") == nil)
        #expect(try violations(#"{"spec": {"x": 1}}"#, apiVersion: "apps/v1beta1", kind: "StatefulSet") == nil)
    }

    @Test("unknown field: at the key, metadata included")
    func unknownField() throws {
        let found = try #require(try violations("""
            {"apiVersion": "apps/v1", "kind": "StatefulSet",
             "metadata": {"name": "a", "lables": {"app": "a"}},
             "spec": {"replicaz": 3, "selector": {}, "template": {}}}
            """, apiVersion: "apps/v1", kind: "StatefulSet"))
        #expect(found.map(\.problem) == [.unknownField("lables"), .unknownField("replicaz")])
        #expect(found.map(\.path) == ["metadata.lables", "spec.replicaz"])
        #expect(found.map(at) == ["2:28", "3:11"])
        #expect(found[1].description == #"spec.replicaz: unknown field "replicaz""#)
    }

    @Test("wrong type: at the value, with the DESIGN §6 path")
    func wrongType() throws {
        let found = try #require(try violations("""
            {"metadata": {"name": "a", "labels": {"enabled": true},
                          "annotations": {"ballast.dev/x": 1}},
             "spec": {"replicas": "3", "selector": {}, "template": {"spec": {"containers": [
               {"name": "redis", "image": "redis", "ports": [{"containerPort": "6379"}]},
               {"name": "exporter", "image": ["oliver006/redis_exporter"]}]}}}}
            """, apiVersion: "apps/v1", kind: "StatefulSet"))
        #expect(found.map(\.path) == [
            "metadata.labels.enabled", #"metadata.annotations["ballast.dev/x"]"#, "spec.replicas",
            "spec.template.spec.containers[name=redis].ports[containerPort=6379].containerPort",
            "spec.template.spec.containers[name=exporter].image",
        ])
        #expect(found.map(\.problem) == [
            .wrongType(expected: "string", found: "boolean"), .wrongType(expected: "string", found: "integer"),
            .wrongType(expected: "integer", found: "string"), .wrongType(expected: "integer", found: "string"),
            .wrongType(expected: "string", found: "array"),
        ])
        #expect(found.map(at) == ["1:50", "2:48", "3:23", "4:68", "5:34"])
    }

    @Test("invalid enum: at the value; lists of strings item by item")
    func invalidEnum() throws {
        let storageClass = try #require(try violations("""
            {"metadata": {"name": "fast"}, "provisioner": "ebs.csi.aws.com",
             "reclaimPolicy": "Recycle", "volumeBindingMode": "waitForFirstConsumer"}
            """, apiVersion: "storage.k8s.io/v1", kind: "StorageClass"))
        #expect(storageClass.map(\.problem) == [
            .invalidEnum(value: "Recycle", allowed: ["Retain", "Delete"]),
            .invalidEnum(value: "waitForFirstConsumer", allowed: ["Immediate", "WaitForFirstConsumer"]),
        ])
        #expect(storageClass.map(at) == ["2:19", "2:51"])
        #expect(storageClass[0].message == #"unsupported value "Recycle": must be one of "Retain", "Delete""#)

        let claim = try #require(try violations("""
            {"metadata": {"name": "data"},
             "spec": {"accessModes": ["ReadWriteOnce", "ReadWriteOnc"], "resources": {"requests": {"storage": "1Gi"}}}}
            """, apiVersion: "v1", kind: "PersistentVolumeClaim"))
        #expect(claim.map(\.path) == ["spec.accessModes[1]"])
        #expect(claim.map(at) == ["2:44"])

        let volume = try #require(try violations("""
            {"metadata": {"name": "pv"}, "spec": {"persistentVolumeReclaimPolicy": "Recycle",
             "capacity": {"storage": "1Gi"}, "hostPath": {"path": "/x", "type": "Folder"}}}
            """, apiVersion: "v1", kind: "PersistentVolume"))
        #expect(volume.map(\.path) == ["spec.hostPath.type"])   // Recycle is valid on a PersistentVolume
    }

    @Test("missing required: the span of the map, the path of the field; null counts as missing")
    func missingRequired() throws {
        let found = try #require(try violations("""
            {"metadata": {"name": "a"},
             "spec": {"serviceName": "a", "selector": null,
                      "template": {"spec": {"containers": [{"image": "redis"}]}}}}
            """, apiVersion: "apps/v1", kind: "StatefulSet"))
        #expect(found.map(\.problem) == [.missingRequired("name"), .missingRequired("selector")])
        #expect(found.map(\.path) == ["spec.template.spec.containers[0].name", "spec.selector"])
        #expect(found.map(at) == ["3:48", "2:10"])

        let root = try #require(try violations(#"{"metadata": {"name": "fast"}}"#,
                                               apiVersion: "storage.k8s.io/v1", kind: "StorageClass"))
        #expect(root == [SchemaViolation(problem: .missingRequired("provisioner"), path: "provisioner",
                                         span: SourceSpan(file: FileID("test.json"), line: 1, column: 1))])
        #expect(try violations(#"{"metadata": {"name": "a"}}"#, apiVersion: "apps/v1", kind: "StatefulSet")?
            .map(\.problem) == [.missingRequired("spec")])
        #expect(try violations(#"{"metadata": {"name": "c"}, "spec": {"jobTemplate": {}}}"#,
                               apiVersion: "batch/v1", kind: "CronJob")?.map(\.path) == ["spec.schedule"])
        // A claim lists nothing as required.
        #expect(try violations(#"{"metadata": {"name": "c"}, "spec": {}}"#,
                               apiVersion: "v1", kind: "PersistentVolumeClaim") == [])
    }

    @Test("list items are named by their merge key, by index when it is absent or repeated")
    func itemPaths() throws {
        let found = try #require(try violations("""
            {"metadata": {"name": "a"}, "spec": {"selector": {}, "template": {"spec": {
              "containers": [{"name": "redis", "image": "redis",
                              "volumeMounts": [{"name": "data", "mountPath": "/data", "readOnly": "no"}]}],
              "volumes": [{"name": "x", "emptyDir": {"sizeLimit": "1 Gi"}}, {"emptyDir": {}, "nfs": {"server": 1}}]}},
             "volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {"resources": {"requests": {"storage": "10GB"}}}}]}}
            """, apiVersion: "apps/v1", kind: "StatefulSet"))
        #expect(found.map(\.path) == [
            "spec.template.spec.containers[name=redis].volumeMounts[mountPath=/data].readOnly",
            "spec.template.spec.volumes[name=x].emptyDir.sizeLimit",
            "spec.template.spec.volumes[1].nfs.server",
            "spec.template.spec.volumes[1].nfs.path",
            "spec.template.spec.volumes[1].name",
            "spec.volumeClaimTemplates[name=data].spec.resources.requests.storage",
        ])
        let ports = try #require(try violations("""
            {"metadata": {"name": "dns"}, "spec": {"ports": [
              {"port": 53, "protocol": "UDP", "targetPort": "dns"}, {"port": 53, "protocol": "TCPP"},
              {"port": 9153, "protocol": "TCPP"}]}}
            """, apiVersion: "v1", kind: "Service"))
        #expect(ports.map(\.path) == ["spec.ports[1].protocol", "spec.ports[port=9153].protocol"])
    }

    @Test("quantities: strings in the grammar or numbers")
    func quantities() throws {
        func check(_ quantity: String) throws -> [SchemaViolation.Problem]? {
            try violations(#"{"metadata": {"name": "c"}, "spec": {"resources": {"requests": {"storage": \#(quantity)}}}}"#,
                           apiVersion: "v1", kind: "PersistentVolumeClaim")?.map(\.problem)
        }
        for good in [#""10Gi""#, #""500m""#, #""1e3""#, "1", "1.5", "null"] {
            #expect(try check(good) == [], "\(good)")
        }
        #expect(try check(#""10GB""#) == [.wrongType(expected: "quantity", found: #"string "10GB""#)])
        #expect(try check(#""""#) == [.wrongType(expected: "quantity", found: #"string """#)])
        #expect(try check("true") == [.wrongType(expected: "quantity", found: "boolean")])
        #expect(try check("{}") == [.wrongType(expected: "quantity", found: "object")])
    }

    @Test("int-or-string keeps either type; integers accept integral numbers only")
    func intOrStringAndIntegers() throws {
        func budget(_ minAvailable: String) throws -> [SchemaViolation.Problem]? {
            try violations(#"{"metadata": {"name": "p"}, "spec": {"minAvailable": \#(minAvailable)}}"#,
                           apiVersion: "policy/v1", kind: "PodDisruptionBudget")?.map(\.problem)
        }
        for good in ["1", #""50%""#, "2.0", "null"] { #expect(try budget(good) == [], "\(good)") }
        #expect(try budget("true") == [.wrongType(expected: "integer or string", found: "boolean")])
        #expect(try budget("1.5") == [.wrongType(expected: "integer or string", found: "number")])

        func replicas(_ count: String) throws -> [SchemaViolation.Problem]? {
            try violations(#"{"metadata": {"name": "a"}, "spec": {"replicas": \#(count), "selector": {}, "template": {}}}"#,
                           apiVersion: "apps/v1", kind: "StatefulSet")?.map(\.problem)
        }
        for good in ["3", "3.0", "3e0", "300e-2", "-1", "null"] { #expect(try replicas(good) == [], "\(good)") }
        #expect(try replicas("3.5") == [.wrongType(expected: "integer", found: "number")])
        #expect(try replicas("3000000000") == [.wrongType(expected: "int32", found: "integer 3000000000")])
        #expect(try replicas("true") == [.wrongType(expected: "integer", found: "boolean")])
        // A float field takes integers and numbers.
        #expect(try violations(#"{"metadata": {"name": "s"}, "spec": {"sessionAffinityConfig": {"clientIP": {"timeoutSeconds": 1.5}}}}"#,
                               apiVersion: "v1", kind: "Service")?.map(\.problem) == [.wrongType(expected: "integer", found: "number")])
    }

    @Test("null is absent anywhere; free-form objects are not descended into; status is allowed")
    func nullsFreeFormAndStatus() throws {
        #expect(try violations("""
            {"metadata": {"name": "n", "labels": {"a": null}, "annotations": null,
                          "managedFields": [{"manager": "kubectl", "operation": "Apply",
                                             "fieldsV1": {"f:metadata": {"f:labels": {".": {}, "f:anything": 1}}}}]},
             "spec": {"finalizers": ["kubernetes", null]}, "status": {"phase": "Active"}}
            """, apiVersion: "v1", kind: "Namespace") == [])
        #expect(try violations(#"{"metadata": {"name": "n"}, "status": {"phase": 1}}"#, apiVersion: "v1", kind: "Namespace")?
            .map(\.path) == ["status.phase"])
        #expect(try violations(#"{"metadata": {"managedFields": [{"fieldsV1": "x"}]}}"#, apiVersion: "v1", kind: "Namespace")?
            .map(\.problem) == [.wrongType(expected: "object", found: "string")])
        #expect(try violations("[]", apiVersion: "v1", kind: "Namespace")?.map(\.problem)
            == [.wrongType(expected: "object", found: "array")])
    }

    @Test("Secret and ConfigMap data: strings; base64 checked without quoting the data")
    func dataMaps() throws {
        let secret = try #require(try violations("""
            {"metadata": {"name": "s"}, "type": "example.com/custom",
             "data": {"password": "hunter2!", "ok": "aHVudGVyMg==", "wrapped": "aHVu\\ndGVy"},
             "stringData": {"port": 6379}}
            """, apiVersion: "v1", kind: "Secret"))
        #expect(secret.map(\.problem) == [
            .wrongType(expected: "base64 string", found: "string that is not base64"),
            .wrongType(expected: "string", found: "integer"),
        ])
        #expect(!secret.map(\.message).joined().contains("hunter2"))
        #expect(try violations(#"{"metadata": {"name": "c"}, "data": {"redis.conf": "maxmemory 1gb", "debug": false}}"#,
                               apiVersion: "v1", kind: "ConfigMap")?.map(\.path) == ["data.debug"])
    }

    @Test("time fields take RFC 3339 strings")
    func times() throws {
        for good in ["2024-02-29T10:00:00Z", "2024-01-01T00:00:00.123456+02:00"] {
            #expect(SchemaScalars.isRFC3339(good), "\(good)")
        }
        for bad in ["2023-02-29T10:00:00Z", "2024-01-01 00:00:00Z", "2024-01-01T00:00:00", "2024-13-01T00:00:00Z",
                    "2024-01-01T00:00:00.Z", "yesterday"] {
            #expect(!SchemaScalars.isRFC3339(bad), "\(bad)")
        }
        #expect(try violations(#"{"metadata": {"name": "n", "creationTimestamp": "2024-01-01"}}"#, apiVersion: "v1",
                               kind: "Namespace")?.map(\.problem)
            == [.wrongType(expected: "RFC 3339 time", found: #"string "2024-01-01""#)])
    }

    @Test("integral values of exact decimal text")
    func integralValues() {
        let cases: [(String, Int64?)] = [
            ("0", 0), ("3.0", 3), ("-2.50e1", -25), ("1e3", 1000), ("1.5", nil), ("1e-1", nil), ("0.0e5", 0),
            ("9223372036854775807", .max), ("-9223372036854775808", .min), ("9223372036854775808", nil),
            ("1e19", nil), ("1e", nil), ("", nil), ("1.2.3", nil), ("12abc", nil),
        ]
        for (text, expected) in cases { #expect(SchemaScalars.integralValue(text) == expected, "\(text)") }
        #expect(SchemaScalars.isBase64("") && SchemaScalars.isBase64("YQ==") && !SchemaScalars.isBase64("YQ="))
        #expect(!SchemaScalars.isBase64("YQ==YQ==") && !SchemaScalars.isBase64("a_b-"))
    }

    @Test("helpers: expected type, allowed values and list-map keys by path")
    func pathHelpers() {
        let sts = (apiVersion: "apps/v1", kind: "StatefulSet")
        let containers = ["spec", "template", "spec", "containers"]
        #expect(KubeSchema.expectedType(apiVersion: sts.apiVersion, kind: sts.kind, path: ["spec", "replicas"]) == .int32)
        #expect(KubeSchema.expectedType(apiVersion: sts.apiVersion, kind: sts.kind,
                                        path: containers + ["resources", "limits", "memory"]) == .quantity)
        #expect(KubeSchema.expectedType(apiVersion: sts.apiVersion, kind: sts.kind,
                                        path: containers + ["[name=redis]", "ports", "[0]", "containerPort"]) == .int32)
        #expect(KubeSchema.expectedType(apiVersion: sts.apiVersion, kind: sts.kind, path: containers)
            == .list(.object("io.k8s.api.core.v1.Container")))
        #expect(KubeSchema.expectedType(apiVersion: sts.apiVersion, kind: sts.kind, path: ["metadata", "labels"]) == .map(.string))
        #expect(KubeSchema.expectedType(apiVersion: sts.apiVersion, kind: sts.kind, path: ["spec", "nope"]) == nil)
        #expect(KubeSchema.expectedType(apiVersion: "v1", kind: "Pod", path: ["spec"]) == nil)

        #expect(KubeSchema.listMapKeys(apiVersion: sts.apiVersion, kind: sts.kind, path: containers) == ["name"])
        #expect(KubeSchema.listMapKeys(apiVersion: sts.apiVersion, kind: sts.kind, path: containers + ["ports"])
            == ["containerPort", "protocol"])
        #expect(KubeSchema.listMapKeys(apiVersion: sts.apiVersion, kind: sts.kind, path: ["spec", "volumeClaimTemplates"])
            == ["metadata.name"])
        #expect(KubeSchema.listMapKeys(apiVersion: sts.apiVersion, kind: sts.kind, path: containers + ["args"]) == nil)
        #expect(KubeSchema.listMapKeys(apiVersion: "v1", kind: "Service", path: ["spec", "ports"]) == ["port", "protocol"])

        #expect(KubeSchema.allowedValues(apiVersion: "v1", kind: "PersistentVolumeClaim", path: ["spec", "accessModes"])
            == ["ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod"])
        #expect(KubeSchema.allowedValues(apiVersion: "v1", kind: "Service", path: ["spec", "type"])
            == ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"])
        #expect(KubeSchema.allowedValues(apiVersion: "v1", kind: "Service", path: ["spec", "clusterIP"]) == nil)
    }

    @Test("map keys with dots or slashes are quoted in paths")
    func mapKeyPaths() {
        #expect(SchemaPath.child("metadata.annotations", key: "ballast.dev/x") == #"metadata.annotations["ballast.dev/x"]"#)
        #expect(SchemaPath.child("metadata.labels", key: "app") == "metadata.labels.app")
        #expect(SchemaPath.child("", key: "spec") == "spec")
        #expect(SchemaPath.child("data", key: "") == #"data[""]"#)
    }

    @Test("ci/gen-schema --check: the committed table is what the generator writes")
    func generatedTableIsCurrent() throws {
        let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "ci/gen-schema", "--check"]
        process.currentDirectoryURL = repository
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0,
                "Sources/KubeModel/Schema/SchemaTable.generated.swift is stale: run ci/gen-schema (\(message))")
    }
}
