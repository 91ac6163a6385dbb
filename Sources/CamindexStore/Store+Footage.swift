import CamindexCore
import Foundation
import GRDB

/// What the indexer learned about one segment file, in wall-clock UTC.
public struct SegmentRecord: Sendable, Hashable {
    public enum StartSource: String, Sendable { case path, creationTime = "creation_time", mtime }

    public var path: String
    public var size: Int64
    public var mtimeMs: Int64
    public var startMs: Int64
    public var endMs: Int64
    public var startSource: StartSource
    public var container: String
    public var codec: String
    public var width: Int
    public var height: Int
    public var fps: Double?
    public var firstPtsMs: Int64
    /// Offsets from `startMs`.
    public var keyframeOffsetsMs: [Int64]
    /// "index" or "scan".
    public var method: String
    public var verified: Bool
    public var truncated: Bool
    public var damagedKeyframes: Int
    /// Absolute, in file order.
    public var runs: [Interval]
    /// Timestamps not believed: packets the file's other packets did not agree with (left out
    /// of `runs` and the keyframes), plus one when the extent was clipped to the file's mtime
    /// or to the longest segment allowed.
    public var badTimestamps: Int

    public init(path: String, size: Int64, mtimeMs: Int64, startMs: Int64, endMs: Int64, startSource: StartSource,
                container: String, codec: String, width: Int, height: Int, fps: Double?, firstPtsMs: Int64,
                keyframeOffsetsMs: [Int64], method: String, verified: Bool, truncated: Bool, damagedKeyframes: Int,
                runs: [Interval], badTimestamps: Int = 0) {
        self.path = path; self.size = size; self.mtimeMs = mtimeMs; self.startMs = startMs; self.endMs = endMs
        self.startSource = startSource; self.container = container; self.codec = codec; self.width = width
        self.height = height; self.fps = fps; self.firstPtsMs = firstPtsMs; self.keyframeOffsetsMs = keyframeOffsetsMs
        self.method = method; self.verified = verified; self.truncated = truncated
        self.damagedKeyframes = damagedKeyframes; self.runs = runs; self.badTimestamps = badTimestamps
    }
}

/// What the store knows of a file, to decide whether to read it again.
public struct SegmentState: Sendable, Hashable {
    public var size: Int64
    public var mtimeMs: Int64
    public var verified: Bool
    /// Why the file could not be indexed, if it could not.
    public var error: String?
    public var failed: Bool { error != nil }
}

public struct SegmentError: Sendable, Hashable {
    public var cameraID: String
    public var path: String
    public var message: String
    public var indexedAtMs: Int64
}

/// A keyframe a player can start from, located in its file.
public struct KeyframeLocation: Sendable, Hashable {
    public var path: String
    public var time: Instant
    /// Seconds from the file's first packet (what `ffmpeg -ss` takes).
    public var offsetMs: Int64
    /// On the file's own timeline.
    public var ptsMs: Int64
}

public struct FootageSummary: Sendable, Hashable {
    public var segments: Int
    public var failed: Int
    public var unverified: Int
    public var lowConfidence: Int
    public var first: Instant?
    public var last: Instant?
    public var coveredMs: Int64
    /// Timestamps not believed, summed over the camera's segments (`SegmentRecord.badTimestamps`).
    public var badTimestamps: Int = 0
}

extension Store {
    /// Holes up to this are bridged in stored windows; queries with a smaller `--max-gap`
    /// merge the runs themselves.
    public static let windowToleranceMs = Windows.defaultMaxGapMs

    public func segmentStates(cameraID: String) throws -> [String: SegmentState] {
        try read { db in
            var out: [String: SegmentState] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT path, size, mtime_ms, verified, error FROM segment WHERE camera_id = ?", arguments: [cameraID])
            while let row = try rows.next() {
                out[row["path"]] = SegmentState(size: row["size"], mtimeMs: row["mtime_ms"], verified: row["verified"],
                                                error: row["error"])
            }
            return out
        }
    }

    /// Replaces whatever the store had for this file, and the windows it touches, in one
    /// transaction: a crash never leaves half a file indexed.
    ///
    /// With `unlessCurrent`, nothing is written when the store already holds this file at the
    /// same size and mtime, indexed at least as well (verified, or this record is not): another
    /// process (the daemon, or `camindex index` run by hand) indexed it meanwhile. Returns
    /// whether the record was written.
    @discardableResult
    public func saveSegment(cameraID: String, _ record: SegmentRecord, nowMs: Int64 = Self.nowMs(), unlessCurrent: Bool = false) throws -> Bool {
        try write { db in
            if unlessCurrent, let state = try Self.segmentState(db, cameraID: cameraID, path: record.path),
               state.size == record.size, state.mtimeMs == record.mtimeMs, !state.failed, state.verified || !record.verified {
                return false
            }
            var affected = try Self.deleteSegment(db, cameraID: cameraID, path: record.path)
            try db.execute(sql: """
                INSERT INTO segment (camera_id, path, size, mtime_ms, indexed_at_ms, start_ms, end_ms, start_source,
                    container, codec, width, height, fps, first_pts_ms, keyframe_count, keyframes, method, verified,
                    truncated, damaged_keyframes, bad_timestamps)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                """, arguments: [
                    cameraID, record.path, record.size, record.mtimeMs, nowMs, record.startMs, record.endMs,
                    record.startSource.rawValue, record.container, record.codec, record.width, record.height, record.fps,
                    record.firstPtsMs, record.keyframeOffsetsMs.count, Data(KeyframeBlob.encode(record.keyframeOffsetsMs)),
                    record.method, record.verified, record.truncated, record.damagedKeyframes, record.badTimestamps,
                ])
            let segmentID = db.lastInsertedRowID
            var longestRun: Int64 = 0
            for run in record.runs where !run.isEmpty {
                try db.cachedStatement(sql: "INSERT INTO footage_run (segment_id, camera_id, start_ms, end_ms, verified) VALUES (?, ?, ?, ?, ?)")
                    .execute(arguments: [segmentID, cameraID, run.start.ms, run.end.ms, record.verified])
                longestRun = max(longestRun, run.durationMs)
                affected = Self.union(affected, run)
            }
            try Self.raiseMeta(db, "max_run_ms", longestRun)
            try Self.raiseMeta(db, "max_segment_ms", record.endMs - record.startMs)
            if let affected { try Self.rebuildWindows(db, cameraID: cameraID, around: affected) }
            return true
        }
    }

    /// Records that a file could not be indexed (and drops what it held before).
    public func saveSegmentError(cameraID: String, path: String, size: Int64, mtimeMs: Int64, message: String,
                                 nowMs: Int64 = Self.nowMs()) throws {
        try write { db in
            let affected = try Self.deleteSegment(db, cameraID: cameraID, path: path)
            try db.execute(sql: """
                INSERT INTO segment (camera_id, path, size, mtime_ms, indexed_at_ms, error) VALUES (?, ?, ?, ?, ?, ?)
                """, arguments: [cameraID, path, size, mtimeMs, nowMs, message])
            if let affected { try Self.rebuildWindows(db, cameraID: cameraID, around: affected) }
        }
    }

    /// What the store holds of one file now (nil: nothing).
    public func segmentState(cameraID: String, path: String) throws -> SegmentState? {
        try read { db in try Self.segmentState(db, cameraID: cameraID, path: path) }
    }

    private static func segmentState(_ db: Database, cameraID: String, path: String) throws -> SegmentState? {
        try Row.fetchOne(db, sql: "SELECT size, mtime_ms, verified, error FROM segment WHERE camera_id = ? AND path = ?",
                         arguments: [cameraID, path]).map {
            SegmentState(size: $0["size"], mtimeMs: $0["mtime_ms"], verified: $0["verified"], error: $0["error"])
        }
    }

    /// Drops the rows of files that are gone; their footage becomes gaps.
    public func deleteSegments(cameraID: String, paths: [String]) throws {
        guard !paths.isEmpty else { return }
        try write { db in
            for path in paths {
                if let affected = try Self.deleteSegment(db, cameraID: cameraID, path: path) {
                    try Self.rebuildWindows(db, cameraID: cameraID, around: affected)
                }
            }
        }
    }

    public static func nowMs() -> Int64 { Int64(Date().timeIntervalSince1970 * 1000) }

    /// Deletes a file's row and runs; returns the span its runs covered.
    private static func deleteSegment(_ db: Database, cameraID: String, path: String) throws -> Interval? {
        guard let id = try Int64.fetchOne(db, sql: "SELECT id FROM segment WHERE camera_id = ? AND path = ?", arguments: [cameraID, path]) else {
            return nil
        }
        let span = try Row.fetchOne(db, sql: "SELECT min(start_ms) AS s, max(end_ms) AS e FROM footage_run WHERE segment_id = ?", arguments: [id])
        try db.execute(sql: "DELETE FROM segment WHERE id = ?", arguments: [id])
        guard let span, let s: Int64 = span["s"], let e: Int64 = span["e"] else { return nil }
        return Interval(startMs: s, endMs: e)
    }

    private static func union(_ a: Interval?, _ b: Interval) -> Interval {
        guard let a else { return b }
        return Interval(min(a.start, b.start), max(a.end, b.end))
    }

    private static func raiseMeta(_ db: Database, _ key: String, _ value: Int64) throws {
        try db.execute(sql: """
            INSERT INTO store_meta (key, value) VALUES (?, ?)
            ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)
            """, arguments: [key, value])
    }

    static func meta(_ db: Database, _ key: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = ?", arguments: [key]) ?? 0
    }

    /// Recomputes the stored windows of a camera around `span`: every window within the
    /// tolerance of the span is absorbed into it, deleted, and rebuilt from the runs.
    private static func rebuildWindows(_ db: Database, cameraID: String, around span: Interval) throws {
        let tol = windowToleranceMs
        let day = Windows.maxStoredWindowMs
        var lo = span.start.ms, hi = span.end.ms
        while true {
            let row = try Row.fetchOne(db, sql: """
                SELECT min(start_ms) AS s, max(end_ms) AS e FROM footage_window
                WHERE camera_id = ? AND start_ms >= ? AND start_ms <= ? AND end_ms >= ?
                """, arguments: [cameraID, lo - tol - day, hi + tol, lo - tol])
            let s: Int64 = row?["s"] ?? lo, e: Int64 = row?["e"] ?? hi
            if s >= lo && e <= hi { break }
            lo = min(lo, s)
            hi = max(hi, e)
        }
        try db.execute(sql: "DELETE FROM footage_window WHERE camera_id = ? AND start_ms >= ? AND start_ms <= ?",
                       arguments: [cameraID, lo, hi])
        let maxRun = try meta(db, "max_run_ms")
        let runs = try Row.fetchAll(db, sql: """
            SELECT start_ms, end_ms, verified FROM footage_run
            WHERE camera_id = ? AND start_ms >= ? AND start_ms <= ? AND end_ms >= ?
            """, arguments: [cameraID, lo - maxRun, hi, lo]).map {
            FootageSpan(Interval(startMs: $0["start_ms"], endMs: $0["end_ms"]), verified: $0["verified"])
        }
        for w in Windows.chunkedByDay(Windows.merge(runs, maxGapMs: tol)) {
            try db.cachedStatement(sql: "INSERT INTO footage_window (camera_id, start_ms, end_ms, verified) VALUES (?, ?, ?, ?)")
                .execute(arguments: [cameraID, w.interval.start.ms, w.interval.end.ms, w.verified])
        }
    }

    // MARK: Queries

    /// The camera's footage windows overlapping `range`, holes up to `maxGapMs` bridged,
    /// clipped to `range`.
    public func windows(cameraID: String, range: Interval, maxGapMs: Int64 = Windows.defaultMaxGapMs) throws -> [FootageSpan] {
        try read { db in try Self.windows(db, cameraID: cameraID, range: range, maxGapMs: maxGapMs) }
    }

    /// Windows for many cameras in one read snapshot.
    public func windows(cameraIDs: [String], range: Interval, maxGapMs: Int64 = Windows.defaultMaxGapMs) throws -> [String: [FootageSpan]] {
        try read { db in
            var out: [String: [FootageSpan]] = [:]
            for id in cameraIDs { out[id] = try Self.windows(db, cameraID: id, range: range, maxGapMs: maxGapMs) }
            return out
        }
    }

    static func windows(_ db: Database, cameraID: String, range: Interval, maxGapMs: Int64) throws -> [FootageSpan] {
        let gap = max(0, maxGapMs)
        // Pieces just outside the range can still bridge into it.
        let from = range.start.ms - gap, to = range.end.ms + gap
        let statement: Statement
        let bound: Int64
        if gap >= windowToleranceMs {
            bound = Windows.maxStoredWindowMs
            statement = try db.cachedStatement(sql: """
                SELECT start_ms, end_ms, verified FROM footage_window
                WHERE camera_id = ? AND start_ms >= ? AND start_ms < ? AND end_ms > ? ORDER BY start_ms
                """)
        } else {
            bound = try meta(db, "max_run_ms")
            statement = try db.cachedStatement(sql: """
                SELECT start_ms, end_ms, verified FROM footage_run
                WHERE camera_id = ? AND start_ms >= ? AND start_ms < ? AND end_ms > ? ORDER BY start_ms
                """)
        }
        let spans = try Row.fetchAll(statement, arguments: [cameraID, from - bound, to, from]).map {
            FootageSpan(Interval(startMs: $0[0], endMs: $0[1]), verified: $0[2])
        }
        return Windows.clip(Windows.merge(spans, maxGapMs: gap), to: range)
    }

    /// Files that could not be indexed, for one camera or all.
    public func segmentErrors(cameraID: String? = nil) throws -> [SegmentError] {
        try read { db in
            let rows: [Row]
            if let cameraID {
                rows = try Row.fetchAll(db, sql: "SELECT camera_id, path, error, indexed_at_ms FROM segment WHERE error IS NOT NULL AND camera_id = ? ORDER BY path", arguments: [cameraID])
            } else {
                rows = try Row.fetchAll(db, sql: "SELECT camera_id, path, error, indexed_at_ms FROM segment WHERE error IS NOT NULL ORDER BY camera_id, path")
            }
            return rows.map { SegmentError(cameraID: $0["camera_id"], path: $0["path"], message: $0["error"], indexedAtMs: $0["indexed_at_ms"]) }
        }
    }

    public func footageSummary(cameraID: String) throws -> FootageSummary {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS n, count(error) AS failed,
                       sum(error IS NULL AND NOT verified) AS unverified,
                       sum(start_source = 'mtime') AS low, min(start_ms) AS first, max(end_ms) AS last,
                       coalesce(sum(bad_timestamps), 0) AS bad
                FROM segment WHERE camera_id = ?
                """, arguments: [cameraID])!
            let covered = try Int64.fetchOne(db, sql: "SELECT sum(end_ms - start_ms) FROM footage_window WHERE camera_id = ?", arguments: [cameraID]) ?? 0
            return FootageSummary(
                segments: row["n"], failed: row["failed"], unverified: row["unverified"] ?? 0, lowConfidence: row["low"] ?? 0,
                first: (row["first"] as Int64?).map(Instant.init(ms:)), last: (row["last"] as Int64?).map(Instant.init(ms:)),
                coveredMs: covered, badTimestamps: row["bad"])
        }
    }

    /// Whether any segment overlapping `range` has its start only from the file's mtime.
    public func hasLowConfidence(cameraID: String, range: Interval) throws -> Bool {
        try read { db in
            let maxSeg = try Self.meta(db, "max_segment_ms")
            return try Bool.fetchOne(db, sql: """
                SELECT EXISTS (SELECT 1 FROM segment WHERE camera_id = ? AND start_ms >= ? AND start_ms < ? AND end_ms > ?
                               AND start_source = 'mtime')
                """, arguments: [cameraID, range.start.ms - maxSeg, range.end.ms, range.start.ms]) ?? false
        }
    }

    /// The keyframe at or before `at` (where a player must start to show `at`) and the next
    /// one after it, possibly in the following file. Nil `atOrBefore` when `at` is not inside
    /// any footage.
    public func keyframes(cameraID: String, at: Instant) throws -> (atOrBefore: KeyframeLocation?, next: KeyframeLocation?) {
        try read { db in
            let maxSeg = try Self.meta(db, "max_segment_ms")
            let covering = try Row.fetchAll(db, sql: """
                SELECT s.id, s.path, s.start_ms, s.first_pts_ms, s.keyframes FROM segment s
                WHERE s.camera_id = ? AND s.error IS NULL AND s.start_ms >= ? AND s.start_ms <= ? AND s.end_ms > ?
                  AND EXISTS (SELECT 1 FROM footage_run r WHERE r.segment_id = s.id AND r.start_ms <= ? AND r.end_ms > ?)
                ORDER BY s.start_ms DESC
                """, arguments: [cameraID, at.ms - maxSeg, at.ms, at.ms, at.ms, at.ms])
            var before: KeyframeLocation?
            var next: KeyframeLocation?
            for row in covering {
                let all = try Self.locations(row)
                if before == nil, let k = all.last(where: { $0.time <= at }) { before = k }
                if let k = all.first(where: { $0.time > at }), next == nil || k.time < next!.time { next = k }
            }
            if before != nil, next == nil {
                let following = try Row.fetchOne(db, sql: """
                    SELECT id, path, start_ms, first_pts_ms, keyframes FROM segment
                    WHERE camera_id = ? AND error IS NULL AND start_ms > ? ORDER BY start_ms LIMIT 1
                    """, arguments: [cameraID, at.ms])
                next = try following.flatMap { try Self.locations($0).first }
            }
            return (before, next)
        }
    }

    private static func locations(_ row: Row) throws -> [KeyframeLocation] {
        let start: Int64 = row["start_ms"], firstPts: Int64 = row["first_pts_ms"]
        let blob: Data = row["keyframes"] ?? Data()
        return try KeyframeBlob.decode(blob).map {
            KeyframeLocation(path: row["path"], time: Instant(ms: start + $0), offsetMs: $0, ptsMs: firstPts + $0)
        }
    }
}

// MARK: Consistency (camindex check)

/// A stored segment as `check` compares it with the disk.
public struct StoredFile: Sendable, Hashable {
    public var cameraID: String
    public var path: String
    public var size: Int64
    public var mtimeMs: Int64
    /// Timestamps the indexer did not believe (`SegmentRecord.badTimestamps`): a file to look at.
    public var badTimestamps: Int = 0
}

extension Store {
    /// SQLite's own checks: an empty list when the file is sound.
    public func integrityProblems() throws -> [String] {
        try read { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            problems += try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { "foreign key: \($0)" }
            return problems
        }
    }

    public func storedFiles(cameraID: String? = nil) throws -> [StoredFile] {
        try read { db in
            let rows = cameraID == nil
                ? try Row.fetchAll(db, sql: "SELECT camera_id, path, size, mtime_ms, bad_timestamps FROM segment ORDER BY camera_id, path")
                : try Row.fetchAll(db, sql: "SELECT camera_id, path, size, mtime_ms, bad_timestamps FROM segment WHERE camera_id = ? ORDER BY path", arguments: [cameraID])
            return rows.map {
                StoredFile(cameraID: $0["camera_id"], path: $0["path"], size: $0["size"], mtimeMs: $0["mtime_ms"], badTimestamps: $0["bad_timestamps"])
            }
        }
    }

    /// Whether the stored windows equal a fresh merge of the camera's runs.
    public func windowsMatchRuns(cameraID: String) throws -> Bool {
        try read { db in
            let stored = try Self.storedWindows(db, cameraID)
            return stored == (try Self.windowsFromRuns(db, cameraID))
        }
    }

    /// Rebuilds a camera's windows from its runs.
    public func rebuildWindows(cameraID: String) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM footage_window WHERE camera_id = ?", arguments: [cameraID])
            for w in try Self.windowsFromRuns(db, cameraID) {
                try db.execute(sql: "INSERT INTO footage_window (camera_id, start_ms, end_ms, verified) VALUES (?, ?, ?, ?)",
                               arguments: [cameraID, w.interval.start.ms, w.interval.end.ms, w.verified])
            }
        }
    }

    private static func storedWindows(_ db: Database, _ cameraID: String) throws -> [FootageSpan] {
        try Row.fetchAll(db, sql: "SELECT start_ms, end_ms, verified FROM footage_window WHERE camera_id = ? ORDER BY start_ms", arguments: [cameraID])
            .map { FootageSpan(Interval(startMs: $0[0], endMs: $0[1]), verified: $0[2]) }
    }

    private static func windowsFromRuns(_ db: Database, _ cameraID: String) throws -> [FootageSpan] {
        let runs = try Row.fetchAll(db, sql: "SELECT start_ms, end_ms, verified FROM footage_run WHERE camera_id = ?", arguments: [cameraID])
            .map { FootageSpan(Interval(startMs: $0[0], endMs: $0[1]), verified: $0[2]) }
        return Windows.chunkedByDay(Windows.merge(runs, maxGapMs: windowToleranceMs))
    }
}

extension Store {
    /// Files that could not be indexed, per camera.
    public func failedFileCounts() throws -> [String: Int] {
        try read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT camera_id, count(*) AS n FROM segment WHERE error IS NOT NULL GROUP BY camera_id") {
                out[row["camera_id"]] = row["n"]
            }
            return out
        }
    }

    /// Timestamps not believed, per camera (cameras with none left out).
    public func badTimestampCounts() throws -> [String: Int] {
        try read { db in
            var out: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT camera_id, sum(bad_timestamps) AS n FROM segment WHERE bad_timestamps > 0 GROUP BY camera_id") {
                out[row["camera_id"]] = row["n"]
            }
            return out
        }
    }

    /// Segment counts over the whole store (or one camera).
    public func indexTotals() throws -> (segments: Int, failed: Int, unverified: Int) {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT count(*) AS n, count(error) AS failed, coalesce(sum(error IS NULL AND NOT verified), 0) AS unverified FROM segment
                """)!
            return (row["n"] - row["failed"], row["failed"], row["unverified"])
        }
    }
}
