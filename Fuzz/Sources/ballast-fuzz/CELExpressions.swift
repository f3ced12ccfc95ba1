import KubeModel
import ManifestIO
import CEL
@testable import Policy

private let activationFile = FileID("fuzz-activation.json")
private let declarations = CELDeclarations(
    variables: ["object", "oldObject", "params", "self"], functions: PolicyFunctions.all)

/// An expression, then optionally a NUL byte and a JSON document bound to `object` (and `self`,
/// `oldObject`). Lexer, parser and checker run on every input; the evaluator on every one that compiles,
/// under a budget small enough for libFuzzer's timeout.
func fuzzCEL(_ bytes: [UInt8]) {
    let split = bytes.firstIndex(of: 0) ?? bytes.endIndex
    let source = String(decoding: bytes[..<split], as: UTF8.self)
    guard let program = try? CELProgram(source, declarations: declarations) else { return }
    var object = CELValue.null
    if split < bytes.endIndex, let value = try? JSONReader.parse(Array(bytes[(split + 1)...]), file: activationFile) {
        object = CELValue.from(value)
    }
    let activation = CELActivation(["object": object, "oldObject": object, "self": object, "params": .null])
    _ = program.evaluate(activation, budget: 20_000)
}
