internal import CRE2

/// The RE2 library CEL's regular expressions run on.
public enum RE2Library {
    /// The RE2 release Ballast was built against (`"2022-06-01"`), or nil when the build did not record it:
    /// RE2 has no version API, so ci/release passes it at build time (`CRE2_RELEASE`). Wraps `cre2_release`.
    public static var release: String? {
        let date = cre2_release()
        guard date > 19_000_000 else { return nil }
        let digits = String(date)
        return "\(digits.prefix(4))-\(digits.dropFirst(4).prefix(2))-\(digits.suffix(2))"
    }

    /// The RE2 shared object loaded at run time (`"libre2.so.9"`; the SONAME names its ABI), or nil when RE2
    /// is linked statically. Wraps `cre2_loaded_library`.
    public static var loadedLibrary: String? {
        var buffer = [CChar](repeating: 0, count: 256)
        guard cre2_loaded_library(&buffer, buffer.count) == 1 else { return nil }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
