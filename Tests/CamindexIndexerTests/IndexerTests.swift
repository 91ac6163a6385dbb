import CamindexCore
import CamindexIndexer
import CamindexStore
import CamindexTestSupport
import Foundation
import Testing

/// The indexer on footage made with the ffmpeg CLI: exact wall-clock windows, incremental
/// runs, damaged files. Times are 2026-11-20 in Asia/Shanghai (UTC+8).
@Suite struct IndexerTests {
    let dir = TempDir("indexer")
    let store: Store
    /// 2026-11-20T08:00:00+08:00
    let eight: Int64 = 1_795_132_800_000

    init() throws {
        store = try Store.inMemory()
        _ = try store.addRegion(code: RegionCode("620723"), name: "临泽县")
        _ = try store.addRegion(code: RegionCode("620723100"), name: "沙河镇")
    }

    func camera(_ id: String, pattern: String? = nil, pathZone: String? = nil) throws -> Camera {
        let cam = Camera(id: id, name: id, regionCode: "620723100", recordings: dir.file(id), pathPattern: pattern, pathTimezone: pathZone, at: Instant(ms: 0))
        try store.addCamera(cam)
        try FileManager.default.createDirectory(atPath: dir.file(id), withIntermediateDirectories: true)
        return cam
    }

    func windows(_ id: String, _ from: Int64, _ to: Int64, gap: Int64 = 2000) throws -> [Interval] {
        try store.windows(cameraID: id, range: Interval(startMs: from, endMs: to), maxGapMs: gap).map(\.interval)
    }

    func iv(_ s: Int64, _ e: Int64) -> Interval { Interval(startMs: eight + s * 1000, endMs: eight + e * 1000) }

    @Test func everyBuiltInFileNameLayout() throws {
        let cam = try camera("layouts")
        let names = [
            "20261120_080000.mp4", "20261120T080010.ts", "2026-11-20_08-00-20.mkv",
            "2026-11-20/08-00-30.mp4", "2026-11-20/2026-11-20-08-00-40-0.mp4", "ch01_20261120080050_20261120080100.flv",
        ]
        for (i, name) in names.enumerated() {
            try Footage.make(dir.file("layouts/\(name)"), .init(seconds: 10, codec: i == 4 ? .h265 : .h264, bframes: i == 4 ? 3 : 0))
        }
        let report = try Indexer(store: store).indexRecordings(of: cam)
        #expect(report.indexed == 6 && report.failures.isEmpty)
        // Six 10 s files back to back: one window 08:00:00–08:01:00.
        #expect(try windows("layouts", eight - 60_000, eight + 120_000, gap: 0) == [iv(0, 60)])
        let k = try store.keyframes(cameraID: "layouts", at: Instant(ms: eight + 43_500))
        #expect(k.atOrBefore?.time.ms == eight + 42_000)
        #expect(k.atOrBefore?.path.hasSuffix("2026-11-20-08-00-40-0.mp4") == true)
        #expect(k.atOrBefore?.offsetMs == 2000)
        #expect(k.next?.time.ms == eight + 44_000)
    }

    @Test func missingSegmentTruncatedFileAndNoiseLeaveExactGaps() throws {
        let cam = try camera("gaps")
        for m in 0..<6 where m != 2 {  // 08:02 never written
            try Footage.make(dir.file("gaps/20261120_080\(m)00.ts"), .init(seconds: 60, fps: 10, gop: 20))
        }
        try Footage.truncate(dir.file("gaps/20261120_080400.ts"), keeping: 0.5)
        try Footage.randomBytes(dir.file("gaps/20261120_080600.mp4"), count: 100_000)
        let report = try Indexer(store: store).indexRecordings(of: cam)
        #expect(report.indexed == 5)
        #expect(report.failures.map { ($0.path as NSString).lastPathComponent } == ["20261120_080600.mp4"])
        let w = try windows("gaps", eight, eight + 420_000)
        #expect(w.count == 3)
        #expect(w[0] == iv(0, 120))
        #expect(w[1].start.ms == eight + 180_000)
        // The truncated 08:04 file ends about half way (TS packet boundaries: within a second).
        #expect(abs(w[1].end.ms - (eight + 270_000)) < 1_500)
        #expect(w[2] == iv(300, 360))
        let errors = try store.segmentErrors(cameraID: "gaps")
        #expect(errors.count == 1 && errors[0].message.contains("not a media file"))
    }

    @Test func secondRunSkipsUnchangedRereadsChangedDropsGone() throws {
        let cam = try camera("incr")
        for m in 0..<3 { try Footage.make(dir.file("incr/20261120_080\(m)00.mp4"), .init(seconds: 60, fps: 10, gop: 20)) }
        let indexer = Indexer(store: store)
        #expect(try indexer.indexRecordings(of: cam).indexed == 3)
        let again = try indexer.indexRecordings(of: cam)
        #expect(again.indexed == 0 && again.unchanged == 3 && again.removed == 0)

        try Footage.make(dir.file("incr/20261120_080100.mp4"), .init(seconds: 30, fps: 10, gop: 20))
        try FileManager.default.removeItem(atPath: dir.file("incr/20261120_080200.mp4"))
        let third = try indexer.indexRecordings(of: cam)
        #expect(third.indexed == 1 && third.unchanged == 1 && third.removed == 1)
        #expect(try store.segmentStates(cameraID: "incr").count == 2)
        #expect(try windows("incr", eight, eight + 300_000) == [iv(0, 90)])
    }

    @Test func verifyConfirmsContainerIndexWindows() throws {
        let cam = try camera("verify")
        try Footage.make(dir.file("verify/20261120_080000.mp4"), .init(seconds: 10))
        var options = IndexOptions()
        _ = try Indexer(store: store, options: options).indexRecordings(of: cam)
        let range = Interval(startMs: eight, endMs: eight + 10_000)
        #expect(try store.windows(cameraID: "verify", range: range).map(\.verified) == [false])
        options.verify = true
        let report = try Indexer(store: store, options: options).indexRecordings(of: cam)
        #expect(report.indexed == 1 && report.verified == 1)
        #expect(try store.windows(cameraID: "verify", range: range).map(\.verified) == [true])
        #expect(try Indexer(store: store, options: options).indexRecordings(of: cam).unchanged == 1)
    }

    @Test func startFromCreationTimeThenMtime() throws {
        let cam = try camera("undated")
        try Footage.make(dir.file("undated/clip-a.mp4"), .init(seconds: 10, options: ["-metadata", "creation_time=2026-11-20T00:00:00Z"]))
        try Footage.make(dir.file("undated/clip-b.ts"), .init(seconds: 10))
        try Footage.setMtime(dir.file("undated/clip-b.ts"), Date(timeIntervalSince1970: Double(eight + 70_000) / 1000))
        _ = try Indexer(store: store).indexRecordings(of: cam)
        #expect(try windows("undated", eight - 60_000, eight + 120_000, gap: 0) == [iv(0, 10), iv(60, 70)])
        #expect(try store.footageSummary(cameraID: "undated").lowConfidence == 1)
        #expect(try store.timeQuality(["undated"], range: iv(55, 65)) == ["undated": .init(sources: [.mtime: 1])])
        #expect(try store.timeQuality(["undated"], range: iv(0, 5)) == ["undated": .init(sources: [.creationTime: 1])])
    }

    /// Files without a time in their names, stamped as GStreamer's mp4mux stamps them: the
    /// creation time (whole seconds) about a GOP after each file's first frame. The first file
    /// keeps its creation time; each later one starts where the one before ended.
    @Test func creationTimesAGOPLateAreChainedToThePreviousFile() throws {
        let cam = try camera("chain")
        // Three 4 s files recorded back to back from 08:00:00.4; GOP 2 s; each stamped 2 s or
        // so after its first frame, truncated to the second (unchained: 08:00:02–06, 07–11,
        // 11–15, a hole and an overlap that are not there).
        for (i, stamp) in ["08:00:02", "08:00:07", "08:00:11"].enumerated() {
            try Footage.make(dir.file("chain/clip-\(i).mp4"),
                             .init(seconds: 4, options: ["-metadata", "creation_time=2026-11-20T\(stamp)+08:00"]))
        }
        // And one recorded after a real 20 s pause: its creation time stands.
        try Footage.make(dir.file("chain/clip-3.mp4"), .init(seconds: 4, options: ["-metadata", "creation_time=2026-11-20T08:00:34+08:00"]))
        let report = try Indexer(store: store).indexRecordings(of: cam)
        #expect(report.indexed == 4 && report.failures.isEmpty)
        #expect(try windows("chain", eight - 60_000, eight + 120_000, gap: 0) == [iv(2, 14), iv(34, 38)])
        let q = try store.timeQuality(["chain"], range: iv(0, 60))["chain"]
        #expect(q?.sources == [.creationTime: 2, .chained: 2])
        #expect(q?.lowConfidence == false)
        #expect(try store.keyframes(cameraID: "chain", at: Instant(ms: eight + 11_000)).atOrBefore?.timeSource == .chained)
        #expect(try store.keyframes(cameraID: "chain", at: Instant(ms: eight + 3_000)).atOrBefore?.timeSource == .creationTime)
        #expect(try store.footageSummary(cameraID: "chain").timeSources == [.creationTime: 2, .chained: 2])

        // A later run chains a new file to one indexed before.
        try Footage.make(dir.file("chain/clip-4.mp4"), .init(seconds: 4, options: ["-metadata", "creation_time=2026-11-20T08:00:39+08:00"]))
        #expect(try Indexer(store: store).indexRecordings(of: cam).indexed == 1)
        #expect(try windows("chain", eight - 60_000, eight + 120_000, gap: 0) == [iv(2, 14), iv(34, 42)])
    }

    @Test func frigateLayoutInUTC() throws {
        let cam = try camera("frigate", pattern: "%Y-%m-%d/%H/<camera>/%M.%S.mp4", pathZone: "UTC")
        // 00:00:10 UTC is 08:00:10 in Shanghai.
        try Footage.make(dir.file("frigate/2026-11-20/00/front_door/00.10.mp4"), .init(seconds: 10))
        try Footage.make(dir.file("frigate/2026-11-20/00/front_door/00.20.mp4"), .init(seconds: 10))
        _ = try Indexer(store: store).indexRecordings(of: cam)
        #expect(try windows("frigate", eight, eight + 60_000) == [iv(10, 30)])
    }

    @Test func timestampJumpInsideAFileIsAGap() throws {
        let cam = try camera("jump")
        let a = dir.file("a.ts"), b = dir.file("b.ts")
        try Footage.make(a, .init(seconds: 4))
        try Footage.make(b, .init(seconds: 4, options: ["-output_ts_offset", "10"]))
        var bytes = try Data(contentsOf: URL(fileURLWithPath: a))
        bytes.append(try Data(contentsOf: URL(fileURLWithPath: b)))
        try bytes.write(to: URL(fileURLWithPath: dir.file("jump/20261120_080000.ts")))
        _ = try Indexer(store: store).indexRecordings(of: cam)
        #expect(try windows("jump", eight, eight + 60_000) == [iv(0, 4), iv(10, 14)])
    }

    @Test func growingTempFilesAreNotIndexed() throws {
        let cam = try camera("zlm")
        try Footage.make(dir.file("zlm/2026-11-20/2026-11-20-08-00-00-0.mp4"), .init(seconds: 4))
        try Footage.make(dir.file("zlm/2026-11-20/.2026-11-20-08-00-04-0.mp4"), .init(seconds: 4))
        try Data("notes".utf8).write(to: URL(fileURLWithPath: dir.file("zlm/readme.txt")))
        let report = try Indexer(store: store).indexRecordings(of: cam)
        // The hidden temp file is counted and listed as still being written, never read.
        #expect(report.files == 2 && report.indexed == 1 && report.pending == 1 && report.failures.isEmpty)
        #expect(report.inProgress.map(\.path) == [dir.file("zlm/2026-11-20/.2026-11-20-08-00-04-0.mp4")])
    }

    @Test func explicitFilesForOneCamera() throws {
        let cam = try camera("usb")
        let outside = TempDir("export")
        try Footage.make(outside.file("20261120_080000.mp4"), .init(seconds: 5))
        let report = try Indexer(store: store).indexFiles([outside.file("20261120_080000.mp4"), outside.file("gone.mp4")], of: cam)
        #expect(report.indexed == 1)
        #expect(report.failures.map(\.error) == ["no such file"])
        #expect(try windows("usb", eight, eight + 60_000) == [iv(0, 5)])
        // A later scan of the camera's own directory leaves files indexed from elsewhere alone.
        #expect(try Indexer(store: store).indexRecordings(of: cam).removed == 0)
        #expect(try windows("usb", eight, eight + 60_000) == [iv(0, 5)])
    }
}
