/// JSON string literals (RFC 8259 §7): escapes, surrogate pairs, UTF-8 validation. Shared by the file
/// reader (`JSONReader`) and the API-response reader of `ClusterSource`, which differ only in how they
/// report positions.
public enum JSONStringDecoder {
    /// Why a string literal is invalid; `index` is where the reader should report it.
    public struct Problem: Error, Equatable, Sendable {
        public var message: String
    }

    /// Decodes the string literal whose opening quote is at `index`; on success `index` is just past the
    /// closing quote, on failure at the offending byte.
    public static func decode(_ bytes: UnsafeBufferPointer<UInt8>, at index: inout Int) -> Result<String, Problem> {
        var i = index + 1
        defer { index = i }
        let start = i
        // Fast path: no escapes.
        while i < bytes.count, bytes[i] != UInt8(ascii: "\""), bytes[i] != UInt8(ascii: "\\"), bytes[i] >= 0x20 { i += 1 }
        if i < bytes.count && bytes[i] == UInt8(ascii: "\"") {
            guard let s = String(validating: UnsafeBufferPointer(rebasing: bytes[start..<i]), as: UTF8.self) else {
                return .failure(Problem(message: "invalid UTF-8 in a string"))
            }
            i += 1
            return .success(s)
        }
        var out = Array(bytes[start..<i])
        func hex4() -> UInt32? {
            guard i + 4 <= bytes.count else { return nil }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let b = bytes[i]
                let d: UInt32
                switch b {
                case 0x30...0x39: d = UInt32(b - 0x30)
                case 0x41...0x46: d = UInt32(b - 0x41 + 10)
                case 0x61...0x66: d = UInt32(b - 0x61 + 10)
                default: return nil
                }
                v = v << 4 | d
                i += 1
            }
            return v
        }
        while true {
            guard i < bytes.count else { return .failure(Problem(message: "unterminated string")) }
            let b = bytes[i]
            if b == UInt8(ascii: "\"") { i += 1; break }
            if b < 0x20 { return .failure(Problem(message: "control character in a string")) }
            if b != UInt8(ascii: "\\") { out.append(b); i += 1; continue }
            i += 1
            guard i < bytes.count else { return .failure(Problem(message: "unterminated string")) }
            let e = bytes[i]; i += 1
            switch e {
            case UInt8(ascii: "\""): out.append(0x22)
            case UInt8(ascii: "\\"): out.append(0x5C)
            case UInt8(ascii: "/"): out.append(0x2F)
            case UInt8(ascii: "b"): out.append(0x08)
            case UInt8(ascii: "f"): out.append(0x0C)
            case UInt8(ascii: "n"): out.append(0x0A)
            case UInt8(ascii: "r"): out.append(0x0D)
            case UInt8(ascii: "t"): out.append(0x09)
            case UInt8(ascii: "u"):
                guard var scalar = hex4() else { return .failure(Problem(message: "invalid \\u escape")) }
                if scalar >= 0xD800 && scalar < 0xDC00 {
                    guard i + 6 <= bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else {
                        return .failure(Problem(message: "unpaired surrogate in a \\u escape"))
                    }
                    i += 2
                    guard let low = hex4(), low >= 0xDC00 && low < 0xE000 else {
                        return .failure(Problem(message: "unpaired surrogate in a \\u escape"))
                    }
                    scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                } else if scalar >= 0xDC00 && scalar < 0xE000 {
                    return .failure(Problem(message: "unpaired surrogate in a \\u escape"))
                }
                guard let u = Unicode.Scalar(scalar) else { return .failure(Problem(message: "invalid \\u escape")) }
                out.append(contentsOf: Array(String(Character(u)).utf8))
            default: return .failure(Problem(message: "invalid escape in a string"))
            }
        }
        guard let s = String(validating: out, as: UTF8.self) else { return .failure(Problem(message: "invalid UTF-8 in a string")) }
        return .success(s)
    }
}
