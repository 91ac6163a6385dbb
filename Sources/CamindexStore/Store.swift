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
    /// Opened read-only: this process cannot write the file (see `open`).
    public let readOnly: Bool
    /// Set once SQLite has answered that the file is damaged: no write is tried after that.
    let damaged = DamageMark()

    /// Opens the store at `path`. With `create: false` (commands that only read) a missing
    /// file is an error naming the path, never a new empty store; so is an empty file. A store
    /// this process cannot write (a read-only copy handed over as evidence, a read-only mount, a
    /// replica) is opened read-only: reads work, writes fail with `store.read_only`.
    public static func open(path: String, create: Bool, clock: any WallClock = SystemClock()) throws -> Store {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        if fm.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue {
                throw CamindexError.runtime("store \(path) is a directory: --db names the SQLite file, e.g. \(path)/camindex.sqlite",
                                            code: .storeFailed, value: path)
            }
            let size = (try? fm.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
            if size == 0 && !create {
                throw CamindexError.runtime("store \(path) is an empty file, not a camindex store: create one with 'camindex region add' or 'camindex import', or point --db at an existing store",
                                            code: .storeMissing, value: path)
            }
            if access(path, R_OK) != 0 {
                throw CamindexError.runtime("cannot read store \(path): \(String(cString: strerror(errno)))", code: .storeFailed, value: path)
            }
            if !writable(path) { return try openReadOnly(path: path, clock: clock) }
            // Found damaged by an earlier process and not checked sound since: read-only, so
            // that not even opening writes into it; writes fail with store.damaged.
            if let why = damageNote(path) {
                let store = try openReadOnly(path: path, clock: clock)
                store.damaged.set(why)
                return store
            }
        } else {
            guard create else {
                throw CamindexError.runtime("no store at \(path): create one with 'camindex region add' or 'camindex import', or point --db / CAMINDEX_DB at an existing store",
                                            code: .storeMissing, value: path)
            }
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty {
                do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                    throw CamindexError.runtime("cannot create the store's directory \(dir): \(ErrorText.of(error))",
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
        } catch {
            // A closed store on a full disk: SQLite cannot make its shared-memory file, but the
            // store can still be read, and its trail says why nothing was written.
            if let free = DiskSpace.exhausted(near: path) {
                if !create, let store = try? openReadOnly(path: path, clock: clock) { return store }
                throw DiskSpace.error(opening: path, free: free)
            }
            throw openError(error, path: path)
        }
        let store = Store(writer: pool, path: path, clock: clock, readOnly: false)
        try store.migrate()
        return store
    }

    /// Whether this process may write the file and create the WAL and lock files beside it.
    static func writable(_ path: String) -> Bool {
        let dir = (path as NSString).deletingLastPathComponent
        guard access(path, W_OK) == 0, access(dir.isEmpty ? "." : dir, W_OK) == 0 else { return false }
        // Root passes access(2) whatever the modes; an immutable file (chattr +i) still refuses.
        let fd = Glibc.open(path, O_WRONLY)
        guard fd >= 0 else { return false }
        Glibc.close(fd)
        return true
    }

    /// A read-only connection; when SQLite cannot make its shared-memory file beside a WAL store
    /// (a read-only directory), the file is opened as immutable: nothing changes it meanwhile.
    private static func openReadOnly(path: String, clock: any WallClock) throws -> Store {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        var queue: DatabaseQueue
        do {
            queue = try DatabaseQueue(path: path, configuration: config)
            try queue.read { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
        } catch {
            // Immutable reads the main file alone: only when no WAL holds commits it lacks.
            let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal")[.size] as? NSNumber)?.int64Value ?? 0
            guard wal == 0 else { throw openError(error, path: path) }
            let uri = "file:" + path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "?#%")))!
                + "?immutable=1"
            do {
                queue = try DatabaseQueue(path: uri, configuration: config)
                try queue.read { db in _ = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master") }
            } catch {
                throw openError(error, path: path)
            }
        }
        let store = Store(writer: queue, path: path, clock: clock, readOnly: true)
        try store.checkSchemaReadOnly()
        return store
    }

    private static func openError(_ error: any Error, path: String) -> CamindexError {
        if let e = error as? DatabaseError, [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(e.resultCode) {
            return CamindexError.runtime("store \(path) is not a camindex store or is damaged: \(Store.describe(error))",
                                         code: .storeDamaged, value: path)
        }
        return CamindexError.runtime("cannot open store \(path): \(Store.describe(error))", code: .storeFailed, value: path)
    }

    /// A private in-memory store, for tests.
    public static func inMemory(clock: any WallClock = SystemClock()) throws -> Store {
        let store = Store(writer: try DatabaseQueue(), path: nil, clock: clock, readOnly: false)
        try store.migrate()
        return store
    }

    init(writer: any DatabaseWriter, path: String?, clock: any WallClock, readOnly: Bool) {
        self.writer = writer
        self.path = path
        self.clock = clock
        self.readOnly = readOnly
    }

    public var location: String { path ?? ":memory:" }

    /// A read-only store cannot be migrated: it must already have this camindex's schema.
    private func checkSchemaReadOnly() throws {
        try checkingSchema { migrator in
            try writer.read { db in
                guard try migrator.hasCompletedMigrations(db) else {
                    throw CamindexError.runtime("store \(location) is read-only and was written by an older camindex: open a writable copy once to upgrade it",
                                                code: .storeReadOnly, value: location)
                }
            }
        }
    }

    private func migrate() throws {
        try checkingSchema { migrator in try migrator.migrate(writer) }
    }

    /// Refuses a store a newer camindex wrote, then runs `body`; any non-camindex error means
    /// the file is not a camindex store, or is damaged.
    private func checkingSchema(_ body: (DatabaseMigrator) throws -> Void) throws {
        let migrator = Schema.migrator
        do {
            try writer.read { db in
                if try migrator.hasBeenSuperseded(db) {
                    throw CamindexError.runtime("store \(location) was written by a newer camindex; upgrade camindex to use it",
                                                code: .storeNewer, value: location)
                }
            }
            try body(migrator)
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

    /// Runs `body` in one write transaction; any error rolls back all of it. Nothing is tried
    /// on a store found damaged.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        if let why = damaged.reason { throw damagedError(why) }
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
        if Self.isDamage(error) {
            let why = Store.describe(error)
            markDamaged(why)
            return damagedError(why)
        }
        // Opened read-only because the disk is full, or full while writing.
        let code = (error as? DatabaseError)?.resultCode
        if let path, readOnly || code == .SQLITE_FULL || code == .SQLITE_IOERR, let free = DiskSpace.exhausted(near: path) {
            return DiskSpace.error(writing: path, free: free)
        }
        if readOnly || (error as? DatabaseError)?.resultCode == .SQLITE_READONLY {
            return CamindexError.runtime("store \(location) is read-only: \(Store.describe(error))", code: .storeReadOnly, value: location)
        }
        return CamindexError.runtime("store \(location): \(Store.describe(error))", code: .storeFailed, value: location)
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
