import CEL
import ClusterSource
import GitSource
import ManifestIO
import Report

/// What `ballast --version` prints: Ballast's version, then the C libraries it runs on, each as loaded at
/// run time (RE2 has no version API: the release recorded at build time, and the shared object loaded).
/// A bug report with this text says which libgit2, libyaml, libcurl and RE2 a binary actually used.
let versionText: String = {
    let git = LibGit2.features
    let tls = LibCurl.tlsVersion
    let re2Library = RE2Library.loadedLibrary ?? "linked statically"
    return [
        "ballast \(ballastVersion)",
        "libgit2 \(LibGit2.version)" + (git.isEmpty ? "" : " (\(git.joined(separator: ", ")))"),
        "libyaml \(LibYAML.version)",
        "libcurl \(LibCurl.version)" + (tls.isEmpty ? " (no TLS)" : " (\(tls))"),
        "RE2 \(RE2Library.release ?? "release not recorded by this build") (\(re2Library))",
    ].joined(separator: "\n")
}()
