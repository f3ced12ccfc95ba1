internal import CCurl
import Foundation

/// `curl_global_init`, once per process, before any handle exists (swift_once makes it thread-safe).
private let curlGlobalInit: Int32 = Int32(curl_global_init(ccurl_global_default).rawValue)

/// The TLS and connection settings of one cluster: fixed for the life of a handle, so that its
/// connection cache keeps one TLS connection alive across requests.
struct TransportSettings: Sendable {
    var caPEM: [UInt8]?
    var clientCertificatePEM: [UInt8]?
    var clientKeyPEM: [UInt8]?
    var insecureSkipTLSVerify = false
    /// `HOST:PORT:CONNECTHOST:CONNECTPORT` when `tls-server-name` differs from the URL host.
    var connectTo: String?
    var proxyURL: String?
    var connectTimeoutMilliseconds = 10_000
    /// A transfer slower than 1 byte/s for this long is aborted (CURLE 28).
    var lowSpeedSeconds = 30
    var requestTimeoutMilliseconds = 60_000
    /// The largest body accepted; a hostile server cannot exhaust memory.
    var maxBodyBytes = 512 << 20
}

/// One HTTP response: status code, response headers (names lowercased) and body.
struct HTTPResponse {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]
    func header(_ name: String) -> String? { headers.last(where: { $0.name == name })?.value }
}

/// A libcurl failure below HTTP: the CURLcode and libcurl's own words.
struct CurlTransportError: Error {
    var code: Int32
    var message: String

    /// Transient failures after which a GET may be tried again (research/kubeapi.md 7.7).
    var isRetryable: Bool { [7, 16, 18, 28, 52, 55, 56, 92].contains(code) }
    /// The peer's certificate failed verification.
    var isUntrustedCertificate: Bool { code == 60 }
    var isTLS: Bool { code == 35 || code == 58 || code == 59 || code == 77 || code == 83 }
}

/// Collects one response from libcurl's callbacks. Reached from C through `Unmanaged`.
private final class ResponseSink {
    var headers: [(name: String, value: String)] = []
    var body: [UInt8] = []
    var limit: Int
    var overLimit = false
    init(limit: Int) { self.limit = limit }
}

/// Owns one libcurl easy handle (and its error buffer and header list); `deinit` frees them. Reusing
/// the handle reuses its connection. Not Sendable: lives inside one client.
final class CurlHandle {
    private let handle: OpaquePointer
    private let errorBuffer: UnsafeMutablePointer<CChar>
    private var connectToList: OpaquePointer?
    private let settings: TransportSettings

    /// Creates and configures an easy handle (`curl_easy_init`). Throws when libcurl lacks OpenSSL,
    /// which in-memory keys need.
    init(settings: TransportSettings) throws(ClusterError) {
        _ = curlGlobalInit
        let ssl = String(cString: ccurl_ssl_version())
        guard ssl.hasPrefix("OpenSSL") else {
            throw .curl("libcurl is built with \(ssl.isEmpty ? "no TLS" : ssl), OpenSSL is required (install libcurl4-openssl-dev)")
        }
        guard let h = curl_easy_init() else { throw .curl("curl_easy_init failed") }
        handle = OpaquePointer(h)
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
        self.settings = settings
        try configure()
    }

    deinit {
        curl_easy_cleanup(UnsafeMutableRawPointer(handle))
        if let connectToList { curl_slist_free_all(UnsafeMutablePointer(connectToList)) }
        errorBuffer.deallocate()
    }

    private var raw: UnsafeMutableRawPointer { UnsafeMutableRawPointer(handle) }

    private func check(_ code: CURLcode, _ what: String) throws(ClusterError) {
        guard code == CURLE_OK else { throw .curl("\(what): \(String(cString: curl_easy_strerror(code)))") }
    }

    private func setBlob(_ option: CURLoption, _ bytes: [UInt8], _ what: String) throws(ClusterError) {
        let code: CURLcode = bytes.withUnsafeBytes { buffer in
            var blob = curl_blob(data: UnsafeMutableRawPointer(mutating: buffer.baseAddress), len: buffer.count,
                                 flags: ccurl_blob_copy)   // libcurl copies: no file, no lifetime to manage
            return ccurl_setopt_blob(raw, option, &blob)
        }
        try check(code, what)
    }

    private func configure() throws(ClusterError) {
        try check(ccurl_setopt_ptr(raw, CURLOPT_ERRORBUFFER, errorBuffer), "error buffer")
        try check(ccurl_setopt_long(raw, CURLOPT_NOSIGNAL, 1), "nosignal")
        try check(ccurl_setopt_str(raw, CURLOPT_PROTOCOLS_STR, "https,http"), "protocols")
        try check(ccurl_setopt_long(raw, CURLOPT_HTTP_VERSION, ccurl_http_version_2tls), "http/2")
        try check(ccurl_setopt_long(raw, CURLOPT_SSLVERSION, ccurl_sslversion_tlsv1_2), "tls 1.2")
        try check(ccurl_setopt_long(raw, CURLOPT_CONNECTTIMEOUT_MS, settings.connectTimeoutMilliseconds), "connect timeout")
        try check(ccurl_setopt_long(raw, CURLOPT_TIMEOUT_MS, settings.requestTimeoutMilliseconds), "timeout")
        try check(ccurl_setopt_long(raw, CURLOPT_LOW_SPEED_LIMIT, 1), "low speed limit")
        try check(ccurl_setopt_long(raw, CURLOPT_LOW_SPEED_TIME, settings.lowSpeedSeconds), "low speed time")
        try check(ccurl_setopt_long(raw, CURLOPT_TCP_KEEPALIVE, 1), "keepalive")
        try check(ccurl_setopt_long(raw, CURLOPT_FOLLOWLOCATION, 0), "redirects")
        try check(ccurl_setopt_str(raw, CURLOPT_ACCEPT_ENCODING, ""), "encodings")   // gzip, br, zstd
        try check(ccurl_setopt_str(raw, CURLOPT_USERAGENT, "ballast/0.1 (linux)"), "user agent")
        if settings.insecureSkipTLSVerify {
            try check(ccurl_setopt_long(raw, CURLOPT_SSL_VERIFYPEER, 0), "verify peer")
            try check(ccurl_setopt_long(raw, CURLOPT_SSL_VERIFYHOST, 0), "verify host")
        } else {
            try check(ccurl_setopt_long(raw, CURLOPT_SSL_VERIFYPEER, 1), "verify peer")
            try check(ccurl_setopt_long(raw, CURLOPT_SSL_VERIFYHOST, 2), "verify host")
        }
        if let ca = settings.caPEM {
            try setBlob(CURLOPT_CAINFO_BLOB, ca, "certificate authority")
            // Only the configured CA: not the system directory as well.
            try check(ccurl_setopt_ptr(raw, CURLOPT_CAPATH, nil), "ca path")
        }
        if let cert = settings.clientCertificatePEM, let key = settings.clientKeyPEM {
            try setBlob(CURLOPT_SSLCERT_BLOB, cert, "client certificate")
            try check(ccurl_setopt_str(raw, CURLOPT_SSLCERTTYPE, "PEM"), "certificate type")
            try setBlob(CURLOPT_SSLKEY_BLOB, key, "client key")
            try check(ccurl_setopt_str(raw, CURLOPT_SSLKEYTYPE, "PEM"), "key type")
        }
        if let connectTo = settings.connectTo {
            connectToList = OpaquePointer(curl_slist_append(nil, connectTo))
            try check(ccurl_setopt_slist(raw, CURLOPT_CONNECT_TO, UnsafeMutablePointer(connectToList)), "connect to")
        }
        if let proxy = settings.proxyURL {
            try check(ccurl_setopt_str(raw, CURLOPT_PROXY, proxy), "proxy")
        } else {
            // Go never proxies loopback (golang/go#33695); libcurl would, from https_proxy.
            try check(ccurl_setopt_str(raw, CURLOPT_NOPROXY, noProxyList()), "no proxy")
        }
        try check(ccurl_setopt_header(raw, { ptr, size, count, userdata in
            guard let ptr, let userdata else { return 0 }
            let n = size * count
            let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
            let line = String(decoding: UnsafeRawBufferPointer(start: ptr, count: n), as: UTF8.self)
            if line.hasPrefix("HTTP/") { sink.headers.removeAll(); return n }   // a new response (100, redirects)
            if let colon = line.firstIndex(of: ":") {
                let name = line[..<colon].lowercased()
                let value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespacesAndNewlines)
                sink.headers.append((name, value))
            }
            return n
        }), "header callback")
        try check(ccurl_setopt_write(raw, { ptr, size, count, userdata in
            guard let userdata else { return 0 }
            let n = size * count
            let sink = Unmanaged<ResponseSink>.fromOpaque(userdata).takeUnretainedValue()
            guard sink.body.count + n <= sink.limit else { sink.overLimit = true; return 0 }   // aborts (23)
            if let ptr { sink.body.append(contentsOf: UnsafeRawBufferPointer(start: ptr, count: n)) }
            return n
        }), "write callback")
    }

    private func noProxyList() -> String {
        let env = ProcessInfo.processInfo.environment
        let user = env["NO_PROXY"] ?? env["no_proxy"] ?? ""
        return (user.isEmpty ? "" : user + ",") + "localhost,127.0.0.0/8,::1"
    }

    /// Performs one GET (`curl_easy_perform`) and returns the response whatever its status. Throws
    /// `CurlTransportError` when no complete HTTP response arrived.
    func get(url: String, headers: [String], basicAuth: (user: String, password: String)?) throws -> HTTPResponse {
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers { list = curl_slist_append(list, header) }
        defer { curl_slist_free_all(list) }
        let sink = ResponseSink(limit: settings.maxBodyBytes)
        errorBuffer[0] = 0
        var code = ccurl_setopt_str(raw, CURLOPT_URL, url)
        if code == CURLE_OK { code = ccurl_setopt_slist(raw, CURLOPT_HTTPHEADER, list) }
        if code == CURLE_OK {
            if let basicAuth {
                code = ccurl_setopt_str(raw, CURLOPT_USERNAME, basicAuth.user)
                if code == CURLE_OK { code = ccurl_setopt_str(raw, CURLOPT_PASSWORD, basicAuth.password) }
            } else {
                code = ccurl_setopt_ptr(raw, CURLOPT_USERNAME, nil)
                if code == CURLE_OK { code = ccurl_setopt_ptr(raw, CURLOPT_PASSWORD, nil) }
            }
        }
        let box = Unmanaged.passUnretained(sink).toOpaque()
        if code == CURLE_OK { code = ccurl_setopt_ptr(raw, CURLOPT_WRITEDATA, box) }
        if code == CURLE_OK { code = ccurl_setopt_ptr(raw, CURLOPT_HEADERDATA, box) }
        if code == CURLE_OK { code = withExtendedLifetime(sink) { curl_easy_perform(raw) } }
        // Unhook the sink: it dies with this call.
        _ = ccurl_setopt_ptr(raw, CURLOPT_WRITEDATA, nil)
        _ = ccurl_setopt_ptr(raw, CURLOPT_HEADERDATA, nil)
        _ = ccurl_setopt_slist(raw, CURLOPT_HTTPHEADER, nil)
        if sink.overLimit {
            throw CurlTransportError(code: 23, message: "response body larger than \(settings.maxBodyBytes) bytes")
        }
        guard code == CURLE_OK else {
            var message = String(cString: errorBuffer)
            if message.isEmpty { message = String(cString: curl_easy_strerror(code)) }
            throw CurlTransportError(code: Int32(code.rawValue), message: message.lowercasedFirst)
        }
        var status = 0
        _ = ccurl_getinfo_long(raw, CURLINFO_RESPONSE_CODE, &status)
        return HTTPResponse(status: status, headers: sink.headers, body: sink.body)
    }

    /// The number of new connections the last transfer opened (`CURLINFO_NUM_CONNECTS`).
    var lastConnectCount: Int {
        var n = 0
        _ = ccurl_getinfo_long(raw, CURLINFO_NUM_CONNECTS, &n)
        return n
    }

    /// The HTTP version of the last response: 2 for HTTP/2, 1 for 1.x.
    var lastHTTPVersion: Int {
        var v = 0
        _ = ccurl_getinfo_long(raw, CURLINFO_HTTP_VERSION, &v)
        return v == 3 ? 2 : 1   // CURL_HTTP_VERSION_2_0 == 3
    }
}

extension String {
    var lowercasedFirst: String {
        guard let first else { return self }
        return first.lowercased() + dropFirst()
    }
}
