internal import CGit2

/// The libgit2 Ballast reads repositories with.
public enum LibGit2 {
    /// The version of the libgit2 loaded at run time (`"1.5.1"`). Wraps `git_libgit2_version`.
    public static var version: String {
        var major: Int32 = 0, minor: Int32 = 0, revision: Int32 = 0
        guard git_libgit2_version(&major, &minor, &revision) == 0 else { return "unknown" }
        return "\(major).\(minor).\(revision)"
    }

    /// The transports and options it was built with (`["threads", "https", "ssh"]`): a libgit2 without
    /// https or ssh cannot clone such URLs. Wraps `git_libgit2_features`.
    public static var features: [String] {
        let flags = git_libgit2_features()
        let known: [(git_feature_t, String)] = [(GIT_FEATURE_THREADS, "threads"), (GIT_FEATURE_HTTPS, "https"),
                                                (GIT_FEATURE_SSH, "ssh")]
        return known.filter { flags & Int32($0.0.rawValue) != 0 }.map(\.1)
    }
}
