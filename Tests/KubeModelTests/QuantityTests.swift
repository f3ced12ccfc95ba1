import Testing
@testable import KubeModel

@Suite("Quantity")
struct QuantityTests {
    func q(_ s: String) throws -> Quantity { try Quantity(parsing: s) }

    @Test("exact equality across suffixes", arguments: [
        ("1Gi", "1073741824"), ("0.5", "500m"), ("1.5Gi", "1536Mi"), ("1k", "1000"), ("1e3", "1k"),
        ("1E3", "1000"), ("1Ki", "1024"), ("100m", "0.1"), ("1n", "0.000000001"), ("+1", "1"), (".5", "500m"),
        ("5.", "5"), ("1Ei", "1152921504606846976"), ("2E", "2e18"), ("0", "0m"), ("-1Gi", "-1024Mi"),
    ])
    func equal(_ pair: (String, String)) throws {
        #expect(try q(pair.0) == q(pair.1), "\(pair.0) == \(pair.1)")
    }

    @Test func distinct() throws {
        #expect(try q("1G") != q("1Gi"))
        #expect(try q("1M") != q("1Mi"))
        #expect(try q("1m") != q("1M"))
    }

    @Test func ordering() throws {
        #expect(try q("1G") < q("1Gi"))
        #expect(try q("500m") < q("1"))
        #expect(try q("10Gi") > q("9.9Gi"))
        #expect(try q("-1") < q("0"))
        #expect(try [q("2Gi"), q("1G"), q("100Mi")].sorted() == [q("100Mi"), q("1G"), q("2Gi")])
    }

    @Test("canonical text as Kubernetes prints it", arguments: [
        ("1.5Gi", "1536Mi"), ("0.5", "500m"), ("1000", "1k"), ("1e3", "1e3"), ("1024Mi", "1Gi"), ("1536", "1536"),
        ("100Mi", "100Mi"), ("0.5Gi", "512Mi"), ("1000Ki", "1000Ki"), ("512", "512"), ("1.5", "1500m"),
        ("10G", "10G"), ("0", "0"), ("1n", "1n"), ("0.0000000001", "1n"), ("-2Gi", "-2Gi"), ("1500m", "1500m"),
    ])
    func canonical(_ pair: (String, String)) throws {
        #expect(try q(pair.0).description == pair.1, "\(pair.0)")
    }

    @Test("rejects what the API server rejects", arguments: ["", "Gi", "1.2.3", "1GB", "abc", "1 Gi", "--1", "1e", "1e+", "0x10", "1ki"])
    func invalid(_ text: String) {
        #expect(Quantity.parse(text) == nil, "\(text)")
    }

    @Test func outOfRange() {
        #expect(throws: Quantity.ParseError.self) { try Quantity(parsing: "1e1000") }
        #expect(Quantity.parse("99999999999999999999999999999999999999Ei") == nil)
    }

    @Test func fromValue() {
        #expect(Quantity(Value(.int(3))) == Quantity(3))
        #expect(Quantity(Value.string("3Gi"))?.integerValue == Int64(3) << 30)
        #expect(Quantity(Value(.bool(true))) == nil)
        #expect(Quantity.parse("1500m")?.integerValue == 2)   // Value() rounds up
    }
}

@Suite("Value")
struct ValueTests {
    @Test func equalityIgnoresSpans() {
        let file = FileID("a.yaml")
        let a = Value(.map([Value.Entry(key: "k", keySpan: SourceSpan(file: file, line: 1, column: 1),
                                        value: Value(.int(1), span: SourceSpan(file: file, line: 1, column: 4)))]))
        let b = Value.map([("k", .int(1))])
        #expect(a == b)
        #expect(a != Value.map([("k", .int(2))]))
        #expect(Value(.int(1)) != Value(.number("1.0")))
    }

    @Test func jsonText() {
        let v = Value.map([("a", .list([.int(1), .string("x\"\n"), .null, .bool(true)])), ("b", Value(.number("1.5")))])
        #expect(v.json == #"{"a":[1,"x\"\n",null,true],"b":1.5}"#)
    }

    @Test func fileIDsAreInterned() {
        let a = FileID("dir/file.yaml"), b = FileID("dir/file.yaml")
        #expect(a == b)
        #expect(a.path == "dir/file.yaml")
        #expect(MemoryLayout<SourceSpan>.size == 12)
    }

    @Test func fieldPaths() {
        let containers: [Value] = [.map([("name", .string("redis"))]), .map([("image", .string("x"))])]
        #expect(FieldPath("spec", "template").key("spec").key("containers").item(in: containers, at: 0).key("image").description
                == "spec.template.spec.containers[name=redis].image")
        #expect(FieldPath("spec").key("containers").item(in: containers, at: 1).description == "spec.containers[1]")
        #expect(FieldPath("metadata", "annotations").key("ballast.dev/waive.x").description
                == #"metadata.annotations["ballast.dev/waive.x"]"#)
    }
}

@Suite("LabelSelector")
struct LabelSelectorTests {
    @Test func matchLabelsAndExpressions() {
        let selector = LabelSelector(labelSelector: .map([
            ("matchLabels", .map([("app", .string("pg"))])),
            ("matchExpressions", .list([
                .map([("key", .string("role")), ("operator", .string("In")), ("values", .list([.string("primary"), .string("standby")]))]),
                .map([("key", .string("legacy")), ("operator", .string("DoesNotExist"))]),
            ])),
        ]))
        #expect(selector.matches(["app": "pg", "role": "primary"]))
        #expect(!selector.matches(["app": "pg", "role": "replica"]))
        #expect(!selector.matches(["app": "pg", "role": "primary", "legacy": "1"]))
        #expect(!selector.matches(["role": "primary"]))
        #expect(selector.description == "app=pg,role in (primary,standby),!legacy")
    }

    @Test func invalidOperatorSelectsNothing() {
        let selector = LabelSelector(labelSelector: .map([("matchExpressions", .list([
            .map([("key", .string("a")), ("operator", .string("Equals")), ("values", .list([.string("b")]))]),
        ]))]))
        #expect(selector.invalidReason != nil)
        #expect(!selector.matches(["a": "b"]))
    }

    @Test func kindCatalog() {
        #expect(KindCatalog.info(group: "storage.k8s.io", kind: "StorageClass")?.isClusterScoped == true)
        #expect(KindCatalog.info(group: "apps", kind: "StatefulSet")?.plural == "statefulsets")
        #expect(KindCatalog.info(qualifiedKind: "policy/PodDisruptionBudget")?.versions == ["v1"])
        #expect(KindCatalog.inScope.count == 10)
    }
}
