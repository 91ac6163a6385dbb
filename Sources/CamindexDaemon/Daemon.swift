import CamindexCore
import CamindexMedia
import CamindexStore
import Logging
import ServiceLifecycle

/// Builds the daemon's services and runs them until SIGTERM or SIGINT.
public struct Daemon {
    public struct Config: Sendable {
        public var probe = ProbeLoop.Config()
        public var recordings = RecordingLoop.Config()
        public var deadline: Duration = .seconds(10)
        public var transport: StreamProber.Transport = .tcp
        public var inventory: InventoryImport?
        /// Publishes the county's changes to its province after each probe interval
        /// (`--publish`); returns a summary for the log.
        public var publish: (@Sendable () throws -> String)?

        public init() {}
    }

    public let store: Store
    public let config: Config
    public let logger: Logger

    public init(store: Store, config: Config, logger: Logger) {
        self.store = store
        self.config = config
        self.logger = logger
    }

    public func run() async throws {
        // One daemon per store: a second one would probe every camera and index every file again.
        let lock = try store.path.map { try DaemonLock(storePath: $0) }
        defer { lock?.release() }
        let clock = store.clock
        let stats = DaemonStats()
        // Probes block in FFmpeg: one thread per concurrent probe, plus one for indexing.
        let pool = BlockingPool(threads: config.probe.concurrency + 1)
        // Store reads and writes of the probe loop: one thread, as SQLite has one writer.
        let storeThread = BlockingPool(threads: 1, name: "camindex.store")
        defer {
            pool.shutdown()
            storeThread.shutdown()
        }
        var services: [any Service] = []
        if let inventory = config.inventory {
            let reloader = InventoryReloader(importer: inventory, store: store, logger: logger)
            guard reloader.reload() else { throw CamindexError.usage("the inventory given with --inventory has errors (see above)", code: .inventoryInvalid) }
            services.append(reloader)
        }
        let prober = FFmpegLiveProber(pool: pool, deadline: config.deadline, transport: config.transport, clock: clock)
        services.append(ProbeLoop(store: store, storeThread: storeThread, prober: prober, clock: clock, config: config.probe, stats: stats, logger: logger))
        services.append(RecordingLoop(store: store, pool: pool, clock: clock, config: config.recordings, stats: stats, logger: logger))
        if let publish = config.publish {
            services.append(PublishLoop(intervalMs: config.probe.schedule.intervalMs, publish: publish, logger: logger))
        }
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.notice("daemon started", metadata: [
            "store": "\(store.path ?? ":memory:")", "interval_s": "\(config.probe.schedule.intervalMs / 1000)",
            "concurrency": "\(config.probe.concurrency)",
        ])
        try await group.run()
        logger.notice("daemon stopped")
    }
}
