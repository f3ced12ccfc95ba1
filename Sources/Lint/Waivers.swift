import Glibc
public import KubeModel
import Policy
public import Findings

/// Waivers written on objects: `ballast.dev/waive.<rule-id>: "<reason>; until=YYYY-MM-DD"` on the object
/// or its pod template. A waiver without a reason is `waiver-invalid`, an expired one `waiver-expired`
/// (both warnings); neither suppresses anything.
public enum WaiverParser {
    public static let annotationPrefix = "ballast.dev/waive."

    public static let descriptors: [RuleDescriptor] = [
        RuleDescriptor(id: "waiver-invalid", severity: .warning, summary: "Waivers give a reason",
                       description: "A waiver must say why the finding is accepted; one without a reason, or with an unreadable date, suppresses nothing.",
                       remediation: "Write the reason: `ballast.dev/waive.RULE: \"why; until=YYYY-MM-DD\"`."),
        RuleDescriptor(id: "waiver-expired", severity: .warning, summary: "Waivers are renewed or removed when they expire",
                       description: "An expired waiver suppresses nothing: the finding it covered is reported again.",
                       remediation: "Fix the finding, or renew the waiver with a new date and reason."),
    ]

    /// The valid waivers of an object by rule id, and findings for the invalid or expired ones.
    public static func waivers(of object: KubeObject, today: String) -> (waivers: [String: Waiver], findings: [Finding]) {
        var waivers: [String: Waiver] = [:]
        var findings: [Finding] = []
        let objectAnnotations = object.value[path: "metadata", "annotations"]
        // A Pod is its own template: its annotations are read once, as the object's.
        let templateAnnotations = object.kind == "Pod" ? nil : object.podTemplate?[path: "metadata", "annotations"]
        func hasWaiver(_ annotations: Value?) -> Bool {
            annotations?.mapEntries?.contains { $0.key.hasPrefix(annotationPrefix) } ?? false
        }
        // Most objects have none: return before building any path.
        guard hasWaiver(objectAnnotations) || hasWaiver(templateAnnotations) else { return ([:], []) }
        let sources: [(Value?, FieldPath)] = [
            (objectAnnotations, FieldPath("metadata", "annotations")),
            (templateAnnotations,
             object.kind == "CronJob" ? FieldPath("spec", "jobTemplate", "spec", "template", "metadata", "annotations")
                                      : FieldPath("spec", "template", "metadata", "annotations")),
        ]
        for (annotations, base) in sources {
            for entry in annotations?.mapEntries ?? [] where entry.key.hasPrefix(annotationPrefix) {
                let rule = String(entry.key.dropFirst(annotationPrefix.count))
                let text = entry.value.stringValue ?? ""
                let path = base.key(entry.key).description
                let span = entry.value.span ?? entry.keySpan ?? object.span
                switch parse(text) {
                case .invalid(let why):
                    findings.append(Finding(ruleID: "waiver-invalid", severity: .warning,
                                            message: "waiver of \(rule) \(why): it suppresses nothing", object: object.ref,
                                            span: span, path: path, remediation: descriptors[0].remediation))
                case .valid(let waiver):
                    if let until = waiver.until, until < today {
                        findings.append(Finding(ruleID: "waiver-expired", severity: .warning,
                                                message: "waiver of \(rule) expired on \(until): it suppresses nothing",
                                                object: object.ref, span: span, path: path,
                                                remediation: descriptors[1].remediation))
                    } else {
                        waivers[rule] = waiver
                    }
                }
            }
        }
        return (waivers, findings)
    }

    enum Parsed { case valid(Waiver), invalid(String) }

    /// `"<reason>; until=YYYY-MM-DD"`.
    static func parse(_ text: String) -> Parsed {
        var reasonParts: [String] = []
        var until: String?
        for part in text.split(separator: ";", omittingEmptySubsequences: false) {
            let trimmed = part.trimmingCharacters(in: " \t")
            if trimmed.hasPrefix("until=") {
                let date = String(trimmed.dropFirst("until=".count))
                guard isDate(date) else { return .invalid("has an unreadable date \(jsonQuoted(date)) (expected YYYY-MM-DD)") }
                until = date
            } else if !trimmed.isEmpty {
                reasonParts.append(trimmed)
            }
        }
        let reason = reasonParts.joined(separator: "; ")
        guard !reason.isEmpty else { return .invalid("gives no reason") }
        return .valid(Waiver(reason: reason, until: until))
    }

    /// `YYYY-MM-DD` with a plausible month and day.
    public static func isDate(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let _ = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]) else { return false }
        return (1...12).contains(m) && (1...31).contains(d)
    }

    /// Today's date in UTC, `YYYY-MM-DD`.
    public static func today() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        let y = Int(parts.tm_year) + 1900, m = Int(parts.tm_mon) + 1, d = Int(parts.tm_mday)
        return "\(y)-\(m < 10 ? "0" : "")\(m)-\(d < 10 ? "0" : "")\(d)"
    }
}

