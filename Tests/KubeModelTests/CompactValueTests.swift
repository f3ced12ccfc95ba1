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
        let metadataStart = writer.bytes.count
        let metadata = writer.openMap()
        writer.key("name"); writer.string("data-redis-1")
        writer.key("labels")
        let labels = writer.openMap()
        let closedlabels = writer.close(labels, count: 0)
        #expect(closedlabels)
        let closedmetadata = writer.close(metadata, count: 2)
        #expect(closedmetadata)
        // A map read while the value around it is still being written (an item's metadata, for its identity).
        #expect(CompactValue.values(ofMap: writer.bytes[metadataStart...], keys: table, wanted: ["labels", "name", "namespace"])
                == [.map([]), .string("data-redis-1"), nil])
        #expect(CompactValue.values(ofMap: writer.bytes[metadataStart...], keys: table, wanted: []) == [])
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

    /// The table grows its slots, key bytes and ends as keys come, finds every key again, and refuses keys
    /// past its capacity or length limit (they are then written inline).
    @Test func keyTableInternsEachKeyOnce() {
        let table = KeyTable()
        func intern(_ key: String) -> Int? {
            var key = key
            return key.withUTF8 { table.intern($0) }
        }
        #expect(intern("") == 0)
        let keys = (0..<5_000).map { "k\($0)-" + String(repeating: "x", count: $0 % 40) }
        for (k, key) in keys.enumerated() { #expect(intern(key) == k + 1) }
        for (k, key) in keys.enumerated().reversed() { #expect(intern(key) == k + 1) }
        #expect(table.count == 5_001)
        #expect(table.withUTF8(4_000) { String(decoding: $0, as: UTF8.self) } == keys[3_999])
        #expect(intern(String(repeating: "y", count: KeyTable.maxKeyLength + 1)) == nil)
        #expect(intern(String(repeating: "y", count: KeyTable.maxKeyLength)) == 5_001)
        for k in table.count..<KeyTable.capacity { _ = intern("filler-\(k)") }
        #expect(table.count == KeyTable.capacity)
        #expect(intern("one too many") == nil)
        #expect(intern(keys[0]) == 1)
    }

    /// What a writer packs is byte for byte what packing the tree gives: counts of one, two and three bytes
    /// (the writer keeps three and moves the content down when fewer do).
    @Test func writerCountsAreAsSmallAsTheTrees() {
        let table = KeyTable()
        var writer = CompactWriter(keys: table)
        var tree: [(String, Value)] = []
        for (name, n) in [("none", 0), ("one", 1), ("two", 200), ("three", 20_000)] {
            writer.key(name)
            let mark = writer.openList()
            for k in 0..<n { writer.int(Int64(k)) }
            let closed = writer.close(mark, count: n)
            #expect(closed)
            tree.append((name, .list((0..<n).map { .int(Int64($0)) })))
        }
        writer.key("nested")
        let outer = writer.openMap()
        writer.key("a")
        let inner = writer.openMap()
        writer.key("b"); writer.string("c")
        let closedInner = writer.close(inner, count: 1), closedOuter = writer.close(outer, count: 1)
        #expect(closedInner && closedOuter)
        tree.append(("nested", .map([("a", .map([("b", .string("c"))]))])))
        let written = CompactWriter.map(leading: [], entries: writer.bytes[...], count: tree.count, span: nil, keys: table)
        #expect(written == CompactValue(.map(tree), keys: table))
        #expect(written.value == .map(tree))
    }
}
