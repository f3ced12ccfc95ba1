/// A Kubernetes resource quantity (`resource.Quantity`), kept exactly.
///
/// Grammar (k8s.io/apimachinery/pkg/api/resource):
/// `<signedNumber><suffix>`, suffix one of BinarySI (`Ki Mi Gi Ti Pi Ei`), DecimalSI (`n u m "" k M G T P E`)
/// or DecimalExponent (`e<int>` / `E<int>`). Like Kubernetes, values are limited to nano precision and
/// rounded up (away from zero) below it. Equality and ordering are by value: `1Gi == 1073741824`,
/// `0.5 == 500m`, `1G != 1Gi`.
public struct Quantity: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// How a quantity is printed; taken from the suffix it was written with.
    public enum Format: Sendable, Hashable { case binarySI, decimalSI, decimalExponent }

    /// The value in units of 10⁻⁹.
    public let nanos: Int128
    public let format: Format

    public init(nanos: Int128, format: Format = .decimalSI) { self.nanos = nanos; self.format = format }

    /// A whole number of units (bytes, cores).
    public init(_ integer: Int64, format: Format = .decimalSI) {
        self.init(nanos: Int128(integer) * Quantity.nanoScale, format: format)
    }

    static let nanoScale: Int128 = 1_000_000_000
    /// The largest magnitude kept: about 1.7e29 units, far beyond what an API server accepts.
    static let limit: Int128 = Int128.max / 1_000

    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        case empty, invalid(String), outOfRange(String)
        public var description: String {
            switch self {
            case .empty: "quantity is empty"
            case .invalid(let s): "\(jsonQuoted(s)) is not a quantity (expected e.g. 10Gi, 500m, 1e3)"
            case .outOfRange(let s): "quantity \(jsonQuoted(s)) is out of range"
            }
        }
    }

    /// Parses the Kubernetes quantity grammar. Throws for anything the API server would reject.
    public init(parsing text: String) throws(ParseError) {
        let bytes = Array(text.utf8)
        guard !bytes.isEmpty else { throw .empty }
        var i = 0
        var negative = false
        if bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") {
            negative = bytes[i] == UInt8(ascii: "-"); i += 1
        }
        // Digits before and after the point, as one integer with a decimal exponent.
        var mantissa: Int128 = 0
        var exponent = 0
        var digits = 0
        var sawPoint = false
        var overflowDigits = 0   // significant digits past what Int128 holds are dropped, then rounded up
        var droppedNonZero = false
        while i < bytes.count {
            let b = bytes[i]
            if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                digits += 1
                if mantissa < Quantity.limit {
                    mantissa = mantissa * 10 + Int128(b - UInt8(ascii: "0"))
                    if sawPoint { exponent -= 1 }
                } else {
                    if !sawPoint { overflowDigits += 1 }
                    if b != UInt8(ascii: "0") { droppedNonZero = true }
                }
            } else if b == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            i += 1
        }
        guard digits > 0 else { throw .invalid(text) }
        exponent += overflowDigits
        var format = Format.decimalSI
        var binaryPower = 0   // multiply by 1024^binaryPower
        let suffix = String(decoding: bytes[i...], as: UTF8.self)
        switch suffix {
        case "": break
        case "n": exponent -= 9
        case "u": exponent -= 6
        case "m": exponent -= 3
        case "k": exponent += 3
        case "M": exponent += 6
        case "G": exponent += 9
        case "T": exponent += 12
        case "P": exponent += 15
        case "E": exponent += 18
        case "Ki": binaryPower = 1; format = .binarySI
        case "Mi": binaryPower = 2; format = .binarySI
        case "Gi": binaryPower = 3; format = .binarySI
        case "Ti": binaryPower = 4; format = .binarySI
        case "Pi": binaryPower = 5; format = .binarySI
        case "Ei": binaryPower = 6; format = .binarySI
        default:
            guard let first = suffix.first, first == "e" || first == "E" else { throw .invalid(text) }
            var rest = Substring(suffix.dropFirst())
            var expNegative = false
            if let sign = rest.first, sign == "+" || sign == "-" { expNegative = sign == "-"; rest = rest.dropFirst() }
            guard !rest.isEmpty, rest.allSatisfy({ $0.isASCII && $0.isNumber }), rest.count <= 4,
                  let e = Int(rest) else { throw .invalid(text) }
            exponent += expNegative ? -e : e
            format = .decimalExponent
        }
        // Scale to nanos: value = mantissa × 10^exponent × 1024^binaryPower.
        var value = mantissa
        var scale = exponent + 9
        var roundUp = droppedNonZero
        for _ in 0..<binaryPower {
            let (product, overflow) = value.multipliedReportingOverflow(by: 1024)
            guard !overflow, product <= Quantity.limit else { throw .outOfRange(text) }
            value = product
        }
        while scale > 0 {
            guard value != 0 else { break }
            let (product, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow, product <= Quantity.limit else { throw .outOfRange(text) }
            value = product
            scale -= 1
        }
        while scale < 0 {
            if value % 10 != 0 { roundUp = true }
            value /= 10
            scale += 1
            if value == 0 && !roundUp { break }
        }
        if roundUp { value += 1 }   // Kubernetes rounds up to the nearest nano
        if value > Quantity.limit { throw .outOfRange(text) }
        self.init(nanos: negative ? -value : value, format: format)
    }

    /// Parses a quantity, or nil when `text` is not one.
    public static func parse(_ text: String) -> Quantity? { try? Quantity(parsing: text) }

    /// The value of a manifest field: a string in the quantity grammar, or a plain integer.
    public init?(_ value: Value) {
        switch value.kind {
        case .string(let s), .number(let s): guard let q = Quantity.parse(s) else { return nil }; self = q
        case .int(let i): self.init(i)
        default: return nil
        }
    }

    public static func == (a: Quantity, b: Quantity) -> Bool { a.nanos == b.nanos }
    public func hash(into hasher: inout Hasher) { hasher.combine(nanos) }
    public static func < (a: Quantity, b: Quantity) -> Bool { a.nanos < b.nanos }

    /// Whole units, rounded up as `Quantity.Value()` does; nil when it does not fit an Int64.
    public var integerValue: Int64? {
        var (q, r) = nanos.quotientAndRemainder(dividingBy: Quantity.nanoScale)
        if r > 0 { q += 1 }
        return Int64(exactly: q)
    }

    /// Whether the value is a whole number of units.
    public var isInteger: Bool { nanos % Quantity.nanoScale == 0 }

    public static func + (a: Quantity, b: Quantity) -> Quantity { Quantity(nanos: a.nanos + b.nanos, format: a.format) }
    public static func - (a: Quantity, b: Quantity) -> Quantity { Quantity(nanos: a.nanos - b.nanos, format: a.format) }

    /// The canonical text, as Kubernetes prints it (`Quantity.String()`): `1.5Gi` → `1536Mi`, `0.5` → `500m`.
    public var description: String {
        if nanos == 0 { return "0" }
        var format = self.format
        if format == .binarySI && (!isInteger || (nanos > -1024 * Quantity.nanoScale && nanos < 1024 * Quantity.nanoScale)) {
            format = .decimalSI   // as Kubernetes: no rounding, and small values read better in decimal
        }
        let sign = nanos < 0 ? "-" : ""
        var magnitude = nanos.magnitude
        if format == .binarySI {
            var units = magnitude / UInt128(Quantity.nanoScale)
            var power = 0
            while power < 6 && units % 1024 == 0 { units /= 1024; power += 1 }
            let suffixes = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"]
            return sign + String(units) + suffixes[power]
        }
        // Decimal: the largest multiple-of-3 exponent (from -9) that keeps the mantissa whole.
        var exponent = -9
        while magnitude % 1000 == 0 && exponent < 18 { magnitude /= 1000; exponent += 3 }
        if format == .decimalExponent {
            return sign + String(magnitude) + (exponent == 0 ? "" : "e\(exponent)")
        }
        let suffixes = [-9: "n", -6: "u", -3: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E"]
        return sign + String(magnitude) + (suffixes[exponent] ?? "")
    }
}
