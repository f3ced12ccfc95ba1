import Testing
@testable import BallastCLI
