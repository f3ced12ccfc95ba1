import Testing
@testable import KubeModel

@Suite struct CompactValueTests {
    static let object = Value.map([
        ("apiVersion", .string("v1")), ("kind", .string("PersistentVolumeClaim")),
        ("metadata", .map([("name", .string("data-redis-0")), ("namespace", .string("cache")), ("name", .string("data-redis-1"))])),
        ("spec", .map([("resources", .map([("requests", .map([("storage", .string("10Gi"))]))])),
                       ("accessModes", .list([.string("ReadWriteOnce")])), ("count", .int(-3)), ("ratio", Value(.number("0.5")))])),
        ("status", .null), ("ok", .bool(true)), ("", .string("empty key")),
    ])

    @Test func pathLookupRebuildsOnlyTheNodeAsked() {
        let compact = CompactValue(Self.object)
        #expect(compact.value == Self.object)
        // Key spans survive packing (a key's span is where "unknown field" points).
        let file = FileID("a.yaml"), other = FileID("b.yaml")
        let spanned = Value(.map([Value.Entry(key: "x", keySpan: SourceSpan(file: file, line: 2, column: 3), value: .int(1)),
                                  Value.Entry(key: "y", keySpan: SourceSpan(file: other, line: 4, column: 5), value: .int(2))]),
                            span: SourceSpan(file: file, line: 1, column: 1))
        let back = CompactValue(spanned).value
        #expect(back.mapEntries?.map(\.keySpan) == spanned.mapEntries?.map(\.keySpan))
        #expect(CompactValue(spanned).value(at: ["y"]) == .int(2))
        // A repeated key reads as the tree reads it: the last entry.
        #expect(compact.value(at: ["metadata", "name"]) == .string("data-redis-1"))
        #expect(compact.value(at: ["metadata", "namespace"]) == .string("cache"))
        #expect(compact.value(at: ["spec", "resources", "requests", "storage"]) == .string("10Gi"))
        #expect(compact.value(at: ["spec", "accessModes"]) == .list([.string("ReadWriteOnce")]))
        #expect(compact.value(at: ["spec", "count"]) == .int(-3))
        #expect(compact.value(at: [""]) == .string("empty key"))
        #expect(compact.value(at: ["ok"]) == .bool(true))
        #expect(compact.value(at: []) == Self.object)
        // Missing keys, and paths through values that are not maps.
        #expect(compact.value(at: ["metadata", "labels"]) == nil)
        #expect(compact.value(at: ["spec", "accessModes", "0"]) == nil)
        #expect(compact.value(at: ["status", "phase"]) == nil)
    }

    /// Keys inline (no table) and interned (a table shared by the values of a read) give the same trees.
    @Test(arguments: [false, true]) func writerPacksWhatTheTreeWouldHold(interned: Bool) {
        let table = interned ? KeyTable() : nil
        var writer = CompactWriter(keys: table)
        writer.key("metadata")
        let metadata = writer.openMap()
        writer.key("name"); writer.string("data-redis-1")
        writer.key("labels")
        let labels = writer.openMap()
        let closedlabels = writer.close(labels, count: 0)
        #expect(closedlabels)
        let closedmetadata = writer.close(metadata, count: 2)
        #expect(closedmetadata)
        writer.key("spec")
        let spec = writer.openMap()
        writer.key("list")
        let list = writer.openList()
        writer.int(Int64.min); writer.null(); writer.bool(false)
        "1e3".utf8CString.withUnsafeBufferPointer { text in
            text.withMemoryRebound(to: UInt8.self) { writer.number(UnsafeBufferPointer(rebasing: $0.dropLast())) }
        }
        let closedlist = writer.close(list, count: 4)
        #expect(closedlist)
        let closedspec = writer.close(spec, count: 1)
        #expect(closedspec)
        let span = SourceSpan(file: FileID("snap/pvcs.json"), line: 3, column: 1)
        let packed = CompactWriter.map(leading: [("apiVersion", "v1"), ("kind", "PersistentVolumeClaim")],
                                       entries: writer.bytes[...], count: 2, span: span, keys: table)
        let expected = Value(.map([
            Value.Entry(key: "apiVersion", value: .string("v1")), Value.Entry(key: "kind", value: .string("PersistentVolumeClaim")),
            Value.Entry(key: "metadata", value: .map([("name", .string("data-redis-1")), ("labels", .map([]))])),
            Value.Entry(key: "spec", value: .map([("list", .list([.int(.min), .null, .bool(false), Value(.number("1e3"))]))])),
        ]), span: span)
        #expect(packed.value == expected)
        #expect(packed.value.span == span)
        #expect(packed.value(at: ["metadata", "name"]) == .string("data-redis-1"))
        #expect(packed.value(at: ["spec", "list"])?.listValue?.count == 4)
        // apiVersion, kind, metadata, name, labels, spec, list: each key once in the table.
        #expect(table?.count ?? 7 == 7)
        var tooMany = CompactWriter()
        let mark = tooMany.openList()
        let closed = tooMany.close(mark, count: CompactWriter.maxChildren + 1)
        #expect(!closed)
    }
}
