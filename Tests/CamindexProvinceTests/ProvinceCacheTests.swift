import CamindexCore
import CamindexProvince
import CamindexService
import CamindexStore
import CamindexTestSupport
import Foundation
import Testing

/// Footage answers kept on a province: given again while no county published a change they
/// were read from, read again after a publish that brought one (a file of that day, a camera
/// renamed), not after one that did not (a file of another day).
@Suite struct ProvinceCacheTests {
    let dir = TempDir("province-cache")

    @Test func aKeptAnswerLastsUntilAPublishChangesWhatItWasReadFrom() throws {
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let fixture = try CountyFixture.make(code: "620723", name: "临泽县", latShift: 0, footage: try CountyFixture.sharedFootage(), in: dir)
        try CountyFixture.check(["--db", fixture.db, "publish", "--to", url])
        let province = try IndexService.open(url, access: .read, caller: Caller(name: "shell"))
        let day = FootageQuery(selector: .region("620723"), from: "2026-11-20 00:00", to: "2026-11-20 23:59")
        func covered() throws -> [String: Int64] {
            Dictionary(uniqueKeysWithValues: try province.footage(day).cameras.map { ($0.camera.id, $0.coveredMs) })
        }
        let first = try covered()
        #expect(first[fixture.recorded[0]] == 21_000)
        #expect(try covered() == first && province.answers.held.served == 1)

        let store = try Store.open(path: fixture.db, create: false)
        func save(_ local: String, minutes: Int64) throws {
            let start = try TimeFormat.parse(local, zone: try Zones.named("Asia/Shanghai")).ms, end = start + minutes * 60_000
            try store.saveSegment(cameraID: fixture.recorded[1], SegmentRecord(
                path: "/srv/\(start).mp4", size: 1000, mtimeMs: end, startMs: start, endMs: end, startSource: .path,
                container: "mov", codec: "h264", width: 640, height: 360, fps: 25, firstPtsMs: 0,
                keyframeOffsetsMs: [0], method: "scan", verified: true, truncated: false, damagedKeyframes: 0,
                runs: [Interval(startMs: start, endMs: end)]))
            try CountyFixture.check(["--db", fixture.db, "publish", "--to", url])
        }
        // Three days on: the day's answer stays.
        try save("2026-11-23 10:00", minutes: 10)
        #expect(try covered() == first && province.answers.held.served == 2)
        // That day: read again, with it.
        try save("2026-11-20 16:00", minutes: 10)
        #expect(try covered()[fixture.recorded[1]] == first[fixture.recorded[1]]! + 600_000)
        #expect(province.answers.held.served == 2)
        // A camera renamed: the registry's counter.
        var camera = try #require(try store.camera(id: fixture.recorded[0]))
        camera.name = "西关路口（改）"
        try store.updateCamera(camera)
        try CountyFixture.check(["--db", fixture.db, "publish", "--to", url])
        #expect(try province.footage(day).cameras.first { $0.camera.id == fixture.recorded[0] }?.camera.name == "西关路口（改）")
        #expect(province.answers.held.served == 2)
    }
}
