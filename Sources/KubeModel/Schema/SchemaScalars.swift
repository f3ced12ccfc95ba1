/// The scalar formats the API server's decoder insists on, checked without Foundation.
enum SchemaScalars {
    /// The value of exact decimal text (`3`, `3.0`, `1e3`, `-2.50e1`) when it is a whole number that fits
    /// an Int64; nil for fractions, overflow and malformed text. sigs.k8s.io/yaml turns an integral float
    /// into an integer before encoding/json decodes it, so `replicas: 3.0` is accepted.
    static func integralValue(_ text: String) -> Int64? {
        var bytes = Substring(text).utf8[...]
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
            negative = sign == UInt8(ascii: "-"); bytes = bytes.dropFirst()
        }
        var digits: [UInt8] = []      // significant digits, integer and fraction parts together
        var exponent = 0              // value = digits × 10^exponent
        var sawPoint = false
        var sawDigit = false
        while let b = bytes.first {
            if b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") {
                sawDigit = true
                digits.append(b - UInt8(ascii: "0"))
                if sawPoint { exponent -= 1 }
            } else if b == UInt8(ascii: ".") && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            bytes = bytes.dropFirst()
        }
        guard sawDigit else { return nil }
        if let e = bytes.first, e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            bytes = bytes.dropFirst()
            var expNegative = false
            if let sign = bytes.first, sign == UInt8(ascii: "-") || sign == UInt8(ascii: "+") {
                expNegative = sign == UInt8(ascii: "-"); bytes = bytes.dropFirst()
            }
            guard !bytes.isEmpty else { return nil }
            var written = 0
            for b in bytes {
                guard b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9") else { return nil }
                written = min(written * 10 + Int(b - UInt8(ascii: "0")), 10_000)   // beyond any Int64
            }
            exponent += expNegative ? -written : written
            bytes = bytes[bytes.endIndex...]
        }
        guard bytes.isEmpty else { return nil }
        while let last = digits.last, last == 0, exponent < 0 { digits.removeLast(); exponent += 1 }
        while let first = digits.first, first == 0 { digits.removeFirst() }
        if digits.isEmpty { return 0 }
        guard exponent >= 0, digits.count + exponent <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for digit in digits + Array(repeating: 0, count: exponent) {
            let (product, overflow1) = magnitude.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = product.addingReportingOverflow(UInt64(digit))
            guard !overflow1, !overflow2 else { return nil }
            magnitude = sum
        }
        if negative { return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil }
        return Int64(exactly: magnitude)
    }

    /// Whether `text` decodes as Go's `base64.StdEncoding` does for a `[]byte` field: padded standard
    /// alphabet, line breaks ignored.
    static func isBase64(_ text: String) -> Bool {
        var count = 0
        var padding = 0
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "\r"), UInt8(ascii: "\n"): continue
            case UInt8(ascii: "="): padding += 1
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"):
                if padding > 0 { return false }   // data after padding
            default: return false
            }
            count += 1
        }
        return count % 4 == 0 && padding <= 2
    }

    /// Whether `text` parses as Go's `time.Parse(time.RFC3339, …)` accepts it (metav1.Time):
    /// `2006-01-02T15:04:05Z`, optional fractional seconds, `Z` or a `±hh:mm` offset.
    static func isRFC3339(_ text: String) -> Bool {
        let b = Array(text.utf8)
        func number(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var n = 0
            for i in from..<(from + count) {
                guard b[i] >= UInt8(ascii: "0") && b[i] <= UInt8(ascii: "9") else { return nil }
                n = n * 10 + Int(b[i] - UInt8(ascii: "0"))
            }
            return n
        }
        guard b.count >= 20, let year = number(0, 4), b[4] == UInt8(ascii: "-"), let month = number(5, 2),
              b[7] == UInt8(ascii: "-"), let day = number(8, 2), b[10] == UInt8(ascii: "T"),
              let hour = number(11, 2), b[13] == UInt8(ascii: ":"), let minute = number(14, 2),
              b[16] == UInt8(ascii: ":"), let second = number(17, 2) else { return false }
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard (1...12).contains(month), day >= 1, day <= days[month - 1], hour < 24, minute < 60, second < 60
        else { return false }
        var i = 19
        if b[i] == UInt8(ascii: ".") {
            i += 1
            let start = i
            while i < b.count, b[i] >= UInt8(ascii: "0") && b[i] <= UInt8(ascii: "9") { i += 1 }
            guard i > start, i < b.count else { return false }
        }
        if b[i] == UInt8(ascii: "Z") { return i + 1 == b.count }
        guard b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-"), i + 6 == b.count,
              let offsetHours = number(i + 1, 2), b[i + 3] == UInt8(ascii: ":"), let offsetMinutes = number(i + 4, 2)
        else { return false }
        return offsetHours < 24 && offsetMinutes < 60
    }
}
