import ArgumentParser
import DesiredState

/// `--shard i/n` (check, drift, lint): this run's part of a sharded job (an indexed Job's pod i of n).
struct ShardOption: ParsableArguments {
    @Option(help: ArgumentHelp("Only the namespaces whose name hashes to shard i of n (FNV-1a 64 of the name, mod n); cluster-scoped objects and file-level findings go to shard 0.",
                               valueName: "i/n"),
            transform: { text in
                guard let shard = Shard(parsing: text) else {
                    throw ValidationError("--shard takes i/n with 0 <= i < n, as \"2/4\"; got \"\(text)\"")
                }
                return shard
            })
    var shard: Shard?
}
