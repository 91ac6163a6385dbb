import CamindexCore
import CamindexService
import Logging
import ServiceLifecycle

/// Builds the daemon's services and runs them until SIGTERM or SIGINT.
public struct Daemon {
    public struct Config: Sendable {
        public var probe = ProbeLoop.Config()
        public var recordings = RecordingLoop.Config()
        public var deadline: Duration = .seconds(10)
        public var transport: StreamTransport = .tcp
        /// The county's export policy, written into the store once the lock is held.
        public var requireReason = false
        /// Inventory files imported at start and on SIGHUP, and where their relative
        /// `recordings` paths point.
        public var inventory: [String] = []
        public var recordingsRoot: String?
        /// Publishes the county's changes to its province after each probe interval
        /// (`--publish`); returns a summary for the log.
        public var publish: PublishLoop.Publish?
        /// More services to run in the daemon's group (the HTTP API of `--http`).
        public var services: [any Service] = []

        public init() {}
    }

    public let service: IndexService
    public let config: Config
    public let logger: Logger

    public init(service: IndexService, config: Config, logger: Logger) {
        self.service = service
        self.config = config
        self.logger = logger
    }

    public func run() async throws {
        let stats = DaemonStats()
        let clock = service.clock
        // Probes block in FFmpeg: one thread per concurrent probe, plus one for indexing.
        let pool = BlockingPool(threads: config.probe.concurrency + 1)
        // Store reads and writes of the probe loop and the inventory reload: one thread, as
        // SQLite has one writer. Opening (and migrating) the store happens there too.
        let storeThread = BlockingPool(threads: 1, name: "camindex.store")
        defer {
            pool.shutdown()
            storeThread.shutdown()
        }
        // One daemon per store: a second one would probe every camera and index every file
        // again. Nothing is written before the lock is held.
        let storePath = try await storeThread.perform { [service] in try service.storePath() }
        let lock = try storePath.map { try DaemonLock(storePath: $0) }
        defer { lock?.release() }
        try await storeThread.perform { [service, config] in try service.setRequiresReason(config.requireReason) }
        var services: [any Service] = []
        if !config.inventory.isEmpty {
            let reloader = InventoryReloader(service: service, paths: config.inventory, recordingsRoot: config.recordingsRoot,
                                             thread: storeThread, logger: logger)
            guard await reloader.reload() else {
                throw CamindexError.usage("the inventory given with --inventory has errors (see above)", code: .inventoryInvalid)
            }
            services.append(reloader)
        }
        let prober = FFmpegLiveProber(pool: pool, deadline: config.deadline, transport: config.transport, clock: clock)
        services.append(ProbeLoop(service: service, storeThread: storeThread, prober: prober, clock: clock, config: config.probe, stats: stats, logger: logger))
        if storePath != nil { services.append(StoreCheckLoop(service: service, clock: clock, logger: logger)) }
        services.append(RecordingLoop(service: service, pool: pool, clock: clock, config: config.recordings, stats: stats, logger: logger))
        if let publish = config.publish {
            services.append(PublishLoop(intervalMs: config.probe.schedule.intervalMs, publish: publish, logger: logger))
        }
        services += config.services
        let group = ServiceGroup(configuration: .init(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        logger.notice("daemon started", metadata: [
            "store": "\(storePath ?? ":memory:")", "interval_s": "\(config.probe.schedule.intervalMs / 1000)",
            "concurrency": "\(config.probe.concurrency)",
        ])
        try await group.run()
        logger.notice("daemon stopped")
    }
}
