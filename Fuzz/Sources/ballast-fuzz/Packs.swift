@_spi(Fuzzing) import GitSource

/// The pack reader of `readingOrder` (PackOrder): a pack index and a pack, whatever their bytes. The input is
/// a 4-byte little-endian length, that many bytes of index (`.idx`), then the pack (`.pack`). An order, when
/// there is one, must name every object of the index once.
func fuzzPack(_ bytes: [UInt8]) {
    guard bytes.count >= 4 else { return }
    let stated = Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16 | Int(bytes[3]) << 24
    let length = min(stated, bytes.count - 4)
    let index = Array(bytes[4..<(4 + length)]), pack = Array(bytes[(4 + length)...])
    guard let order = PackOrderProbe.orderEveryObject(index: index, pack: pack) else { return }
    precondition(Set(order).count == order.count, "an object ordered twice")
}
