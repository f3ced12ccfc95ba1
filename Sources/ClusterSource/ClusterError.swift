/// Why the cluster could not be read. Messages are lowercase, say what was found and what was expected,
/// and never hold a token, password, key or Secret value.
public enum ClusterError: Error, Equatable, Sendable, CustomStringConvertible {
    /// No kubeconfig could be found and the process does not run in a pod.
    case noConfiguration(String)
    /// A kubeconfig file that cannot be read or parsed.
    case kubeconfigUnreadable(file: String, reason: String)
    /// A kubeconfig value of the wrong shape, or settings that contradict each other.
    case kubeconfigInvalid(file: String, key: String, problem: String)
    /// `--context` (or `current-context`) names no context.
    case contextNotFound(String)
    case clusterNotFound(String)
    case userNotFound(String)
    /// The in-cluster service-account files are missing or unusable.
    case inCluster(String)
    /// An exec credential plugin failed, timed out or printed something unusable.
    case execPlugin(command: String, problem: String)
    /// The server could not be reached (DNS, refused, timeout, dropped).
    case unreachable(server: String, detail: String)
    /// The server's certificate did not verify against the configured CA.
    case untrustedCertificate(server: String, detail: String)
    /// A TLS or client-certificate problem other than trust.
    case tls(server: String, detail: String)
    /// 401: the server rejected the credentials.
    case unauthorized(path: String)
    /// 403: RBAC denied `verb` on `resource`.
    case forbidden(verb: String, resource: String, namespace: String?, message: String)
    /// Any other HTTP error, with the Status message (or the first bytes of a text body).
    case http(path: String, code: Int, reason: String, message: String)
    /// 410 Expired on a list restarted once and then read unpaginated: it could not be read whole.
    case expired(path: String)
    /// The body is not the JSON expected (truncated, not JSON, wrong shape).
    case invalidResponse(path: String, problem: String)
    /// The kind is not served by the cluster (discovery).
    case notServed(String)
    /// Secrets are never requested.
    case secretsRefused
    /// A snapshot directory that cannot be written or read.
    case snapshot(path: String, problem: String)
    /// The local libcurl cannot do what is needed (e.g. built without OpenSSL).
    case curl(String)

    public var description: String {
        switch self {
        case .noConfiguration(let why): return "no cluster configuration: \(why)"
        case .kubeconfigUnreadable(let file, let reason): return "kubeconfig \(file): \(reason)"
        case .kubeconfigInvalid(let file, let key, let problem): return "kubeconfig \(file): \(key): \(problem)"
        case .contextNotFound(let name): return "context \(jsonQuotedName(name)) does not exist"
        case .clusterNotFound(let name): return "cluster \(jsonQuotedName(name)) does not exist"
        case .userNotFound(let name): return "auth info \(jsonQuotedName(name)) does not exist"
        case .inCluster(let why): return "in-cluster configuration: \(why)"
        case .execPlugin(let command, let problem): return "exec plugin \(command): \(problem)"
        case .unreachable(let server, let detail): return "cannot reach \(server): \(detail)"
        case .untrustedCertificate(let server, let detail):
            return "the certificate of \(server) is not signed by the configured certificate authority: \(detail)"
        case .tls(let server, let detail): return "tls with \(server) failed: \(detail)"
        case .unauthorized(let path): return "credentials rejected (401 Unauthorized) for GET \(path)"
        case .forbidden(let verb, let resource, let namespace, let message):
            let scope = namespace.map { "in namespace \($0)" } ?? "at the cluster scope"
            return "permission denied: cannot \(verb) \(resource) \(scope) (\(message))"
        case .http(let path, let code, let reason, let message):
            return "GET \(path): \(code)\(reason.isEmpty ? "" : " \(reason)"): \(message)"
        case .expired(let path): return "GET \(path): the list expired twice (410 Gone) and the full list failed too; not read completely"
        case .invalidResponse(let path, let problem): return "GET \(path): invalid response: \(problem)"
        case .notServed(let kind): return "\(kind) is not served by this cluster"
        case .secretsRefused: return "secrets are never read: ballast does not request them"
        case .snapshot(let path, let problem): return "snapshot \(path): \(problem)"
        case .curl(let why): return "libcurl: \(why)"
        }
    }

    /// Whether trying the same request again may succeed.
    var isRetryable: Bool {
        switch self {
        case .unreachable: return true
        case .http(_, let code, _, _): return code == 429 || code >= 500
        case .invalidResponse: return false
        default: return false
        }
    }
}

func jsonQuotedName(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
