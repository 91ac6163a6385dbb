import CamindexCore
import Foundation
import GRDB

// Window maintenance: the stored windows are the runs merged at the tolerance and cut at UTC
// midnights, kept equal to a merge from scratch after every file.
extension Store {
    /// Recomputes the stored windows of a camera after its runs changed within `span`.
    ///
    /// Only the UTC days within the tolerance of the span are rebuilt: their chunks are deleted
    /// and remade from the runs that reach them (a merge of the runs around those days, clipped
    /// to them, is exact there). Chunks outside keep their extent, as nothing within the
    /// tolerance of them changed; but a chunk's `verified` flag is that of its whole logical
    /// window (the AND of all its runs), so the chunks continuing the rebuilt windows across
    /// the first and last midnight get their flags recomputed, and rewritten (walking the
    /// window day by day) only when the flag changes. Cost: the days touched, plus the length
    /// of a window whose flag flips.
    static func rebuildWindows(_ db: Database, cameraID: String, around span: Interval) throws {
        let tol = windowToleranceMs
        let day = Windows.maxStoredWindowMs
        let lo = dayFloor(span.start.ms - tol), hi = dayFloor(span.end.ms + tol - 1) + day
        try db.cachedStatement(sql: "DELETE FROM footage_window WHERE camera_id = ? AND start_ms >= ? AND start_ms < ?")
            .execute(arguments: [cameraID, lo, hi])
        let maxRun = try meta(db, "max_run_ms")
        let runs = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT start_ms, end_ms, verified FROM footage_run
            WHERE camera_id = ? AND start_ms >= ? AND start_ms <= ? AND end_ms >= ?
            """), arguments: [cameraID, lo - tol - maxRun, hi + tol, lo - tol]).map(Self.span)
        let merged = Windows.merge(runs, maxGapMs: tol)

        // The chunks that continue the rebuilt days across their edges, if any.
        let left = try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT verified FROM footage_window WHERE camera_id = ? AND start_ms >= ? AND start_ms < ? AND end_ms = ?
            """), arguments: [cameraID, lo - day, lo, lo])
        let right = try Bool.fetchOne(db.cachedStatement(sql: "SELECT verified FROM footage_window WHERE camera_id = ? AND start_ms = ?"),
                                      arguments: [cameraID, hi])
        // Whether every run of the window part outside the rebuilt days is verified (a chunk
        // stored verified says so for its whole window; else look for an unverified run in it).
        var leftOK: Bool? = nil, rightOK: Bool? = nil
        func leftVerified() throws -> Bool {
            if let ok = leftOK { return ok }
            let ok = left! ? true : try !unverifiedRunReaches(db, cameraID: cameraID, before: lo, maxRun: maxRun)
            leftOK = ok
            return ok
        }
        func rightVerified() throws -> Bool {
            if let ok = rightOK { return ok }
            let ok = right! ? true : try !unverifiedRunReaches(db, cameraID: cameraID, from: hi, maxRun: maxRun)
            rightOK = ok
            return ok
        }

        var leftFlag: Bool? = nil, rightFlag: Bool? = nil
        var pieces: [FootageSpan] = []
        for w in merged {
            let crossesLeft = left != nil && w.interval.start.ms < lo && w.interval.end.ms > lo
            let crossesRight = right != nil && w.interval.start.ms < hi && w.interval.end.ms > hi
            var verified = w.verified
            if verified, crossesLeft { verified = try leftVerified() }
            if verified, crossesRight { verified = try rightVerified() }
            if crossesLeft { leftFlag = verified }
            if crossesRight { rightFlag = verified }
            if let c = w.interval.clipped(to: Interval(startMs: lo, endMs: hi)) { pieces.append(FootageSpan(c, verified: verified)) }
        }
        try insertWindows(db, cameraID: cameraID, Windows.chunkedByDay(pieces))
        // A window that no longer reaches into the rebuilt days stands alone.
        if let left {
            let flag = try leftFlag ?? leftVerified()
            if flag != left { try setVerified(db, cameraID: cameraID, leftOf: lo, flag) }
        }
        if let right {
            let flag = try rightFlag ?? rightVerified()
            if flag != right { try setVerified(db, cameraID: cameraID, rightOf: hi, flag) }
        }
    }

    /// Adds `runs` to the stored windows when that is a merge with the windows around them
    /// alone: the runs lie inside one UTC day, further than the tolerance from its midnights,
    /// and a window reaching a midnight (continuing into the day beside) keeps its flag, which
    /// is that of the whole window across the days. Exact, since merging is associative: the
    /// stored windows are a merge of the runs, each chunk's flag is its whole window's, and
    /// windows further than the tolerance from the new runs are untouched by them. Returns
    /// false, having changed nothing, where it does not apply (`rebuildWindows` then does).
    static func extendWindows(_ db: Database, cameraID: String, with runs: [FootageSpan]) throws -> Bool {
        guard let first = runs.map(\.interval.start.ms).min(), let last = runs.map(\.interval.end.ms).max() else { return true }
        let tol = windowToleranceMs, day = Windows.maxStoredWindowMs
        let lo = first - tol, hi = last + tol
        let dayStart = dayFloor(lo), dayEnd = dayStart + day
        guard lo > dayStart, hi < dayEnd else { return false }
        let around = try Row.fetchAll(db.cachedStatement(sql: """
            SELECT start_ms, end_ms, verified FROM footage_window
            WHERE camera_id = ? AND start_ms >= ? AND start_ms <= ? AND end_ms >= ?
            """), arguments: [cameraID, dayStart, hi, lo]).map(Self.span)
        let merged = Windows.merge(around + runs, maxGapMs: tol)
        for edge in [dayStart, dayEnd] {
            let before = around.filter { $0.interval.start.ms == edge || $0.interval.end.ms == edge }
            let after = merged.filter { $0.interval.start.ms == edge || $0.interval.end.ms == edge }
            guard before.map(\.verified) == after.map(\.verified) else { return false }
        }
        let delete = try db.cachedStatement(sql: "DELETE FROM footage_window WHERE camera_id = ? AND start_ms = ?")
        for w in around { try delete.execute(arguments: [cameraID, w.interval.start.ms]) }
        try insertWindows(db, cameraID: cameraID, merged)
        return true
    }

    private static func dayFloor(_ ms: Int64) -> Int64 {
        let day = Windows.maxStoredWindowMs
        let q = ms / day
        return (ms % day != 0 && ms < 0 ? q - 1 : q) * day
    }

    /// Whether an unverified run belongs to the window whose stored chunks end at the midnight
    /// `edge`: the latest-ending unverified run starting before it, and the chunks covering
    /// everything from that run's end to the edge.
    private static func unverifiedRunReaches(_ db: Database, cameraID: String, before edge: Int64, maxRun: Int64) throws -> Bool {
        // `verified = 0` written out: the partial index footage_run_unverified serves these.
        guard let last = try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT max(start_ms) FROM footage_run WHERE camera_id = ? AND verified = 0 AND start_ms < ?
            """), arguments: [cameraID, edge]) else { return false }
        let end = try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT max(end_ms) FROM footage_run WHERE camera_id = ? AND verified = 0 AND start_ms >= ? AND start_ms < ?
            """), arguments: [cameraID, last - maxRun, edge]) ?? last
        if end >= edge { return true }
        let from = end - 1  // inside the run (runs are never empty)
        let covered = try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT sum(min(end_ms, ?) - max(start_ms, ?)) FROM footage_window
            WHERE camera_id = ? AND start_ms >= ? AND start_ms < ? AND end_ms > ?
            """), arguments: [edge, from, cameraID, from - Windows.maxStoredWindowMs, edge, from]) ?? 0
        return covered == edge - from
    }

    /// Whether an unverified run belongs to the window whose stored chunks start at the
    /// midnight `edge`: the earliest unverified run reaching past it, and the chunks covering
    /// everything from the edge to that run's start.
    private static func unverifiedRunReaches(_ db: Database, cameraID: String, from edge: Int64, maxRun: Int64) throws -> Bool {
        if try Bool.fetchOne(db.cachedStatement(sql: """
            SELECT 1 FROM footage_run WHERE camera_id = ? AND verified = 0 AND start_ms >= ? AND start_ms < ? AND end_ms > ? LIMIT 1
            """), arguments: [cameraID, edge - maxRun, edge, edge]) != nil { return true }
        guard let first = try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT min(start_ms) FROM footage_run WHERE camera_id = ? AND verified = 0 AND start_ms >= ?
            """), arguments: [cameraID, edge]) else { return false }
        let to = first + 1  // inside the run
        let covered = try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT sum(min(end_ms, ?) - start_ms) FROM footage_window WHERE camera_id = ? AND start_ms >= ? AND start_ms < ?
            """), arguments: [to, cameraID, edge, to]) ?? 0
        return covered == to - edge
    }

    /// Sets the flag of the chunks of one window, from the chunk ending at the midnight `edge`
    /// backwards.
    private static func setVerified(_ db: Database, cameraID: String, leftOf edge: Int64, _ verified: Bool) throws {
        var cursor = edge
        while let start = try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT start_ms FROM footage_window WHERE camera_id = ? AND start_ms >= ? AND start_ms < ? AND end_ms = ?
            """), arguments: [cameraID, cursor - Windows.maxStoredWindowMs, cursor, cursor]) {
            try db.cachedStatement(sql: "UPDATE footage_window SET verified = ? WHERE camera_id = ? AND start_ms = ?")
                .execute(arguments: [verified, cameraID, start])
            cursor = start
        }
    }

    /// Sets the flag of the chunks of one window, from the chunk starting at the midnight
    /// `edge` forwards.
    private static func setVerified(_ db: Database, cameraID: String, rightOf edge: Int64, _ verified: Bool) throws {
        var cursor = edge
        while let end = try Int64.fetchOne(db.cachedStatement(sql: "SELECT end_ms FROM footage_window WHERE camera_id = ? AND start_ms = ?"),
                                           arguments: [cameraID, cursor]) {
            try db.cachedStatement(sql: "UPDATE footage_window SET verified = ? WHERE camera_id = ? AND start_ms = ?")
                .execute(arguments: [verified, cameraID, cursor])
            cursor = end
        }
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
