import KubeModel
import ManifestIO
import Policy
import Lint

private let configFile = FileID(".ballast.yaml")

/// `.ballast.yaml` as `BallastConfig.load` reads it, and the ignore globs it holds matched against a path.
func fuzzConfig(_ bytes: [UInt8]) {
    guard let documents = try? OwnFormatReader.documents(bytes, file: configFile), documents.count <= 1 else { return }
    guard let config = try? BallastConfig.parse(documents.first ?? .map([])) else { return }
    _ = config.isIgnored("apps/redis/statefulset.yaml")
    _ = config.isEnabled("statefulset-single-replica")
}
