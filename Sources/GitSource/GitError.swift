internal import CGit2

/// What went wrong reading a repository. Messages never hold credentials: every URL in them is redacted.
public struct GitError: Error, Equatable, Sendable, CustomStringConvertible {
    public enum Kind: Equatable, Sendable {
        case notARepository, unknownRef, authenticationRefused, unreachable, corrupt, other
    }
    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) { self.kind = kind; self.message = redactCredentials(in: message) }
    public var description: String { message }

    /// The one place libgit2's status codes become Swift errors: `git_error_last()`'s class and message.
    static func check(_ code: Int32, _ what: @autoclosure () -> String) throws(GitError) {
        guard code < 0 else { return }
        throw last(code, what())
    }

    static func last(_ code: Int32, _ what: String) -> GitError {
        let error = git_error_last()
        let text = error.flatMap { $0.pointee.message.map { String(cString: $0) } } ?? "libgit2 error \(code)"
        let klass = error.map { Int32($0.pointee.klass) } ?? 0
        let kind: Kind
        if code == GIT_EAUTH.rawValue || text.contains("authentication") || text.contains("401") || text.contains("403") {
            kind = .authenticationRefused
        } else if code == GIT_ENOTFOUND.rawValue && klass == Int32(GIT_ERROR_REPOSITORY.rawValue) {
            kind = .notARepository
        } else if klass == Int32(GIT_ERROR_NET.rawValue) || klass == Int32(GIT_ERROR_SSL.rawValue) || klass == Int32(GIT_ERROR_SSH.rawValue)
                    || text.contains("failed to connect") || text.contains("failed to resolve") {
            kind = .unreachable
        } else if klass == Int32(GIT_ERROR_ODB.rawValue) || klass == Int32(GIT_ERROR_ZLIB.rawValue) || text.contains("corrupt")
                    || klass == Int32(GIT_ERROR_OBJECT.rawValue) && code != GIT_ENOTFOUND.rawValue {
            kind = .corrupt
        } else {
            kind = .other
        }
        return GitError(kind, "\(what): \(text)")
    }
}

/// `https://user:token@host/x` → `https://***@host/x`, `deploy:s3cret@host:x` → `***@host:x` (and the same
/// inside any text): user-info never leaves the process in a message.
public func redactURL(_ url: String) -> String { redactCredentials(in: url) }

/// Removes the user-info of every `scheme://` URL in `text`, and the `user:password` of every scp-like
/// `user:password@host:path`. An scp-like `git@host:path` keeps its user: a login name, not a secret (and
/// without it the path, relative to that login's home, names no repository).
public func redactCredentials(in text: String) -> String {
    guard text.contains("@") else { return text }
    var out = ""
    var rest = Substring(text)
    while let end = schemeEnd(rest) {
        out += rest[..<end]
        rest = rest[end...]
        // The authority ends at the first '/', space, quote or end; user-info is what precedes its last '@'.
        let end = rest.firstIndex(where: { $0 == "/" || $0 == " " || $0 == "'" || $0 == "\"" || $0 == "\n" }) ?? rest.endIndex
        let authority = rest[..<end]
        if let at = authority.lastIndex(of: "@") {
            out += "***@" + authority[authority.index(after: at)...]
        } else {
            out += authority
        }
        rest = rest[end...]
    }
    return redactSCPPasswords(in: out + rest)
}

/// `deploy:s3cret@host:path` → `***@host:path` in every whitespace- or quote-delimited word that is not a
/// `scheme://` URL and has a colon before its first '@' (so a password). Everything up to the word's last
/// '@' goes, since a password may itself hold '@' or '/'; a plain login (`git@host:path`,
/// `[git@host:2222]:path`) and text without such a word are unchanged.
func redactSCPPasswords(in text: String) -> String {
    let isDelimiter: (Character) -> Bool = { $0.isWhitespace || $0 == "'" || $0 == "\"" || $0 == "`" || $0 == "(" || $0 == ")" }
    var out = ""
    var rest = Substring(text)
    while let start = rest.firstIndex(where: { !isDelimiter($0) }) {
        out += rest[..<start]
        rest = rest[start...]
        let end = rest.firstIndex(where: isDelimiter) ?? rest.endIndex
        var word = rest[..<end]
        rest = rest[end...]
        if word.hasPrefix("[") { out += "["; word = word.dropFirst() }
        if !word.contains("://"), let firstAt = word.firstIndex(of: "@"), word[..<firstAt].contains(":"),
           let lastAt = word.lastIndex(of: "@") {
            out += "***" + word[lastAt...]
        } else {
            out += word
        }
    }
    return out + rest
}

/// The index just past the first `://` in `text`.
func schemeEnd<S: StringProtocol>(_ text: S) -> S.Index? {
    var i = text.startIndex
    while i < text.endIndex {
        if text[i...].hasPrefix("://") { return text.index(i, offsetBy: 3) }
        i = text.index(after: i)
    }
    return nil
}
