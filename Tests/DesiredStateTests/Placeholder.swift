import Testing
@testable import DesiredState
