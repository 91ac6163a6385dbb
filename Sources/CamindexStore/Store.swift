import CamindexCore
import Foundation
import GRDB

/// The SQLite store: registry, segment index and availability windows. It owns every SQL
/// statement and the schema's migrations. One `Store` per database file per process.
public struct Store: Sendable {
    public let writer: any DatabaseWriter
    /// The file, for messages; nil in memory.
    public let path: String?

    /// Opens the store at `path`. With `create: false` (commands that only read) a missing
    /// file is an error naming the path, never a new empty store.
    public static func open(path: String, create: Bool) throws -> Store {
        let fm = FileManager.default
        if !fm.fileExists(atPath: path) {
            guard create else {
                throw CamindexError.runtime("no store at \(path): create one with 'camindex region add' or 'camindex import', or point --db / CAMINDEX_DB at an existing store")
            }
            let dir = (path as NSString).deletingLastPathComponent
            if !dir.isEmpty {
                do { try fm.createDirectory(atPath: dir, withIntermediateDirectories: true) } catch {
                    throw CamindexError.runtime("cannot create the store's directory \(dir): \(error.localizedDescription)")
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
            throw CamindexError.runtime("cannot open store \(path): \(Store.describe(error))")
        }
        let store = Store(writer: pool, path: path)
        try store.migrate()
        return store
    }

    /// A private in-memory store, for tests.
    public static func inMemory() throws -> Store {
        let store = Store(writer: try DatabaseQueue(), path: nil)
        try store.migrate()
        return store
    }

    init(writer: any DatabaseWriter, path: String?) {
        self.writer = writer
        self.path = path
    }

    private func migrate() throws {
        let migrator = Schema.migrator
        do {
            try writer.read { db in
                if try migrator.hasBeenSuperseded(db) {
                    throw CamindexError.runtime("store \(path ?? ":memory:") was written by a newer camindex; upgrade camindex to use it")
                }
            }
            try migrator.migrate(writer)
        } catch let error as CamindexError {
            throw error
        } catch {
            throw CamindexError.runtime("store \(path ?? ":memory:") is not a camindex store or is damaged: \(Store.describe(error))")
        }
    }

    /// Readable text for a GRDB/SQLite error.
    public static func describe(_ error: any Error) -> String {
        if let e = error as? DatabaseError { return e.message ?? "\(e.resultCode)" }
        return "\(error)"
    }

    /// Runs `body` in one write transaction; any error rolls back all of it.
    func write<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try writer.write(body) } catch let error as CamindexError { throw error } catch {
            throw CamindexError.runtime("store \(path ?? ":memory:"): \(Store.describe(error))")
        }
    }

    func read<T>(_ body: (Database) throws -> T) throws -> T {
        do { return try writer.read(body) } catch let error as CamindexError { throw error } catch {
            throw CamindexError.runtime("store \(path ?? ":memory:"): \(Store.describe(error))")
        }
    }
}
