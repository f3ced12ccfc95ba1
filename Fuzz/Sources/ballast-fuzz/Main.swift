import Foundation

/// One libFuzzer binary for every target; `BALLAST_FUZZ_TARGET` picks which one runs (ci/fuzz sets it).
/// Built only by ci/fuzz (`BALLAST_FUZZ=1`, `-sanitize=fuzzer,address`).
enum FuzzTarget: String, CaseIterable {
    case yaml, json, cel, quantity, kubeconfig, managedfields, config, pack

    /// Runs one input. Errors are the expected answer to bad input; only a trap, a sanitizer report,
    /// a hang or an allocation past the RSS limit is a finding.
    func run(_ bytes: [UInt8]) {
        switch self {
        case .yaml: fuzzYAML(bytes)
        case .json: fuzzJSON(bytes)
        case .cel: fuzzCEL(bytes)
        case .quantity: fuzzQuantity(bytes)
        case .kubeconfig: fuzzKubeConfig(bytes)
        case .managedfields: fuzzManagedFields(bytes)
        case .config: fuzzConfig(bytes)
        case .pack: fuzzPack(bytes)
        }
    }

    /// Read once: the environment does not change during a run.
    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["BALLAST_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("BALLAST_FUZZ_TARGET must be one of: \(names)\n".utf8))
            exit(2)
        }
        return target
    }()
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = size == 0 ? [] : Array(UnsafeBufferPointer(start: data, count: size))
    FuzzTarget.selected.run(bytes)
    return 0
}
