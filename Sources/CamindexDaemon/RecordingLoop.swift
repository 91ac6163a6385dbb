import CamindexCore
import CamindexIndexer
import CamindexStore
import Foundation
import Logging
import ServiceLifecycle

/// Keeps the recordings index current: every scan interval, each camera's directory is
/// indexed incrementally (the code of `camindex index`), files still being written are left
/// until they settle, container-index windows are then verified by a packet scan, and rows
/// past the retention are dropped.
public final class RecordingLoop: Service, Sendable {
    public struct Config: Sendable {
        public var scanIntervalMs: Int64 = 60_000
        public var settleMs: Int64 = 15_000
        public var verify = true
        public var retainDays: Int?
        public var fileTimeout: Duration = .seconds(60)

        public init() {}
    }

    let store: Store
    let pool: BlockingPool
    let clock: any DaemonClock
    let config: Config
    let stats: DaemonStats
    let logger: Logger

    public init(store: Store, pool: BlockingPool, clock: any DaemonClock, config: Config, stats: DaemonStats, logger: Logger) {
        self.store = store
        self.pool = pool
        self.clock = clock
        self.config = config
        self.stats = stats
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                let started = clock.now()
                await scanOnce()
                do { try await clock.sleep(until: started + config.scanIntervalMs) } catch { return }
            }
        }
    }

    /// One pass over every camera; returns early (between files) when cancelled.
    public func scanOnce() async {
        let cameras: [Camera]
        do { cameras = try store.cameras().filter { $0.recordings != nil } } catch {
            logger.error("cannot read the camera list", metadata: ["error": "\(error)"])
            return
        }
        var fast = Indexer.Options()
        fast.settleMs = config.settleMs
        fast.timeout = config.fileTimeout
        fast.workers = 1
        var verify = fast
        verify.verify = true
        for camera in cameras {
            if Task.isCancelled { return }
            let passes = config.verify ? [fast, verify] : [fast]
            for pass in passes.indices {
                let options = passes[pass]
                let indexer = Indexer(store: store, options: options, logger: logger)
                let result: Result<CameraIndexReport, any Error> = await pool.run {
                    Result { try indexer.indexRecordings(of: camera) }
                }
                switch result {
                case let .success(report):
                    // The verify pass re-reads files the first pass counted.
                    if pass == 0 {
                        stats.add { $0.filesIndexed += report.indexed; $0.filesFailed += report.failures.count - report.unchangedFailures }
                    }
                    if report.indexed > 0 || report.removed > 0 {
                        logger.info("indexed", metadata: ["camera": "\(camera.id)", "region": "\(camera.regionCode)",
                                                          "files": "\(report.indexed)", "removed": "\(report.removed)",
                                                          "verified": "\(report.verified)", "pending": "\(report.pending)"])
                    }
                case let .failure(error):
                    logger.error("cannot index", metadata: ["camera": "\(camera.id)", "region": "\(camera.regionCode)", "error": "\(error)"])
                }
            }
        }
        if let days = config.retainDays {
            do {
                let dropped = try store.applyRetention(before: clock.now() - Int64(days) * 86_400_000)
                if dropped.segments > 0 { logger.info("retention", metadata: ["segments": "\(dropped.segments)", "probes": "\(dropped.probes)"]) }
            } catch {
                logger.error("retention failed", metadata: ["error": "\(error)"])
            }
        }
    }
}
