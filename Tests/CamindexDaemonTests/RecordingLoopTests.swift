import CamindexCore
@testable import CamindexDaemon
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
        let loop = RecordingLoop(store: store, pool: pool, clock: FixedClock(now), config: config, stats: DaemonStats(),
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

    @Test func aStoppedPoolFailsAtOnce() async throws {
        let pool = BlockingPool(threads: 1)
        pool.shutdown()
        await #expect(throws: BlockingPool.Stopped.self) { try await pool.run { 1 } }
    }
}
