/// Probes one camera. The seam between the daemon's scheduling and FFmpeg: the service layer
/// gives the real one, tests a scripted one.
public protocol LiveProber: Sendable {
    func probe(url: String, depth: ProbeResult.Depth) async -> ProbeResult
}
