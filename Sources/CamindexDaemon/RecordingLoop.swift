import CamindexCore
import CamindexService
import Foundation
import Logging
import ServiceLifecycle

/// Keeps the recordings index current: a file is indexed as soon as its writer closes it or it
/// is renamed into place (inotify); every scan interval, each camera's directory is indexed
/// incrementally as well (the code of `camindex index`) with files still being written left
/// until they settle, and day directories found settled before and unchanged since not listed
/// again (`ListingMemory`); container-index windows are then verified by a packet scan, and rows
/// past the retention are dropped.
public final class RecordingLoop: Service, Sendable {
    public struct Config: Sendable {
        public var scanIntervalMs: Int64 = 60_000
        public var settleMs: Int64 = 15_000
        public var verify = true
        public var retainDays: Int?
        public var fileTimeout: Duration = .seconds(60)
        /// The longest a segment may claim (`IndexOptions.maxSegmentMs`).
        public var maxSegmentMs: Int64 = IndexOptions().maxSegmentMs
        /// Index closed files at once (inotify) between scans.
        public var watch = true

        public init() {}
    }

    let service: IndexService
    let pool: BlockingPool
    let clock: any WallClock
    let config: Config
    let stats: DaemonStats
    let logger: Logger
    /// What the periodic scan's indexing and verifying passes found settled, per directory:
    /// unchanged day directories are not listed again.
    public let listingMemory = (index: ListingMemory(), verify: ListingMemory())
    /// Set on graceful shutdown: the indexer stops between files, and inside a file's read, so
    /// that the daemon stops within a second or two however many files are pending.
    let stopping = CancelFlag()

    public init(service: IndexService, pool: BlockingPool, clock: any WallClock, config: Config, stats: DaemonStats, logger: Logger) {
        self.service = service
        self.pool = pool
        self.clock = clock
        self.config = config
        self.stats = stats
        self.logger = logger
    }

    public func run() async throws {
        let watcher = config.watch ? RecordingWatcher() : nil
        if config.watch && watcher == nil { logger.notice("inotify unavailable: recordings are found by the periodic scan only") }
        defer { watcher?.stop() }
        try await cancelWhenGracefulShutdown { [self] in
            try await withTaskCancellationHandler { try await loop(watcher) } onCancel: { stopping.cancel() }
        }
    }

    private func loop(_ watcher: RecordingWatcher?) async throws {
        var nextScan = clock.now()
        while !Task.isCancelled {
            if clock.now() >= nextScan {
                let started = clock.now()
                let cameras = await scanOnce()
                for dir in cameras.compactMap(\.recordings) where watcher?.watch(dir) == false {
                    logger.warning("cannot watch a recordings directory (inotify limit?); the scan still covers it", metadata: ["dir": "\(dir)"])
                }
                nextScan = started + config.scanIntervalMs
            }
            if let files = watcher?.takePending(), !files.isEmpty { await indexClosed(files) }
            // Closed files are picked up within half a second.
            do { try await clock.sleep(until: min(nextScan, clock.now() + (watcher == nil ? config.scanIntervalMs : 500))) } catch { return }
        }
    }

    /// Indexes files their writers have closed, for the cameras whose directories hold them.
    func indexClosed(_ files: [String]) async {
        let segments = files.filter(IndexService.isSegmentFile)
        guard !segments.isEmpty, let cameras = try? await pool.perform({ [service] in try service.enabledCameras() }).filter({ $0.recordings != nil }) else {
            return
        }
        var options = IndexOptions()
        options.timeout = config.fileTimeout
        options.workers = 1
        options.maxSegmentMs = config.maxSegmentMs
        options.recoverUnfinished = false
        options.cancel = stopping
        for camera in cameras {
            let prefix = camera.recordings!.hasSuffix("/") ? camera.recordings! : camera.recordings! + "/"
            let mine = segments.filter { $0.hasPrefix(prefix) }
            guard !mine.isEmpty else { continue }
            do {
                let report = try await pool.perform { [service, logger, options] in try service.indexFiles(mine, of: camera, options: options, logger: logger) }
                stats.add { $0.filesIndexed += report.indexed; $0.filesFailed += report.failures.count }
                logger.info("indexed closed files", metadata: ["camera": "\(camera.id)", "region": "\(camera.regionCode)", "files": "\(report.indexed)"])
            } catch {
                logger.error("cannot index", metadata: ["camera": "\(camera.id)", "region": "\(camera.regionCode)", "error": "\(error)"])
            }
        }
    }

    /// One pass over every camera; returns early (between files) when cancelled. Returns the
    /// cameras scanned.
    @discardableResult
    public func scanOnce() async -> [Camera] {
        let cameras: [Camera]
        do { cameras = try await pool.perform { [service] in try service.enabledCameras() }.filter { $0.recordings != nil } } catch {
            logger.error("cannot read the camera list", metadata: ["error": "\(error)"])
            return []
        }
        var fast = IndexOptions()
        fast.settleMs = config.settleMs
        fast.timeout = config.fileTimeout
        fast.workers = 1
        fast.maxSegmentMs = config.maxSegmentMs
        fast.checkPathZone = false
        // Closed files come from inotify; growing ones are not read every pass.
        fast.readRecentFiles = false
        fast.cancel = stopping
        var verify = fast
        verify.verify = true
        fast.memory = listingMemory.index
        verify.memory = listingMemory.verify
        for camera in cameras {
            if Task.isCancelled { return cameras }
            let passes = config.verify ? [fast, verify] : [fast]
            for pass in passes.indices {
                if stopping.isCancelled { return cameras }
                let options = passes[pass]
                do {
                    let report = try await pool.perform { [service, logger] in try service.indexRecordings(of: camera, options: options, logger: logger) }
                    // The verify pass re-reads files the first pass counted.
                    if pass == 0 {
                        stats.add { $0.filesIndexed += report.indexed; $0.filesFailed += report.failures.count - report.unchangedFailures }
                    }
                    if report.indexed > 0 || report.removed > 0 {
                        logger.info("indexed", metadata: ["camera": "\(camera.id)", "region": "\(camera.regionCode)",
                                                          "files": "\(report.indexed)", "removed": "\(report.removed)",
                                                          "verified": "\(report.verified)", "pending": "\(report.pending)"])
                    }
                } catch {
                    logger.error("cannot index", metadata: ["camera": "\(camera.id)", "region": "\(camera.regionCode)", "error": "\(error)"])
                }
            }
        }
        if let days = config.retainDays, !stopping.isCancelled {
            do {
                let cutoff = clock.now() - Int64(days) * 86_400_000
                let dropped = try await pool.perform { [service] in try service.applyRetention(before: cutoff) }
                if dropped.segments > 0 { logger.info("retention", metadata: ["segments": "\(dropped.segments)", "probes": "\(dropped.probes)"]) }
            } catch {
                logger.error("retention failed", metadata: ["error": "\(error)"])
            }
        }
        return cameras
    }
}
