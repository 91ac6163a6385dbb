import CamindexCore
@testable import CamindexDaemon
import CamindexService
import CamindexStore
import CamindexTestSupport
import Foundation
import Logging
import Testing

/// The recording loop's passes without the service group: a scan indexes settled files and
/// leaves fresh ones, closed files are indexed at once, retention drops old rows.
@Suite struct RecordingLoopTests {
    let dir = TempDir("recording-loop")
    // 2026-11-20 08:10 +08:00, ten minutes after the files' path times.
    let now = Instant(ms: 1_795_133_400_000)

    func setUp(settleMs: Int64, retainDays: Int? = nil) throws -> (Store, RecordingLoop, BlockingPool) {
        let store = try Store.inMemory(clock: FixedClock(now))
        _ = try store.addRegion(code: RegionCode("620723"), name: "临泽县")
        _ = try store.addRegion(code: RegionCode("620723100"), name: "沙河镇")
        try store.addCamera(Camera(id: "cam-1", name: "cam", regionCode: "620723100", recordings: dir.path, at: now))
        var config = RecordingLoop.Config()
        config.settleMs = settleMs
        config.verify = false
        config.watch = false
        config.retainDays = retainDays
        let pool = BlockingPool(threads: 1)
        let loop = RecordingLoop(service: IndexService(store: store, caller: .osUser()), pool: pool, clock: FixedClock(now), config: config, stats: DaemonStats(),
                                 logger: Logger(label: "RecordingLoopTests", factory: { _ in SwiftLogNoOpLogHandler() }))
        return (store, loop, pool)
    }

    func file(_ name: String, modifiedMsBeforeNow: Int64) throws -> String {
        let path = dir.file(name)
        try Footage.make(path, .init(seconds: 2))
        try Footage.setMtime(path, Date(timeIntervalSince1970: Double(now.ms - modifiedMsBeforeNow) / 1000))
        return path
    }

    @Test func scanIndexesSettledFilesAndLeavesFreshOnes() async throws {
        let (store, loop, pool) = try setUp(settleMs: 15_000)
        defer { pool.shutdown() }
        let settled = try file("20261120_080000.mp4", modifiedMsBeforeNow: 60_000)
        let fresh = try file("20261120_080500.mp4", modifiedMsBeforeNow: 5_000)
        let scanned = await loop.scanOnce()
        #expect(scanned.map(\.id) == ["cam-1"])
        let states = try store.segmentStates(cameraID: "cam-1")
        #expect(states[settled] != nil && states[settled]?.failed == false)
        #expect(states[fresh] == nil, "a file modified within the settle time is still being written")
        // 08:00:00 in Asia/Shanghai, two seconds of footage.
        let w = try store.windows(cameraID: "cam-1", range: Interval(startMs: now.ms - 600_000, endMs: now.ms))
        #expect(w.map(\.interval) == [Interval(startMs: now.ms - 600_000, endMs: now.ms - 598_000)])
    }

    @Test func closedFilesAreIndexedWithoutWaitingForTheScan() async throws {
        let (store, loop, pool) = try setUp(settleMs: 15_000)
        defer { pool.shutdown() }
        let closed = try file("20261120_080500.mp4", modifiedMsBeforeNow: 1_000)
        await loop.indexClosed([closed, dir.file("notes.txt")])
        #expect(try store.segmentStates(cameraID: "cam-1").keys.sorted() == [closed])
    }

    @Test func retentionDropsRowsOlderThanTheLimit() async throws {
        let (store, loop, pool) = try setUp(settleMs: 0, retainDays: 1)
        defer { pool.shutdown() }
        let old = try file("20261118_080000.mp4", modifiedMsBeforeNow: 2 * 86_400_000)
        let recent = try file("20261120_080000.mp4", modifiedMsBeforeNow: 60_000)
        await loop.scanOnce()
        let states = try store.segmentStates(cameraID: "cam-1")
        #expect(states[recent] != nil)
        #expect(states[old] == nil, "indexed, then dropped by retention in the same pass")
        #expect(FileManager.default.fileExists(atPath: old), "files are never touched")
    }

    @Test func settledDayDirectoriesAreNotListedAgainUntilTheyChange() async throws {
        let (store, loop, pool) = try setUp(settleMs: 15_000)
        defer { pool.shutdown() }
        let memory = loop.listingMemory.index
        let fm = FileManager.default
        let elsewhere = TempDir("recording-loop-source")
        let source = elsewhere.file("source.mp4")
        try Footage.make(source, .init(seconds: 2))
        let day19 = dir.file("20261119"), day20 = dir.file("20261120")
        func add(_ day: String, _ name: String, modifiedMsBeforeNow age: Int64) throws -> String {
            let path = "\(day)/\(name)"
            try fm.createDirectory(atPath: day, withIntermediateDirectories: true)
            try fm.copyItem(atPath: source, toPath: path)
            try Footage.setMtime(path, Date(timeIntervalSince1970: Double(now.ms - age) / 1000))
            return path
        }
        /// Dates a directory before the settle time, as a day directory left alone is (each time
        /// a little later, as a change does).
        var changes: Int64 = 0
        func age(_ day: String) throws {
            changes += 1
            try Footage.setMtime(day, Date(timeIntervalSince1970: Double(now.ms - 300_000 + changes * 1_000) / 1000))
        }
        /// Directories read and skipped by one scan; the files the store then holds.
        func scan() async throws -> (read: Int, skipped: Int, files: [String]) {
            let (read, skipped) = (memory.listedDirectories, memory.skippedDirectories)
            await loop.scanOnce()
            let files = try store.segmentStates(cameraID: "cam-1").keys.map { String($0.dropFirst(dir.path.count + 1)) }.sorted()
            return (memory.listedDirectories - read, memory.skippedDirectories - skipped, files)
        }
        _ = try add(day19, "20261119_080000.mp4", modifiedMsBeforeNow: 86_400_000)
        let deleted = try add(day19, "20261119_090000.mp4", modifiedMsBeforeNow: 82_800_000)
        _ = try add(day20, "20261120_070000.mp4", modifiedMsBeforeNow: 3_600_000)
        try age(day19)
        try age(day20)
        let all = ["20261119/20261119_080000.mp4", "20261119/20261119_090000.mp4", "20261120/20261120_070000.mp4"]

        // The camera's directory (not a leaf) and both days are read; then only the camera's.
        var r = try await scan()
        #expect(r.read == 3 && r.skipped == 0 && r.files == all)
        r = try await scan()
        #expect(r.read == 1 && r.skipped == 2 && r.files == all, "unchanged days are not listed, their rows kept")

        // A file added to a day changes its mtime: that day is read again, the other is not.
        // The new file is still being written: the day stays unsettled, read at every scan.
        let fresh = try add(day20, "20261120_080000.mp4", modifiedMsBeforeNow: 5_000)
        try age(day20)
        r = try await scan()
        #expect(r.read == 2 && r.skipped == 1 && r.files == all)
        r = try await scan()
        #expect(r.read == 2 && r.skipped == 1, "a day with a file still being written is read again, mtime unchanged")

        // Once its file settles and is indexed, the day is skipped again.
        try Footage.setMtime(fresh, Date(timeIntervalSince1970: Double(now.ms - 60_000) / 1000))
        r = try await scan()
        #expect(r.read == 2 && r.skipped == 1 && r.files == all + ["20261120/20261120_080000.mp4"])
        r = try await scan()
        #expect(r.read == 1 && r.skipped == 2 && r.files.count == 4)

        // A file deleted from a skipped day: its mtime changes, the row goes.
        try fm.removeItem(atPath: deleted)
        try age(day19)
        r = try await scan()
        #expect(r.read == 2 && r.skipped == 1 && !r.files.contains("20261119/20261119_090000.mp4") && r.files.count == 3)

        // A day directory whose own mtime is within the settle time is not remembered.
        r = try await scan()
        #expect(r.read == 1 && r.skipped == 2)
        _ = try add(day19, "20261119_100000.mp4", modifiedMsBeforeNow: 80_000_000)
        try Footage.setMtime(day19, Date(timeIntervalSince1970: Double(now.ms - 1_000) / 1000))
        r = try await scan()
        #expect(r.read == 2 && r.files.count == 4)
        r = try await scan()
        #expect(r.read == 2 && r.skipped == 1, "changed 1 s ago: it may change again within the same mtime")

        // A whole day removed (retention on the recorder): its rows go too.
        try fm.removeItem(atPath: day19)
        r = try await scan()
        #expect(r.files == ["20261120/20261120_070000.mp4", "20261120/20261120_080000.mp4"])
    }

    @Test func aStoppedPoolFailsAtOnce() async throws {
        let pool = BlockingPool(threads: 1)
        pool.shutdown()
        await #expect(throws: BlockingPool.Stopped.self) { try await pool.run { 1 } }
    }
}
