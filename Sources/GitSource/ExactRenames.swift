extension GitChange {
    /// Pairs the deletions and additions of identical blobs that rename detection left apart, as renames.
    ///
    /// libgit2's `git_diff_find_similar` compares each added file with at most `rename_limit` (1000) deleted
    /// ones, so in a larger move an identical file can stay a delete and an add. git itself pairs identical
    /// blobs first, with no limit (diffcore-rename's `find_exact_renames`); this does the same, in one pass
    /// over a table of blob ids. Paths are paired in order, so the result does not depend on hashing. Empty
    /// files are not paired (git does not use them as rename sources either: any two are identical).
    static func pairingIdenticalBlobs(_ changes: [GitChange]) -> [GitChange] {
        var deletedByBlob: [ObjectID: [Int]] = [:]
        for (i, change) in changes.enumerated() where change.status == .deleted {
            if let blob = change.oldBlob, blob != emptyBlob { deletedByBlob[blob, default: []].append(i) }
        }
        guard !deletedByBlob.isEmpty else { return changes }
        var out = changes
        var paired = Set<Int>()
        for (i, change) in changes.enumerated() where change.status == .added {
            guard let blob = change.newBlob, var candidates = deletedByBlob[blob], !candidates.isEmpty else { continue }
            let source = candidates.removeFirst()
            deletedByBlob[blob] = candidates
            out[i].status = .renamed
            out[i].oldPath = changes[source].oldPath
            out[i].oldBlob = blob
            paired.insert(source)
        }
        return out.enumerated().filter { !paired.contains($0.offset) }.map(\.element)
    }

    /// The id of the empty blob (`git hash-object /dev/null`).
    static let emptyBlob = ObjectID(hex: "e69de29bb2d1d6434b8b29ae775ad8c2e48c5391")
}
