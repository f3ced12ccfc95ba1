public import KubeModel
public import Findings
import ManifestIO
public import Policy

/// A waiver from `.ballast.yaml`: a rule, the objects or paths it covers, why, and until when.
public struct ConfigWaiver: Sendable, Equatable {
    public var rule: String
    /// `Kind/namespace/name` or `Kind/name`; `*` matches any part.
    public var objects: [String]
    var paths: [Glob]
    public var reason: String
    public var until: String?
    public var span: SourceSpan?
}

/// `.ballast.yaml`. Unknown keys are errors: a misspelt setting must not be silently ignored.
public struct BallastConfig: Sendable {
    /// Only these rules run, when set.
    public var include: Set<String>?
    public var exclude: Set<String> = []
    public var severity: [String: Severity] = [:]
    /// Thresholds and settings the policies read as `params`.
    public var params: Value = .map([])
    public var dataTier = DataTierSelector()
    var ignore: [Glob] = []
    public var waivers: [ConfigWaiver] = []
    /// `namespaces:` path glob → namespace, for manifests that name none (first match wins).
    public var namespaces: [(glob: Glob, namespace: String, span: SourceSpan?)] = []
    /// `drift.ignore`: drift items kept out of the verdict, each with a reason.
    public var driftIgnore: [DriftIgnoreEntry] = []

    public init() {}

    /// Whether a file is ignored (`ignore:` globs, relative paths).
    public func isIgnored(_ path: String) -> Bool { ignore.contains { $0.matches(path) } }

    /// Whether a rule is enabled.
    public func isEnabled(_ ruleID: String) -> Bool {
        if exclude.contains(ruleID) { return false }
        if let include { return include.contains(ruleID) }
        return true
    }

    /// Reads `.ballast.yaml`.
    public static func load(path: String, name: String? = nil) throws(ConfigError) -> BallastConfig {
        let documents: [Value]
        do { documents = try OwnFormatReader.documents(atPath: path, name: name) } catch {
            switch error {
            case .unreadable: throw ConfigError(error.description, at: nil)
            case .malformed(let e): throw ConfigError(e.message, at: e.span)
            }
        }
        guard documents.count <= 1 else { throw ConfigError("a config file holds one document", at: documents[1].span) }
        return try parse(documents.first ?? .map([]))
    }

    /// Reads a config document.
    public static func parse(_ value: Value) throws(ConfigError) -> BallastConfig {
        var config = BallastConfig()
        guard let entries = value.mapEntries else {
            if value.isNull { return config }
            throw ConfigError("the config is a \(value.typeName), expected a mapping", at: value.span)
        }
        for entry in entries {
            switch entry.key {
            case "apiVersion", "kind": continue
            case "rules":
                for rule in try map(entry.value, "rules") {
                    switch rule.key {
                    case "include": config.include = Set(try strings(rule.value, "rules.include"))
                    case "exclude": config.exclude = Set(try strings(rule.value, "rules.exclude"))
                    case "severity":
                        for override in try map(rule.value, "rules.severity") {
                            guard let s = override.value.stringValue, let severity = Severity(rawValue: s) else {
                                throw ConfigError("rules.severity.\(override.key) must be error, warning or info", at: override.value.span)
                            }
                            config.severity[override.key] = severity
                        }
                    default: throw unknown(rule, in: "rules", allowed: ["include", "exclude", "severity"])
                    }
                }
            case "params":
                guard entry.value.isMap || entry.value.isNull else {
                    throw ConfigError("params must be a mapping", at: entry.value.span)
                }
                config.params = entry.value.isNull ? .map([]) : entry.value
            case "dataTier":
                for field in try map(entry.value, "dataTier") {
                    switch field.key {
                    case "labels":
                        _ = try map(field.value, "dataTier.labels")
                        config.dataTier.labels = field.value.stringMap
                    case "namespaces": config.dataTier.namespaces = try strings(field.value, "dataTier.namespaces")
                    case "images": config.dataTier.images = try strings(field.value, "dataTier.images")
                    default: throw unknown(field, in: "dataTier", allowed: ["labels", "namespaces", "images"])
                    }
                }
            case "ignore": config.ignore = try strings(entry.value, "ignore").map(Glob.init)
            case "namespaces":
                for item in try map(entry.value, "namespaces") {
                    config.namespaces.append((Glob(item.key), try string(item.value, "namespaces.\(item.key)"), item.keySpan))
                }
            case "drift":
                for field in try map(entry.value, "drift") {
                    switch field.key {
                    case "ignore":
                        guard let list = field.value.listValue else { throw ConfigError("drift.ignore must be a list", at: field.value.span) }
                        for item in list { config.driftIgnore.append(try driftIgnore(item)) }
                    default: throw unknown(field, in: "drift", allowed: ["ignore"])
                    }
                }
            case "waivers":
                guard let list = entry.value.listValue else { throw ConfigError("waivers must be a list", at: entry.value.span) }
                for item in list { config.waivers.append(try waiver(item)) }
            default:
                throw unknown(entry, in: "the config", allowed: ["rules", "params", "dataTier", "ignore", "waivers", "namespaces", "drift"])
            }
        }
        return config
    }

    private static func waiver(_ item: Value) throws(ConfigError) -> ConfigWaiver {
        var waiver = ConfigWaiver(rule: "", objects: [], paths: [], reason: "", until: nil, span: item.span)
        for field in try map(item, "waivers[]") {
            switch field.key {
            case "rule": waiver.rule = try string(field.value, "waivers[].rule")
            case "objects": waiver.objects = try strings(field.value, "waivers[].objects")
            case "paths": waiver.paths = try strings(field.value, "waivers[].paths").map(Glob.init)
            case "reason": waiver.reason = try string(field.value, "waivers[].reason")
            case "until":
                let until = try string(field.value, "waivers[].until")
                guard WaiverParser.isDate(until) else { throw ConfigError("until must be a date, YYYY-MM-DD", at: field.value.span) }
                waiver.until = until
            default: throw unknown(field, in: "a waiver", allowed: ["rule", "objects", "paths", "reason", "until"])
            }
        }
        guard !waiver.rule.isEmpty else { throw ConfigError("a waiver names its rule", at: item.span) }
        guard !waiver.objects.isEmpty || !waiver.paths.isEmpty else {
            throw ConfigError("a waiver names the objects or paths it covers", at: item.span)
        }
        return waiver
    }

    /// One `drift.ignore` entry: `{kinds: [..], namespaces: [..], names: [..], paths: [..], reason: ..}`
    /// (globs; an absent list matches everything); the reason is required.
    private static func driftIgnore(_ item: Value) throws(ConfigError) -> DriftIgnoreEntry {
        var entry = DriftIgnoreEntry(span: item.span)
        for field in try map(item, "drift.ignore[]") {
            switch field.key {
            case "kinds": entry.kinds = try strings(field.value, "drift.ignore[].kinds")
            case "namespaces": entry.namespaces = try strings(field.value, "drift.ignore[].namespaces")
            case "names": entry.names = try strings(field.value, "drift.ignore[].names")
            case "paths": entry.paths = try strings(field.value, "drift.ignore[].paths")
            case "reason": entry.reason = try string(field.value, "drift.ignore[].reason")
            default: throw unknown(field, in: "a drift.ignore entry", allowed: ["kinds", "namespaces", "names", "paths", "reason"])
            }
        }
        guard !entry.reason.isEmpty else { throw ConfigError("a drift.ignore entry gives its reason", at: item.span) }
        return entry
    }

    private static func map(_ value: Value, _ what: String) throws(ConfigError) -> [Value.Entry] {
        if value.isNull { return [] }
        guard let entries = value.mapEntries else { throw ConfigError("\(what) must be a mapping", at: value.span) }
        return entries
    }

    private static func string(_ value: Value, _ what: String) throws(ConfigError) -> String {
        guard let s = value.stringValue else { throw ConfigError("\(what) must be a string", at: value.span) }
        return s
    }

    private static func strings(_ value: Value, _ what: String) throws(ConfigError) -> [String] {
        if value.isNull { return [] }
        guard let list = value.listValue else { throw ConfigError("\(what) must be a list of strings", at: value.span) }
        var out: [String] = []
        for item in list { out.append(try string(item, what)) }
        return out
    }

    private static func unknown(_ entry: Value.Entry, in place: String, allowed: [String]) -> ConfigError {
        ConfigError("unknown key \(jsonQuoted(entry.key)) in \(place) (expected one of: \(allowed.joined(separator: ", ")))",
                    at: entry.keySpan)
    }
}

/// A `drift.ignore` entry of `.ballast.yaml`, as written (globs); Drift applies it.
public struct DriftIgnoreEntry: Sendable, Equatable {
    public var kinds: [String] = []
    public var namespaces: [String] = []
    public var names: [String] = []
    public var paths: [String] = []
    public var reason = ""
    public var span: SourceSpan?
}
