import KubeModel

/// The Kubernetes quantity parser, plus the arithmetic and formatting done on what it returns.
func fuzzQuantity(_ bytes: [UInt8]) {
    let text = String(decoding: bytes, as: UTF8.self)
    guard let q = try? Quantity(parsing: text) else { return }
    _ = q.description
    // Round trip: a parsed quantity prints as a quantity that parses to the same value.
    guard let again = try? Quantity(parsing: q.description) else {
        fatalError("\(q.description) (from \(text.debugDescription)) does not parse")
    }
    precondition(again == q, "\(text.debugDescription) -> \(q.description) -> \(again.description)")
    _ = q < again
}
