import Foundation
import KubeModel
import ManifestIO

/// Tuning of a client: rate limit, page size, retries and timeouts.
public struct ClientOptions: Sendable {
    /// Client-side token bucket (DESIGN §3: 20 requests/s, bursts of 100).
    public var qps: Double = 20
    public var burst: Int = 100
    /// `limit` of each list page.
    public var pageSize: Int = 500
    /// Attempts per request, the first included: 429, 5xx and dropped connections are retried.
    public var maxAttempts: Int = 6
    /// Exponential backoff: base × 2^retry, capped, with jitter (a random 50–100 % of it).
    public var backoffBaseSeconds: Double = 0.5
    public var backoffCapSeconds: Double = 16
    /// A server's `Retry-After` is honoured up to this many seconds.
    public var maxRetryAfterSeconds: Double = 32
    public var connectTimeoutSeconds: Double = 10
    /// A body that stalls (below 1 byte/s) this long is abandoned.
    public var lowSpeedSeconds: Int = 30
    public var requestTimeoutSeconds: Double = 60
    /// The environment exec plugins run with.
    public var environment: [String: String] = ProcessInfo.processInfo.environment
    public init() {}
}

/// Counts of what a client did, for tests and the benchmark.
public struct RequestStats: Sendable {
    public var requests = 0
    public var listRequests = 0
    public var retries = 0
    public var connections = 0
    public var bytesReceived = 0
    public var httpVersion = 1
}

/// A token bucket: `burst` requests at once, then `qps` per second.
struct RateLimiter {
    let qps: Double
    let burst: Double
    private var tokens: Double
    private var last = Date()
    init(qps: Double, burst: Int) { self.qps = qps; self.burst = Double(max(1, burst)); tokens = Double(max(1, burst)) }

    mutating func acquire() {
        guard qps > 0 else { return }
        let now = Date()
        tokens = min(burst, tokens + now.timeIntervalSince(last) * qps)
        last = now
        if tokens >= 1 { tokens -= 1; return }
        let wait = (1 - tokens) / qps
        Thread.sleep(forTimeInterval: wait)
        tokens = 0
        last = Date()
    }
}

/// What a non-2xx response said: a `Status` when the body is one, else the code and some text.
struct StatusInfo {
    var code: Int
    var reason: String
    var message: String
    var continueToken: String?
    var retryAfterSeconds: Double?

    init(_ response: HTTPResponse) {
        code = response.status
        reason = ""
        message = ""
        let type = response.header("content-type") ?? ""
        if type.contains("json") || response.body.first == UInt8(ascii: "{"),
           let value = try? ResponseJSON.parse(response.body),   // not JSON: fall back to the text
           value["kind"]?.stringValue == "Status" {
            reason = value["reason"]?.stringValue ?? ""
            message = value["message"]?.stringValue ?? ""
            continueToken = value[path: "metadata", "continue"]?.stringValue
            if let seconds = value[path: "details", "retryAfterSeconds"]?.intValue, seconds > 0 { retryAfterSeconds = Double(seconds) }
        } else {
            let text = String(decoding: response.body.prefix(1024), as: UTF8.self)
            message = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        if message.isEmpty { message = "HTTP \(code)" }
        // client-go honours only an integer Retry-After (HTTP dates are not parsed).
        if let header = response.header("retry-after"), let seconds = Int(header.trimmingCharacters(in: .whitespaces)), seconds >= 0 {
            retryAfterSeconds = Double(seconds)
        }
    }
}

/// Sends GETs to one API server with credentials, a rate limit and retries. Owns the libcurl handle.
final class Transport {
    let config: ClusterConfig
    let options: ClientOptions
    private var handle: CurlHandle
    private var settings: TransportSettings
    /// The exec plugin's client certificate the handle was made with.
    private var execCertificate: Sensitive?
    private let credentials: CredentialSource
    private var limiter: RateLimiter
    /// `scheme://host:port/prefix`, with the tls-server-name as host when one is set.
    let base: String
    private(set) var stats = RequestStats()
    private(set) var warnings: [String] = []

    init(config: ClusterConfig, options: ClientOptions) throws(ClusterError) {
        self.config = config
        self.options = options
        guard let url = URLComponents(string: config.server), let host = url.host, let scheme = url.scheme else {
            throw .kubeconfigInvalid(file: config.origin, key: "server", problem: "\(config.server) is not a URL")
        }
        let port = url.port ?? (scheme == "https" ? 443 : 80)
        var settings = TransportSettings()
        settings.caPEM = config.caPEM?.bytes
        settings.clientCertificatePEM = config.clientCertificatePEM?.bytes
        settings.clientKeyPEM = config.clientKeyPEM?.bytes
        settings.insecureSkipTLSVerify = config.insecureSkipTLSVerify
        settings.proxyURL = config.proxyURL
        settings.connectTimeoutMilliseconds = Int(options.connectTimeoutSeconds * 1000)
        settings.lowSpeedSeconds = options.lowSpeedSeconds
        settings.requestTimeoutMilliseconds = Int(options.requestTimeoutSeconds * 1000)
        let hostPart = host.contains(":") ? "[\(host)]" : host
        var prefix = url.path
        while prefix.hasSuffix("/") { prefix.removeLast() }
        if let name = config.tlsServerName, name != host {
            // libcurl has no "verify as name N": address N and connect to the real host (CURLOPT_CONNECT_TO).
            settings.connectTo = "\(name):\(port):\(hostPart):\(port)"
            base = "\(scheme)://\(name):\(port)\(prefix)"
        } else {
            base = "\(scheme)://\(hostPart):\(port)\(prefix)"
        }
        self.settings = settings
        handle = try CurlHandle(settings: settings)
        credentials = CredentialSource(config: config, environment: options.environment)
        limiter = RateLimiter(qps: options.qps, burst: options.burst)
    }

    var execRuns: Int { credentials.execRuns }

    /// GET `path` (with its query) and return a 2xx response. Retries 429, 5xx and dropped connections
    /// with backoff (honouring `Retry-After`), re-authenticates once after a 401, and throws a typed
    /// error for everything else. `statusHandler` may claim a non-2xx response (410 on lists).
    func get(_ path: String, accept: String = "application/json", isList: Bool = false,
             resource: (verb: String, name: String, namespace: String?)? = nil) throws(ClusterError) -> HTTPResponse {
        var attempt = 0
        var reauthenticated = false
        while true {
            attempt += 1
            limiter.acquire()
            var headers = ["Accept: \(accept)"]
            if let authorization = try credentials.authorization() { headers.append("Authorization: \(authorization.text)") }
            if let pair = credentials.execClientCertificate(), pair.certificate != execCertificate {
                // A new certificate from the exec plugin: a new handle, so no connection keeps the old one.
                settings.clientCertificatePEM = pair.certificate.bytes
                settings.clientKeyPEM = pair.key.bytes
                handle = try CurlHandle(settings: settings)
                execCertificate = pair.certificate
            }
            stats.requests += 1
            if isList { stats.listRequests += 1 }
            let response: HTTPResponse
            do {
                response = try handle.get(url: base + path, headers: headers, basicAuth: credentials.basicAuth)
            } catch let error as CurlTransportError {
                if error.isUntrustedCertificate { throw .untrustedCertificate(server: config.server, detail: error.message) }
                if error.isTLS { throw .tls(server: config.server, detail: error.message) }
                if error.isRetryable && attempt < options.maxAttempts {
                    stats.retries += 1
                    pause(backoff(attempt))
                    continue
                }
                throw .unreachable(server: config.server, detail: "\(error.message) (after \(attempt) attempt\(attempt == 1 ? "" : "s"))")
            } catch {
                throw .unreachable(server: config.server, detail: "\(error)")
            }
            stats.connections += handle.lastConnectCount
            stats.bytesReceived += response.body.count
            stats.httpVersion = handle.lastHTTPVersion
            for warning in response.headers where warning.name == "warning" && !warnings.contains(warning.value) {
                warnings.append(warning.value)
            }
            switch response.status {
            case 200..<300:
                return response
            case 401:
                if !reauthenticated && credentials.invalidate() { reauthenticated = true; attempt -= 1; continue }
                throw .unauthorized(path: path)
            case 429, 500...599:
                let status = StatusInfo(response)
                if attempt < options.maxAttempts {
                    stats.retries += 1
                    pause(status.retryAfterSeconds.map { min($0, options.maxRetryAfterSeconds) } ?? backoff(attempt))
                    continue
                }
                throw .http(path: path, code: response.status, reason: status.reason,
                            message: status.message + " (after \(attempt) attempts)")
            case 403:
                let status = StatusInfo(response)
                throw .forbidden(verb: resource?.verb ?? "get", resource: resource?.name ?? path,
                                 namespace: resource?.namespace, message: status.message)
            default:
                throw statusError(StatusInfo(response), path: path)
            }
        }
    }

    /// The error for any other status; the caller may handle some (410 on a list).
    private func statusError(_ status: StatusInfo, path: String) -> ClusterError {
        .http(path: path, code: status.code, reason: status.reason, message: status.message)
    }

    private func backoff(_ attempt: Int) -> Double {
        let exponential = min(options.backoffCapSeconds, options.backoffBaseSeconds * pow(2, Double(attempt - 1)))
        return exponential * Double.random(in: 0.5...1.0)
    }

    private func pause(_ seconds: Double) {
        if seconds > 0 { Thread.sleep(forTimeInterval: seconds) }
    }
}

/// Percent-encodes a query value.
func queryEscape(_ s: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
}
