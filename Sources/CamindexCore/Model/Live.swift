/// Where a probed camera stands.
public struct CameraLiveState: Sendable, Hashable {
    public enum State: String, Sendable { case online, offline }

    public var cameraID: String
    public var state: State
    public var since: Instant
    /// The latest probe of either depth (its own figures only where it measured them).
    public var lastProbe: ProbeResult
    /// The latest successful full probe: codec, resolution, frame rate, GOP, clock.
    public var lastFullProbe: ProbeResult?
    public var consecutiveFailures: Int

    /// `lastProbe` as the state row keeps it (its outcome only); when it is the full probe,
    /// that probe's figures stand for it.
    public init(cameraID: String, state: State, since: Instant, lastProbe: ProbeResult, lastFullProbe: ProbeResult?, consecutiveFailures: Int) {
        self.cameraID = cameraID; self.state = state; self.since = since
        self.lastProbe = lastFullProbe.flatMap { $0.at == lastProbe.at ? $0 : nil } ?? lastProbe
        self.lastFullProbe = lastFullProbe; self.consecutiveFailures = consecutiveFailures
    }
}

/// What health and the KPI report read of an enabled camera and its live state: the registry
/// facts they count by and the last full probe's verdicts, without the probes' other figures
/// (a province reads this for ~50,000 cameras a check).
public struct CameraStanding: Sendable, Hashable {
    public var id: String
    public var name: String
    public var regionCode: String
    public var timezone: String
    /// Has a live URL / a recordings directory.
    public var live: Bool
    public var records: Bool
    /// nil: never probed.
    public var state: CameraLiveState.State?
    public var since: Instant?
    /// The last full probe delivered video with a known codec and resolution.
    public var validVideo: Bool
    public var clockOffsetS: Double?
    /// The last full probe's picture verdicts (nil: not judged) and when it ran.
    public var quality: [PictureVerdict]?
    public var qualityAt: Instant?

    public init(id: String, name: String, regionCode: String, timezone: String, live: Bool, records: Bool,
                state: CameraLiveState.State?, since: Instant?, validVideo: Bool, clockOffsetS: Double?,
                quality: [PictureVerdict]?, qualityAt: Instant?) {
        self.id = id; self.name = name; self.regionCode = regionCode; self.timezone = timezone; self.live = live
        self.records = records; self.state = state; self.since = since; self.validVideo = validVideo
        self.clockOffsetS = clockOffsetS; self.quality = quality; self.qualityAt = qualityAt
    }

    public init(camera c: Camera, state s: CameraLiveState?) {
        let full = s?.lastFullProbe
        self.init(id: c.id, name: c.name, regionCode: c.regionCode, timezone: c.timezone, live: c.url != nil, records: c.recordings != nil,
                  state: s?.state, since: s?.since, validVideo: full.map { $0.ok && $0.codec != nil && ($0.width ?? 0) > 0 } ?? false,
                  clockOffsetS: full?.clockOffsetS, quality: full?.quality, qualityAt: full?.quality == nil ? nil : full?.at)
    }
}

/// One row of the daemon's heartbeat: what one probe interval did.
public struct Heartbeat: Sendable, Hashable {
    public var pid: Int
    public var started: Instant
    public var ended: Instant
    public var cameras: Int
    public var probes: Int
    public var probeFailures: Int
    public var filesIndexed: Int
    public var filesFailed: Int

    public init(pid: Int, started: Instant, ended: Instant, cameras: Int, probes: Int, probeFailures: Int, filesIndexed: Int, filesFailed: Int) {
        self.pid = pid; self.started = started; self.ended = ended; self.cameras = cameras; self.probes = probes
        self.probeFailures = probeFailures; self.filesIndexed = filesIndexed; self.filesFailed = filesFailed
    }
}

extension CameraLiveState {
    /// The latest probe with the figures it stands for: a successful light probe measures
    /// none itself, so it carries those of the last full probe.
    public var latestWithFigures: ProbeResult {
        var p = lastProbe
        guard p.ok, p.depth == .light, let f = lastFullProbe else { return p }
        p.codec = f.codec; p.profile = f.profile; p.width = f.width; p.height = f.height; p.fps = f.fps
        p.bitrateKbps = f.bitrateKbps; p.keyframeIntervalS = f.keyframeIntervalS; p.clockOffsetS = f.clockOffsetS
        p.quality = f.quality
        return p
    }
}

/// A camera's keyframe as a small JPEG: the last in good order, or the last with a fault.
public struct CameraThumbnail: Sendable, Hashable {
    public var jpeg: [UInt8]
    public var at: Instant
    /// The faults that keyframe showed (empty for the good one).
    public var quality: [PictureVerdict]

    public init(jpeg: [UInt8], at: Instant, quality: [PictureVerdict]) {
        self.jpeg = jpeg; self.at = at; self.quality = quality
    }
}
