// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "ballast",
    products: [
        .executable(name: "ballast", targets: ["ballast"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // Report only: the HTML page is rendered through Mustache templates (every value HTML-escaped), the
        // Prometheus exposition through swift-prometheus's registry.
        .package(url: "https://github.com/hummingbird-project/swift-mustache", from: "2.1.1"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // C libraries from Debian's -dev packages (ci/setup installs them).
        .systemLibrary(name: "CYAML", pkgConfig: "yaml-0.1", providers: [.apt(["libyaml-dev"])]),
        .systemLibrary(name: "CGit2", pkgConfig: "libgit2", providers: [.apt(["libgit2-dev"])]),
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        // RE2 is C++ only: a small C++ target exports a C API, imported by Swift as plain C.
        .target(name: "CRE2", linkerSettings: [.linkedLibrary("re2")]),

        .target(name: "KubeModel"),
        .target(name: "Findings", dependencies: ["KubeModel"]),
        .target(name: "ManifestIO", dependencies: ["KubeModel", "Findings", "CYAML"]),
        .target(name: "GitSource", dependencies: ["KubeModel", "CGit2"]),
        .target(name: "ClusterSource", dependencies: ["KubeModel", "ManifestIO", "CCurl"]),
        .target(name: "CEL", dependencies: ["KubeModel", "CRE2"]),
        .target(name: "Policy", dependencies: ["KubeModel", "CEL", "ManifestIO", "Findings"]),
        .target(name: "Lint", dependencies: ["KubeModel", "Findings", "ManifestIO", "CEL", "Policy", "DesiredState"]),
        .target(name: "DesiredState", dependencies: ["KubeModel", "Findings", "ManifestIO", "GitSource"]),
        .target(name: "Drift", dependencies: ["KubeModel", "Findings", "ManifestIO"]),
        .target(name: "Inventory", dependencies: ["KubeModel"]),
        .target(
            name: "Report",
            dependencies: [
                "KubeModel", "Findings", "Inventory",
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        .target(
            name: "BallastCLI",
            dependencies: [
                "KubeModel", "Findings", "ManifestIO", "GitSource", "ClusterSource", "CEL", "Policy", "Report",
                "DesiredState", "Drift", "Lint", "Inventory", "CMallocTuning",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // glibc allocator control between a run's phases (a plain C target: malloc_trim).
        .target(name: "CMallocTuning"),
        .executableTarget(name: "ballast", dependencies: ["BallastCLI"]),

        .testTarget(name: "KubeModelTests", dependencies: ["KubeModel"]),
        .testTarget(name: "ManifestIOTests", dependencies: ["ManifestIO", "KubeModel", "Findings"]),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "Lint", "ManifestIO", "KubeModel", "Findings", "DesiredState", "CEL"]),
        .testTarget(name: "CELTests", dependencies: ["CEL", "KubeModel"]),
        .testTarget(name: "DriftTests", dependencies: ["Drift", "ManifestIO", "KubeModel", "Findings"]),
        .testTarget(name: "DesiredStateTests", dependencies: ["DesiredState", "ManifestIO", "KubeModel", "Findings", "GitSource"]),
        .testTarget(name: "FindingsTests", dependencies: ["Findings", "KubeModel"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Findings", "KubeModel"]),
        .testTarget(name: "BallastCLITests", dependencies: ["BallastCLI"]),
        .testTarget(name: "GitSourceTests", dependencies: ["GitSource", "KubeModel"],
                    exclude: ["Support/git_http_server.py", "Support/cut_proxy.py"]),
        .testTarget(name: "ClusterSourceTests", dependencies: ["ClusterSource", "KubeModel", "ManifestIO"],
                    exclude: ["Support/apiserver.py", "Support/proxy.py", "Support/exec-plugin.sh"]),
    ],
    swiftLanguageModes: [.v6],
    cxxLanguageStandard: .cxx17
)

// libFuzzer targets (issue 17): only in the manifest when ci/fuzz builds them (BALLAST_FUZZ=1, with
// --sanitize fuzzer and its own scratch path), so the normal build and test suite never see them.
if Context.environment["BALLAST_FUZZ"] != nil {
    package.targets.append(.executableTarget(
        name: "ballast-fuzz",
        dependencies: ["KubeModel", "ManifestIO", "CEL", "Policy", "Lint", "ClusterSource", "Drift", "GitSource"],
        path: "Fuzz/Sources/ballast-fuzz",
        swiftSettings: [.unsafeFlags(["-parse-as-library"])]
    ))
    package.products.append(.executable(name: "ballast-fuzz", targets: ["ballast-fuzz"]))
}
