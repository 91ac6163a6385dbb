import CamindexCore
import CamindexService
import CamindexStore
import Testing

/// The use cases over an in-memory store: selection, footage windows and gaps, keyframes,
/// status; errors compared by code.
@Suite struct QueriesTests {
    // 2026-11-20 08:00 +08:00.
    static let t0 = Instant(ms: 1_795_132_800_000)
    let clock = FixedClock(Instant(ms: 1_795_132_800_000 + 86_400_000))

    func store() throws -> Store {
        let store = try Store.inMemory(clock: clock)
        _ = try store.addRegion(code: RegionCode("620723"), name: "临泽县")
        _ = try store.addRegion(code: RegionCode("620723100"), name: "沙河镇")
        _ = try store.addRegion(code: RegionCode("620723101"), name: "新华镇")
        for (id, region, lat) in [("cam-a", "620723100", 39.14), ("cam-b", "620723100", 39.15), ("cam-c", "620723101", 40.0)] {
            try store.addCamera(Camera(id: id, name: id, regionCode: region, recordings: "/srv/\(id)", lat: lat, lon: 100.16, at: clock.now()))
        }
        // cam-a: 08:00–08:10 and 08:20–08:30 (a gap of 10 minutes), keyframes every 2 s.
        for (start, path) in [(Self.t0.ms, "/srv/cam-a/0800.mp4"), (Self.t0.ms + 1_200_000, "/srv/cam-a/0820.mp4")] {
            try store.saveSegment(cameraID: "cam-a", SegmentRecord(
                path: path, size: 1000, mtimeMs: start + 600_000, startMs: start, endMs: start + 600_000, startSource: .path,
                container: "mov", codec: "h264", width: 640, height: 360, fps: 25, firstPtsMs: 0,
                keyframeOffsetsMs: Array(stride(from: 0, to: 600_000, by: 2000)), method: "scan", verified: true,
                truncated: false, damagedKeyframes: 0, runs: [Interval(startMs: start, endMs: start + 600_000)]))
        }
        return store
    }

    @Test func regionSelectionIncludesDescendantsOnly() throws {
        let q = Queries(reader: try store(), clock: clock)
        #expect(try q.select(.region("沙河镇")).cameras.map(\.id) == ["cam-a", "cam-b"])
        #expect(try q.select(.region("620723")).cameras.map(\.id) == ["cam-a", "cam-b", "cam-c"])
        #expect(try q.select(.near(Coordinate(lat: 39.14, lon: 100.16), radiusM: 2000)).cameras.map(\.id) == ["cam-a", "cam-b"])
    }

    @Test func footageWindowsGapsAndCoverage() throws {
        let q = Queries(reader: try store(), clock: clock)
        var query = FootageQuery(selector: .cameras(["cam-a", "cam-b"]), from: "2026-11-20 08:00", to: "2026-11-20 09:00")
        query.maxGapMs = 2000
        let answer = try q.footage(query)
        #expect(answer.range == Interval(startMs: Self.t0.ms, endMs: Self.t0.ms + 3_600_000))
        let a = answer.cameras[0]
        #expect(a.windows.map(\.interval) == [Interval(startMs: Self.t0.ms, endMs: Self.t0.ms + 600_000),
                                              Interval(startMs: Self.t0.ms + 1_200_000, endMs: Self.t0.ms + 1_800_000)])
        #expect(a.gaps == [Interval(startMs: Self.t0.ms + 600_000, endMs: Self.t0.ms + 1_200_000),
                           Interval(startMs: Self.t0.ms + 1_800_000, endMs: Self.t0.ms + 3_600_000)])
        #expect(a.coveredMs == 1_200_000 && a.verified && !a.lowConfidence)
        #expect(answer.cameras[1].windows.isEmpty && answer.cameras[1].coveredMs == 0)
        #expect(answer.regions.keys.sorted() == ["620723", "620723100"])
    }

    @Test func bareTimesTakeTheirDateFromDateSpec() throws {
        let q = Queries(reader: try store(), clock: clock)
        let answer = try q.footage(FootageQuery(selector: .cameras(["cam-a"]), from: "08:05", to: "08:25", date: "yesterday"))
        #expect(answer.range == Interval(startMs: Self.t0.ms + 300_000, endMs: Self.t0.ms + 1_500_000))
    }

    @Test func errorsCarryCodes() throws {
        let q = Queries(reader: try store(), clock: clock)
        #expect(throws: CamindexError(.usage, "", code: .regionUnknown)) { try q.select(.region("no such town")) }
        #expect(throws: CamindexError(.usage, "", code: .cameraUnknown)) { try q.select(.cameras(["nope"])) }
        #expect(throws: CamindexError(.usage, "", code: .rangeEmpty)) {
            try q.footage(FootageQuery(selector: .cameras(["cam-a"]), from: "2026-11-20 09:00", to: "2026-11-20 08:00"))
        }
        #expect(throws: CamindexError(.runtime, "", code: .footageNone)) { try q.keyframe(cameraID: "cam-a", at: "2026-11-20 08:15") }
    }

    @Test func keyframeAtOrBefore() throws {
        let q = Queries(reader: try store(), clock: clock)
        let k = try q.keyframe(cameraID: "cam-a", at: "2026-11-20 08:00:05")
        #expect(k.keyframe.time == Self.t0 + 4000 && k.keyframe.offsetMs == 4000 && k.keyframe.path == "/srv/cam-a/0800.mp4")
        #expect(k.next?.time == Self.t0 + 6000)
    }

    @Test func statusCountsCamerasAndIndex() throws {
        let s = try Queries(reader: try store(), clock: clock).status()
        #expect(s.enabledCameras == 3 && s.liveCameras == 0 && s.heartbeat == nil)
        #expect(s.index == IndexTotals(segments: 2, failed: 0, unverified: 0))
    }
}
