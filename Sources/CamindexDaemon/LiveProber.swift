import CamindexCore
import CamindexMedia

/// Probes one camera. The seam between the daemon's scheduling and FFmpeg.
public protocol LiveProber: Sendable {
    func probe(url: String, depth: ProbeResult.Depth) async -> ProbeResult
}

/// The real prober: FFmpeg on the blocking pool, under the deadline; cancelling the task stops
/// the probe within milliseconds.
public struct FFmpegLiveProber: LiveProber {
    public let pool: BlockingPool
    public let deadline: Duration
    public let transport: StreamProber.Transport
    public let clock: any WallClock

    public init(pool: BlockingPool, deadline: Duration, transport: StreamProber.Transport = .tcp, clock: any WallClock = SystemClock()) {
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
