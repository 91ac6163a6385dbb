import CamindexCore
import Foundation
import GRDB

/// The comparison point of the benchmarks: recordings kept the way Frigate keeps them, one
/// row per file in a table indexed on (camera, start), answered by the plain overlap
/// condition and merged in Swift. Not used by camindex itself.
public struct FrigateStyleBaseline: Sendable {
    let pool: DatabasePool

    /// Creates a new, empty baseline database at `path` (replacing any there).
    public static func create(path: String) throws -> FrigateStyleBaseline {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let pool = try DatabasePool(path: path)
        try pool.write { db in
            // Frigate's recordings table, reduced to what an availability query touches.
            try db.execute(sql: """
                CREATE TABLE recordings (
                    id INTEGER PRIMARY KEY,
                    camera TEXT NOT NULL,
                    path TEXT NOT NULL,
                    start_time INTEGER NOT NULL,
                    end_time INTEGER NOT NULL,
                    duration REAL NOT NULL,
                    segment_size INTEGER NOT NULL
                );
                CREATE INDEX recordings_camera_start ON recordings(camera, start_time);
                """)
        }
        return FrigateStyleBaseline(pool: pool)
    }

    /// Opens an existing baseline database read-only.
    public static func open(path: String) throws -> FrigateStyleBaseline {
        var config = Configuration()
        config.readonly = true
        return FrigateStyleBaseline(pool: try DatabasePool(path: path, configuration: config))
    }

    /// Inserts files (camera, path, start ms, end ms) in one transaction.
    public func insert(_ rows: [(camera: String, path: String, startMs: Int64, endMs: Int64)]) throws {
        try pool.write { db in
            let st = try db.cachedStatement(sql: """
                INSERT INTO recordings (camera, path, start_time, end_time, duration, segment_size) VALUES (?, ?, ?, ?, ?, ?)
                """)
            for r in rows {
                try st.execute(arguments: [r.camera, r.path, r.startMs, r.endMs, Double(r.endMs - r.startMs) / 1000, (r.endMs - r.startMs) * 500])
            }
        }
    }

    public func checkpoint() throws {
        try pool.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) }
    }

    /// What a Frigate-style schema runs: per camera, every file overlapping the range by the
    /// plain overlap condition (the index bounds only `start_time < t2`), merged in Swift.
    public func windows(cameraIDs: [String], range: Interval, maxGapMs: Int64) throws -> [String: [FootageSpan]] {
        try pool.read { db in
            let st = try db.cachedStatement(sql: """
                SELECT start_time, end_time FROM recordings WHERE camera = ? AND start_time < ? AND end_time > ? ORDER BY start_time
                """)
            var out: [String: [FootageSpan]] = [:]
            let from = range.start.ms - maxGapMs, to = range.end.ms + maxGapMs
            for id in cameraIDs {
                let spans = try Row.fetchAll(st, arguments: [id, to, from]).map {
                    FootageSpan(Interval(startMs: $0[0], endMs: $0[1]), verified: false)
                }
                out[id] = Windows.clip(Windows.merge(spans, maxGapMs: maxGapMs), to: range)
            }
            return out
        }
    }
}
