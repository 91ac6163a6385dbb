import Foundation

/// A wall-clock date and time without a zone (what a file name or a user's `14:00` says).
public struct CivilTime: Hashable, Sendable {
    public var year: Int, month: Int, day: Int
    public var hour: Int, minute: Int, second: Int, millisecond: Int

    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, millisecond: Int = 0) {
        self.year = year; self.month = month; self.day = day
        self.hour = hour; self.minute = minute; self.second = second; self.millisecond = millisecond
    }

    public var isValid: Bool {
        guard (1...12).contains(month), (1...9999).contains(year) else { return false }
        return (1...Self.daysIn(month: month, year: year)).contains(day)
            && (0...23).contains(hour) && (0...59).contains(minute) && (0...60).contains(second)
            && (0...999).contains(millisecond)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Milliseconds since the epoch if this civil time were UTC.
    public var msAsUTC: Int64 {
        // Howard Hinnant's days_from_civil.
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        let days = era * 146_097 + doe - 719_468
        return ((days * 24 + Int64(hour)) * 60 + Int64(minute)) * 60_000 + Int64(second) * 1000 + Int64(millisecond)
    }

    public init(msAsUTC ms: Int64) {
        let days = floorDiv(ms, 86_400_000)
        let msOfDay = ms - days * 86_400_000
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        self.init(
            year: Int(y), month: Int(m), day: Int(d),
            hour: Int(msOfDay / 3_600_000), minute: Int(msOfDay / 60_000 % 60),
            second: Int(msOfDay / 1000 % 60), millisecond: Int(msOfDay % 1000))
    }

    /// The instant this wall-clock time names in `zone`. In a DST fold the earlier reading wins;
    /// in a DST gap the time is read with the offset before the gap.
    public func instant(in zone: TimeZone) -> Instant {
        let local = msAsUTC
        func offset(atUTC ms: Int64) -> Int64 {
            Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(ms) / 1000))) * 1000
        }
        // The zone's offsets a day either side bracket any transition near this time.
        let before = offset(atUTC: local - 86_400_000), after = offset(atUTC: local + 86_400_000)
        let readings = Set([local - before, local - after]).filter { local - offset(atUTC: $0) == $0 }
        return Instant(ms: readings.min() ?? local - before)
    }
}

public enum Zones {
    public static let defaultIdentifier = "Asia/Shanghai"

    /// A time zone by IANA name (`Asia/Shanghai`, `UTC`).
    public static func named(_ name: String) throws(CamindexError) -> TimeZone {
        guard let zone = TimeZone(identifier: name), name.contains("/") || name == "UTC" || name == "GMT" else {
            throw .usage("unknown time zone '\(name)': use an IANA name such as Asia/Shanghai or UTC", code: .zoneUnknown)
        }
        return zone
    }

    /// Foundation on Linux names UTC "GMT"; people asked for UTC.
    public static func displayName(_ zone: TimeZone) -> String {
        isUTC(zone) ? "UTC" : zone.identifier
    }

    static func isUTC(_ zone: TimeZone) -> Bool {
        ["UTC", "GMT", "Etc/UTC", "Etc/GMT", "Etc/Universal", "Universal", "Zulu"].contains(zone.identifier)
    }

    public static func offsetMs(_ zone: TimeZone, at instant: Instant) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(instant.ms) / 1000))) * 1000
    }
}

public enum TimeFormat {
    /// RFC 3339 in `zone` with its offset: `2026-11-20T08:00:00+08:00`, milliseconds shown when
    /// not zero, `Z` for UTC.
    public static func rfc3339(_ instant: Instant, in zone: TimeZone) -> String {
        let offset = Zones.offsetMs(zone, at: instant)
        let c = CivilTime(msAsUTC: instant.ms + offset)
        var s = "\(pad(c.year, 4))-\(pad(c.month))-\(pad(c.day))T\(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))"
        if c.millisecond != 0 { s += "." + pad(c.millisecond, 3) }
        if offset == 0 && Zones.isUTC(zone) { return s + "Z" }
        let minutes = abs(offset) / 60_000
        s += (offset < 0 ? "-" : "+") + pad(Int(minutes / 60)) + ":" + pad(Int(minutes % 60))
        return s
    }

    /// Short local form for tables: `2026-11-20 08:00:00`.
    public static func local(_ instant: Instant, in zone: TimeZone, date: Bool = true) -> String {
        let c = CivilTime(msAsUTC: instant.ms + Zones.offsetMs(zone, at: instant))
        let time = "\(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))"
        return date ? "\(pad(c.year, 4))-\(pad(c.month))-\(pad(c.day)) \(time)" : time
    }

    static func pad(_ v: Int, _ width: Int = 2) -> String {
        let s = String(v)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// Parses a time given on the command line. Accepted: RFC 3339 / ISO 8601
    /// (`2026-11-20T14:00:00+08:00`, `2026-11-20 14:00`, `20261120T140000Z`), a bare date
    /// (midnight), or a bare time `14:00[:00]` on `baseDate`. Without an offset the time is
    /// read in `zone`.
    public static func parse(_ text: String, zone: TimeZone, baseDate: CivilTime? = nil, option: String = "time") throws(CamindexError) -> Instant {
        guard let parsed = parseParts(text.trimmingCharacters(in: .whitespaces), baseDate: baseDate) else {
            throw .usage("invalid \(option) '\(text)': expected RFC 3339 such as 2026-11-20T14:00:00+08:00, a local time 2026-11-20 14:00 (read in \(Zones.displayName(zone))), or HH:MM with --date", code: .timeInvalid)
        }
        guard parsed.civil.isValid else {
            throw .usage("invalid \(option) '\(text)': no such date or time", code: .timeInvalid)
        }
        if let offset = parsed.offsetMs { return Instant(ms: parsed.civil.msAsUTC - offset) }
        return parsed.civil.instant(in: zone)
    }

    private static func parseParts(_ text: String, baseDate: CivilTime?) -> (civil: CivilTime, offsetMs: Int64?)? {
        var s = Substring(text)
        func digits(_ n: Int) -> Int? {
            guard s.count >= n else { return nil }
            let head = s.prefix(n)
            guard head.allSatisfy(\.isASCII), head.allSatisfy(\.isNumber), let v = Int(head) else { return nil }
            s = s.dropFirst(n)
            return v
        }
        func eat(_ c: Character) -> Bool {
            if s.first == c { s = s.dropFirst(); return true }
            return false
        }
        var civil: CivilTime
        if text.count <= 8, text.contains(":"), !text.contains("-") {
            guard let base = baseDate, let h = digits(2), eat(":"), let m = digits(2) else { return nil }
            civil = CivilTime(year: base.year, month: base.month, day: base.day, hour: h, minute: m)
            if eat(":") { guard let sec = digits(2) else { return nil }; civil.second = sec }
            return s.isEmpty ? (civil, nil) : nil
        }
        guard let y = digits(4) else { return nil }
        let dashed = eat("-")
        guard let mo = digits(2) else { return nil }
        if dashed { guard eat("-") else { return nil } }
        guard let d = digits(2) else { return nil }
        civil = CivilTime(year: y, month: mo, day: d)
        if s.isEmpty { return (civil, nil) }
        guard eat("T") || eat(" ") || eat("t") else { return nil }
        guard let h = digits(2) else { return nil }
        let colon = eat(":")
        guard let mi = digits(2) else { return nil }
        civil.hour = h; civil.minute = mi
        if colon ? eat(":") : (s.first?.isNumber ?? false) {
            guard let sec = digits(2) else { return nil }
            civil.second = sec
            if eat(".") || eat(",") {
                let frac = s.prefix { $0.isASCII && $0.isNumber }
                guard !frac.isEmpty else { return nil }
                s = s.dropFirst(frac.count)
                civil.millisecond = Int((frac + "000").prefix(3))!
            }
        }
        if s.isEmpty { return (civil, nil) }
        if eat("Z") || eat("z") { return s.isEmpty ? (civil, 0) : nil }
        guard let sign = s.first, sign == "+" || sign == "-" else { return nil }
        s = s.dropFirst()
        guard let oh = digits(2) else { return nil }
        _ = eat(":")
        let om = s.isEmpty ? 0 : digits(2)
        guard let om, s.isEmpty, oh <= 23, om <= 59 else { return nil }
        let offset = Int64(oh * 60 + om) * 60_000
        return (civil, sign == "-" ? -offset : offset)
    }
}
