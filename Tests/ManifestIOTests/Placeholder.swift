import Testing
@testable import ManifestIO
