import Testing
@testable import CamindexCore

private let nov20_0800 = CivilTime(year: 2026, month: 11, day: 20, hour: 8)

@Suite struct BuiltInPathTimestampTests {
    @Test(arguments: [
        "/rec/cam1/20261120_080000.mp4",
        "/rec/cam1/20261120T080000.mp4",
        "/rec/cam1/20261120080000.mp4",
        "/rec/cam1/20261120-080000.mp4",
        "/rec/cam1/2026-11-20_08-00-00.mp4",
        "/rec/cam1/2026-11-20T08:00:00.mp4",
        "/rec/cam1/2026-11-20 08.00.00.ts",
        "/rec/cam1/2026-11-20/08-00-00.mp4",
        "/opt/media/bin/www/record/live/cam1/2026-11-20/2026-11-20-08-00-00-0.mp4",
        "/rec/ch01_20261120080000_20261120090000.mp4",
        "/rec/62072300001320000001/20261120_080000.mp4",
        "/rec/62072300001320000001/ch01_20261120080000_20261120090000.mp4",
        "20261120_080000.mp4",
        "/rec/cam1/20261120_080000.mp4/",
    ])
    func readsStartTime(_ path: String) {
        #expect(PathTimestamp.builtIn.civilTime(inPath: path) == nov20_0800)
    }

    @Test func readsSecondsAndLeapDay() {
        #expect(PathTimestamp.builtIn.civilTime(inPath: "/rec/cam1/20240229_235959.mp4")
            == CivilTime(year: 2024, month: 2, day: 29, hour: 23, minute: 59, second: 59))
        #expect(PathTimestamp.builtIn.civilTime(inPath: "/live/cam1/2026-11-20/2026-11-20-13-45-07-3.mp4")
            == CivilTime(year: 2026, month: 11, day: 20, hour: 13, minute: 45, second: 7))
    }

    @Test(arguments: [
        "/rec/cam1/clip.mp4",
        "/rec/cam1/2026-11-20.mp4",
        "/rec/cam1/202611200800.mp4",
        "/rec/cam1/20261340_080000.mp4",
        "/rec/cam1/2026-13-40_08-00-00.mp4",
        "/rec/cam1/20260230_080000.mp4",
        "/rec/cam1/20261120_250000.mp4",
        "/rec/62072300001320000001/clip.mp4",
        "/rec/cam1/120261120_080000.mp4",
        "/rec/cam1/20261120_0800001.mp4",
        // Only the last two components are read.
        "/rec/2026-11-20_08-00-00/cam1/clip.mp4",
        "",
    ])
    func noTimestamp(_ path: String) {
        #expect(PathTimestamp.builtIn.civilTime(inPath: path) == nil)
    }

    @Test func builtInHasNoPattern() {
        #expect(PathTimestamp.builtIn.pattern == nil)
    }
}

@Suite struct CustomPathTimestampTests {
    @Test func frigateLayout() throws {
        let p = try PathTimestamp(pattern: "%Y-%m-%d/%H/<camera>/%M.%S.mp4")
        #expect(p.pattern == "%Y-%m-%d/%H/<camera>/%M.%S.mp4")
        #expect(p.civilTime(inPath: "/media/frigate/recordings/2026-11-20/08/front_door/15.30.mp4")
            == CivilTime(year: 2026, month: 11, day: 20, hour: 8, minute: 15, second: 30))
        // Relative paths match too; the pattern is anchored at a component boundary.
        #expect(p.civilTime(inPath: "2026-11-20/08/front_door/15.30.mp4")
            == CivilTime(year: 2026, month: 11, day: 20, hour: 8, minute: 15, second: 30))
        // The '.' is literal, `<camera>` is exactly one component, the pattern runs to the end.
        #expect(p.civilTime(inPath: "/recordings/2026-11-20/08/front_door/15x30.mp4") == nil)
        #expect(p.civilTime(inPath: "/recordings/2026-11-20/08/front/door/15.30.mp4") == nil)
        #expect(p.civilTime(inPath: "/recordings/2026-11-20/08/front_door/15.30.mp4.tmp") == nil)
        #expect(p.civilTime(inPath: "/recordings/x2026-11-20/08/front_door/15.30.mp4") == nil)
        // A match naming an impossible time reads as nothing.
        #expect(p.civilTime(inPath: "/recordings/2026-02-30/08/front_door/15.30.mp4") == nil)
        #expect(p.civilTime(inPath: "/recordings/2026-11-20/08/front_door/61.30.mp4") == nil)
    }

    @Test func hourOnlyPatternDefaultsMinutesAndSeconds() throws {
        let p = try PathTimestamp(pattern: "%Y/%m/%d/%H.mp4")
        #expect(p.civilTime(inPath: "/rec/cam1/2026/11/20/08.mp4") == nov20_0800)
        #expect(p.civilTime(inPath: "/rec/cam1/2026/11/20/8.mp4") == nil)
    }

    @Test func wildcardAndLiterals() throws {
        let p = try PathTimestamp(pattern: "cam_*/%Y%m%d_%H%M%S*.mp4")
        #expect(p.civilTime(inPath: "/x/cam_front/20261120_080000-part1.mp4") == nov20_0800)
        #expect(p.civilTime(inPath: "/x/cam_/20261120_080000.mp4") == nov20_0800)
        #expect(p.civilTime(inPath: "/x/camfront/20261120_080000.mp4") == nil)

        let percent = try PathTimestamp(pattern: "%%%Y%m%d %H%M%S.ts")
        #expect(percent.civilTime(inPath: "/x/%20261120 080000.ts") == nov20_0800)
        #expect(percent.civilTime(inPath: "/x/20261120 080000.ts") == nil)
    }

    @Test func patternsCompareByText() throws {
        #expect(try PathTimestamp(pattern: "%Y%m%d%H.mp4") == PathTimestamp(pattern: "%Y%m%d%H.mp4"))
        #expect(try PathTimestamp(pattern: "%Y%m%d%H.mp4") != PathTimestamp(pattern: "%Y%m%d%H.ts"))
        #expect(try PathTimestamp(pattern: "%Y%m%d%H.mp4") != PathTimestamp.builtIn)
    }

    @Test func unknownFieldIsRejected() throws {
        let e = try expectError { try PathTimestamp(pattern: "%Y%m%d%H%Q.mp4") }
        #expect(e.kind == .usage)
        #expect(e.message == "invalid path pattern '%Y%m%d%H%Q.mp4': unknown field %Q; use %Y %m %d %H %M %S")
    }

    @Test(arguments: ["%Y-%m-%d/%M-%S.mp4", "%m-%d/%H.mp4", "%Y-%d/%H.mp4", "%Y-%m/%H.mp4", "clip.mp4", ""])
    func missingRequiredFieldIsRejected(_ pattern: String) throws {
        let e = try expectError { try PathTimestamp(pattern: pattern) }
        #expect(e.kind == .usage)
        #expect(e.message == "invalid path pattern '\(pattern)': it needs %Y, %m, %d and %H")
    }

    @Test func unterminatedNameIsRejected() throws {
        let e = try expectError { try PathTimestamp(pattern: "%Y-%m-%d/%H/<camera/%M.mp4") }
        #expect(e.kind == .usage)
        #expect(e.message == "invalid path pattern '%Y-%m-%d/%H/<camera/%M.mp4': '<' without '>'")
    }

    @Test func trailingPercentIsRejected() throws {
        let e = try expectError { try PathTimestamp(pattern: "%Y%m%d%H%") }
        #expect(e.kind == .usage)
        #expect(e.message == "invalid path pattern '%Y%m%d%H%': it ends with '%'")
    }
}
