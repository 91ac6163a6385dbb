import Foundation
import Testing
@testable import CamindexCore

private let shanghai = TimeZone(identifier: "Asia/Shanghai")!
private let utc = TimeZone(identifier: "UTC")!
private let newYork = TimeZone(identifier: "America/New_York")!

/// 2026-11-20T00:00:00Z.
private let nov20 = Instant(ms: 1_795_132_800_000)
/// 2026-11-20T06:00:00Z (14:00 in Shanghai).
private let nov20_0600Z: Int64 = 1_795_154_400_000

@Suite struct InstantTests {
    @Test func arithmeticAndComparison() {
        let a = Instant(ms: 1000)
        #expect((a + 500).ms == 1500)
        #expect((a - 1500).ms == -500)
        #expect(a < a + 1)
        #expect(!(a < a))
        #expect(a.description == "1000ms")
    }

    @Test func secondsAreRoundedToMilliseconds() {
        #expect(Instant(seconds: 1.2345).ms == 1235)
        #expect(Instant(seconds: 1.2344).ms == 1234)
        #expect(Instant(seconds: -0.5).ms == -500)
    }

    @Test func intervalBasics() {
        let i = Interval(startMs: 1000, endMs: 3000)
        #expect(i.durationMs == 2000)
        #expect(!i.isEmpty)
        #expect(Interval(startMs: 5, endMs: 5).isEmpty)
        #expect(Interval(startMs: 6, endMs: 5).isEmpty)
        #expect(i.description == "[1000, 3000)")
        // Half-open: touching intervals do not overlap.
        #expect(!i.overlaps(Interval(startMs: 3000, endMs: 4000)))
        #expect(!i.overlaps(Interval(startMs: 0, endMs: 1000)))
        #expect(i.overlaps(Interval(startMs: 2999, endMs: 4000)))
        #expect(i.overlaps(Interval(startMs: 1500, endMs: 1600)))
        #expect(i.clipped(to: Interval(startMs: 2000, endMs: 9000)) == Interval(startMs: 2000, endMs: 3000))
        #expect(i.clipped(to: Interval(startMs: 3000, endMs: 9000)) == nil)
    }
}

@Suite struct CivilTimeTests {
    @Test(arguments: [
        (CivilTime(year: 1970, month: 1, day: 1), Int64(0)),
        (CivilTime(year: 2026, month: 11, day: 20), Int64(1_795_132_800_000)),
        (CivilTime(year: 2024, month: 2, day: 29, hour: 12, minute: 34, second: 56), Int64(1_709_210_096_000)),
        (CivilTime(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59, millisecond: 999), Int64(1_709_251_199_999)),
        (CivilTime(year: 2024, month: 3, day: 1), Int64(1_709_251_200_000)),
        (CivilTime(year: 2000, month: 1, day: 1), Int64(946_684_800_000)),
        (CivilTime(year: 1969, month: 12, day: 31, hour: 23, minute: 59, second: 59, millisecond: 999), Int64(-1)),
        (CivilTime(year: 1969, month: 7, day: 20, hour: 20, minute: 17, second: 40), Int64(-14_182_940_000)),
        (CivilTime(year: 1900, month: 1, day: 1), Int64(-2_208_988_800_000)),
        (CivilTime(year: 1600, month: 2, day: 29, hour: 6), Int64(-11_670_976_800_000)),
        (CivilTime(year: 1, month: 1, day: 1), Int64(-62_135_596_800_000)),
        (CivilTime(year: 9999, month: 12, day: 31, hour: 23, minute: 59, second: 59), Int64(253_402_300_799_000)),
    ])
    func msAsUTCRoundTrip(_ civil: CivilTime, _ ms: Int64) {
        #expect(civil.isValid)
        #expect(civil.msAsUTC == ms)
        #expect(CivilTime(msAsUTC: ms) == civil)
    }

    @Test func roundTripEveryDayAcrossLeapYears() {
        // Every noon from 1968-01-01 to 2030-12-31 (both signs of the epoch, several leap days).
        var ms = CivilTime(year: 1968, month: 1, day: 1, hour: 12).msAsUTC
        let end = CivilTime(year: 2030, month: 12, day: 31, hour: 12).msAsUTC
        var previous = CivilTime(msAsUTC: ms - 86_400_000)
        while ms <= end {
            let c = CivilTime(msAsUTC: ms)
            #expect(c.isValid)
            #expect(c.hour == 12)
            #expect(c.msAsUTC == ms)
            // Consecutive days: either the next day in the month or the first of the next month.
            #expect(c.day == previous.day + 1 || (c.day == 1 && previous.day == CivilTime.daysIn(month: previous.month, year: previous.year)))
            previous = c
            ms += 86_400_000
        }
    }

    @Test func validity() {
        #expect(CivilTime(year: 2024, month: 2, day: 29).isValid)
        #expect(CivilTime(year: 2000, month: 2, day: 29).isValid)
        #expect(!CivilTime(year: 2026, month: 2, day: 29).isValid)
        #expect(!CivilTime(year: 1900, month: 2, day: 29).isValid)
        #expect(!CivilTime(year: 2100, month: 2, day: 29).isValid)
        #expect(!CivilTime(year: 2026, month: 13, day: 1).isValid)
        #expect(!CivilTime(year: 2026, month: 0, day: 1).isValid)
        #expect(!CivilTime(year: 2026, month: 4, day: 31).isValid)
        #expect(CivilTime(year: 2026, month: 12, day: 31).isValid)
        #expect(!CivilTime(year: 2026, month: 1, day: 0).isValid)
        #expect(!CivilTime(year: 2026, month: 11, day: 20, hour: 24).isValid)
        #expect(CivilTime(year: 2026, month: 11, day: 20, hour: 23, minute: 59, second: 59, millisecond: 999).isValid)
        #expect(!CivilTime(year: 2026, month: 11, day: 20, minute: 60).isValid)
        #expect(!CivilTime(year: 2026, month: 11, day: 20, second: 61).isValid)
        #expect(!CivilTime(year: 2026, month: 11, day: 20, millisecond: 1000).isValid)
        #expect(!CivilTime(year: 0, month: 1, day: 1).isValid)
        #expect(!CivilTime(year: 10000, month: 1, day: 1).isValid)
    }

    @Test func instantInFixedOffsetZones() {
        let c = CivilTime(year: 2026, month: 11, day: 20, hour: 8)
        #expect(c.instant(in: shanghai) == nov20)
        #expect(c.instant(in: utc).ms == nov20.ms + 8 * 3_600_000)
        // November is EST (-05:00) in New York.
        #expect(c.instant(in: newYork).ms == nov20.ms + 13 * 3_600_000)
    }

    @Test func instantInDSTFoldTakesEarlierReading() {
        // 2026-11-01 01:30 happens twice in New York: at -04:00 (05:30Z) and at -05:00 (06:30Z).
        let c = CivilTime(year: 2026, month: 11, day: 1, hour: 1, minute: 30)
        #expect(c.instant(in: newYork).ms == 1_793_511_000_000)
    }
}

@Suite struct ZonesTests {
    @Test func namedZones() throws {
        #expect(try Zones.named("Asia/Shanghai").identifier == "Asia/Shanghai")
        #expect(try Zones.named("America/New_York").identifier == "America/New_York")
        let u = try Zones.named("UTC")
        #expect(u.secondsFromGMT(for: Date(timeIntervalSince1970: 0)) == 0)
        #expect(Zones.defaultIdentifier == "Asia/Shanghai")
        #expect(try Zones.named(Zones.defaultIdentifier).identifier == "Asia/Shanghai")
    }

    @Test(arguments: ["Mars/Base", "CST", "", "EST", "Asia/Shanghia"])
    func rejectsUnknownOrAbbreviatedNames(_ name: String) throws {
        let e = try expectError { try Zones.named(name) }
        #expect(e.kind == .usage)
        #expect(e.message == "unknown time zone '\(name)': use an IANA name such as Asia/Shanghai or UTC")
    }

    @Test func offsets() {
        #expect(Zones.offsetMs(shanghai, at: nov20) == 28_800_000)
        #expect(Zones.offsetMs(utc, at: nov20) == 0)
        #expect(Zones.offsetMs(newYork, at: nov20) == -18_000_000)
        // 2026-07-01T12:00:00Z: EDT.
        #expect(Zones.offsetMs(newYork, at: Instant(ms: 1_782_907_200_000)) == -14_400_000)
    }
}

@Suite struct TimeFormatTests {
    @Test func rfc3339() {
        #expect(TimeFormat.rfc3339(nov20, in: shanghai) == "2026-11-20T08:00:00+08:00")
        #expect(TimeFormat.rfc3339(nov20 + 40, in: shanghai) == "2026-11-20T08:00:00.040+08:00")
        #expect(TimeFormat.rfc3339(nov20 + 999, in: shanghai) == "2026-11-20T08:00:00.999+08:00")
        #expect(TimeFormat.rfc3339(nov20 + 1000, in: shanghai) == "2026-11-20T08:00:01+08:00")
        #expect(TimeFormat.rfc3339(nov20, in: newYork) == "2026-11-19T19:00:00-05:00")
        #expect(TimeFormat.rfc3339(nov20 + 40, in: newYork) == "2026-11-19T19:00:00.040-05:00")
        #expect(TimeFormat.rfc3339(nov20, in: TimeZone(identifier: "Asia/Kolkata")!) == "2026-11-20T05:30:00+05:30")
        #expect(TimeFormat.rfc3339(nov20, in: TimeZone(identifier: "America/St_Johns")!) == "2026-11-19T20:30:00-03:30")
        #expect(TimeFormat.rfc3339(Instant(ms: -1), in: shanghai) == "1970-01-01T07:59:59.999+08:00")
        #expect(TimeFormat.rfc3339(Instant(ms: 0), in: shanghai) == "1970-01-01T08:00:00+08:00")
    }

    @Test func local() {
        #expect(TimeFormat.local(nov20, in: shanghai) == "2026-11-20 08:00:00")
        #expect(TimeFormat.local(nov20 + 61_001, in: shanghai, date: false) == "08:01:01")
        #expect(TimeFormat.local(nov20, in: newYork) == "2026-11-19 19:00:00")
    }

    @Test func pad() {
        #expect(TimeFormat.pad(7) == "07")
        #expect(TimeFormat.pad(42) == "42")
        #expect(TimeFormat.pad(40, 3) == "040")
        #expect(TimeFormat.pad(12345, 4) == "12345")
    }

    @Test(arguments: [
        ("2026-11-20T14:00:00+08:00", nov20_0600Z),
        ("2026-11-20 14:00", nov20_0600Z),
        ("2026-11-20 14:00:00", nov20_0600Z),
        ("2026-11-20T14:00", nov20_0600Z),
        ("2026-11-20t14:00:00+08:00", nov20_0600Z),
        ("2026-11-20T06:00:00Z", nov20_0600Z),
        ("2026-11-20T06:00:00z", nov20_0600Z),
        ("2026-11-20T06:00Z", nov20_0600Z),
        ("20261120T140000Z", Int64(1_795_183_200_000)),
        ("20261120T140000+0800", nov20_0600Z),
        ("20261120 1400", nov20_0600Z),
        ("2026-11-20", Int64(1_795_104_000_000)),
        ("20261120", Int64(1_795_104_000_000)),
        ("2026-11-20T14:00:00.5+08:00", nov20_0600Z + 500),
        ("2026-11-20T14:00:00,25+08:00", nov20_0600Z + 250),
        ("2026-11-20T14:00:00.040+08:00", nov20_0600Z + 40),
        ("2026-11-20T14:00:00.123456+08:00", nov20_0600Z + 123),
        ("2026-11-20 14:00:00.5", nov20_0600Z + 500),
        ("2026-11-20T14:00:00+0800", nov20_0600Z),
        ("2026-11-20T14:00:00+08", nov20_0600Z),
        ("2026-11-20T14:00+08:00", nov20_0600Z),
        ("2026-11-20T01:00:00-05:00", nov20_0600Z),
        ("2026-11-20T11:30:00+05:30", nov20_0600Z),
        ("2026-11-20T06:00:00+00:00", nov20_0600Z),
        ("  2026-11-20 14:00  ", nov20_0600Z),
    ])
    func parse(_ text: String, _ ms: Int64) throws {
        #expect(try TimeFormat.parse(text, zone: shanghai).ms == ms)
    }

    @Test func parseWithoutOffsetUsesZone() throws {
        #expect(try TimeFormat.parse("2026-11-20 14:00", zone: utc).ms == nov20.ms + 14 * 3_600_000)
        #expect(try TimeFormat.parse("2026-11-20 14:00", zone: newYork).ms == nov20.ms + 19 * 3_600_000)
        // An explicit offset wins over the zone.
        #expect(try TimeFormat.parse("2026-11-20T14:00:00+08:00", zone: newYork).ms == nov20_0600Z)
        #expect(try TimeFormat.parse("2026-11-20T06:00:00Z", zone: newYork).ms == nov20_0600Z)
    }

    @Test func parseBareTimeOnBaseDate() throws {
        let base = CivilTime(year: 2026, month: 11, day: 20)
        #expect(try TimeFormat.parse("14:00", zone: shanghai, baseDate: base).ms == nov20_0600Z)
        #expect(try TimeFormat.parse("14:00:30", zone: shanghai, baseDate: base).ms == nov20_0600Z + 30_000)
        #expect(try TimeFormat.parse("00:00", zone: utc, baseDate: base).ms == nov20.ms)
        // The base date's own time of day is ignored.
        let baseWithTime = CivilTime(year: 2026, month: 11, day: 20, hour: 9, minute: 9, second: 9)
        #expect(try TimeFormat.parse("14:00", zone: shanghai, baseDate: baseWithTime).ms == nov20_0600Z)
    }

    @Test func parseBareTimeWithoutBaseDateIsRejected() throws {
        let e = try expectError { try TimeFormat.parse("14:00", zone: shanghai) }
        #expect(e.kind == .usage)
        #expect(e.message.hasPrefix("invalid time '14:00': expected RFC 3339"))
        #expect(e.message.contains("(read in Asia/Shanghai)"))
    }

    @Test(arguments: [
        "yesterday", "", "2026/11/20", "2026-11-20T14", "2026-1120", "2026-11-20T14:00:00+8",
        "2026-11-20T14:00:00+24:00", "2026-11-20T14:00:00+08:60", "2026-11-20T14:00:00+08:00x",
        "2026-11-20T14:00:00.", "2026-11-20T14:00:00Zx", "2026-11-20 14:00 CST", "14h00",
        "2026-11-20X14:00", "2026-11-20T1400:00",
    ])
    func parseRejectsGarbage(_ text: String) throws {
        let base = CivilTime(year: 2026, month: 11, day: 20)
        let e = try expectError { try TimeFormat.parse(text, zone: shanghai, baseDate: base) }
        #expect(e.kind == .usage)
        #expect(e.message.hasPrefix("invalid time '\(text)': expected RFC 3339"))
    }

    @Test(arguments: ["2026-02-30 10:00", "2026-02-29", "2026-13-01", "2026-11-20 24:00", "2026-11-20T14:60:00Z", "2026-11-20T14:00:61Z"])
    func parseRejectsImpossibleDates(_ text: String) throws {
        let e = try expectError { try TimeFormat.parse(text, zone: shanghai) }
        #expect(e.kind == .usage)
        #expect(e.message == "invalid time '\(text)': no such date or time")
    }

    @Test func parseRejectsImpossibleBareTime() throws {
        let base = CivilTime(year: 2026, month: 11, day: 20)
        let e = try expectError { try TimeFormat.parse("25:00", zone: shanghai, baseDate: base) }
        #expect(e.message == "invalid time '25:00': no such date or time")
    }

    @Test func parseErrorNamesTheOption() throws {
        let e = try expectError { try TimeFormat.parse("soon", zone: newYork, option: "--from") }
        #expect(e.kind == .usage)
        #expect(e.message.hasPrefix("invalid --from 'soon':"))
        #expect(e.message.contains("(read in America/New_York)"))
    }

    @Test func parseInDSTFoldTakesEarlierReading() throws {
        // 01:30 on 2026-11-01 is read twice in New York; the doc of CivilTime.instant(in:)
        // promises the earlier reading, EDT (-04:00), i.e. 05:30Z.
        let i = try TimeFormat.parse("2026-11-01 01:30", zone: newYork)
        #expect(i.ms == 1_793_511_000_000)
        #expect(TimeFormat.rfc3339(i, in: newYork) == "2026-11-01T01:30:00-04:00")
        // Just after the fold, 02:30 exists once, at -05:00.
        #expect(try TimeFormat.parse("2026-11-01 02:30", zone: newYork).ms == 1_793_518_200_000)
    }

    @Test func parseInDSTGapWithPositiveOffsetUsesOffsetBeforeGap() throws {
        // Berlin skips 02:00-03:00 on 2026-03-29; 02:30 read at +01:00 is 01:30Z, shown as 03:30 CEST.
        let berlin = TimeZone(identifier: "Europe/Berlin")!
        let i = try TimeFormat.parse("2026-03-29 02:30", zone: berlin)
        #expect(i.ms == 1_774_747_800_000)
        #expect(TimeFormat.rfc3339(i, in: berlin) == "2026-03-29T03:30:00+02:00")
    }

    @Test func rfc3339RoundTripsThroughParse() throws {
        for zone in [shanghai, utc, newYork, TimeZone(identifier: "Asia/Kolkata")!] {
            for ms in [nov20.ms, nov20.ms + 40, -1, 1_709_210_096_123] {
                let text = TimeFormat.rfc3339(Instant(ms: ms), in: zone)
                #expect(try TimeFormat.parse(text, zone: shanghai).ms == ms, "\(text)")
            }
        }
    }
}

@Suite struct DaylightSavingTests {
    let berlin = TimeZone(identifier: "Europe/Berlin")!

    @Test func gapReadsWithTheOffsetBeforeIt() throws {
        // 02:30 does not exist in New York on 2026-03-08; read at -05:00 it is 07:30Z.
        #expect(try TimeFormat.parse("2026-03-08 02:30", zone: newYork).ms == 1_772_955_000_000)
        // Berlin, 2026-03-29 02:30 read at +01:00 is 01:30Z.
        #expect(try TimeFormat.parse("2026-03-29 02:30", zone: berlin).ms == 1_774_747_800_000)
    }

    @Test func foldTakesTheEarlierReading() throws {
        // Berlin 2026-10-25 02:30 happens twice: first at +02:00 (00:30Z).
        let t = try TimeFormat.parse("2026-10-25 02:30", zone: berlin)
        #expect(TimeFormat.rfc3339(t, in: berlin) == "2026-10-25T02:30:00+02:00")
        let ny = try TimeFormat.parse("2026-11-01 01:30", zone: newYork)
        #expect(TimeFormat.rfc3339(ny, in: newYork) == "2026-11-01T01:30:00-04:00")
    }

    @Test func ordinaryTimesRoundTripAroundTransitions() throws {
        for text in ["2026-03-08 01:59", "2026-03-08 03:00", "2026-11-01 00:59", "2026-11-01 02:00"] {
            let t = try TimeFormat.parse(text, zone: newYork)
            #expect(TimeFormat.local(t, in: newYork).hasPrefix(text), "\(text)")
        }
    }
}

@Suite struct UTCOutputTests {
    @Test func utcIsWrittenWithZ() throws {
        #expect(TimeFormat.rfc3339(nov20, in: try Zones.named("UTC")) == "2026-11-20T00:00:00Z")
        #expect(TimeFormat.rfc3339(nov20 + 40, in: utc) == "2026-11-20T00:00:00.040Z")
        #expect(Zones.displayName(try Zones.named("UTC")) == "UTC")
    }
}
