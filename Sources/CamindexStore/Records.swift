import CamindexCore
import Foundation
import GRDB

// One record type per table, internal to the store: the public values (`Region`, `Camera`,
// `SegmentRecord`, `ProbeResult`, `Heartbeat`) know nothing of SQL.

/// A row of `region`.
struct RegionRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "region"
    enum Columns {
        static let code = Column(CodingKeys.code)
        static let name = Column(CodingKeys.name)
    }

    var code: String
    var name: String
    var level: Int
    var parentCode: String?

    enum CodingKeys: String, CodingKey {
        case code, name, level
        case parentCode = "parent_code"
    }

    init(_ r: Region) { code = r.code; name = r.name; level = r.level; parentCode = r.parentCode }

    var value: Region { Region(code: code, name: name, level: level, parentCode: parentCode) }
}

/// A row of `camera`.
struct CameraRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "camera"
    enum Columns {
        static let id = Column(CodingKeys.id)
        static let regionCode = Column(CodingKeys.regionCode)
        static let enabled = Column(CodingKeys.enabled)
        static let source = Column(CodingKeys.source)
    }

    var id: String
    var name: String
    var regionCode: String
    var url: String?
    var recordings: String?
    var lat: Double?
    var lon: Double?
    var timezone: String
    var pathPattern: String?
    var pathTimezone: String?
    var enabled: Bool
    var source: String?
    var qualityThresholds: String?
    var createdAtMs: Int64
    var updatedAtMs: Int64

    enum CodingKeys: String, CodingKey {
        case id, name, url, recordings, lat, lon, timezone, enabled, source
        case qualityThresholds = "quality_thresholds"
        case regionCode = "region_code"
        case pathPattern = "path_pattern"
        case pathTimezone = "path_timezone"
        case createdAtMs = "created_at_ms"
        case updatedAtMs = "updated_at_ms"
    }

    init(_ c: Camera) {
        id = c.id; name = c.name; regionCode = c.regionCode; url = c.url; recordings = c.recordings; lat = c.lat; lon = c.lon
        timezone = c.timezone; pathPattern = c.pathPattern; pathTimezone = c.pathTimezone; enabled = c.enabled
        source = c.source; createdAtMs = c.createdAtMs; updatedAtMs = c.updatedAtMs
        qualityThresholds = c.qualityThresholds.isEmpty ? nil : JSONText.encode(c.qualityThresholds)
    }

    var value: Camera {
        var c = Camera(id: id, name: name, regionCode: regionCode, url: url, recordings: recordings, lat: lat, lon: lon,
                       timezone: timezone, pathPattern: pathPattern, pathTimezone: pathTimezone, enabled: enabled, source: source,
                       at: Instant(ms: createdAtMs))
        c.updatedAtMs = updatedAtMs
        c.qualityThresholds = qualityThresholds.flatMap { JSONText.decode([String: Double].self, $0) } ?? [:]
        return c
    }
}

/// A row of `segment`: an indexed file, or one that failed (`error` set, media columns nil).
struct SegmentRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "segment"
    enum Columns {
        static let id = Column(CodingKeys.id)
        static let cameraID = Column(CodingKeys.cameraID)
        static let path = Column(CodingKeys.path)
    }

    var id: Int64?
    var cameraID: String
    var path: String
    var size: Int64
    var mtimeMs: Int64
    var indexedAtMs: Int64
    var startMs: Int64?
    var endMs: Int64?
    var startSource: String?
    var container: String?
    var codec: String?
    var width: Int?
    var height: Int?
    var fps: Double?
    var firstPtsMs: Int64?
    var keyframeCount: Int?
    var keyframes: Data?
    var method: String?
    var verified: Bool
    var truncated: Bool
    var damagedKeyframes: Int
    var badTimestamps: Int
    var stalledTimestamps: Int
    var error: String?

    enum CodingKeys: String, CodingKey {
        case id, path, size, container, codec, width, height, fps, keyframes, method, verified, truncated, error
        case cameraID = "camera_id"
        case mtimeMs = "mtime_ms"
        case indexedAtMs = "indexed_at_ms"
        case startMs = "start_ms"
        case endMs = "end_ms"
        case startSource = "start_source"
        case firstPtsMs = "first_pts_ms"
        case keyframeCount = "keyframe_count"
        case damagedKeyframes = "damaged_keyframes"
        case badTimestamps = "bad_timestamps"
        case stalledTimestamps = "stalled_timestamps"
    }

    init(cameraID: String, _ r: SegmentRecord, indexedAt: Instant) {
        self.cameraID = cameraID; path = r.path; size = r.size; mtimeMs = r.mtimeMs; indexedAtMs = indexedAt.ms
        startMs = r.startMs; endMs = r.endMs; startSource = r.startSource.rawValue; container = r.container; codec = r.codec
        width = r.width; height = r.height; fps = r.fps; firstPtsMs = r.firstPtsMs; keyframeCount = r.keyframeOffsetsMs.count
        keyframes = Data(KeyframeBlob.encode(r.keyframeOffsetsMs)); method = r.method; verified = r.verified
        truncated = r.truncated; damagedKeyframes = r.damagedKeyframes; badTimestamps = r.badTimestamps
        stalledTimestamps = r.stalledTimestamps
    }

    init(cameraID: String, failedPath path: String, size: Int64, mtimeMs: Int64, message: String, indexedAt: Instant) {
        self.cameraID = cameraID; self.path = path; self.size = size; self.mtimeMs = mtimeMs; indexedAtMs = indexedAt.ms
        verified = false; truncated = false; damagedKeyframes = 0; badTimestamps = 0; stalledTimestamps = 0; error = message
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `probe`.
struct ProbeRow: Codable, FetchableRecord, MutablePersistableRecord {
    static let databaseTableName = "probe"

    var id: Int64?
    var cameraID: String
    var atMs: Int64
    var depth: String
    var ok: Bool
    var error: String?
    var message: String?
    var durationMs: Int64
    var codec: String?
    var profile: String?
    var width: Int?
    var height: Int?
    var fps: Double?
    var bitrateKbps: Double?
    var keyframeIntervalS: Double?
    var firstKeyframeMs: Int64?
    var clockOffsetS: Double?
    var quality: String?

    enum CodingKeys: String, CodingKey {
        case id, depth, ok, error, message, codec, profile, width, height, fps, quality
        case cameraID = "camera_id"
        case atMs = "at_ms"
        case durationMs = "duration_ms"
        case bitrateKbps = "bitrate_kbps"
        case keyframeIntervalS = "keyframe_interval_s"
        case firstKeyframeMs = "first_keyframe_ms"
        case clockOffsetS = "clock_offset_s"
    }

    init(cameraID: String, _ r: ProbeResult) {
        self.cameraID = cameraID; atMs = r.at.ms; depth = r.depth.rawValue; ok = r.ok; error = r.error?.rawValue
        message = r.message; durationMs = r.durationMs; codec = r.codec; profile = r.profile; width = r.width; height = r.height
        fps = r.fps; bitrateKbps = r.bitrateKbps; keyframeIntervalS = r.keyframeIntervalS; firstKeyframeMs = r.firstKeyframeMs
        clockOffsetS = r.clockOffsetS; quality = r.quality.map(JSONText.encode)
    }

    var value: ProbeResult {
        var p = ProbeResult(at: Instant(ms: atMs), depth: ProbeResult.Depth(rawValue: depth) ?? .full, ok: ok,
                            error: error.flatMap(ProbeResult.ErrorClass.init(rawValue:)), message: message, durationMs: durationMs)
        p.codec = codec; p.profile = profile; p.width = width; p.height = height; p.fps = fps; p.bitrateKbps = bitrateKbps
        p.keyframeIntervalS = keyframeIntervalS; p.firstKeyframeMs = firstKeyframeMs; p.clockOffsetS = clockOffsetS
        p.quality = quality.flatMap { JSONText.decode([PictureVerdict].self, $0) }
        return p
    }

    mutating func didInsert(_ inserted: InsertionSuccess) { id = inserted.rowID }
}

/// A row of `daemon_cycle`: one heartbeat.
struct HeartbeatRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "daemon_cycle"
    enum Columns { static let id = Column("id") }

    var pid: Int
    var startedMs: Int64
    var endedMs: Int64
    var cameras: Int
    var probes: Int
    var probeFailures: Int
    var filesIndexed: Int
    var filesFailed: Int

    enum CodingKeys: String, CodingKey {
        case pid, cameras, probes
        case startedMs = "started_ms"
        case endedMs = "ended_ms"
        case probeFailures = "probe_failures"
        case filesIndexed = "files_indexed"
        case filesFailed = "files_failed"
    }

    init(_ h: Heartbeat) {
        pid = h.pid; startedMs = h.started.ms; endedMs = h.ended.ms; cameras = h.cameras; probes = h.probes
        probeFailures = h.probeFailures; filesIndexed = h.filesIndexed; filesFailed = h.filesFailed
    }

    var value: Heartbeat {
        Heartbeat(pid: pid, started: Instant(ms: startedMs), ended: Instant(ms: endedMs), cameras: cameras, probes: probes,
                  probeFailures: probeFailures, filesIndexed: filesIndexed, filesFailed: filesFailed)
    }
}

/// JSON held in a TEXT column: keys sorted, so equal values are equal text.
enum JSONText {
    static func encode<T: Encodable>(_ value: T) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return (try? encoder.encode(value)).map { String(decoding: $0, as: UTF8.self) } ?? "null"
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String) -> T? {
        try? JSONDecoder().decode(type, from: Data(text.utf8))
    }
}
