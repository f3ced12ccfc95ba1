import KubeModel
import Policy
import CEL
import ManifestIO

/// An error of `ballast policies eval`: at compile time (exit 2) or at run time (exit 1).
public struct EvalError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public var isCompileError: Bool
}

extension PolicyPack {
    /// Compiles and evaluates one expression with the policy environment (`object`, `oldObject`, `params`).
    /// The result is printed as CEL prints it; errors name their column.
    public static func evaluate(_ expression: String, variables: [String: Value]) -> Result<String, EvalError> {
        let program: CELProgram
        do { program = try CELProgram(expression, declarations: PolicyLoader.declarations) } catch {
            return .failure(EvalError(description: "invalid expression: \(error.message) (column \(error.column))", isCompileError: true))
        }
        var activation = CELActivation(["object": .null, "oldObject": .null, "params": .map([]), "objects": .list([]),
                                        "variables": .map([]), "live": .null, "namespaceObject": .null, "request": .null])
        var objects: [KubeObject] = []
        for (name, value) in variables {
            activation.variables[name] = CELValue.from(value)
            if let object = ManifestReader.object(from: value) { objects.append(object) }
        }
        let runtime = PolicyRuntime(index: ObjectIndex(objects), dataTier: DataTierSelector(), buildObjects: false)
        let result = PolicyRuntime.$current.withValue(runtime) { program.evaluate(activation) }
        switch result {
        case .value(let v): return .success(describe(v))
        case .error(let e):
            return .failure(EvalError(description: "evaluation failed: \(e.message)" + (e.column > 0 ? " (column \(e.column))" : ""),
                                      isCompileError: false))
        }
    }

    static func describe(_ value: CELValue) -> String {
        switch value {
        case .string(let s): return jsonQuoted(s)
        case .list, .map: return value.manifestValue.json
        default: return value.displayString
        }
    }
}
