/// Reads the wall-clock start of a segment from its path, as NVRs and media servers name
/// their files. The result is a civil time, to be read in the camera's (or pattern's) zone.
public struct PathTimestamp: Sendable, Hashable {
    public let pattern: String?
    private let fields: [Field]
    nonisolated(unsafe) private let regex: Regex<AnyRegexOutput>?

    private enum Field: Hashable { case year, month, day, hour, minute, second }

    /// The built-in layouts: `20261120_080000`, `20261120T080000`, `20261120080000`,
    /// `2026-11-20_08-00-00`, `2026-11-20/08-00-00`, ZLMediaKit's
    /// `2026-11-20/2026-11-20-08-00-00-0.mp4`. The leftmost timestamp in the last two path
    /// components wins, so `ch01_<start>_<end>.mp4` reads the start.
    public static let builtIn = PathTimestamp()

    private init() {
        pattern = nil
        fields = []
        regex = nil
    }

    /// A camera's own layout, matched against the end of the path: `%Y %m %d %H %M %S` are the
    /// fields, `<name>` any one path component (e.g. `<camera>`), `*` any characters within a
    /// component; everything else is literal. Frigate: `%Y-%m-%d/%H/<camera>/%M.%S.mp4`.
    public init(pattern: String) throws(CamindexError) {
        var regexText = "(?:^|/)"
        var fields: [Field] = []
        var chars = Array(pattern)[...]
        while let c = chars.popFirst() {
            switch c {
            case "%":
                guard let f = chars.popFirst() else { throw .usage("invalid path pattern '\(pattern)': it ends with '%'", code: .pathPatternInvalid, value: pattern) }
                switch f {
                case "Y": fields.append(.year); regexText += "([0-9]{4})"
                case "m": fields.append(.month); regexText += "([0-9]{2})"
                case "d": fields.append(.day); regexText += "([0-9]{2})"
                case "H": fields.append(.hour); regexText += "([0-9]{2})"
                case "M": fields.append(.minute); regexText += "([0-9]{2})"
                case "S": fields.append(.second); regexText += "([0-9]{2})"
                case "%": regexText += "%"
                default: throw .usage("invalid path pattern '\(pattern)': unknown field %\(f); use %Y %m %d %H %M %S", code: .pathPatternInvalid, value: pattern)
                }
            case "<":
                guard let close = chars.firstIndex(of: ">") else { throw .usage("invalid path pattern '\(pattern)': '<' without '>'", code: .pathPatternInvalid, value: pattern) }
                chars = chars[chars.index(after: close)...]
                regexText += "[^/]+"
            case "*": regexText += "[^/]*"
            default:
                regexText += c.isLetter || c.isNumber || c == "/" ? String(c) : "\\" + String(c)
            }
        }
        regexText += "$"
        for required in [Field.year, .month, .day, .hour] where !fields.contains(required) {
            throw .usage("invalid path pattern '\(pattern)': it needs %Y, %m, %d and %H", code: .pathPatternInvalid, value: pattern)
        }
        guard let regex = try? Regex(regexText) else {
            throw .usage("invalid path pattern '\(pattern)'", code: .pathPatternInvalid, value: pattern)
        }
        self.pattern = pattern
        self.fields = fields
        self.regex = regex
    }

    /// The civil time the path names, or nil when it names none.
    public func civilTime(inPath path: String) -> CivilTime? {
        if let regex { return custom(regex, path) }
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        let tail = components.suffix(2).joined(separator: "/")
        for layout in Self.layouts {
            if let m = try? layout.firstMatch(in: tail) {
                let o = m.output
                let c = CivilTime(year: Int(o.1)!, month: Int(o.2)!, day: Int(o.3)!, hour: Int(o.4)!, minute: Int(o.5)!, second: Int(o.6)!)
                if c.isValid { return c }
            }
        }
        return nil
    }

    private func custom(_ regex: Regex<AnyRegexOutput>, _ path: String) -> CivilTime? {
        guard let m = try? regex.firstMatch(in: path) else { return nil }
        var c = CivilTime(year: 0, month: 0, day: 0)
        for (i, field) in fields.enumerated() {
            guard let sub = m.output[i + 1].substring, let v = Int(sub) else { return nil }
            switch field {
            case .year: c.year = v
            case .month: c.month = v
            case .day: c.day = v
            case .hour: c.hour = v
            case .minute: c.minute = v
            case .second: c.second = v
            }
        }
        return c.isValid ? c : nil
    }

    // Ordered by preference; digits may not run on either side, so IDs are not read as dates.
    nonisolated(unsafe) private static let layouts: [Regex<(Substring, Substring, Substring, Substring, Substring, Substring, Substring)>] = [
        #/(?:^|[^0-9])([0-9]{4})-([0-9]{2})-([0-9]{2})[_T/ \-]([0-9]{2})[\-:.]([0-9]{2})[\-:.]([0-9]{2})(?![0-9])/#,
        #/(?:^|[^0-9])([0-9]{4})([0-9]{2})([0-9]{2})[_T\-]?([0-9]{2})([0-9]{2})([0-9]{2})(?![0-9])/#,
    ]

    public static func == (a: PathTimestamp, b: PathTimestamp) -> Bool { a.pattern == b.pattern }
    public func hash(into h: inout Hasher) { h.combine(pattern) }
}

extension PathTimestamp {
    /// The whole number of hours (1 to 14 either way, ± a minute) that more than half of
    /// `diffs` (a camera's path-dated segments' mtime less end, ms) are, if any: paths read in
    /// the wrong zone. See `FootageSummary.pathZoneOffsetHours`.
    public static func wholeHourOffset(_ diffs: [Int64]) -> Int? {
        var counts: [Int: Int] = [:]
        for d in diffs {
            let h = Int((Double(d) / 3_600_000).rounded())
            if h != 0, abs(h) <= 14, abs(d - Int64(h) * 3_600_000) <= 60_000 { counts[h, default: 0] += 1 }
        }
        guard let best = counts.max(by: { $0.value < $1.value }), best.value * 2 > diffs.count else { return nil }
        return best.key
    }
}
