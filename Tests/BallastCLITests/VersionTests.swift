import Foundation
import Testing

/// Standard output of a system tool (`pkg-config`, `dpkg-query`), trimmed; nil when it is missing or fails.
func systemToolOutput(_ tool: String, _ arguments: [String]) -> String? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [tool] + arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.nullDevice
    // try?: a missing tool is a correct "unknown" here; the caller then checks the line's shape only.
    guard (try? process.run()) != nil else { return nil }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else { return nil }
    return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
}

@Suite("ballast --version")
struct VersionTests {
    /// The lines of `ballast --version`, by their first word.
    func versionLines() throws -> [String: String] {
        let r = try ballast(["--version"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.isEmpty, "\(r.stderr)")
        var lines: [String: String] = [:]
        for line in r.stdout.split(separator: "\n") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { lines[String(parts[0])] = String(parts[1]) }
        }
        #expect(r.stdout.split(separator: "\n").count == 5, "\(r.stdout)")
        return lines
    }

    @Test func ballastVersionComesFirst() throws {
        let r = try ballast(["--version"])
        let first = r.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(first.wholeMatch(of: /ballast \d+\.\d+\.\d+(-[0-9A-Za-z.]+)?/) != nil, "\(r.stdout)")
    }

    /// The runtime versions are those of the libraries the build linked (Debian's packages here).
    @Test(arguments: [("libgit2", "libgit2"), ("libyaml", "yaml-0.1"), ("libcurl", "libcurl")])
    func libraryVersionIsTheLoadedOne(line: String, pkgConfigName: String) throws {
        let lines = try versionLines()
        let text = try #require(lines[line], "no \(line) line")
        let version = String(text.prefix { $0 != " " })
        #expect(version.wholeMatch(of: /\d+\.\d+\.\d+/) != nil, "\(line) \(text)")
        if let expected = systemToolOutput("pkg-config", ["--modversion", pkgConfigName]) {
            #expect(version == expected, "\(line) \(text); pkg-config says \(expected)")
        }
    }

    @Test func transportsAreNamed() throws {
        let lines = try versionLines()
        #expect(lines["libgit2"]?.contains("https") == true, "\(lines)")
        #expect(lines["libcurl"]?.contains("OpenSSL/") == true, "\(lines)")
    }

    /// RE2 has no version API: the shared object loaded, and the release when the build recorded it
    /// (ci/release does, from Debian's libre2-dev).
    @Test func re2NamesItsLibraryAndRecordedRelease() throws {
        let lines = try versionLines()
        let text = try #require(lines["RE2"])
        #expect(text.wholeMatch(of: /.* \(libre2\.so\.\d+\)/) != nil, "RE2 \(text)")
        guard !text.hasPrefix("release not recorded") else { return }
        let release = String(text.prefix { $0 != " " })
        #expect(release.wholeMatch(of: /\d{4}-\d{2}-\d{2}/) != nil, "RE2 \(text)")
        if let debian = systemToolOutput("dpkg-query", ["-W", "-f=${Version}", "libre2-dev"]), debian.count >= 8 {
            let digits = debian.prefix(8)
            #expect(release == "\(digits.prefix(4))-\(digits.dropFirst(4).prefix(2))-\(digits.suffix(2))",
                    "RE2 \(text); libre2-dev is \(debian)")
        }
    }
}
