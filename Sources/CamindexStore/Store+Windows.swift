import CamindexCore
import Foundation
import GRDB

// Window maintenance: the stored windows are the runs merged at the tolerance and cut at UTC
// midnights, kept equal to a merge from scratch after every file.
extension Store {
    /// Recomputes the stored windows of a camera around `span`: every window within the
    /// tolerance of the span is absorbed into it, deleted, and rebuilt from the runs.
    static func rebuildWindows(_ db: Database, cameraID: String, around span: Interval) throws {
        let tol = windowToleranceMs
        let day = Windows.maxStoredWindowMs
        var lo = span.start.ms, hi = span.end.ms
        while true {
            let row = try Row.fetchOne(db, sql: """
                SELECT min(start_ms), max(end_ms) FROM footage_window
                WHERE camera_id = ? AND start_ms >= ? AND start_ms <= ? AND end_ms >= ?
                """, arguments: [cameraID, lo - tol - day, hi + tol, lo - tol])
            let s: Int64 = row?[0] ?? lo, e: Int64 = row?[1] ?? hi
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
            """, arguments: [cameraID, lo - maxRun, hi, lo]).map(Self.span)
        try insertWindows(db, cameraID: cameraID, Windows.chunkedByDay(Windows.merge(runs, maxGapMs: tol)))
    }

    /// Whether the stored windows equal a fresh merge of the camera's runs.
    public func windowsMatchRuns(cameraID: String) throws -> Bool {
        try read { db in
            let stored = try Row.fetchAll(db, sql: "SELECT start_ms, end_ms, verified FROM footage_window WHERE camera_id = ? ORDER BY start_ms",
                                          arguments: [cameraID]).map(Self.span)
            return stored == (try Self.windowsFromRuns(db, cameraID))
        }
    }

    /// Rebuilds a camera's windows from its runs.
    public func rebuildWindows(cameraID: String) throws {
        try write { db in
            try db.execute(sql: "DELETE FROM footage_window WHERE camera_id = ?", arguments: [cameraID])
            try Self.insertWindows(db, cameraID: cameraID, try Self.windowsFromRuns(db, cameraID))
        }
    }

    private static func insertWindows(_ db: Database, cameraID: String, _ windows: [FootageSpan]) throws {
        let insert = try db.cachedStatement(sql: "INSERT INTO footage_window (camera_id, start_ms, end_ms, verified) VALUES (?, ?, ?, ?)")
        for w in windows { try insert.execute(arguments: [cameraID, w.interval.start.ms, w.interval.end.ms, w.verified]) }
    }

    private static func windowsFromRuns(_ db: Database, _ cameraID: String) throws -> [FootageSpan] {
        let runs = try Row.fetchAll(db, sql: "SELECT start_ms, end_ms, verified FROM footage_run WHERE camera_id = ?", arguments: [cameraID])
            .map(span)
        return Windows.chunkedByDay(Windows.merge(runs, maxGapMs: windowToleranceMs))
    }

    /// A `start_ms, end_ms, verified` row.
    static func span(_ row: Row) -> FootageSpan {
        FootageSpan(Interval(startMs: row[0], endMs: row[1]), verified: row[2])
    }
}
