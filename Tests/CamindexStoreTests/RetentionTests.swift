import CamindexCore
import CamindexStore
import Testing

@Suite struct RetentionTests {
    @Test func dropsOldRowsKeepsRecentOnesAndTheLastFullProbe() throws {
        let store = try Store.inMemory()
        _ = try store.addRegion(code: RegionCode("620723"), name: "临泽县")
        _ = try store.addRegion(code: RegionCode("620723100"), name: "沙河镇")
        try store.addCamera(Camera(id: "cam", name: "cam", regionCode: "620723100", url: "rtsp://127.0.0.1/x", at: Instant(ms: 0)))
        let day: Int64 = 86_400_000
        let now: Int64 = 1_795_132_800_000
        for d in 0..<10 {
            let start = now - Int64(d) * day - 3_600_000
            try store.saveSegment(cameraID: "cam", Fixtures.segment("/rec/\(d).mp4", start: start, end: start + 600_000))
        }
        var full = ProbeResult(at: Instant(ms: now - 9 * day), depth: .full, ok: true, durationMs: 900)
        full.codec = "h264"
        try store.recordProbes([("cam", full)])
        try store.recordProbes([("cam", ProbeResult(at: Instant(ms: now - 8 * day), depth: .light, ok: false, error: .timeout, durationMs: 10))])
        try store.recordProbes([("cam", ProbeResult(at: Instant(ms: now - day), depth: .light, ok: true, durationMs: 10))])

        let dropped = try store.applyRetention(before: Instant(ms: now - 7 * day))
        #expect(dropped.segments == 3)  // days 7, 8, 9
        #expect(try store.storedFiles(cameraID: "cam").count == 7)
        #expect(try store.windows(cameraID: "cam", range: Interval(startMs: now - 10 * day, endMs: now - 7 * day)).isEmpty)
        #expect(try store.windows(cameraID: "cam", range: Interval(startMs: now - 7 * day, endMs: now)).count == 7)
        // The failed probe went; the last full probe stays (its figures are still the latest).
        #expect(dropped.probes == 1)
        #expect(try store.probeHistory(cameraID: "cam").map(\.depth) == [.light, .full])
        #expect(try store.liveStates()["cam"]?.lastFullProbe?.codec == "h264")
        #expect(try store.windowsMatchRuns(cameraID: "cam"))
    }
}
