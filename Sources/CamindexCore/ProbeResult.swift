/// What one probe of a live stream found. Figures a probe had no time to measure stay nil.
public struct ProbeResult: Hashable, Sendable {
    /// Error classes a technician can act on.
    public enum ErrorClass: String, Hashable, Sendable, CaseIterable {
        case timeout, refused, unreachable, dns, unauthorized
        case notFound = "not_found"
        case noVideo = "no_video"
        case invalidData = "invalid_data"
        case other
    }

    public enum Depth: String, Hashable, Sendable {
        /// Open the session and read until the first video packet.
        case light
        /// Read until two keyframes: codec, resolution, frame rate, bitrate, GOP, clock.
        case full
    }

    public var at: Instant
    public var depth: Depth
    public var ok: Bool
    public var error: ErrorClass?
    /// Redacted detail for people.
    public var message: String?
    public var durationMs: Int64
    public var codec: String?
    public var profile: String?
    public var width: Int?
    public var height: Int?
    public var fps: Double?
    public var bitrateKbps: Double?
    public var keyframeIntervalS: Double?
    /// From the start of the probe to the first keyframe.
    public var firstKeyframeMs: Int64?
    /// Camera clock minus server clock (RTCP sender reports), seconds; positive: camera ahead.
    public var clockOffsetS: Double?
    /// Full probes: statistics of the first keyframe that decoded (not stored: only its
    /// signature is kept, for the next probe's frozen-picture check).
    public var picture: PictureStats?
    /// Full probes: the picture's faults against the camera's thresholds (empty: in good order;
    /// nil: not checked, e.g. no keyframe decoded).
    public var quality: [PictureVerdict]?
    /// Full probes: that keyframe as a small JPEG, for a technician (not stored per probe).
    public var thumbnail: [UInt8]?

    public init(at: Instant, depth: Depth, ok: Bool, error: ErrorClass? = nil, message: String? = nil, durationMs: Int64) {
        self.at = at
        self.depth = depth
        self.ok = ok
        self.error = error
        self.message = message
        self.durationMs = durationMs
    }
}

extension ProbeResult {
    /// Judges the picture this probe decoded against `thresholds`, the frozen check against
    /// the signature of the camera's previous full probe.
    public mutating func judgePicture(_ thresholds: PictureThresholds, previousSignature: [UInt8]?) {
        guard let picture else { return }
        quality = thresholds.verdicts(picture, previousSignature: previousSignature)
    }
}
