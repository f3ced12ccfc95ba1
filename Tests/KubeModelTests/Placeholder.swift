import Testing
@testable import KubeModel
