import KubeModel

/// When two values are the same to the API server (DESIGN §6): quantities by exact value, numbers by
/// value (`1 == 1.0`), IntOrString keeping its type (`"6379" != 6379`), empty and absent optional
/// collections equal.
enum ValueSemantics {
    /// Maps whose values are all quantities (resource lists).
    private static let quantityMaps: Set<String> = ["requests", "limits", "capacity", "hard", "overhead",
                                                    "allocatable", "allocatedResources", "used"]
    /// Fields that are one quantity.
    private static let quantityFields: Set<String> = ["sizeLimit", "averageValue", "storage"]

    /// Whether the field at `steps` is a `resource.Quantity`.
    static func isQuantityField(_ steps: [PathStep]) -> Bool {
        guard case .field(let last)? = steps.last else { return false }
        if quantityFields.contains(last) { return true }
        if steps.count >= 2, case .field(let parent) = steps[steps.count - 2], quantityMaps.contains(parent) { return true }
        if last == "value", steps.count >= 2, case .field("target") = steps[steps.count - 2] { return true }
        return false
    }

    /// Whether a value is null, `[]` or `{}`: what the server drops from `omitempty` fields.
    static func isEmpty(_ value: Value) -> Bool {
        switch value.kind {
        case .null: true
        case .list(let items): items.isEmpty
        case .map(let entries): entries.isEmpty
        default: false
        }
    }

    /// Equality of two scalars (or of any two values without structure-aware comparison).
    static func scalarsEqual(_ desired: Value, _ live: Value, isQuantity: Bool) -> Bool {
        if isQuantity, let a = Quantity(desired), let b = Quantity(live) { return a == b }
        switch (desired.kind, live.kind) {
        case (.int(let a), .int(let b)): return a == b
        case (.int(let a), .number(let b)), (.number(let b), .int(let a)): return numbersEqual(String(a), b)
        case (.number(let a), .number(let b)): return numbersEqual(a, b)
        default: return desired == live
        }
    }

    /// Exact equality of two JSON/YAML number texts (`1 == 1.0 == 1e0`, `0.5 == 5e-1`).
    static func numbersEqual(_ a: String, _ b: String) -> Bool {
        guard let x = Decimal(a), let y = Decimal(b) else { return a == b }
        return x == y
    }

    /// A number as sign, significant digits without leading or trailing zeros, and a decimal exponent.
    private struct Decimal: Equatable {
        var negative: Bool
        var digits: [UInt8]
        var exponent: Int

        init?(_ text: String) {
            var bytes = Substring(text).utf8[...]
            negative = false
            if let first = bytes.first, first == UInt8(ascii: "-") || first == UInt8(ascii: "+") {
                negative = first == UInt8(ascii: "-"); bytes = bytes.dropFirst()
            }
            var digits: [UInt8] = []
            var exponent = 0
            var sawPoint = false
            var sawDigit = false
            while let b = bytes.first {
                if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                    sawDigit = true
                    if !(digits.isEmpty && b == UInt8(ascii: "0")) { digits.append(b) }
                    if sawPoint { exponent -= 1 }
                } else if b == UInt8(ascii: ".") && !sawPoint {
                    sawPoint = true
                } else { break }
                bytes = bytes.dropFirst()
            }
            guard sawDigit else { return nil }
            if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
                guard let value = Int(String(decoding: bytes.dropFirst(), as: UTF8.self)), abs(value) < 100_000 else { return nil }
                exponent += value
            } else if !bytes.isEmpty { return nil }
            while let last = digits.last, last == UInt8(ascii: "0") { digits.removeLast(); exponent += 1 }
            if digits.isEmpty { negative = false; exponent = 0 }
            self.digits = digits
            self.exponent = exponent
        }
    }
}
