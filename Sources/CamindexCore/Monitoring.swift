/// Monitoring-plugin conventions (Nagios, Icinga, Zabbix, cron wrappers): exit statuses,
/// threshold ranges and perfdata.
public enum PluginStatus: Int, Comparable, Sendable, CaseIterable, Codable {
    case ok = 0, warning = 1, critical = 2, unknown = 3

    public var label: String {
        switch self {
        case .ok: "OK"
        case .warning: "WARNING"
        case .critical: "CRITICAL"
        case .unknown: "UNKNOWN"
        }
    }

    /// UNKNOWN outranks nothing: a CRITICAL check stays CRITICAL beside an UNKNOWN one.
    public static func < (a: PluginStatus, b: PluginStatus) -> Bool { a.severity < b.severity }

    private var severity: Int {
        switch self {
        case .ok: 0
        case .unknown: 1
        case .warning: 2
        case .critical: 3
        }
    }
}

/// A threshold range in the plugin syntax: `10` (alert outside 0…10), `10:` (below 10),
/// `~:10` (above 10), `10:20` (outside 10…20), `@10:20` (inside 10…20).
public struct ThresholdRange: Hashable, Sendable, CustomStringConvertible {
    public var low: Double?
    public var high: Double?
    public var inside: Bool
    public let text: String

    public init(_ text: String) throws(CamindexError) {
        var s = Substring(text.trimmingCharacters(in: .whitespaces))
        self.text = String(s)
        inside = s.hasPrefix("@")
        if inside { s = s.dropFirst() }
        func number(_ part: Substring) throws(CamindexError) -> Double {
            guard let v = Double(part), v.isFinite else {
                throw .usage("invalid threshold '\(text)': expected a range such as 10, 10:, ~:10, 10:20 or @10:20", code: .thresholdInvalid)
            }
            return v
        }
        if let colon = s.firstIndex(of: ":") {
            let lowPart = s[..<colon], highPart = s[s.index(after: colon)...]
            low = lowPart == "~" ? nil : try number(lowPart.isEmpty ? "0" : lowPart)
            high = highPart.isEmpty ? nil : try number(highPart)
        } else {
            guard !s.isEmpty else { throw .usage("invalid threshold '': expected a range such as 10, 10:, ~:10, 10:20 or @10:20", code: .thresholdInvalid) }
            low = 0
            high = try number(s)
        }
        if let low, let high, low > high {
            throw .usage("invalid threshold '\(text)': the start \(low) is above the end \(high)", code: .thresholdInvalid)
        }
    }

    /// True when `value` should raise the alert.
    public func alerts(_ value: Double) -> Bool {
        let within = (low.map { value >= $0 } ?? true) && (high.map { value <= $0 } ?? true)
        return inside ? within : !within
    }

    public var description: String { text }
}

/// One perfdata item: `'label'=value[UOM];warn;crit;min;max`.
public struct Perfdata: Hashable, Sendable {
    public var label: String
    public var value: Double
    public var unit: String
    public var warning: ThresholdRange?
    public var critical: ThresholdRange?
    public var min: Double?
    public var max: Double?

    public init(_ label: String, _ value: Double, unit: String = "", warning: ThresholdRange? = nil,
                critical: ThresholdRange? = nil, min: Double? = nil, max: Double? = nil) {
        self.label = label; self.value = value; self.unit = unit; self.warning = warning; self.critical = critical
        self.min = min; self.max = max
    }

    public var formatted: String {
        func n(_ v: Double) -> String {
            v == v.rounded() && abs(v) < 1e15 ? String(Int64(v)) : String((v * 1000).rounded() / 1000)
        }
        let label = "'" + self.label.replacingOccurrences(of: "'", with: "''") + "'"
        var parts = ["\(label)=\(n(value))\(unit)", warning?.text ?? "", critical?.text ?? "", min.map(n) ?? "", max.map(n) ?? ""]
        while parts.count > 1 && parts.last == "" { parts.removeLast() }
        return parts.joined(separator: ";")
    }
}

/// Checks a value against warning and critical ranges.
public func status(of value: Double, warning: ThresholdRange?, critical: ThresholdRange?) -> PluginStatus {
    if critical?.alerts(value) == true { return .critical }
    if warning?.alerts(value) == true { return .warning }
    return .ok
}
