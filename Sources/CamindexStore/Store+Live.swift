import CamindexCore
import Foundation
import GRDB

extension Store {
    /// Records a batch of probe results in one transaction and returns the cameras whose state
    /// changed (online ↔ offline, or first seen).
    @discardableResult
    public func recordProbes(_ results: [(cameraID: String, result: ProbeResult)]) throws -> Set<String> {
        guard !results.isEmpty else { return [] }
        return try write { db in
            var changed = Set<String>()
            for (id, r) in results where try Self.record(db, cameraID: id, r) { changed.insert(id) }
            return changed
        }
    }

    private static func record(_ db: Database, cameraID: String, _ r: ProbeResult) throws -> Bool {
        // A camera removed while its probe ran.
        guard try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM camera WHERE id = ?)", arguments: [cameraID]) == true else { return false }
        let previous = try Row.fetchOne(db, sql: "SELECT * FROM camera_state WHERE camera_id = ?", arguments: [cameraID])
        let newState = r.ok ? "online" : "offline"
        let oldState: String? = previous?["state"]
        let changed = oldState != newState
        let since: Int64 = changed ? r.at.ms : previous!["since_ms"]
        let failures: Int = r.ok ? 0 : (previous?["consecutive_failures"] ?? 0) + 1
        var lastFullID: Int64? = previous?["last_full_probe_id"]
        if r.depth == .full || !r.ok || changed {
            var row = ProbeRow(cameraID: cameraID, r)
            try row.insert(db)
            if r.depth == .full && r.ok { lastFullID = row.id }
        }
        if r.depth == .full, r.ok, let picture = r.picture { try recordPicture(db, cameraID: cameraID, r, signature: picture.signature) }
        var openStart: Int64? = previous?["open_window_start_ms"]
        if r.ok {
            if !changed, let start = openStart {
                try db.execute(sql: "UPDATE live_window SET end_ms = max(end_ms, ?) WHERE camera_id = ? AND start_ms = ?",
                               arguments: [r.at.ms, cameraID, start])
            } else {
                try db.execute(sql: "INSERT OR REPLACE INTO live_window (camera_id, start_ms, end_ms) VALUES (?, ?, ?)",
                               arguments: [cameraID, r.at.ms, r.at.ms])
                openStart = r.at.ms
            }
        } else {
            openStart = nil
        }
        try db.execute(sql: """
            INSERT OR REPLACE INTO camera_state (camera_id, state, since_ms, last_probe_ms, last_depth, last_ok, last_error,
                last_message, last_duration_ms, last_full_probe_id, consecutive_failures, open_window_start_ms)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [cameraID, newState, since, r.at.ms, r.depth.rawValue, r.ok, r.error?.rawValue, r.message,
                             r.durationMs, lastFullID, failures, openStart])
        return changed
    }

    /// Keeps the picture's signature (the next probe's frozen check) and its thumbnail as the
    /// camera's last good or last faulty one.
    private static func recordPicture(_ db: Database, cameraID: String, _ r: ProbeResult, signature: [UInt8]) throws {
        try db.execute(sql: """
            INSERT INTO camera_picture (camera_id, signature, signature_at_ms) VALUES (?, ?, ?)
            ON CONFLICT (camera_id) DO UPDATE SET signature = excluded.signature, signature_at_ms = excluded.signature_at_ms
            """, arguments: [cameraID, Data(signature), r.at.ms])
        guard let jpeg = r.thumbnail, let quality = r.quality else { return }
        if quality.isEmpty {
            try db.execute(sql: "UPDATE camera_picture SET good_jpeg = ?, good_at_ms = ? WHERE camera_id = ?",
                           arguments: [Data(jpeg), r.at.ms, cameraID])
        } else {
            try db.execute(sql: "UPDATE camera_picture SET faulty_jpeg = ?, faulty_at_ms = ?, faulty_quality = ? WHERE camera_id = ?",
                           arguments: [Data(jpeg), r.at.ms, JSONText.encode(quality), cameraID])
        }
    }

    /// The picture signature of each camera's (or one camera's) last full probe that decoded a keyframe.
    public func pictureSignatures(cameraID: String? = nil) throws -> [String: [UInt8]] {
        try read { db in
            var out: [String: [UInt8]] = [:]
            let rows = try Row.fetchAll(db, sql: "SELECT camera_id, signature FROM camera_picture WHERE signature IS NOT NULL"
                + (cameraID == nil ? "" : " AND camera_id = ?"), arguments: StatementArguments(cameraID.map { [$0] } ?? []))
            for row in rows {
                out[row[0]] = [UInt8](row[1] as Data)
            }
            return out
        }
    }

    /// The camera's last keyframe in good order (or, `faulty`, the last with a fault) as a JPEG.
    public func thumbnail(cameraID: String, faulty: Bool) throws -> CameraThumbnail? {
        try read { db in
            let kind = faulty ? "faulty" : "good"
            guard let row = try Row.fetchOne(db, sql: "SELECT \(kind)_jpeg, \(kind)_at_ms\(faulty ? ", faulty_quality" : "") FROM camera_picture WHERE camera_id = ?",
                                             arguments: [cameraID]),
                  let jpeg = row[0] as Data?, let at = row[1] as Int64? else { return nil }
            let quality = faulty ? (row[2] as String?).flatMap { JSONText.decode([PictureVerdict].self, $0) } ?? [] : []
            return CameraThumbnail(jpeg: [UInt8](jpeg), at: Instant(ms: at), quality: quality)
        }
    }

    /// Current states of the cameras probed so far (all, or those listed), in one query.
    public func liveStates(cameraIDs: [String]?) throws -> [String: CameraLiveState] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT s.*, p.id AS p_id, p.at_ms, p.depth, p.ok, p.error, p.message, p.duration_ms, p.codec,
                       p.profile, p.width, p.height, p.fps, p.bitrate_kbps, p.keyframe_interval_s, p.first_keyframe_ms, p.clock_offset_s, p.quality
                FROM camera_state s LEFT JOIN probe p ON p.id = s.last_full_probe_id
                """)
            let wanted = cameraIDs.map(Set.init)
            var out: [String: CameraLiveState] = [:]
            for row in rows {
                let id: String = row["camera_id"]
                if let wanted, !wanted.contains(id) { continue }
                let last = ProbeResult(at: Instant(ms: row["last_probe_ms"]), depth: ProbeResult.Depth(rawValue: row["last_depth"]) ?? .light,
                                       ok: row["last_ok"], error: (row["last_error"] as String?).flatMap(ProbeResult.ErrorClass.init(rawValue:)),
                                       message: row["last_message"], durationMs: row["last_duration_ms"])
                let full: ProbeResult? = (row["p_id"] as Int64?) == nil ? nil : try Self.probe(row)
                out[id] = CameraLiveState(
                    cameraID: id, state: CameraLiveState.State(rawValue: row["state"]) ?? .offline,
                    since: Instant(ms: row["since_ms"]), lastProbe: last, lastFullProbe: full,
                    consecutiveFailures: row["consecutive_failures"])
            }
            return out
        }
    }

    /// Stored probes of a camera, newest first.
    public func probeHistory(cameraID: String, limit: Int = 20) throws -> [ProbeResult] {
        try read { db in
            try ProbeRow.fetchAll(db, sql: "SELECT * FROM probe WHERE camera_id = ? ORDER BY at_ms DESC LIMIT ?", arguments: [cameraID, limit])
                .map(\.value)
        }
    }

    private static func probe(_ row: Row) throws -> ProbeResult { try ProbeRow(row: row).value }

    /// Online windows overlapping `range`, clipped to it.
    public func liveWindows(cameraIDs: [String], range: Interval) throws -> [String: [Interval]] {
        try read { db in
            var out: [String: [Interval]] = [:]
            // Online windows have no length bound, so the scan is bounded above only; a camera has
            // few of them (one per outage).
            for id in cameraIDs {
                out[id] = try Row.fetchAll(db, sql: """
                    SELECT start_ms, end_ms FROM live_window WHERE camera_id = ? AND start_ms <= ? AND end_ms >= ? ORDER BY start_ms
                    """, arguments: [id, range.end.ms, range.start.ms]).compactMap {
                    let w = Interval(startMs: $0[0], endMs: $0[1])
                    return w.isEmpty ? (range.start <= w.start && w.start < range.end ? w : nil) : w.clipped(to: range)
                }
            }
            return out
        }
    }

    public func writeHeartbeat(_ h: Heartbeat) throws {
        try write { db in
            try HeartbeatRow(h).insert(db)
            // A heartbeat log, not a history: keep the last day's worth at a minute apart.
            try db.execute(sql: "DELETE FROM daemon_cycle WHERE id <= (SELECT max(id) FROM daemon_cycle) - 1440")
        }
    }

    public func lastHeartbeat() throws -> Heartbeat? {
        try read { db in try HeartbeatRow.order(HeartbeatRow.Columns.id.desc).fetchOne(db)?.value }
    }

    /// Drops index rows, probes and online windows that ended before `cutoff`. The files are
    /// not touched; footage of dropped segments is no longer offered.
    public func applyRetention(before cutoff: Instant) throws -> (segments: Int, probes: Int) {
        // One transaction: a file indexed between the read and the deletes cannot be dropped.
        try write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT camera_id, path FROM segment WHERE end_ms < ? OR (error IS NOT NULL AND indexed_at_ms < ?)",
                                        arguments: [cutoff.ms, cutoff.ms])
            for (camera, paths) in Dictionary(grouping: rows, by: { $0[0] as String }) {
                try Self.deleteSegments(db, cameraID: camera, paths: paths.map { $0[1] })
            }
            try db.execute(sql: "DELETE FROM probe WHERE at_ms < ? AND id NOT IN (SELECT last_full_probe_id FROM camera_state WHERE last_full_probe_id IS NOT NULL)",
                           arguments: [cutoff.ms])
            let probes = db.changesCount
            try db.execute(sql: "DELETE FROM live_window WHERE end_ms < ?", arguments: [cutoff.ms])
            try db.execute(sql: "DELETE FROM device_recording WHERE end_ms < ?", arguments: [cutoff.ms])
            return (rows.count, probes)
        }
    }
}
