public import KubeModel
public import Findings
public import ManifestIO

/// Argo CD `Application` and Flux `Kustomization` objects not yet looked for (DesiredState
/// `findsApplicationsWhileReading`). The plain files are read once with the reader that knows every other
/// source of a namespace; the files that hold applications are then parsed on their own, as the byte
/// pre-scan parsed them, and only the files whose effective namespace an application changes are read again.
/// The objects, namespaces and notes are those of the pre-scan (DesiredStateTests compare the two ways).
public struct PendingApplications: Sendable {
    /// The namespaces without applications: those the first read gave.
    let namespaces: EffectiveNamespaces
    let limits: ReaderLimits
    /// Every path of the tree, for the note on an application whose path holds no file.
    let allPaths: [String]

    /// Whether an object is one whose path and namespace the reader must know.
    public static func isApplication(_ ref: ObjectRef) -> Bool {
        (ref.group == "argoproj.io" && ref.kind == "Application")
            || (ref.group == "kustomize.toolkit.fluxcd.io" && ref.kind == "Kustomization")
    }

    /// What the applications change.
    public struct Revision: Sendable {
        /// The reader with the applications' namespaces.
        public var reader: ManifestReader
        /// Indices of the inputs whose effective namespace changed: to be read again with `reader`.
        public var reread: [Int]
        /// Notes on applications (a path that holds no file).
        public var notes: [Finding]
    }

    /// The applications among `inputs`, of which `holdsApplications[i]` says whether input i gave one
    /// (standard input is never searched, as the pre-scan never read it).
    public func resolve(_ inputs: [ManifestInput], holdsApplications: [Bool]) async -> Revision {
        let sameReader = DesiredState.reader(limits: limits, namespaces: namespaces)
        let holding = inputs.indices.filter { i in
            if case .stdin = inputs[i].source { return false }
            return i < holdsApplications.count && holdsApplications[i]
        }
        guard !holding.isEmpty else { return Revision(reader: sameReader, reread: [], notes: []) }
        // Parsed as the pre-scan parsed them: the default namespace, no tool-configuration skip (the notes
        // name the application's object as it read it).
        let scanned = await ManifestReader(limits: limits).read(holding.map { inputs[$0] })
        let (entries, notes) = EffectiveNamespaces.applications(in: scanned, allPaths: allPaths)
        guard !entries.isEmpty else { return Revision(reader: sameReader, reread: [], notes: notes) }
        var resolved = namespaces
        resolved.applications = entries
        let reread = inputs.indices.filter { i in
            // Standard input cannot be read twice; no application holds it ("<stdin>" is under no directory).
            if case .stdin = inputs[i].source { return false }
            return namespaces.namespace(forFile: inputs[i].name) != resolved.namespace(forFile: inputs[i].name)
        }
        return Revision(reader: DesiredState.reader(limits: limits, namespaces: resolved), reread: reread, notes: notes)
    }
}
