import ArgumentParser
import CamindexCore
import Foundation

/// `--from/--to` as the query and keyframe commands take them.
struct TimeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("""
        Date for times given as HH:MM: YYYY-MM-DD, today or yesterday (default today).
        """, valueName: "date"))
    var date: String?
    @Option(help: ArgumentHelp("""
        Zone for times without an offset (default: the cameras' zone, Asia/Shanghai).
        """, valueName: "tz"))
    var timezone: String?

    init() {}

    /// For commands that take a date under another name (report --day/--week).
    init(dateText: String?, zoneName: String?) {
        date = dateText
        timezone = zoneName
    }

    func validate() throws {
        if let timezone { _ = try Zones.named(timezone) }
    }

    /// The civil date bare times fall on.
    func baseDate(in zone: TimeZone, now: Date = Date(), option: String = "--date") throws -> CivilTime {
        let nowMs = Int64(now.timeIntervalSince1970 * 1000)
        let today = CivilTime(msAsUTC: nowMs + Zones.offsetMs(zone, at: Instant(ms: nowMs)))
        let day = CivilTime(year: today.year, month: today.month, day: today.day)
        switch date?.lowercased() {
        case nil, "today": return day
        case "yesterday": return CivilTime(msAsUTC: day.msAsUTC - 86_400_000)
        case let text?:
            let bad = CamindexError.usage("invalid \(option) '\(text)': expected YYYY-MM-DD, today or yesterday")
            guard let parsed = try? TimeFormat.parse(text, zone: TimeZone(identifier: "UTC")!, option: option) else { throw bad }
            let c = CivilTime(msAsUTC: parsed.ms)
            guard c.hour == 0, c.minute == 0, c.second == 0, !text.contains("T") else {
                throw CamindexError.usage("invalid \(option) '\(text)': expected YYYY-MM-DD, today or yesterday")
            }
            return c
        }
    }

    /// Parses a time option in `zone`.
    func instant(_ text: String, option: String, zone: TimeZone) throws -> Instant {
        try TimeFormat.parse(text, zone: zone, baseDate: baseDate(in: zone), option: option)
    }
}
