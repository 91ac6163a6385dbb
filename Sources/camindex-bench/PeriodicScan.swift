import ArgumentParser
import CamindexCore
import CamindexDaemon
import CamindexService
import CamindexStore
import Foundation
import Logging

/// The daemon's periodic scan (`RecordingLoop.scanOnce`, both passes: index and verify) over a
/// store whose cameras' recordings are already indexed and verified: the first scan of a
/// fresh loop lists every directory (what each scan cost before directories were
/// remembered); the following ones skip the settled, unchanged day directories.
struct PeriodicScan: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "periodic-scan",
        abstract: "Time RecordingLoop.scanOnce over an indexed store: a fresh loop's first scan, then repeated scans.")

    @Option var db: String
    @Option(help: "Scans after the first.") var runs = 3
    @Option(help: "Settle time (ms), as the daemon's default.") var settleMs: Int64 = 15_000

    func run() async throws {
        let store = try Store.open(path: db, create: false)
        var config = RecordingLoop.Config()
        config.settleMs = settleMs
        config.watch = false
        let pool = BlockingPool(threads: 1)
        defer { pool.shutdown() }
        let stats = DaemonStats()
        let loop = RecordingLoop(service: IndexService(store: store, caller: .osUser()), pool: pool, clock: SystemClock(), config: config, stats: stats,
                                 logger: Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() }))
        let clock = ContinuousClock()
        var times: [Double] = []
        var listed: [Int] = [], skipped: [Int] = []
        for _ in 0...runs {
            let (l0, s0) = (loop.listingMemory.index.listedDirectories, loop.listingMemory.index.skippedDirectories)
            let t0 = clock.now
            await loop.scanOnce()
            times.append((ms(clock.now - t0) * 10).rounded() / 10)
            listed.append(loop.listingMemory.index.listedDirectories - l0)
            skipped.append(loop.listingMemory.index.skippedDirectories - s0)
        }
        let cameras = try store.cameras().count
        printJSON([
            "cameras": cameras, "segments": try store.indexTotals().segments,
            "scan_ms": times, "dirs_listed_per_scan": listed, "dirs_skipped_per_scan": skipped,
            "files_indexed": stats.take().filesIndexed,
        ])
    }
}
