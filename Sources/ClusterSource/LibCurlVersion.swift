internal import CCurl

/// The libcurl Ballast talks to the Kubernetes API with.
public enum LibCurl {
    /// The version of the libcurl loaded at run time (`"7.88.1"`). Wraps `curl_version_info`.
    public static var version: String { String(cString: ccurl_libcurl_version()) }

    /// The TLS library it was built with (`"OpenSSL/3.0.17"`; empty without TLS). Wraps `curl_version_info`.
    public static var tlsVersion: String { String(cString: ccurl_ssl_version()) }
}
