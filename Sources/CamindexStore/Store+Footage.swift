import CamindexCore
import Foundation
import GRDB

// Reads of recorded footage: windows, keyframes, summaries. Part of `IndexReader`.
extension Store {
    /// Windows for many cameras in one read snapshot: one bounded index scan per batch of
    /// cameras (`camera_id IN (...)`), not one statement per camera.
    public func windows(cameraIDs: [String], range: Interval, maxGapMs: Int64) throws -> [String: [FootageSpan]] {
        try read { db in
            let plan = WindowRead(range: range, maxGapMs: maxGapMs)
            let b = try plan.bounds { try Self.meta(db, "max_run_ms") }
            var spans: [String: [FootageSpan]] = [:]
            for batch in Self.batches(cameraIDs) {
                let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                    SELECT camera_id, start_ms, end_ms, verified FROM \(plan.source == .windows ? "footage_window" : "footage_run")
                    WHERE camera_id IN (\(Self.placeholders(batch.count))) AND start_ms >= ? AND start_ms < ? AND end_ms > ?
                    """), arguments: StatementArguments(batch) + [b.startFrom, b.startBefore, b.endAfter])
                while let row = try rows.next() {
                    spans[row[0], default: []].append(FootageSpan(Interval(startMs: row[1], endMs: row[2]), verified: row[3]))
                }
            }
            return plan.finish(spans, cameraIDs: cameraIDs)
        }
    }

    /// Read before the answer they guard (what is read after them is at least as new).
    public func registryGeneration() throws -> Int64? {
        try read { db in try Self.meta(db, "registry_generation") }
    }

    public func footageGenerations(range: Interval, gapMs: Int64) throws -> FootageGenerations? {
        try read { db in
            let longest = max(try Self.meta(db, "max_segment_ms"), try Self.meta(db, "max_run_ms"), Windows.maxStoredWindowMs)
            let days = FootageGenerations.days(range: range, gapMs: gapMs, longestRowMs: longest)
            var counts: [Int64: Int64] = [:]
            let rows = try Row.fetchCursor(db.cachedStatement(sql: "SELECT day, n FROM footage_generation WHERE day BETWEEN ? AND ?"),
                                           arguments: [days.lowerBound, days.upperBound])
            while let row = try rows.next() { counts[row[0]] = row[1] }
            return FootageGenerations(days: days, counts: counts)
        }
    }

    /// Cameras per statement: well under SQLite's limit of bound parameters.
    static let batchSize = 500

    static func batches(_ ids: [String]) -> [ArraySlice<String>] {
        stride(from: 0, to: ids.count, by: batchSize).map { ids[$0..<min($0 + batchSize, ids.count)] }
    }

    static func placeholders(_ n: Int) -> String {
        String(repeating: "?, ", count: max(0, n - 1)) + "?"
    }

    public func recentFiles(cameraID: String, limit: Int) throws -> [SegmentFile] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT path, size, mtime_ms, start_ms, end_ms, start_source, container, codec, width, height, verified, truncated,
                       bad_timestamps, stalled_timestamps
                FROM segment WHERE camera_id = ? AND error IS NULL ORDER BY start_ms DESC, path DESC LIMIT ?
                """, arguments: [cameraID, limit]).map {
                SegmentFile(path: $0[0], size: $0[1], mtimeMs: $0[2], startMs: $0[3], endMs: $0[4],
                            startSource: ($0[5] as String?).flatMap(SegmentRecord.StartSource.init(rawValue:)),
                            container: $0[6], codec: $0[7], width: $0[8], height: $0[9], verified: $0[10], truncated: $0[11],
                            badTimestamps: $0[12], stalledTimestamps: $0[13])
            }
        }
    }

    /// Files that could not be indexed, for one camera or all.
    public func segmentErrors(cameraID: String?) throws -> [SegmentError] {
        try read { db in
            var sql = "SELECT camera_id, path, error, indexed_at_ms FROM segment WHERE error IS NOT NULL"
            var arguments: StatementArguments = []
            if let cameraID {
                sql += " AND camera_id = ?"
                arguments = [cameraID]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY camera_id, path", arguments: arguments).map {
                SegmentError(cameraID: $0[0], path: $0[1], message: $0[2], indexedAtMs: $0[3])
            }
        }
    }

    public func segmentCounts(cameraID: String) throws -> SegmentCounts {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), count(error), sum(error IS NULL AND NOT verified), sum(start_source = 'mtime'), min(start_ms), max(end_ms),
                       coalesce(sum(bad_timestamps), 0), coalesce(sum(stalled_timestamps > 0), 0), max(mtime_ms)
                FROM segment WHERE camera_id = ?
                """, arguments: [cameraID])!
            var c = SegmentCounts()
            c.segments = row[0]; c.failed = row[1]; c.unverified = row[2] ?? 0; c.lowConfidence = row[3] ?? 0
            c.firstMs = row[4]; c.lastMs = row[5]; c.badTimestamps = row[6]; c.stalledSegments = row[7]
            c.latestMtimeMs = row[8]
            return c
        }
    }

    /// Indexed segments of the camera that start after `instant` (footage dated ahead of now).
    public func segmentCount(cameraID: String, startingAfter instant: Instant) throws -> Int {
        try read { db in
            try Int.fetchOne(db, sql: "SELECT count(*) FROM segment WHERE camera_id = ? AND error IS NULL AND start_ms > ?",
                             arguments: [cameraID, instant.ms]) ?? 0
        }
    }

    public func windowedMs(cameraID: String) throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT sum(end_ms - start_ms) FROM footage_window WHERE camera_id = ?", arguments: [cameraID]) ?? 0 }
    }

    public func startSources(cameraID: String) throws -> [SegmentRecord.StartSource: Int] {
        try read { db in
            var out: [SegmentRecord.StartSource: Int] = [:]
            for row in try Row.fetchAll(db, sql: """
                SELECT start_source, count(*) FROM segment WHERE camera_id = ? AND error IS NULL GROUP BY start_source
                """, arguments: [cameraID]) {
                if let source = (row[0] as String?).flatMap(SegmentRecord.StartSource.init(rawValue:)) { out[source] = row[1] }
            }
            return out
        }
    }

    public func pathDatedEndOffsets(cameraID: String, limit: Int) throws -> [Int64] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT mtime_ms - end_ms FROM segment WHERE camera_id = ? AND error IS NULL AND start_source = 'path'
                ORDER BY start_ms DESC LIMIT ?
                """, arguments: [cameraID, limit]).map { $0[0] as Int64 }
        }
    }

    /// How many whole hours most of the camera's path-dated segments end before their files'
    /// mtimes (a path read in the wrong zone), if they do. See `FootageSummary.pathZoneOffsetHours`.
    public func pathZoneOffsetHours(cameraID: String) throws -> Int? {
        PathTimestamp.wholeHourOffset(try pathDatedEndOffsets(cameraID: cameraID, limit: FootageSummary.pathZoneSample))
    }

    /// Per camera with segments overlapping `range`: where their starts came from and how
    /// many had stalled timestamps; one snapshot, one bounded index scan per batch of cameras.
    public func timeQuality(_ cameraIDs: [String], range: Interval) throws -> [String: FootageTimeQuality] {
        try read { db in
            let maxSeg = try Self.meta(db, "max_segment_ms")
            var out: [String: FootageTimeQuality] = [:]
            for batch in Self.batches(cameraIDs) {
                let rows = try Row.fetchAll(db.cachedStatement(sql: """
                    SELECT camera_id, start_source, count(*), sum(stalled_timestamps > 0) FROM segment
                    WHERE camera_id IN (\(Self.placeholders(batch.count))) AND start_ms >= ? AND start_ms < ? AND end_ms > ?
                      AND error IS NULL
                    GROUP BY camera_id, start_source
                    """), arguments: StatementArguments(batch) + [range.start.ms - maxSeg, range.end.ms, range.start.ms])
                for row in rows {
                    let id: String = row[0]
                    var q = out[id] ?? FootageTimeQuality()
                    if let source = (row[1] as String?).flatMap(SegmentRecord.StartSource.init(rawValue:)) {
                        q.sources[source, default: 0] += row[2]
                    }
                    q.stalledSegments += row[3] ?? 0
                    out[id] = q
                }
            }
            return out
        }
    }

    /// The keyframe at or before `at` (where a player must start to show `at`) and the next
    /// one after it, possibly in the following file. Nil `atOrBefore` when `at` is not inside
    /// any footage.
    public func keyframes(cameraID: String, at: Instant) throws -> KeyframePair {
        try read { db in
            let maxSeg = try Self.meta(db, "max_segment_ms")
            let covering = try Row.fetchAll(db, sql: """
                SELECT s.path, s.start_ms, s.first_pts_ms, s.keyframes, s.start_source FROM segment s
                WHERE s.camera_id = ? AND s.error IS NULL AND s.start_ms >= ? AND s.start_ms <= ? AND s.end_ms > ?
                  AND EXISTS (SELECT 1 FROM footage_run r WHERE r.segment_id = s.id AND r.start_ms <= ? AND r.end_ms > ?)
                ORDER BY s.start_ms DESC
                """, arguments: [cameraID, at.ms - maxSeg, at.ms, at.ms, at.ms, at.ms])
            return try KeyframePair.search(at: at, covering: try covering.map(Self.locations), bridgedHoleMs: {
                try Self.bridgedHole(db, cameraID: cameraID, at: at).map { $0.nextStart - $0.previousEnd }
            }, beforeHole: {
                try Row.fetchAll(db, sql: """
                    SELECT path, start_ms, first_pts_ms, keyframes, start_source FROM segment
                    WHERE camera_id = ? AND error IS NULL AND start_ms >= ? AND start_ms <= ?
                    ORDER BY start_ms DESC
                    """, arguments: [cameraID, at.ms - Self.windowToleranceMs - maxSeg, at.ms]).map(Self.locations)
            }, following: {
                try Row.fetchOne(db, sql: """
                    SELECT path, start_ms, first_pts_ms, keyframes, start_source FROM segment
                    WHERE camera_id = ? AND error IS NULL AND start_ms > ? ORDER BY start_ms LIMIT 1
                    """, arguments: [cameraID, at.ms]).flatMap { try Self.locations($0).first }
            })
        }
    }

    /// The hole around `at` between the last run ending at or before it and the first run
    /// starting after it, when the windows bridge it (at most `windowToleranceMs`).
    private static func bridgedHole(_ db: Database, cameraID: String, at: Instant) throws -> (previousEnd: Int64, nextStart: Int64)? {
        let maxRun = try meta(db, "max_run_ms")
        guard let previousEnd = try Int64.fetchOne(db, sql: """
                SELECT max(end_ms) FROM footage_run WHERE camera_id = ? AND start_ms >= ? AND start_ms <= ? AND end_ms <= ?
                """, arguments: [cameraID, at.ms - windowToleranceMs - maxRun, at.ms, at.ms]),
              at.ms - previousEnd <= windowToleranceMs,
              let nextStart = try Int64.fetchOne(db, sql: """
                SELECT start_ms FROM footage_run WHERE camera_id = ? AND start_ms > ? ORDER BY start_ms LIMIT 1
                """, arguments: [cameraID, at.ms]),
              nextStart - previousEnd <= windowToleranceMs
        else { return nil }
        return (previousEnd, nextStart)
    }

    /// A `path, start_ms, first_pts_ms, keyframes, start_source` row's keyframes.
    private static func locations(_ row: Row) throws -> [KeyframeLocation] {
        let path: String = row[0], start: Int64 = row[1], firstPts: Int64 = row[2]
        let blob: Data = row[3] ?? Data()
        let source = (row[4] as String?).flatMap(SegmentRecord.StartSource.init(rawValue:)) ?? .path
        return try KeyframeLocation.all(path: path, startMs: start, firstPtsMs: firstPts, blob: blob, source: source)
    }

    /// Files that could not be indexed, per camera.
    public func failedFileCounts() throws -> [String: Int] {
        try perCamera("SELECT camera_id, count(*) FROM segment WHERE error IS NOT NULL GROUP BY camera_id")
    }

    /// A `camera_id, count` query's answer.
    private func perCamera(_ sql: String) throws -> [String: Int] {
        try read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: sql) { out[row[0]] = row[1] }
            return out
        }
    }

    /// The end of the camera's indexed segment (other than `path`) that ends nearest to `at`,
    /// if one ends within `toleranceMs` of it and started before it.
    public func previousSegmentEnd(cameraID: String, near at: Instant, toleranceMs: Int64, excluding path: String) throws -> Instant? {
        try read { db in
            let maxSeg = try Self.meta(db, "max_segment_ms")
            return try Int64.fetchOne(db, sql: """
                SELECT end_ms FROM segment
                WHERE camera_id = ? AND start_ms >= ? AND start_ms < ? AND end_ms BETWEEN ? AND ? AND path != ? AND error IS NULL
                ORDER BY abs(end_ms - ?) LIMIT 1
                """, arguments: [cameraID, at.ms - toleranceMs - maxSeg, at.ms, at.ms - toleranceMs, at.ms + toleranceMs, path, at.ms])
                .map(Instant.init(ms:))
        }
    }

    /// The stream of the camera's latest file read through its container (not recovered).
    public func latestStream(cameraID: String) throws -> StreamParameters? {
        try read { db in
            try Row.fetchOne(db, sql: """
                SELECT codec, width, height, fps FROM segment
                WHERE camera_id = ? AND error IS NULL AND method != 'recovered' AND fps > 0 AND codec IS NOT NULL
                ORDER BY start_ms DESC LIMIT 1
                """, arguments: [cameraID]).map { StreamParameters(codec: $0[0], width: $0[1], height: $0[2], fps: $0[3]) }
        }
    }

    /// Segments recovered from MP4s without moov (`method = 'recovered'`), for one camera or all.
    public func recoveredSegments(cameraID: String?) throws -> [(cameraID: String, path: String)] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT camera_id, path FROM segment WHERE method = 'recovered' AND (?1 IS NULL OR camera_id = ?1) ORDER BY camera_id, path
                """, arguments: [cameraID]).map { ($0[0], $0[1]) }
        }
    }

    /// Segments whose timestamps stalled and were re-timed, per camera.
    public func stalledFileCounts() throws -> [String: Int] {
        try perCamera("SELECT camera_id, count(*) FROM segment WHERE stalled_timestamps > 0 GROUP BY camera_id")
    }

    public func latestMtimes(after instant: Instant) throws -> [String: Instant] {
        try read { db in
            var out: [String: Instant] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT camera_id, max(mtime_ms) FROM segment WHERE mtime_ms > ? GROUP BY camera_id",
                                        arguments: [instant.ms]) {
                out[row[0]] = Instant(ms: row[1])
            }
            return out
        }
    }

    /// Timestamps not believed, per camera (cameras with none left out).
    public func badTimestampCounts() throws -> [String: Int] {
        try perCamera("SELECT camera_id, sum(bad_timestamps) FROM segment WHERE bad_timestamps > 0 GROUP BY camera_id")
    }

    /// Segment counts over the whole store.
    public func indexTotals() throws -> IndexTotals {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*), count(error), coalesce(sum(error IS NULL AND NOT verified), 0) FROM segment
                """)!
            let all: Int = row[0], failed: Int = row[1]
            return IndexTotals(segments: all - failed, failed: failed, unverified: row[2])
        }
    }
}

extension Store {
    /// The readable segments of a camera with footage overlapping `range`, in start order, with
    /// their runs and keyframes: what an export copies from.
    public func segments(cameraID: String, overlapping range: Interval) throws -> [StoredSegment] {
        try read { db in
            let maxSeg = try Self.meta(db, "max_segment_ms")
            let rows = try SegmentRow.fetchAll(db, sql: """
                SELECT * FROM segment WHERE camera_id = ? AND error IS NULL AND start_ms >= ? AND start_ms < ? AND end_ms > ?
                ORDER BY start_ms, path
                """, arguments: [cameraID, range.start.ms - maxSeg, range.end.ms, range.start.ms])
            let runs = try db.cachedStatement(sql: "SELECT start_ms, end_ms FROM footage_run WHERE segment_id = ? ORDER BY start_ms")
            return try rows.map { r in
                var s = StoredSegment(
                    path: r.path, size: r.size, mtimeMs: r.mtimeMs, startMs: r.startMs ?? 0, endMs: r.endMs ?? 0, codec: r.codec ?? "",
                    width: r.width ?? 0, height: r.height ?? 0, fps: r.fps, firstPtsMs: r.firstPtsMs ?? 0,
                    keyframeOffsetsMs: try KeyframeBlob.decode(r.keyframes ?? Data()), truncated: r.truncated,
                    damagedKeyframes: r.damagedKeyframes,
                    runs: try Row.fetchAll(runs, arguments: [r.id]).map { Interval(startMs: $0[0], endMs: $0[1]) })
                s.recovered = r.method == "recovered"
                return s
            }
        }
    }
}
