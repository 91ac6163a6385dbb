import Foundation

/// How a command reads the times it is given: `--date` (YYYY-MM-DD, today, yesterday) for
/// times given as HH:MM, in a zone. Plain values, so every command and the service layer
/// read times the same way.
public struct DateSpec: Sendable, Hashable {
    /// `--date` as given; nil means today.
    public var date: String?
    public var zone: TimeZone

    public init(date: String?, zone: TimeZone) {
        self.date = date
        self.zone = zone
    }

    /// The civil date bare times fall on; `option` names the flag in errors.
    public func baseDate(now: Instant, option: String = "--date") throws -> CivilTime {
        let today = CivilTime(msAsUTC: now.ms + Zones.offsetMs(zone, at: now))
        let day = CivilTime(year: today.year, month: today.month, day: today.day)
        switch date?.lowercased() {
        case nil, "today": return day
        case "yesterday": return CivilTime(msAsUTC: day.msAsUTC - 86_400_000)
        case let text?:
            let bad = CamindexError.usage("invalid \(option) '\(text)': expected YYYY-MM-DD, today or yesterday",
                                          code: .timeInvalid, value: text)
            guard let parsed = try? TimeFormat.parse(text, zone: TimeZone(identifier: "UTC")!, option: option) else { throw bad }
            let c = CivilTime(msAsUTC: parsed.ms)
            guard c.hour == 0, c.minute == 0, c.second == 0, !text.contains("T") else { throw bad }
            return c
        }
    }

    /// Parses a time option (RFC 3339, local date and time, or HH:MM on the base date).
    public func instant(_ text: String, option: String, now: Instant) throws -> Instant {
        try TimeFormat.parse(text, zone: zone, baseDate: baseDate(now: now), option: option)
    }

    /// `from` and `to` as a non-empty range.
    public func range(from: String, to: String, now: Instant) throws -> Interval {
        let start = try instant(from, option: "--from", now: now)
        let end = try instant(to, option: "--to", now: now)
        guard start < end else {
            throw CamindexError.usage("--from \(TimeFormat.rfc3339(start, in: zone)) is not before --to \(TimeFormat.rfc3339(end, in: zone))",
                                      code: .rangeEmpty, value: "\(from)..\(to)")
        }
        return Interval(start, end)
    }
}

/// The period of a KPI report: a day, the Monday–Sunday week holding a date, or explicit times.
public enum ReportPeriod: Sendable, Hashable {
    case day(String)
    case week(String)
    case range(from: String, to: String)

    public func interval(in zone: TimeZone, now: Instant) throws -> Interval {
        switch self {
        case let .range(from, to):
            let start = try TimeFormat.parse(from, zone: zone, option: "--from"), end = try TimeFormat.parse(to, zone: zone, option: "--to")
            guard start < end else { throw CamindexError.usage("--from \(from) is not before --to \(to)", code: .rangeEmpty, value: "\(from)..\(to)") }
            return Interval(start, end)
        case let .week(text):
            let d = try DateSpec(date: text, zone: zone).baseDate(now: now, option: "--week")
            // Days since Monday (1970-01-05 was a Monday).
            let dayNumber = d.msAsUTC / 86_400_000
            let monday = CivilTime(msAsUTC: (dayNumber - ((dayNumber - 4) % 7 + 7) % 7) * 86_400_000)
            return Interval(monday.instant(in: zone), CivilTime(msAsUTC: monday.msAsUTC + 7 * 86_400_000).instant(in: zone))
        case let .day(text):
            let d = try DateSpec(date: text, zone: zone).baseDate(now: now, option: "--day")
            return Interval(d.instant(in: zone), CivilTime(msAsUTC: d.msAsUTC + 86_400_000).instant(in: zone))
        }
    }
}
