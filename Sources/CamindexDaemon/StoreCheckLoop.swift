import CamindexCore
import CamindexService
import Logging
import ServiceLifecycle

/// SQLite's quick check of the store, at start and then daily, on a reader of its own (the
/// other loops go on writing meanwhile). A store found damaged takes no more writes (probes
/// and reads go on, their writes refused and logged) and health goes CRITICAL until a check
/// finds it sound.
public final class StoreCheckLoop: Service, Sendable {
    let service: IndexService
    let clock: any WallClock
    let intervalMs: Int64
    let logger: Logger

    public init(service: IndexService, clock: any WallClock, intervalMs: Int64 = 86_400_000, logger: Logger) {
        self.service = service
        self.clock = clock
        self.intervalMs = intervalMs
        self.logger = logger
    }

    public func run() async throws {
        let thread = BlockingPool(threads: 1, name: "camindex.quick-check")
        defer { thread.shutdown() }
        try await cancelWhenGracefulShutdown { [self] in
            while !Task.isCancelled {
                let started = ContinuousClock.now
                do {
                    let problems = try await thread.perform { [service] in try service.quickCheckStore() }
                    let took = ContinuousClock.now - started
                    if problems.isEmpty {
                        logger.info("store quick check: sound", metadata: ["seconds": "\(took.components.seconds)"])
                    } else {
                        logger.critical("store damaged: writing stopped (probes and reads go on); run 'camindex check'",
                                        metadata: ["problem": "\(problems[0])", "problems": "\(problems.count)"])
                    }
                } catch {
                    logger.error("store quick check failed", metadata: ["error": "\(error)"])
                }
                do { try await clock.sleep(until: clock.now() + intervalMs) } catch { return }
            }
        }
    }
}
