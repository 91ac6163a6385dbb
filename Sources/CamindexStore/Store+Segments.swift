import CamindexCore
import Foundation
import GRDB

// Segment files: what the indexer writes, one transaction per file.
extension Store {
    /// Holes up to this are bridged in stored windows; queries with a smaller `--max-gap`
    /// merge the runs themselves.
    public static let windowToleranceMs = Windows.defaultMaxGapMs

    public func segmentStates(cameraID: String) throws -> [String: SegmentState] {
        try read { db in
            var out: [String: SegmentState] = [:]
            let rows = try Row.fetchCursor(db, sql: "SELECT path, size, \(Self.verifiedState), error FROM segment WHERE camera_id = ?", arguments: [cameraID])
            while let row = try rows.next() {
                out[row[0]] = SegmentState(size: row[1], mtimeMs: row[2], verified: row[3], error: row[4])
            }
            return out
        }
    }

    /// As `segmentStates(cameraID:)`, for the files directly in the given directories only
    /// (a bounded range of the (camera, path) index per directory).
    public func segmentStates(cameraID: String, inDirectories dirs: [String]) throws -> [String: SegmentState] {
        try read { db in
            var out: [String: SegmentState] = [:]
            let statement = try db.cachedStatement(sql: """
                SELECT path, size, \(Self.verifiedState), error FROM segment
                WHERE camera_id = ? AND path > ? AND path < ? AND instr(substr(path, length(?) + 1), '/') = 0
                """)
            for dir in dirs {
                let prefix = dir.hasSuffix("/") ? dir : dir + "/"
                // Paths under the prefix sort between it and the prefix with its '/' raised to '0'.
                let upper = String(prefix.dropLast()) + "0"
                let rows = try Row.fetchCursor(statement, arguments: [cameraID, prefix, upper, prefix])
                while let row = try rows.next() {
                    out[row[0]] = SegmentState(size: row[1], mtimeMs: row[2], verified: row[3], error: row[4])
                }
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
    public func saveSegment(cameraID: String, _ record: SegmentRecord, unlessCurrent: Bool = false) throws -> Bool {
        let now = clock.now()
        return try write { db in
            if unlessCurrent, let state = try Self.segmentState(db, cameraID: cameraID, path: record.path),
               state.size == record.size, state.mtimeMs == record.mtimeMs, !state.failed, state.verified || !record.verified {
                return false
            }
            var affected = try Self.deleteSegment(db, cameraID: cameraID, path: record.path)
            let replaced = affected != nil
            var row = SegmentRow(cameraID: cameraID, record, indexedAt: now)
            try row.insert(db)
            var longestRun: Int64 = 0
            for run in record.runs where !run.isEmpty {
                try db.cachedStatement(sql: "INSERT INTO footage_run (segment_id, camera_id, start_ms, end_ms, verified) VALUES (?, ?, ?, ?, ?)")
                    .execute(arguments: [row.id, cameraID, run.start.ms, run.end.ms, record.verified])
                longestRun = max(longestRun, run.durationMs)
                affected = affected.map { Interval(min($0.start, run.start), max($0.end, run.end)) } ?? run
            }
            try Self.raiseMeta(db, "max_run_ms", longestRun)
            try Self.raiseMeta(db, "max_segment_ms", record.endMs - record.startMs)
            // A new file only adds footage: its windows grow from the stored ones around it
            // (linear over a day of many files); a file read again may also take some away.
            let added = record.runs.filter { !$0.isEmpty }.map { FootageSpan($0, verified: record.verified) }
            if let affected {
                let extended = try !replaced && Self.extendWindows(db, cameraID: cameraID, with: added)
                if !extended { try Self.rebuildWindows(db, cameraID: cameraID, around: affected) }
            }
            return true
        }
    }

    /// What the store holds of one file now (nil: nothing).
    public func segmentState(cameraID: String, path: String) throws -> SegmentState? {
        try read { db in try Self.segmentState(db, cameraID: cameraID, path: path) }
    }

    /// `mtime_ms, verified` for `SegmentState`: a recovered file (no moov) is as verified as it
    /// can be, so `--verify` and the daemon's verify pass do not read it again and again.
    static let verifiedState = "mtime_ms, verified OR coalesce(method = 'recovered', 0)"

    private static func segmentState(_ db: Database, cameraID: String, path: String) throws -> SegmentState? {
        try Row.fetchOne(db, sql: "SELECT size, \(verifiedState), error FROM segment WHERE camera_id = ? AND path = ?",
                         arguments: [cameraID, path]).map { SegmentState(size: $0[0], mtimeMs: $0[1], verified: $0[2], error: $0[3]) }
    }

    /// Records that a file could not be indexed (and drops what it held before).
    public func saveSegmentError(cameraID: String, path: String, size: Int64, mtimeMs: Int64, message: String) throws {
        let now = clock.now()
        try write { db in
            let affected = try Self.deleteSegment(db, cameraID: cameraID, path: path)
            var row = SegmentRow(cameraID: cameraID, failedPath: path, size: size, mtimeMs: mtimeMs, message: message, indexedAt: now)
            try row.insert(db)
            if let affected { try Self.rebuildWindows(db, cameraID: cameraID, around: affected) }
        }
    }

    /// Drops the rows of files that are gone; their footage becomes gaps.
    public func deleteSegments(cameraID: String, paths: [String]) throws {
        guard !paths.isEmpty else { return }
        try write { db in try Self.deleteSegments(db, cameraID: cameraID, paths: paths) }
    }

    static func deleteSegments(_ db: Database, cameraID: String, paths: [String]) throws {
        for path in paths {
            if let affected = try deleteSegment(db, cameraID: cameraID, path: path) {
                try rebuildWindows(db, cameraID: cameraID, around: affected)
            }
        }
    }

    /// Deletes a file's row and runs; returns the span its runs covered.
    private static func deleteSegment(_ db: Database, cameraID: String, path: String) throws -> Interval? {
        let request = SegmentRow.select(SegmentRow.Columns.id, as: Int64.self)
            .filter(SegmentRow.Columns.cameraID == cameraID && SegmentRow.Columns.path == path)
        guard let id = try request.fetchOne(db) else {
            return nil
        }
        let span = try Row.fetchOne(db, sql: "SELECT min(start_ms), max(end_ms) FROM footage_run WHERE segment_id = ?", arguments: [id])
        _ = try SegmentRow.deleteOne(db, key: id)
        guard let span, let s: Int64 = span[0], let e: Int64 = span[1] else { return nil }
        return Interval(startMs: s, endMs: e)
    }

    private static func raiseMeta(_ db: Database, _ key: String, _ value: Int64) throws {
        try db.execute(sql: """
            INSERT INTO store_meta (key, value) VALUES (?, ?)
            ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value)
            """, arguments: [key, value])
    }

    /// Bounds for overlap scans: the longest run and the longest segment ever stored.
    static func meta(_ db: Database, _ key: String) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = ?", arguments: [key]) ?? 0
    }
}
