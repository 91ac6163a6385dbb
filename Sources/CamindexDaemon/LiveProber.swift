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

    public init(pool: BlockingPool, deadline: Duration, transport: StreamProber.Transport = .tcp) {
        self.pool = pool
        self.deadline = deadline
        self.transport = transport
    }

    public func probe(url: String, depth: ProbeResult.Depth) async -> ProbeResult {
        let flag = CancelFlag()
        let (deadline, transport) = (self.deadline, self.transport)
        return await withTaskCancellationHandler {
            await pool.run { StreamProber.probe(url: url, depth: depth, deadline: deadline, transport: transport, cancel: flag) }
        } onCancel: {
            flag.cancel()
        }
    }
}
