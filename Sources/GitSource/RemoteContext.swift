internal import CGit2
import Glibc
import KubeModel

/// What libgit2's remote callbacks need, reached through the payload pointer (the callbacks capture
/// nothing). Credentials are offered once: a refused login must end in an error, not a loop.
final class RemoteContext {
    let url: String
    let credentials: GitCredentials
    let progress: (@Sendable (GitProgress) -> Void)?
    var attempts = 0
    var refused = false

    init(url: String, credentials: GitCredentials, progress: (@Sendable (GitProgress) -> Void)?) {
        self.url = url; self.credentials = credentials; self.progress = progress
    }

    /// `Authorization: Basic ...` for an http(s) remote when credentials are known: sent with the first
    /// request, so no 401 round trip (libgit2 1.5 misreads the body of a 401 on a kept-alive connection).
    var authorizationHeader: String? {
        guard url.hasPrefix("https://") || url.hasPrefix("http://") else { return nil }
        let (urlUser, urlPassword) = Self.userInfo(url)
        let pair: String
        if let password = urlPassword { pair = (urlUser ?? "") + ":" + password }
        else if let token = credentials.token { pair = (urlUser ?? "x-access-token") + ":" + token }
        else { return nil }
        return "Authorization: Basic " + base64Encode(Array(pair.utf8))
    }

    /// Runs `body` with the custom headers to set on the fetch (C strings alive for the call).
    func withCustomHeaders<T>(_ body: (git_strarray) -> T) -> T {
        guard let header = authorizationHeader, let copy = strdup(header) else { return body(git_strarray()) }
        defer { free(copy) }
        var pointers: [UnsafeMutablePointer<CChar>?] = [copy]
        return pointers.withUnsafeMutableBufferPointer { buffer in
            body(git_strarray(strings: buffer.baseAddress, count: 1))
        }
    }

    /// Points `callbacks` at this context. The caller keeps the context alive across the libgit2 call.
    func install(into callbacks: inout git_remote_callbacks) {
        callbacks.payload = Unmanaged.passUnretained(self).toOpaque()
        callbacks.credentials = { out, url, usernameFromURL, allowed, payload in
            guard let out, let payload else { return GIT_EUSER.rawValue }
            let context = Unmanaged<RemoteContext>.fromOpaque(payload).takeUnretainedValue()
            return context.credential(out, usernameFromURL.map { String(cString: $0) }, allowed)
        }
        callbacks.transfer_progress = { stats, payload in
            guard let stats, let payload else { return 0 }
            let context = Unmanaged<RemoteContext>.fromOpaque(payload).takeUnretainedValue()
            context.progress?(GitProgress(receivedObjects: Int(stats.pointee.received_objects),
                                          totalObjects: Int(stats.pointee.total_objects),
                                          receivedBytes: Int(stats.pointee.received_bytes)))
            return 0
        }
    }

    private func credential(_ out: UnsafeMutablePointer<UnsafeMutablePointer<git_credential>?>, _ usernameFromURL: String?, _ allowed: UInt32) -> Int32 {
        attempts += 1
        if attempts > 1 {
            refused = true
            return GIT_EUSER.rawValue   // the credentials we had were refused: stop, do not loop
        }
        let (urlUser, urlPassword) = Self.userInfo(url)
        if allowed & GIT_CREDENTIAL_USERPASS_PLAINTEXT.rawValue != 0 {
            if let password = urlPassword {
                return git_credential_userpass_plaintext_new(out, urlUser ?? "", password)
            }
            if let token = credentials.token {
                return git_credential_userpass_plaintext_new(out, usernameFromURL ?? urlUser ?? "x-access-token", token)
            }
            refused = true
            return GIT_EUSER.rawValue
        }
        if allowed & GIT_CREDENTIAL_SSH_KEY.rawValue != 0 {
            let user = usernameFromURL ?? "git"
            if let key = credentials.sshKeyPath { return git_credential_ssh_key_new(out, user, nil, key, nil) }
            return git_credential_ssh_key_from_agent(out, user)
        }
        if allowed & GIT_CREDENTIAL_USERNAME.rawValue != 0 {
            return git_credential_username_new(out, usernameFromURL ?? "git")
        }
        refused = true
        return GIT_EUSER.rawValue
    }

    /// The error of a failed remote operation: a refused login says so.
    func error(_ code: Int32, _ what: String) -> GitError {
        if refused || code == GIT_EUSER.rawValue {
            git_error_clear()
            let how = credentials.token == nil && Self.userInfo(url).password == nil
                ? " (no credentials: set BALLAST_GIT_TOKEN)" : ""
            return GitError(.authenticationRefused, "\(what): authentication refused\(how)")
        }
        var error = GitError.last(code, what)
        if error.message.contains("unknown remote ssh hostkey") {
            // libgit2 checks the host key against ~/.ssh/known_hosts and refuses an unknown or changed one.
            error.message += " (not in ~/.ssh/known_hosts, or changed: check the host's fingerprint, then add it, e.g. with ssh-keyscan)"
        }
        // libgit2 1.5 misreads the body of the 401 that answers credentials sent up front, and reports an
        // http parser error instead: with credentials sent, that is a refused login.
        if authorizationHeader != nil && error.message.contains("http parser error") {
            return GitError(.authenticationRefused, "\(what): authentication refused (the server did not accept the credentials)")
        }
        return error
    }

    /// The user and password in a URL's user-info, if any.
    static func userInfo(_ url: String) -> (user: String?, password: String?) {
        guard let scheme = schemeEnd(url) else { return (nil, nil) }
        let rest = url[scheme...]
        let authority = rest[..<(rest.firstIndex(of: "/") ?? rest.endIndex)]
        guard let at = authority.lastIndex(of: "@") else { return (nil, nil) }
        let info = authority[..<at]
        if let colon = info.firstIndex(of: ":") {
            return (String(info[..<colon]).removingPercentEncoding, String(info[info.index(after: colon)...]).removingPercentEncoding)
        }
        return (String(info).removingPercentEncoding, nil)
    }
}

extension String {
    /// `%40` → `@`; nil on a malformed escape.
    var removingPercentEncoding: String? {
        var bytes: [UInt8] = []
        var i = utf8.startIndex
        while i != utf8.endIndex {
            let b = utf8[i]
            if b == UInt8(ascii: "%") {
                let h = utf8.index(after: i)
                guard h != utf8.endIndex, utf8.index(after: h) != utf8.endIndex,
                      let v = UInt8(String(decoding: [utf8[h], utf8[utf8.index(after: h)]], as: UTF8.self), radix: 16) else { return nil }
                bytes.append(v)
                i = utf8.index(h, offsetBy: 2)
            } else {
                bytes.append(b)
                i = utf8.index(after: i)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

