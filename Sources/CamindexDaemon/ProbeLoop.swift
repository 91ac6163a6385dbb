import CamindexCore
import CamindexService
import Foundation
import Logging
import ServiceLifecycle

/// Probes every enabled camera with a live URL on its schedule, with bounded concurrency,
/// records results in batches, and writes the heartbeat once per interval.
public final class ProbeLoop: Service, Sendable {
    public struct Config: Sendable {
        public var schedule = ProbeSchedule.Config()
        public var concurrency = 32
        /// How often the camera list is re-read from the store (CLI changes, SIGHUP imports).
        public var refreshMs: Int64 = 30_000

        public init() {}
    }

    let service: IndexService
    /// Where store reads and writes run: SQLite calls block, so never on the cooperative pool.
    let storeThread: BlockingPool
    let prober: any LiveProber
    let clock: any WallClock
    let config: Config
    let stats: DaemonStats
    let logger: Logger
    let random: @Sendable (Int64) -> Int64

    public init(service: IndexService, storeThread: BlockingPool, prober: any LiveProber, clock: any WallClock, config: Config, stats: DaemonStats,
                logger: Logger, random: @escaping @Sendable (Int64) -> Int64 = { Int64.random(in: 0..<max(1, $0)) }) {
        self.service = service
        self.storeThread = storeThread
        self.prober = prober
        self.clock = clock
        self.config = config
        self.stats = stats
        self.logger = logger
        self.random = random
    }

    private enum Event: Sendable {
        case probed(cameraID: String, depth: ProbeResult.Depth, result: ProbeResult)
        case tick
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown { [self] in try await loop() }
    }

    private func loop() async throws {
        var schedule = ProbeSchedule(config: config.schedule)
        var cameras: [String: Camera] = [:]
        var regions: [String: String] = [:]
        var lastRefresh: Int64?
        var cycleStart = clock.now()
        var pending: [(cameraID: String, result: ProbeResult)] = []
        // Each camera's last picture signature, for the frozen-picture check; read once from the
        // store (the previous full probe may be from before a restart), then kept here.
        var signatures: [String: [UInt8]]?
        var inFlight = 0
        var ticking = false

        func flush() async {
            guard !pending.isEmpty else { return }
            do {
                let batch = pending
                let changed = try await storeThread.perform { [service] in try service.recordProbes(batch) }
                let nowMs = clock.now().ms
                for (id, result) in pending {
                    if changed.contains(id) {
                        schedule.stateChanged(cameraID: id, by: result.depth, nowMs: nowMs)
                        var meta: Logger.Metadata = ["camera": "\(id)", "region": "\(regions[id] ?? "")"]
                        if let e = result.error { meta["error"] = "\(e.rawValue)" }
                        logger.notice(result.ok ? "camera online" : "camera offline", metadata: meta)
                    }
                }
            } catch {
                logger.error("cannot record probe results", metadata: ["error": "\(error)"])
            }
            pending.removeAll()
        }

        try await withThrowingTaskGroup(of: Event.self) { group in
            defer { group.cancelAll() }
            while !Task.isCancelled {
                let now = clock.now()
                if lastRefresh.map({ now.ms - $0 >= config.refreshMs }) ?? true {
                    lastRefresh = now.ms
                    do {
                        let all = try await storeThread.perform { [service] in try service.enabledCameras() }.filter { $0.url != nil }
                        cameras = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0) })
                        regions = Dictionary(uniqueKeysWithValues: all.map { ($0.id, $0.regionCode) })
                        schedule.sync(cameraIDs: cameras.keys, nowMs: now.ms, random: random)
                    } catch {
                        logger.error("cannot read the camera list", metadata: ["error": "\(error)"])
                    }
                }
                if now.ms - cycleStart.ms >= config.schedule.intervalMs {
                    await flush()
                    await writeHeartbeat(started: cycleStart, ended: now, cameras: cameras.count, on: storeThread)
                    cycleStart = now
                }
                for (id, depth) in schedule.takeDue(nowMs: now.ms, limit: config.concurrency - inFlight) {
                    guard let url = cameras[id]?.url else { continue }
                    inFlight += 1
                    group.addTask { [prober] in
                        .probed(cameraID: id, depth: depth, result: await prober.probe(url: url, depth: depth))
                    }
                }
                if !ticking {
                    // Wake for the next due camera, the next heartbeat, or to flush results. A camera
                    // already due waits for a free slot: a finishing probe wakes the loop.
                    let nextDue = schedule.nextDueMs.map { $0 > now.ms ? $0 : now.ms + 1000 } ?? Int64.max
                    let wake = min(nextDue, cycleStart.ms + config.schedule.intervalMs, now.ms + 1000)
                    ticking = true
                    group.addTask { [clock] in
                        try await clock.sleep(until: Instant(ms: max(wake, now.ms)))
                        return .tick
                    }
                }
                let next: Event?
                do { next = try await group.next() } catch is CancellationError { break }
                guard let event = next else { break }
                switch event {
                case .tick:
                    ticking = false
                    await flush()
                case .probed(let id, let depth, var result):
                    inFlight -= 1
                    // A probe cut short by shutdown says nothing about the camera.
                    if Task.isCancelled { break }
                    if let picture = result.picture {
                        if signatures == nil {
                            do { signatures = try await storeThread.perform { [service] in try service.pictureSignatures() } } catch {
                                logger.error("cannot read picture signatures", metadata: ["error": "\(error)"])
                            }
                        }
                        result.judgePicture(cameras[id]?.pictureThresholds ?? PictureThresholds(), previousSignature: signatures?[id])
                        signatures?[id] = picture.signature
                        if let faults = result.quality, !faults.isEmpty {
                            logger.notice("picture fault", metadata: ["camera": "\(id)", "region": "\(regions[id] ?? "")",
                                                                      "faults": "\(faults.map(\.fault.rawValue).joined(separator: ","))"])
                        }
                    }
                    stats.add { $0.probes += 1; if !result.ok { $0.probeFailures += 1 } }
                    schedule.completed(cameraID: id, depth: depth, ok: result.ok, nowMs: clock.now().ms, random: random)
                    pending.append((id, result))
                    if pending.count >= 64 { await flush() }
                }
            }
        }
        // Results in hand are kept; the heartbeat stays that of the last whole cycle.
        await flush()
    }

    private func writeHeartbeat(started: Instant, ended: Instant, cameras: Int, on storeThread: BlockingPool) async {
        let c = stats.take()
        let beat = Heartbeat(pid: Int(ProcessInfo.processInfo.processIdentifier), started: started, ended: ended,
                             cameras: cameras, probes: c.probes, probeFailures: c.probeFailures,
                             filesIndexed: c.filesIndexed, filesFailed: c.filesFailed)
        do {
            try await storeThread.perform { [service] in try service.writeHeartbeat(beat) }
        } catch {
            logger.error("cannot write the heartbeat", metadata: ["error": "\(error)"])
        }
        logger.info("cycle", metadata: ["cameras": "\(cameras)", "probes": "\(c.probes)", "failures": "\(c.probeFailures)",
                                        "files_indexed": "\(c.filesIndexed)", "files_failed": "\(c.filesFailed)"])
    }
}
