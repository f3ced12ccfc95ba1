internal import CYAML

/// The libyaml Ballast reads manifests with.
public enum LibYAML {
    /// The version of the libyaml loaded at run time (`"0.2.5"`). Wraps `yaml_get_version_string`, which
    /// returns a static string.
    public static var version: String { String(cString: yaml_get_version_string()) }
}
