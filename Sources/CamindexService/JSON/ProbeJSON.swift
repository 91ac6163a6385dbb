import CamindexCore
import Foundation

/// A probe result as programs see it: the `last_probe` object of `camera show`.
public struct ProbeJSON: Encodable, Sendable {
    var at: String
    var depth: String
    var ok: Bool
    var error: String?
    var message: String?
    var duration_ms: Int64
    var codec: String?
    var profile: String?
    var width: Int?
    var height: Int?
    var fps: Double?
    var bitrate_kbps: Double?
    var keyframe_interval_s: Double?
    var first_keyframe_ms: Int64?
    var clock_offset_s: Double?
    /// Faults of the picture (full probes): [] in good order, null when not checked.
    var quality: [QualityFault]?

    public struct QualityFault: Encodable, Sendable {
        var fault: String
        var measured: Double
        var threshold: Double

        init(_ v: PictureVerdict) {
            fault = v.fault.rawValue
            measured = (v.measured * 1000).rounded() / 1000
            threshold = v.threshold
        }
    }

    public init(_ r: ProbeResult, zone: TimeZone) {
        at = TimeFormat.rfc3339(r.at, in: zone)
        depth = r.depth.rawValue
        ok = r.ok
        error = r.error?.rawValue
        message = r.message
        duration_ms = r.durationMs
        codec = r.codec
        profile = r.profile
        width = r.width
        height = r.height
        fps = r.fps
        bitrate_kbps = r.bitrateKbps
        keyframe_interval_s = r.keyframeIntervalS
        first_keyframe_ms = r.firstKeyframeMs
        clock_offset_s = r.clockOffsetS
        quality = r.quality.map { $0.map(QualityFault.init) }
    }

    /// Keys with nil values are written as null: the contract lists them.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(at, forKey: .at)
        try c.encode(depth, forKey: .depth)
        try c.encode(ok, forKey: .ok)
        try c.encode(error, forKey: .error)
        try c.encode(message, forKey: .message)
        try c.encode(duration_ms, forKey: .duration_ms)
        try c.encode(codec, forKey: .codec)
        try c.encode(profile, forKey: .profile)
        try c.encode(width, forKey: .width)
        try c.encode(height, forKey: .height)
        try c.encode(fps, forKey: .fps)
        try c.encode(bitrate_kbps, forKey: .bitrate_kbps)
        try c.encode(keyframe_interval_s, forKey: .keyframe_interval_s)
        try c.encode(first_keyframe_ms, forKey: .first_keyframe_ms)
        try c.encode(clock_offset_s, forKey: .clock_offset_s)
        try c.encode(quality, forKey: .quality)
    }

    enum CodingKeys: String, CodingKey {
        case at, depth, ok, error, message, duration_ms, codec, profile, width, height, fps, bitrate_kbps
        case keyframe_interval_s, first_keyframe_ms, clock_offset_s, quality
    }

    /// Rows for a FIELD/VALUE table.
    public static func rows(_ r: ProbeResult, zone: TimeZone) -> [[String]] {
        var rows = [["at", TimeFormat.rfc3339(r.at, in: zone)], ["result", r.ok ? "ok" : "FAILED: \(r.error?.rawValue ?? "other")"]]
        if let m = r.message { rows.append(["detail", m]) }
        rows.append(["took", "\(r.durationMs) ms"])
        if let c = r.codec { rows.append(["codec", c + (r.profile.map { " (\($0))" } ?? "")]) }
        if let w = r.width, let h = r.height { rows.append(["resolution", "\(w)x\(h)"]) }
        if let f = r.fps { rows.append(["frame rate", String(format: "%.2f fps", f)]) }
        if let b = r.bitrateKbps { rows.append(["bitrate", String(format: "%.0f kbit/s", b)]) }
        if let k = r.keyframeIntervalS { rows.append(["keyframe interval", String(format: "%.2f s", k)]) }
        if let k = r.firstKeyframeMs { rows.append(["first keyframe", "\(k) ms after opening"]) }
        if let o = r.clockOffsetS { rows.append(["camera clock", String(format: "%+.3f s against this server", o)]) }
        if let q = r.quality { rows.append(["picture", PictureVerdict.summary(q)]) }
        return rows
    }
}
