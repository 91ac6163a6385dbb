import CamindexCore
import Foundation

/// The answer of `camera show` (and of the HTTP API's camera request) as programs see it: the
/// camera, its live state and probes, its footage at a glance, its index errors, its picture.
public struct CameraShowJSON: Encodable, Sendable {
    struct Footage: Encodable, Sendable {
        var segments, failed, unverified, low_confidence, bad_timestamps: Int
        var first, last: String?
        var covered_seconds: Double
        /// Segments whose timestamps stalled and were re-timed from the frame rate.
        var stalled_timestamps: Int
        /// Path times a whole number of hours behind the files' mtimes (wrong zone).
        var path_zone_offset_hours: Int?
        /// The newest mtime among its files, and how far it lies ahead of now when
        /// more than a minute (the recorder's clock).
        var latest_mtime: String?
        var mtime_ahead_seconds: Double?
        /// Segments by where their start came from: path, chained, creation_time, mtime.
        var time_sources: [String: Int]
    }
    struct IndexError: Encodable, Sendable { var path, error, at: String }
    struct File: Encodable, Sendable {
        var path: String
        var start, end, mtime: String
        var size: Int64
        /// path, chained, creation_time or mtime (low confidence).
        var time_source: String?
        var container, codec: String?
        var width, height: Int?
        var verified, truncated: Bool
        var bad_timestamps, stalled_timestamps: Int
    }

    var camera: CameraJSON
    var state: String
    var since: String?
    var consecutive_failures: Int
    var last_probe: ProbeJSON?
    var last_full_probe: ProbeJSON?
    var probes: [ProbeJSON]
    var footage: Footage
    struct GBChannel: Encodable, Sendable {
        var device: String
        var device_online: Bool?
        var device_since: String?
        var device_reason: String?
        /// The device's clock minus camindex's at its last DeviceStatus answer (校时).
        var device_clock_offset_seconds: Double?
        /// ON/OFF as the last catalog said, and when.
        var status: String?
        var status_at: String
        var online: Bool
        var manufacturer, model, civil_code, parent: String?
        /// Whether its CivilCode (or a parent's) named a township or village.
        var placed: Bool
    }
    var gb_channel: GBChannel?
    var files: [File]
    var index_errors: [IndexError]
    var quality: QualityJSON?

    public func encode(to encoder: any Encoder) throws {
        try camera.encode(to: encoder)
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(state, forKey: .state)
        try c.encode(since, forKey: .since)
        try c.encode(consecutive_failures, forKey: .consecutive_failures)
        try c.encode(last_probe, forKey: .last_probe)
        try c.encode(last_full_probe, forKey: .last_full_probe)
        try c.encode(probes, forKey: .probes)
        try c.encode(footage, forKey: .footage)
        try c.encode(gb_channel, forKey: .gb_channel)
        try c.encode(files, forKey: .files)
        try c.encode(index_errors, forKey: .index_errors)
        try c.encode(quality, forKey: .quality)
    }
    enum Keys: String, CodingKey {
        case state, since, consecutive_failures, last_probe, last_full_probe, probes, footage, gb_channel, files, index_errors, quality
    }
}

extension CameraShowJSON {
    public init(_ detail: CameraDetail) {
        let (camera, regions, summary, errors, live, history) = (detail.camera, detail.regions, detail.footage, detail.indexErrors, detail.live, detail.probes)
        let zone = camera.zone
        func t(_ i: Instant?) -> String? { i.map { TimeFormat.rfc3339($0, in: zone) } }
        self.init(
            camera: CameraJSON(camera, regions: regions),
            state: live?.state.rawValue ?? "unknown", since: t(live?.since),
            consecutive_failures: live?.consecutiveFailures ?? 0,
            last_probe: live.map { ProbeJSON($0.latestWithFigures, zone: zone) },
            last_full_probe: live?.lastFullProbe.map { ProbeJSON($0, zone: zone) },
            probes: history.map { ProbeJSON($0, zone: zone) },
            footage: Footage(segments: summary.segments - summary.failed, failed: summary.failed,
                             unverified: summary.unverified, low_confidence: summary.lowConfidence,
                             bad_timestamps: summary.badTimestamps,
                             first: t(summary.first), last: t(summary.last),
                             covered_seconds: JSONValues.seconds(ms: summary.coveredMs), stalled_timestamps: summary.stalledSegments,
                             path_zone_offset_hours: summary.pathZoneOffsetHours,
                             latest_mtime: t(summary.latestMtime),
                             mtime_ahead_seconds: summary.mtimeAheadMs(of: detail.now).map { JSONValues.seconds(ms: $0) },
                             time_sources: Dictionary(uniqueKeysWithValues: summary.timeSources.map { ($0.key.rawValue, $0.value) })),
            gb_channel: detail.gb.map { g in
                GBChannel(device: g.deviceID, device_online: g.device?.online, device_since: t(g.device?.since), device_reason: g.device?.reason,
                          device_clock_offset_seconds: g.device?.clockOffsetMs.map { JSONValues.seconds(ms: $0) },
                          status: g.status, status_at: TimeFormat.rfc3339(g.updatedAt, in: zone), online: g.online,
                          manufacturer: g.manufacturer, model: g.model, civil_code: g.civilCode, parent: g.parentID, placed: g.placed)
            },
            files: detail.files.map {
                File(path: $0.path, start: TimeFormat.rfc3339(Instant(ms: $0.startMs), in: zone), end: TimeFormat.rfc3339(Instant(ms: $0.endMs), in: zone),
                     mtime: TimeFormat.rfc3339(Instant(ms: $0.mtimeMs), in: zone), size: $0.size, time_source: $0.startSource?.rawValue,
                     container: $0.container, codec: $0.codec, width: $0.width, height: $0.height, verified: $0.verified, truncated: $0.truncated,
                     bad_timestamps: $0.badTimestamps, stalled_timestamps: $0.stalledTimestamps)
            },
            index_errors: errors.map { IndexError(path: $0.path, error: $0.message, at: TimeFormat.rfc3339(Instant(ms: $0.indexedAtMs), in: zone)) },
            quality: live?.lastFullProbe.flatMap { QualityJSON($0, camera: camera) })
    }
}
