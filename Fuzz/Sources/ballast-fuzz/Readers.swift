import KubeModel
@testable import ManifestIO
@testable import ClusterSource

private let yamlFile = FileID("fuzz.yaml")
private let jsonFile = FileID("fuzz.json")

/// Manifests as `ballast lint` reads them (kubectl typing, objects, notes), then Ballast's own-format
/// reading (YAML 1.2 core) of the same bytes.
func fuzzYAML(_ bytes: [UInt8]) {
    let result = ManifestReader().parse(bytes, file: yamlFile, json: false)
    for parsed in result.objects { _ = parsed.object.ref }
    _ = try? OwnFormatReader.documents(bytes, file: yamlFile)
}

/// The manifest JSON reader, and the API-response reader used for live lists.
func fuzzJSON(_ bytes: [UInt8]) {
    if let value = try? JSONReader.parse(bytes, file: jsonFile) { _ = value.json }
    _ = ManifestReader().parse(bytes, file: jsonFile, json: true)
    _ = try? ResponseJSON.parse(bytes)
    _ = try? ResponseJSON.parseList(bytes)
}
