import ArgumentParser
import Foundation
import KubeModel
import ClusterSource
import Lint
import DesiredState

/// Where the live cluster is: kubeconfig (kubectl's resolution), in-cluster, or a saved snapshot.
struct ClusterOptions: ParsableArguments {
    @Option(help: "A kubeconfig file (default: KUBECONFIG, then ~/.kube/config).") var kubeconfig: String?
    @Option(help: "The kubeconfig context (default: its current-context).") var context: String?
    @Flag(help: "Use the pod's service account (automatic when KUBERNETES_SERVICE_HOST is set and no kubeconfig exists).")
    var inCluster = false
    @Option(name: .customLong("namespace"), help: ArgumentHelp("Only these namespaces; repeatable.", valueName: "ns"))
    var namespaces: [String] = []
    @Option(help: "Client-side rate limit, requests per second.") var qps: Double = 20
    @Option(help: "Client-side burst.") var burst: Int = 100
    @Option(help: ArgumentHelp("Seconds before one request to the API server is abandoned (then retried); connecting may take at most 10 of them.",
                               valueName: "seconds"))
    var requestTimeout: Double = 60

    func validate() throws {
        if inCluster && kubeconfig != nil { throw ValidationError("give at most one of --kubeconfig and --in-cluster") }
        if qps <= 0 || burst < 1 { throw ValidationError("--qps must be positive and --burst at least 1") }
        if !(requestTimeout > 0) { throw ValidationError("--request-timeout must be a positive number of seconds") }
    }

    /// A client for the resolved cluster; configuration problems are exit 2, an unreachable cluster 3.
    func client() throws -> ClusterClient {
        let config: ClusterConfig
        do {
            config = try KubeConfigLoader.resolve(KubeConfigOptions(kubeconfig: kubeconfig, context: context, inCluster: inCluster))
        } catch {
            writeAll("ballast: \(error.description)\n", to: 2)
            throw ExitCode(2)
        }
        for warning in config.warnings { writeAll("ballast: warning: \(warning)\n", to: 2) }
        var options = ClientOptions()
        options.qps = qps
        options.burst = burst
        options.requestTimeoutSeconds = requestTimeout
        options.connectTimeoutSeconds = min(options.connectTimeoutSeconds, requestTimeout)
        // A body that stalls is abandoned within the request timeout, not only after 30 s of silence.
        options.lowSpeedSeconds = max(1, min(options.lowSpeedSeconds, Int(requestTimeout.rounded(.up))))
        do { return try ClusterClient(config, options: options) } catch {
            writeAll("ballast: \(error.description)\n", to: 2)
            throw ExitCode(3)
        }
    }
}

/// `ballast snapshot --out DIR`
struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Save the live objects (never Secrets) for offline drift: the in-scope kinds, or every kind git holds.",
        discussion: """
            Writes one JSON file per kind list, as the API server returned it, the kubelet stats of each node \
            (PVC usage, under stats/), and snapshot.json (server version, time, kinds, counts, what could not \
            be read). Given a desired state (PATHs or --repo), every kind it holds is read too, CRDs included, \
            so that drift --snapshot compares all of them. Files are 0600 in a 0700 directory. Anything not \
            read completely makes the snapshot incomplete: exit 3.
            """
    )

    @Option(help: "The directory to write.") var out: String
    @OptionGroup var source: DesiredSourceOptions
    @OptionGroup var cluster: ClusterOptions

    func run() async throws {
        // With a desired state, the snapshot holds every kind git holds, so that `drift --snapshot` compares
        // all of them; without one, the in-scope kinds.
        var groupKinds: [(group: String, kind: String)]?
        if source.isGiven {
            let state = try await source.load(config: BallastConfig())
            let refs = await state.readAllPacked().flatMap(\.objects.refs)
            groupKinds = Comparison.kinds(of: refs)
            for kind in ClusterClient.defaultKinds where !groupKinds!.contains(where: { $0.group == kind.group && $0.kind == kind.kind }) {
                groupKinds!.append((kind.group, kind.kind))
            }
        }
        let client = try cluster.client()
        let namespaces = cluster.namespaces.isEmpty ? nil : cluster.namespaces
        let result: ClusterReadResult
        do {
            if let groupKinds {
                result = try Snapshot.capture(from: client, groupKinds: groupKinds, namespaces: namespaces, to: out)
            } else {
                result = try Snapshot.capture(from: client, namespaces: namespaces, to: out)
            }
        } catch {
            writeAll("ballast: \(error.description)\n", to: 2)
            throw ExitCode(3)
        }
        // Kubelet stats for the live checks (`nodes/proxy` denied: a note, not a failure).
        let usage = Snapshot.captureUsage(from: client, to: out)
        var text = ""
        for list in result.lists { text += "\(list.kind): \(list.count)\n" }
        text += "PVC usage: \(usage.usage.count)\n"
        for note in result.notes + usage.notes { text += "note: \(note)\n" }
        let incomplete = result.incomplete + usage.incomplete
        for missing in incomplete { text += "incomplete: \(missing.what): \(missing.reason)\n" }
        text += incomplete.isEmpty ? "snapshot written to \(out)\n" : "snapshot written to \(out), INCOMPLETE\n"
        writeAll(text, to: 1)
        if !incomplete.isEmpty { throw ExitCode(3) }
    }
}
