import CamindexCore
import CamindexIndexer
import CamindexMedia
import CamindexStore
import Foundation
import Logging

/// What the daemon's loops ask of the county store and the indexer. Every call blocks (SQLite,
/// file reads): the loops run them on their blocking pools, never on the cooperative pool.
extension IndexService {
    /// Enabled cameras, by ID.
    public func enabledCameras() throws -> [Camera] { try countyStore().cameras() }

    /// Records a batch of probe results; returns the cameras whose online state changed.
    public func recordProbes(_ batch: [(cameraID: String, result: ProbeResult)]) throws -> Set<String> {
        try countyStore().recordProbes(batch)
    }

    /// Each camera's last picture signature, for the frozen-picture check.
    public func pictureSignatures() throws -> [String: [UInt8]] { try countyStore().pictureSignatures() }

    public func writeHeartbeat(_ beat: Heartbeat) throws { try countyStore().writeHeartbeat(beat) }

    /// Indexes `paths` (files its writer closed) as footage of `camera`.
    public func indexFiles(_ paths: [String], of camera: Camera, options: IndexOptions, logger: Logger) throws -> CameraIndexReport {
        try coded { try Indexer(store: try countyStore(), options: options, logger: logger).indexFiles(paths, of: camera) }
    }

    /// Indexes `camera`'s recordings directory incrementally.
    public func indexRecordings(of camera: Camera, options: IndexOptions, logger: Logger) throws -> CameraIndexReport {
        try coded { try Indexer(store: try countyStore(), options: options, logger: logger).indexRecordings(of: camera) }
    }

    /// SQLite's quick check of the store: the problems found (empty when sound). Found damaged,
    /// the store takes no more writes and is marked so (health goes CRITICAL); found sound, an
    /// earlier mark goes.
    public func quickCheckStore() throws -> [String] {
        let store = try countyStore()
        let problems = try store.quickCheck()
        if let first = problems.first { store.markDamaged("quick_check: " + first) } else { store.clearDamage() }
        return problems
    }

    /// Drops index rows, probes and online windows older than `cutoff`.
    public func applyRetention(before cutoff: Instant) throws -> (segments: Int, probes: Int) {
        try countyStore().applyRetention(before: cutoff)
    }

    /// Whether `path` has the extension of a segment file NVRs and media servers write.
    public static func isSegmentFile(_ path: String) -> Bool {
        Indexer.segmentExtensions.contains((path as NSString).pathExtension.lowercased())
    }

    /// The county store's file, for the daemon's lock beside it (nil in memory).
    public func storePath() throws -> String? { try countyStore().path }
}

/// The real prober: FFmpeg on the blocking pool, under the deadline; cancelling the task stops
/// the probe within milliseconds.
public struct FFmpegLiveProber: LiveProber {
    public let pool: BlockingPool
    public let deadline: Duration
    public let transport: StreamTransport
    public let clock: any WallClock

    public init(pool: BlockingPool, deadline: Duration, transport: StreamTransport = .tcp, clock: any WallClock = SystemClock()) {
        self.pool = pool
        self.deadline = deadline
        self.transport = transport
        self.clock = clock
    }

    public func probe(url: String, depth: ProbeResult.Depth) async -> ProbeResult {
        let flag = CancelFlag()
        let (deadline, transport, clock) = (self.deadline, self.transport, self.clock)
        return await withTaskCancellationHandler {
            do {
                return try await pool.run {
                    StreamProber.probe(url: url, depth: depth, deadline: deadline, transport: transport, cancel: flag, clock: clock)
                }
            } catch {
                return ProbeResult(at: clock.now(), depth: depth, ok: false, error: .other, message: "cancelled: the daemon is stopping", durationMs: 0)
            }
        } onCancel: {
            flag.cancel()
        }
    }
}

/// FFmpeg's own log lines go to `logger` (redacted); `verbose` lets its debug lines through.
public enum MediaLogging {
    public static func install(logger: Logger, verbose: Bool) { FFmpegLog.install(logger: logger, verbose: verbose) }
}
