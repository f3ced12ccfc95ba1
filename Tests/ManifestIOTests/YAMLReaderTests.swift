import Testing
import Foundation
import KubeModel
import Findings
@testable import ManifestIO

/// Parses `text` as the file `name`.
func parse(_ text: String, name: String = "test.yaml", limits: ReaderLimits = ReaderLimits()) -> FileResult {
    ManifestReader(limits: limits).parse(Array(text.utf8), file: FileID(name), json: name.hasSuffix(".json"))
}

func parse(bytes: [UInt8], name: String = "test.yaml") -> FileResult {
    ManifestReader().parse(bytes, file: FileID(name), json: name.hasSuffix(".json"))
}

@Suite("YAML reader: kubectl semantics")
struct YAMLSemanticsTests {
    @Test("YAML 1.1 plain scalars as kubectl types them", arguments: [
        ("yes", Value.Kind.bool(true)), ("No", .bool(false)), ("ON", .bool(true)), ("off", .bool(false)),
        ("y", .bool(true)), ("n", .bool(false)), ("true", .bool(true)), ("False", .bool(false)),
        ("~", .null), ("null", .null), ("", .null), ("0x1F", .int(31)), ("0o17", .int(15)), ("017", .int(15)),
        ("-42", .int(-42)), ("1_000", .int(1000)), ("1.5", .number("1.5")), ("1e3", .number("1e3")),
        (".5", .number("0.5")), ("09", .number("09")), ("9223372036854775808", .number("9223372036854775808")),
        ("redis:7.2.4", .string("redis:7.2.4")), ("10Gi", .string("10Gi")), ("yes please", .string("yes please")),
        ("'yes'", .string("yes")), ("\"1\"", .string("1")), ("!!str 1", .string("1")), ("0b101", .int(5)),
    ])
    func scalars(_ pair: (String, Value.Kind)) {
        let r = parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nv: \(pair.0)\n")
        #expect(r.errors.isEmpty)
        #expect(r.objects.first?.object.value["v"]?.kind == pair.1, "\(pair.0)")
    }

    @Test func keysFollowKubectl() {
        let r = parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  on: a\n  1: b\n  'yes': c\n")
        let data = r.objects.first?.object.value["data"]
        #expect(data?.mapEntries?.map(\.key) == ["true", "1", "yes"])
    }

    @Test func yaml11BooleansAreRecorded() {
        let r = parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata:\n  a: on\n  b: true\n  c: \"on\"\n")
        let booleans = r.objects.first?.yaml11Booleans ?? []
        #expect(booleans.map(\.text) == ["on"])
        #expect(booleans.first?.span.line == 5 && booleans.first?.span.column == 6)
    }

    @Test func spansOnEveryNode() throws {
        let r = parse("""
            apiVersion: apps/v1
            kind: StatefulSet
            metadata:
              name: redis
            spec:
              volumeClaimTemplates:
              - metadata: {name: data}
                spec:
                  storageClassName: fast-ssd
            """)
        let object = try #require(r.objects.first?.object)
        let vct = try #require(object.value[path: "spec", "volumeClaimTemplates"]?.listValue?.first)
        #expect(vct.span?.line == 7 && vct.span?.column == 5)
        let entry = try #require(vct["spec"]?.entry("storageClassName"))
        #expect(entry.keySpan?.line == 9 && entry.keySpan?.column == 7)
        #expect(entry.value.span?.line == 9 && entry.value.span?.column == 25)
        #expect(vct[path: "metadata", "name"]?.span?.column == 22)
        #expect(object.span?.line == 1)
    }

    @Test func multiDocumentAndList() {
        let r = parse("""
            # leading comment
            ---
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: a}
            ---
            ---
            apiVersion: v1
            kind: List
            items:
            - apiVersion: v1
              kind: Service
              metadata: {name: s, namespace: ns}
            - apiVersion: storage.k8s.io/v1
              kind: StorageClass
              metadata: {name: fast, namespace: ignored}
            """)
        #expect(r.errors.isEmpty)
        #expect(r.objects.map(\.object.ref.description) == ["ConfigMap/default/a", "Service/ns/s", "StorageClass/fast"])
        #expect(r.objects[1].object.span?.line == 11)
    }

    @Test func anchorsAliasesAndMergeKeys() {
        let r = parse("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: a}
            base: &base {x: "1", w: "2"}
            other: &other {z: "3"}
            merged:
              <<: [*base, *other]
              w: "override"
            copy: *base
            """)
        let v = r.objects.first?.object.value
        #expect(v?["merged"] == .map([("w", .string("override")), ("x", .string("1")), ("z", .string("3"))]))
        #expect(v?["copy"] == .map([("x", .string("1")), ("w", .string("2"))]))
    }

    @Test func blockScalarWithDashes() {
        let r = parse("""
            apiVersion: v1
            kind: ConfigMap
            metadata: {name: a}
            data:
              script: |
                echo one
                ---
                echo two
            """)
        #expect(r.errors.isEmpty)
        #expect(r.objects.count == 1)
        #expect(r.objects.first?.object.value[path: "data", "script"]?.stringValue == "echo one\n---\necho two")
    }

    @Test func bomAndCRLF() {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("apiVersion: v1\r\nkind: ConfigMap\r\nmetadata:\r\n  name: crlf\r\n".utf8)
        let r = parse(bytes: bytes)
        #expect(r.errors.isEmpty)
        #expect(r.objects.first?.object.name == "crlf")
        #expect(r.objects.first?.object.value[path: "metadata", "name"]?.span?.line == 4)
    }

    @Test func helmSourceComments() {
        let r = parse("""
            ---
            # Source: redis/templates/statefulset.yaml
            apiVersion: apps/v1
            kind: StatefulSet
            metadata: {name: a}
            ---
            # Source: redis/templates/svc.yaml
            apiVersion: v1
            kind: Service
            metadata: {name: b}
            """)
        #expect(r.objects.map { $0.object.helmSource ?? "" } == ["redis/templates/statefulset.yaml", "redis/templates/svc.yaml"])
    }

    @Test func ownFormatsKeepStringKeys() throws {
        let bytes = Array("on: lint\nv: yes\n".utf8)
        let (documents, errors) = bytes.withUnsafeBufferPointer {
            YAMLDocumentBuilder(file: FileID("p.yaml"), schema: .core, limits: ReaderLimits()).read($0)
        }
        #expect(errors.isEmpty)
        #expect(documents.first?.value == .map([("on", .string("lint")), ("v", .string("yes"))]))
    }
}

@Suite("YAML reader: bad input")
struct YAMLBadInputTests {
    @Test func syntaxErrorKeepsPosition() {
        let r = parse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n   bad: indent\n")
        #expect(r.errors.count == 1)
        #expect(r.errors.first?.ruleID == "invalid-yaml")
        #expect(r.errors.first?.span.line == 5)
        #expect(r.errors.first?.message.contains("mapping values are not allowed") == true)
    }

    @Test func documentsBeforeASyntaxErrorAreKept() {
        let r = parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkey: 'unclosed\n")
        #expect(r.objects.count == 1)
        #expect(r.errors.count == 1)
    }

    @Test func duplicateKey() {
        let r = parse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  name: b\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
        #expect(r.errors == [.duplicateKey("name", at: SourceSpan(file: FileID("test.yaml"), line: 5, column: 3),
                                           first: SourceSpan(file: FileID("test.yaml"), line: 4, column: 3))])
        #expect(r.errors.first?.description == #"test.yaml:5:3: duplicate key "name" (first at line 4)"#)
        #expect(r.objects.map(\.object.name) == ["c"], "the next document is still read")
    }

    @Test func aliasBombFailsFast() {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        var previous = "a"
        for name in ["b", "c", "d", "e", "f", "g", "h", "i"] {
            text += "\(name): &\(name) [" + Array(repeating: "*\(previous)", count: 9).joined(separator: ",") + "]\n"
            previous = name
        }
        // How fast it fails is measured by the benchmark (ci/bench-lint), not timed here.
        let r = parse(text)
        guard case .aliasBudgetExceeded(let limit, let span)? = r.errors.first else {
            Issue.record("expected an alias budget error, got \(r.errors)"); return
        }
        #expect(limit == ReaderLimits().aliasExpansionNodes)
        #expect(span.line >= 2)
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let depth = 20_000
        let text = String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n"
        let r = parse(text)
        guard case .nestingTooDeep(let limit, let span)? = r.errors.first else {
            Issue.record("expected a nesting error, got \(r.errors)"); return
        }
        #expect(limit == 256)
        #expect(span.line == 1 && span.column == 257)
        let json = parse(text, name: "deep.json")
        #expect(json.errors.first.map { if case .nestingTooDeep = $0 { true } else { false } } == true)
    }

    @Test func deepBlockNesting() {
        var text = ""
        for i in 0..<300 { text += String(repeating: " ", count: i) + "k\(i):\n" }
        let r = parse(text)
        #expect(r.errors.first.map { if case .nestingTooDeep = $0 { true } else { false } } == true)
    }

    @Test func invalidUTF8() {
        let bytes = Array("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: \"".utf8) + [0xC3, 0x28] + Array("\"}\n".utf8)
        let r = parse(bytes: bytes)
        #expect(r.errors.first?.ruleID == "invalid-utf8")
        #expect(r.errors.first?.span.line == 3)
    }

    @Test func binaryFile() {
        let r = parse(bytes: [0x7F, 0x45, 0x4C, 0x46, 0x00, 0x01, 0x02], name: "prog.yaml")
        #expect(r.errors == [.binary(at: SourceSpan(file: FileID("prog.yaml"), line: 1, column: 5))])
    }

    @Test("empty and comment-only files have no findings", arguments: ["", "\n\n", "# only\n# comments\n", "---\n", "--- \n...\n"])
    func emptyFiles(_ text: String) {
        let r = parse(text)
        #expect(r.errors.isEmpty && r.objects.isEmpty && r.notes.isEmpty)
    }

    @Test func documentWithoutKindIsANote() {
        let r = parse("metadata: {name: a}\nspec: {}\n")
        #expect(r.objects.isEmpty && r.errors.isEmpty)
        #expect(r.notes.map(\.ruleID) == ["missing-kind"])
        #expect(r.notes.first?.span?.line == 1)
    }

    @Test func largeScalar() {
        let big = String(repeating: "x", count: 8 << 20)
        let r = parse("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata:\n  blob: \(big)\n")
        #expect(r.errors.isEmpty)
        #expect(r.objects.first?.object.value[path: "data", "blob"]?.stringValue?.utf8.count == 8 << 20)
    }

    @Test func fileSizeLimit() {
        var limits = ReaderLimits()
        limits.fileBytes = 100
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("ballast-\(UInt32.random(in: 0...UInt32.max))")
        try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.yaml").path
        FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x61, count: 200))
        let r = ManifestReader(limits: limits).read(ManifestInput(name: "big.yaml", source: .path(path)))
        #expect(r.errors.first.map { if case .tooLarge = $0 { true } else { false } } == true)
    }

    @Test func missingFileIsAReadFailure() {
        let r = ManifestReader().read(ManifestInput(name: "nope.yaml", source: .path("/nonexistent/nope.yaml")))
        #expect(r.failure?.source == "nope.yaml")
        #expect(r.failure?.reason == "No such file or directory")
    }
}

@Suite("JSON reader")
struct JSONReaderTests {
    @Test func valuesAndSpans() throws {
        let v = try JSONReader.parse(Array("{\n  \"a\": [1, -2.5e3, \"x\\u00e9\\ud83d\\ude00\", true, null],\n  \"b\": 18446744073709551616\n}".utf8),
                                     file: FileID("x.json"))
        #expect(v == .map([("a", .list([.int(1), Value(.number("-2.5e3")), .string("xé😀"), .bool(true), .null])),
                           ("b", Value(.number("18446744073709551616")))]))
        #expect(v.entry("b")?.keySpan?.line == 3 && v.entry("b")?.keySpan?.column == 3)
    }

    @Test("syntax errors with position", arguments: [
        ("{\"a\": 1,}", 1, 9), ("{\"a\" 1}", 1, 6), ("[1, 2", 1, 6), ("{\"a\": tru}", 1, 7), ("\n\n  {\"a\": 01}", 3, 10),
    ])
    func errors(_ c: (String, Int, Int)) {
        do {
            _ = try JSONReader.parse(Array(c.0.utf8), file: FileID("x.json"))
            Issue.record("no error for \(c.0)")
        } catch {
            #expect(error.span.line == c.1 && error.span.column == c.2, "\(c.0): \(error)")
            #expect(error.ruleID == "invalid-json" || error.ruleID == "duplicate-key")
        }
    }

    @Test func manifestFile() {
        let r = parse(#"{"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s", "namespace": "n"}}"#, name: "svc.json")
        #expect(r.objects.first?.object.ref.description == "Service/n/s")
        #expect(parse("{\"a\": 1, \"a\": 2}", name: "d.json").errors.first?.ruleID == "duplicate-key")
    }
}

@Suite("JSON reader: scale")
struct JSONScaleTests {
    @Test func minifiedOneLineJSONIsLinear() throws {
        // 50,000 items on one line: a column count from the line start per value would be quadratic.
        let items = (0..<50_000).map { "{\"name\":\"pvc-\($0)\",\"size\":\($0)}" }.joined(separator: ",")
        let text = "{\"kind\":\"List\",\"items\":[" + items + "]}"
        let value = try JSONReader.parse(Array(text.utf8), file: FileID("big.json"))
        let last = try #require(value["items"]?.listValue?.last)
        #expect(last["name"]?.span?.column == text.utf8.count - 26)   // the value "pvc-49999" starts 27 bytes from the end
    }
}
