import CamindexCore
import CamindexIndexer
import CamindexStore
import CamindexTestSupport
import Foundation
import Synchronization
import Testing

/// Issue 15, the indexer's part: a bad timestamp never becomes footage, no segment ends after
/// its file was written or runs longer than the limit, and two indexers on one store read each
/// file once. Times are 2026-11-20 in Asia/Shanghai (UTC+8).
@Suite struct TimestampBoundsTests {
    let dir = TempDir("bounds")
    let store: Store
    /// 2026-11-20T08:00:00+08:00
    let eight: Int64 = 1_795_132_800_000
    let day: Int64 = 86_400_000

    init() throws {
        store = try Store.inMemory()
        try Self.registry(store)
    }

    static func registry(_ store: Store) throws {
        _ = try store.addRegion(code: RegionCode("620723"), name: "临泽县")
        _ = try store.addRegion(code: RegionCode("620723100"), name: "沙河镇")
    }

    func camera(_ id: String, in store: Store? = nil) throws -> Camera {
        let cam = Camera(id: id, name: id, regionCode: "620723100", recordings: dir.file(id), at: Instant(ms: 0))
        try (store ?? self.store).addCamera(cam)
        try FileManager.default.createDirectory(atPath: dir.file(id), withIntermediateDirectories: true)
        return cam
    }

    func windows(_ id: String, gap: Int64 = 0) throws -> [Interval] {
        try store.windows(cameraID: id, range: Interval(startMs: eight - 2 * day, endMs: eight + 2000 * day), maxGapMs: gap).map(\.interval)
    }

    func iv(_ s: Int64, _ e: Int64) -> Interval { Interval(startMs: eight + s * 1000, endMs: eight + e * 1000) }

    /// The reproduction: the third packet's PTS 83,500 s late. Before, the TS claimed
    /// 23 hours of the day and the MKV 88 windows over 87 days.
    @Test(arguments: ["ts", "mkv", "mp4", "flv"])
    func oneBadPTSClaimsOnlyTheFootageThereIs(_ ext: String) throws {
        let id = "fuzz-\(ext)"
        let cam = try camera(id)
        try Footage.make(dir.file("source.mp4"), .init(seconds: 8))
        try Footage.retime(dir.file("source.mp4"), to: dir.file("\(id)/20261120_080000.\(ext)"), pts: "if(eq(N,2),PTS+83500/TB,PTS)")
        for verify in [false, true] {
            var options = IndexOptions()
            options.verify = verify
            let report = try Indexer(store: store, options: options).indexRecordings(of: cam)
            #expect(report.failures.isEmpty && report.clipped == 0)
            #expect(try windows(id) == [iv(0, 8)], "verify \(verify)")
            let summary = try store.footageSummary(cameraID: id)
            #expect(summary.coveredMs == 8000 && summary.last?.ms == eight + 8000)
            #expect(summary.badTimestamps == 1, "the dropped packet is counted")
            #expect(try store.storedFiles(cameraID: id).map(\.badTimestamps) == [1])
            #expect(try store.badTimestampCounts() == [id: 1])
        }
    }

    @Test func noSegmentEndsAfterItsFileWasWritten() throws {
        let cam = try camera("mtime")
        let early = dir.file("mtime/20261120_080000.mp4"), future = dir.file("mtime/20261120_090000.mp4")
        try Footage.make(early, .init(seconds: 10))
        try Footage.make(future, .init(seconds: 10))
        // The first file was last written 4 s after the time in its name: it cannot hold 10 s.
        try Footage.setMtime(early, Date(timeIntervalSince1970: Double(eight + 4000) / 1000))
        // The second is named an hour after it was last written: it holds nothing we can place.
        try Footage.setMtime(future, Date(timeIntervalSince1970: Double(eight) / 1000))

        // The default slack (60 s) covers the first.
        _ = try Indexer(store: store).indexRecordings(of: cam)
        #expect(try windows("mtime") == [iv(0, 10)])

        var options = IndexOptions()
        options.mtimeSlackMs = 1000
        options.force = true
        let report = try Indexer(store: store, options: options).indexRecordings(of: cam)
        #expect(report.indexed == 2 && report.clipped == 2)
        #expect(try windows("mtime") == [iv(0, 5)])
        let k = try store.keyframes(cameraID: "mtime", at: Instant(ms: eight + 4500))
        #expect(k.atOrBefore?.time.ms == eight + 4000 && k.next == nil, "keyframes past the end are dropped too")
        let summary = try store.footageSummary(cameraID: "mtime")
        #expect(summary.segments == 2 && summary.badTimestamps == 2)
        #expect(summary.last?.ms == eight + 3_600_000, "the second ends where it starts")
    }

    @Test func aFileDatedByItsMtimeIsNotClipped() throws {
        let cam = try camera("undated")
        try Footage.make(dir.file("undated/clip.ts"), .init(seconds: 10))
        try Footage.setMtime(dir.file("undated/clip.ts"), Date(timeIntervalSince1970: Double(eight + 10_000) / 1000))
        var options = IndexOptions()
        options.mtimeSlackMs = 0
        #expect(try Indexer(store: store, options: options).indexRecordings(of: cam).clipped == 0)
        #expect(try windows("undated") == [iv(0, 10)])
    }

    @Test func segmentsLongerThanTheLimitAreClipped() throws {
        let cam = try camera("long")
        try Footage.make(dir.file("long/20261120_080000.ts"), .init(seconds: 10))
        #expect(IndexOptions().maxSegmentMs == 6 * 3_600_000)
        var options = IndexOptions()
        options.maxSegmentMs = 4000
        let report = try Indexer(store: store, options: options).indexRecordings(of: cam)
        #expect(report.clipped == 1)
        #expect(try windows("long") == [iv(0, 4)])
        #expect(try store.footageSummary(cameraID: "long").badTimestamps == 1)
    }

    /// Two indexers on one store file (the daemon and `camindex index` by hand, each with its
    /// own connection) over the same new files at the same time: each file read once.
    @Test func twoIndexersOnOneStoreReadEachFileOnce() throws {
        let path = dir.file("store.sqlite")
        let a = try Store.open(path: path, create: true)
        try Self.registry(a)
        let cam = try camera("shared", in: a)
        for k in 0..<8 {
            try Footage.make(dir.file(String(format: "shared/20261120_08%02d%02d.ts", k * 10 / 60, k * 10 % 60)), .init(seconds: 10))
        }
        let b = try Store.open(path: path, create: true)
        let reports = Mutex<[CameraIndexReport]>([])
        let errors = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { i in
            var options = IndexOptions()
            options.workers = 1
            do {
                let report = try Indexer(store: i == 0 ? a : b, options: options).indexRecordings(of: cam)
                reports.withLock { $0.append(report) }
            } catch {
                errors.withLock { $0.append("\(error)") }
            }
        }
        let all = reports.withLock { $0 }
        #expect(errors.withLock { $0 }.isEmpty)
        #expect(all.count == 2)
        #expect(all.map(\.indexed).reduce(0, +) == 8, "\(all.map { ($0.indexed, $0.busy, $0.unchanged) })")
        for r in all { #expect(r.indexed + r.busy + r.unchanged == 8) }
        #expect(try a.segmentStates(cameraID: "shared").count == 8)
        #expect(try a.windows(cameraID: "shared", range: iv(0, 100)).map(\.interval) == [iv(0, 80)])
    }
}
