import CamindexCore
import Foundation
import GRDB

/// The SQLite store: registry, segment index, availability windows, probes. It owns every
/// SQL statement and the schema's migrations; nothing outside this target sees GRDB. One
/// `Store` per database file per process. Errors leave it as `CamindexError` with `store.*`
/// codes, never as SQLite's own types.
public struct Store: Sendable {
    let writer: any DatabaseWriter
    /// The file, for messages; nil in memory.
    public let path: String?
    /// Stamps rows (indexed at, created at); tests pass a fixed or simulated clock.
    public let clock: any WallClock

    /// Opens the store at `path`. With `create: false` (commands that only read) a missing
    /// file is an error naming the path, never a new empty store.
    public static func open(path: String, create: Bool, clock: any WallClock = SystemClock()) throws -> Store {
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard create else {
                throw CamindexError.runtime("no store at \(path): create one with 'camindex region add' or 'camindex import', or point --db / CAMINDEX_DB at an existing store",
                                            code: .storeMissing, value: path)
            }
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty {
                do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                    throw CamindexError.runtime("cannot create the store's directory \(dir): \(error.localizedDescription)",
                                                code: .storeFailed, value: dir)
                }
            }
        }
        var config = Configuration()
        // The daemon writes while the CLI reads: wait for a lock rather than fail.
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        let pool: DatabasePool
        do {
            pool = try DatabasePool(path: path, configuration: config)
        } catch let error as DatabaseError where [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode) {
            throw CamindexError.runtime("store \(path) is not a camindex store or is damaged: \(Store.describe(error))",
                                        code: .storeDamaged, value: path)
        } catch {
            throw CamindexError.runtime("cannot open store \(path): \(Store.describe(error))", code: .storeFailed, value: path)
        }
        let store = Store(writer: pool, path: path, clock: clock)
        try store.migrate()
        return store
    }

    /// A private in-memory store, for tests.
    public static func inMemory(clock: any WallClock = SystemClock()) throws -> Store {
        let store = Store(writer: try DatabaseQueue(), path: nil, clock: clock)
        try store.migrate()
        return store
    }

    init(writer: any DatabaseWriter, path: String?, clock: any WallClock) {
        self.writer = writer
        self.path = path
        self.clock = clock
    }

    public var location: String { path ?? ":memory:" }

    private func migrate() throws {
        let migrator = Schema.migrator
        do {
            try writer.read { db in
                if try migrator.hasBeenSuperseded(db) {
                    throw CamindexError.runtime("store \(location) was written by a newer camindex; upgrade camindex to use it",
                                                code: .storeNewer, value: location)
                }
            }
            try migrator.migrate(writer)
        } catch let error as CamindexError {
            throw error
        } catch {
            throw CamindexError.runtime("store \(location) is not a camindex store or is damaged: \(Store.describe(error))",
                                        code: .storeDamaged, value: location)
        }
    }

    /// Readable text for a GRDB/SQLite error.
    static func describe(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e.resultCode)" }
        return "\(error)"
    }

    /// Runs `body` in one write transaction; any error rolls back all of it.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try writer.write(body) } catch let error as CamindexError { throw error } catch {
            throw storeError(error)
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try writer.read(body) } catch let error as CamindexError { throw error } catch {
            throw storeError(error)
        }
    }

    func storeError(_ error: any Error) -> CamindexError {
        CamindexError.runtime("store \(location): \(Store.describe(error))", code: .storeFailed, value: location)
    }

    /// Writes the WAL back into the main file and truncates it (after bulk loads).
    public func checkpoint() throws {
        do { try writer.writeWithoutTransaction { db in _ = try db.checkpoint(.truncate) } } catch { throw storeError(error) }
    }

    /// Rows per table, for benchmarks and diagnostics.
    public func rowCounts() throws -> [String: Int] {
        try read { db in
            var out: [String: Int] = [:]
            for table in ["region", "camera", "segment", "footage_run", "footage_window", "probe", "camera_state", "live_window"] {
                out[table] = try Int.fetchOne(db, sql: "SELECT count(*) FROM \(table)") ?? 0
            }
            return out
        }
    }

    /// The time span of all stored windows, nil when there are none.
    public func footageExtent() throws -> Interval? {
        try read { db in
            let row = try Row.fetchOne(db, sql: "SELECT min(start_ms), max(end_ms) FROM footage_window")
            guard let s: Int64 = row?[0], let e: Int64 = row?[1] else { return nil }
            return Interval(startMs: s, endMs: e)
        }
    }
}

extension Store {
    /// Exports must give --reason (set by `camindex daemon --require-reason`, the county's policy).
    public func requiresReason() throws -> Bool {
        try read { db in try Self.meta(db, "require_reason") != 0 }
    }

    public func setRequiresReason(_ required: Bool) throws {
        try write { db in
            try db.execute(sql: "INSERT INTO store_meta (key, value) VALUES ('require_reason', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                           arguments: [required ? 1 : 0])
        }
    }
}
