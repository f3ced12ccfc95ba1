import Foundation
import Testing
@testable import ClusterSource
import KubeModel

/// A list packed as it is parsed (`ResponseJSON.parseListPacked`, what drift and snapshots read) gives the
/// objects the tree parser gives (`parseList` then `ClusterClient.object(from:served:)`): same identity,
/// same values, whatever the strings, numbers and nesting.
@Suite struct PackedListTests {
    static let served = ServedResource(group: "", version: "v1", plural: "persistentvolumeclaims", kind: "PersistentVolumeClaim",
                                       isNamespaced: true, verbs: ["list"])

    static func same(_ json: String) throws {
        let bytes = Array(json.utf8)
        let (tree, _) = try ResponseJSON.parseList(bytes)
        let expected = (tree["items"]?.listValue ?? []).map { ClusterClient.object(from: $0, served: served) }
        var packed: [KubeObject] = []
        let keys = KeyTable()
        let rest = try ResponseJSON.parseListPacked(bytes, keys: keys) { item in
            let p = ClusterClient.packed(item, served: served)
            packed.append(KubeObject(ref: p.ref, apiVersion: p.apiVersion, value: p.compact.value, span: nil))
        }
        #expect(rest["items"]?.listValue?.isEmpty == true)
        #expect(rest[path: "metadata", "resourceVersion"] == tree[path: "metadata", "resourceVersion"])
        #expect(packed.map(\.ref) == expected.map(\.ref))
        #expect(packed.map(\.value) == expected.map(\.value))
        #expect(packed.map { $0.value.json } == expected.map { $0.value.json })   // entry order too
    }

    @Test func stringsNumbersAndNesting() throws {
        try Self.same(#"""
            {"kind":"PersistentVolumeClaimList","apiVersion":"v1","metadata":{"resourceVersion":"42"},"items":[
             {"metadata":{"name":"data-0","namespace":"cache","labels":{},"annotations":{"note":"line\nbreak \"quoted\" \\ tab\t é \u00e9 \ud83d\ude00 ✓"}},
              "spec":{"resources":{"requests":{"storage":"10Gi"}},"accessModes":["ReadWriteOnce"],"empty":[],"nested":[[],[{}],[1,[2,[3]]]]},
              "status":{"phase":"Bound","numbers":[0,-0,1.5,-2.25e-3,1E9,9223372036854775807,-9223372036854775808,9223372036854775808,12345678901234567890]},
              "flags":[true,false,null]},
             {"apiVersion":"v1","kind":"PersistentVolumeClaim","metadata":{"name":"data-1"},"spec":{}},
             {"metadata":{"name":"dup","name":"dup-last"},"kind":"Ignored"},
             {"metadata":{"name":"first","namespace":"a"},"spec":{},"metadata":{"name":"second"}},
             {"meta\u0064ata":{"namespace":"escaped","n\u0061me":"escaped-name"}},
             {"metadata":"not a map"},
             {}
            ]}
            """#)
    }

    @Test func theExampleClustersLists() throws {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../fixtures/cluster").standardized.path
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") && $0 != "snapshot.json" }
        #expect(!files.isEmpty)
        for file in files {
            try Self.same(String(decoding: FileManager.default.contents(atPath: directory + "/" + file) ?? Data(), as: UTF8.self))
        }
    }

    /// An item that is not an object (no API server sends one) is packed as an object with only its type.
    @Test func anItemThatIsNotAnObject() throws {
        var packed: [CompactValue] = []
        _ = try ResponseJSON.parseListPacked(Array(#"{"items":["text",[1],null]}"#.utf8), keys: KeyTable()) { item in
            packed.append(ClusterClient.packed(item, served: Self.served).compact)
        }
        #expect(packed.map { $0.value.json } == Array(repeating: #"{"apiVersion":"v1","kind":"PersistentVolumeClaim"}"#, count: 3))
    }

    static func failure(_ body: () throws -> Void) -> ResponseJSON.Failure? {
        do { try body(); return nil } catch { return error as? ResponseJSON.Failure ?? ResponseJSON.Failure(offset: -1, problem: "\(error)") }
    }

    @Test func malformedInputFailsAsTheTreeParserDoes() {
        let texts = [#"{"items":[{"a":"b"}"#, #"{"items":[{"a":"\ud800x"}]}"#, #"{"items":[{"a":}]}"#, #"{"items":[{"a":"\ud800"}]}"#,
                     #"{"items":[{"a":"b"},]}"#, "{\"items\":[{\"a\":\"\u{01}\"}]}", #"{"items":[{"a":1.}]}"#]
        // Invalid UTF-8 in a value and in a key, raw (no escape).
        let raw: [[UInt8]] = [Array(#"{"items":[{"a":""#.utf8) + [0xFF] + Array(#""}]}"#.utf8),
                              Array(#"{"items":[{""#.utf8) + [0xC3] + Array(#"":1}]}"#.utf8)]
        for json in texts.map({ Array($0.utf8) }) + raw {
            let tree = Self.failure { _ = try ResponseJSON.parseList(json) }
            let packed = Self.failure { _ = try ResponseJSON.parseListPacked(json, keys: KeyTable()) { _ in } }
            #expect(tree == packed, "\(String(decoding: json, as: UTF8.self))")
        }
    }
}
