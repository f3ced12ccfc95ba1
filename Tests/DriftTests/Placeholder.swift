import Testing
@testable import Drift
