import Testing
import KubeModel
import Findings
import ManifestIO
@testable import Drift

@Suite("drift building blocks")
struct DriftUnitTests {
    @Test("numbers compare by exact value", arguments: [
        ("1", "1.0", true), ("0.5", "5e-1", true), ("1e3", "1000", true), ("-0", "0.000", true),
        ("0.1", "0.10000000000000001", false), ("100", "1e2", true), ("1.5", "15", false), ("-1", "1", false),
    ])
    func numbers(_ a: String, _ b: String, _ equal: Bool) {
        #expect(ValueSemantics.numbersEqual(a, b) == equal)
    }

    @Test("quantities compare by value only in quantity fields")
    func quantities() {
        let memory: [PathStep] = [.field("resources"), .field("limits"), .field("memory")]
        #expect(ValueSemantics.scalarsEqual(.string("1Gi"), .string("1024Mi"), isQuantity: ValueSemantics.isQuantityField(memory)))
        #expect(!ValueSemantics.scalarsEqual(.string("1G"), .string("1Gi"), isQuantity: true))
        #expect(ValueSemantics.scalarsEqual(Value(.number("0.5")), .string("500m"), isQuantity: true))
        #expect(!ValueSemantics.scalarsEqual(.string("10"), .int(10), isQuantity: ValueSemantics.isQuantityField([.field("targetPort")])))
    }

    @Test("$(VAR) references; $$(VAR) is an escape")
    func envReferenceParsing() {
        #expect(envReferences("http://$(HOST):$(PORT)/$$(LITERAL)") == ["HOST", "PORT"])
        #expect(envReferences("no refs $(") == [])
    }

    @Test("globs and ignore rules")
    func ignoreRules() {
        #expect(globMatch("spec.template.spec.containers[*].image", "spec.template.spec.containers[name=api].image"))
        #expect(!globMatch("data-*", "redis"))
        let rule = DriftIgnoreRule(kind: "apps/*", namespace: "web", paths: ["spec.replicas", "spec.template.metadata"], reason: "r")
        let ref = ObjectRef(group: "apps", kind: "Deployment", namespace: "web", name: "api")
        #expect(rule.matches(ref, path: "spec.replicas"))
        #expect(rule.matches(ref, path: "spec.template.metadata.annotations[\"a/b\"]"))
        #expect(!rule.matches(ref, path: "spec.replicasets"))
        #expect(!rule.matches(ObjectRef(group: "", kind: "StorageClass", namespace: nil, name: "gp3"), path: "spec.replicas"))
        #expect(DriftIgnoreRule(namespace: "*", reason: "r").matches(ObjectRef(group: "", kind: "Namespace", namespace: nil, name: "x"), path: ""))
    }

    @Test("management selectors: Argo CD tracking id, Flux label")
    func selectors() {
        let metadata = Value.map([("annotations", .map([("argocd.argoproj.io/tracking-id", .string("data:apps/StatefulSet:data/redis"))])),
                                  ("labels", .map([("kustomize.toolkit.fluxcd.io/name", .string("apps"))]))])
        #expect(ManagementSelector.argoCD(application: "data").matches(metadata))
        #expect(!ManagementSelector.argoCD(application: "dat").matches(metadata))
        #expect(ManagementSelector.flux(kustomization: "apps").matches(metadata))
        #expect(!ManagementSelector.flux(kustomization: "infra").matches(metadata))
    }

    @Test("FieldsV1: fields, keyed items, atomic ancestors")
    func fieldsV1() throws {
        let json = #"{"f:spec":{"f:volumeClaimTemplates":{},"f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"redis\"}":{".":{},"f:ports":{"k:{\"protocol\":\"TCP\",\"containerPort\":6379}":{"f:name":{}}}}}}}}}"#
        let fields = try JSONReader.parse(Array(json.utf8), file: FileID("<test>"))
        let entry = ManagedFieldsEntry(manager: "m", operation: "Apply", fields: fields)
        let container = try #require(ListKeys.step(for: .map([("name", .string("redis"))]), keys: ["name"]))
        let port = try #require(ListKeys.step(for: .map([("containerPort", .int(6379))]), keys: ["containerPort", "protocol"]))
        let prefix: [PathStep] = [.field("spec"), .field("template"), .field("spec"), .field("containers"), container]
        #expect(entry.owns(prefix + [.field("ports"), port, .field("name")]))
        #expect(!entry.owns(prefix + [.field("image")]))
        #expect(entry.owns([.field("spec"), .field("volumeClaimTemplates"), .keyed(label: "name", value: "data", key: ItemKey(names: ["name"], values: [.string("data")])), .field("spec")]))
        #expect(!entry.owns([.field("spec"), .field("replicas")]))
        #expect(ManagedFieldsEntry.canonicalKeys(#"k:{"protocol":"TCP","containerPort":6379}"#) == #"{"containerPort":6379,"protocol":"TCP"}"#)
    }

    @Test("paths: merge keys, indexes, keys with dots and slashes")
    func paths() {
        let steps: [PathStep] = [.field("spec"), .field("template"), .field("metadata"), .field("annotations"), .field("ballast.dev/rpo")]
        #expect(steps.text == #"spec.template.metadata.annotations["ballast.dev/rpo"]"#)
        // Default-table lines name pod-template fields once, for every kind (`$pod`), lists as `[]`.
        let pullPolicy: [PathStep] = [.field("spec"), .field("jobTemplate"), .field("spec"), .field("template"), .field("spec"),
                                      .field("containers"), .index(0), .field("imagePullPolicy")]
        #expect(Defaults.values(kind: "CronJob", steps: pullPolicy, parent: .map([("image", .string("busybox"))])) == [.string("Always")])
        #expect(Defaults.values(kind: "Deployment", steps: pullPolicy, parent: nil) == nil)
        let restart: [PathStep] = [.field("spec"), .field("template"), .field("spec"), .field("restartPolicy")]
        #expect(Defaults.values(kind: "StatefulSet", steps: restart, parent: nil) == [.string("Always")])
        #expect(Defaults.values(kind: "Job", steps: restart, parent: nil) == nil)
        #expect(Defaults.values(kind: "Pod", steps: Array(restart.dropFirst(2)), parent: nil) == [.string("Always")])
        #expect(Defaults.values(kind: "Service", steps: [.field("spec"), .field("ports"), .index(1), .field("protocol")], parent: nil) == [.string("TCP")])
        #expect(Defaults.isServerCreatedParent(kind: "StatefulSet", steps: [.field("spec"), .field("updateStrategy"), .field("rollingUpdate")]))
        #expect(!Defaults.isServerCreatedParent(kind: "Job", steps: [.field("spec"), .field("updateStrategy")]))
        #expect(ListKeys.matching(apiVersion: "v1", kind: "Service", steps: [.field("spec"), .field("ports")]) == .keys(["port", "protocol"]))
        #expect(ListKeys.matching(apiVersion: "apps/v1", kind: "Deployment",
                                  steps: [.field("spec"), .field("template"), .field("spec"), .field("containers"), .index(0), .field("volumeMounts")])
                == .keys(["mountPath"]))
    }

    @Test("imagePullPolicy default follows the tag")
    func imagePullPolicy() {
        #expect(Defaults.imageDefaultsToAlways("busybox"))
        #expect(Defaults.imageDefaultsToAlways("busybox:latest"))
        #expect(!Defaults.imageDefaultsToAlways("busybox:1.36"))
        #expect(Defaults.imageDefaultsToAlways("registry:5000/busybox"))
        #expect(!Defaults.imageDefaultsToAlways("busybox@sha256:abc"))
    }
}

@Suite("field comparer edge cases")
struct FieldComparerEdgeTests {
    func differences(_ desired: Value, _ live: Value, kind: String = "ConfigMap", apiVersion: String = "v1") -> [String] {
        var comparer = FieldComparer(apiVersion: apiVersion, kind: kind)
        comparer.compareObjects(desired: desired, live: live)
        return comparer.differences.map { "\($0.steps.text): \($0.desired?.json ?? "<absent>") -> \($0.live?.json ?? "<absent>")" }
    }

    @Test("null and zero values in git, status and identity fields")
    func ignoredShapes() {
        let desired = Value.map([("apiVersion", .string("v1")), ("kind", .string("ConfigMap")),
                                 ("metadata", .map([("name", .string("a")), ("creationTimestamp", .null)])),
                                 ("data", .map([("x", .string("1"))])), ("binaryData", .null), ("immutable", .bool(false)),
                                 ("status", .map([("phase", .string("x"))]))])
        let live = Value.map([("metadata", .map([("name", .string("a")), ("uid", .string("u")), ("resourceVersion", .string("9"))])),
                              ("data", .map([("x", .string("1")), ("y", .string("2"))])), ("binaryData", .map([("b", .string("AA=="))]))])
        #expect(differences(desired, live).isEmpty)
    }

    @Test("a declared item missing live, a changed scalar, a set of finalizers")
    func reported() {
        let desired = Value.map([("metadata", .map([("finalizers", .list([.string("example.com/keep")]))])),
                                 ("data", .map([("x", .string("1")), ("z", .string("3"))]))])
        let live = Value.map([("metadata", .map([("finalizers", .list([.string("kubernetes"), .string("example.com/other")]))])),
                              ("data", .map([("x", .string("2"))]))])
        #expect(differences(desired, live) == [
            #"metadata.finalizers: ["example.com/keep"] -> ["kubernetes","example.com/other"]"#,
            #"data.x: "1" -> "2""#, #"data.z: "3" -> <absent>"#,
        ])
    }

    @Test("large maps are indexed, not scanned")
    func largeMap() {
        let entries = (0..<5_000).map { ("key-\($0)", Value.string("v\($0)")) }
        var changed = entries
        changed[4_321].1 = .string("other")
        let desired = Value.map([("data", .map(entries))]), live = Value.map([("data", .map(changed.reversed()))])
        #expect(differences(desired, live) == [#"data.key-4321: "v4321" -> "other""#])
    }
}
