public import KubeModel

/// Ballast's own YAML files (policies, `.ballast.yaml`, kubeconfig): YAML 1.2 core typing, keys always
/// strings (`on:` is the key "on").
public enum OwnFormatReader {
    /// Every document of the file; the first problem is thrown with its position.
    public static func documents(_ bytes: [UInt8], file: FileID, limits: ReaderLimits = ReaderLimits()) throws(ManifestError) -> [Value] {
        let (documents, errors) = bytes.withUnsafeBufferPointer {
            YAMLDocumentBuilder(file: file, schema: .core, limits: limits).read($0)
        }
        if let first = errors.first { throw first }
        return documents.map(\.value)
    }

    /// Reads a file from disk (`ReadFailure`-style reason on failure).
    public static func documents(atPath path: String, name: String? = nil) throws(OwnFormatError) -> [Value] {
        switch FileBytes.read(path: path, limit: ReaderLimits().fileBytes) {
        case .success(let bytes):
            do { return try documents(bytes, file: FileID(name ?? path)) } catch { throw .malformed(error) }
        case .failure(.tooLarge): throw .unreadable(path: name ?? path, reason: "file too large")
        case .failure(.cannotOpen(let reason)): throw .unreadable(path: name ?? path, reason: reason)
        }
    }
}

public enum OwnFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case malformed(ManifestError)
    public var description: String {
        switch self {
        case .unreadable(let path, let reason): "could not read \(path): \(reason)"
        case .malformed(let error): error.description
        }
    }
}
