import CamindexCore
import Foundation
import GRDB
import Synchronization

/// Why a store was found damaged, shared by the copies of one `Store` value.
final class DamageMark: Sendable {
    private let why = Mutex<String?>(nil)
    var reason: String? { why.withLock { $0 } }
    func set(_ reason: String) { why.withLock { if $0 == nil { $0 = reason } } }
    func clear() { why.withLock { $0 = nil } }
}

// A damaged store is never written to: the first SQLITE_CORRUPT (or NOTADB) answer stops every
// later write of the process with `store.damaged`, and a mark beside the file
// (`<store>.damaged`, named after its real path) tells health and the next process why, until
// a check finds the file sound again.
extension Store {
    static func isDamage(_ error: any Error) -> Bool {
        guard let e = error as? DatabaseError else { return false }
        return e.resultCode == .SQLITE_CORRUPT || e.resultCode == .SQLITE_NOTADB || (e.message ?? "").contains("malformed")
    }

    func damagedError(_ why: String) -> CamindexError {
        .runtime("store \(location) is damaged (\(why)): nothing more is written to it; run 'camindex check' to see what is damaged, then restore the store from a backup, or move it aside and rebuild it with 'camindex import' and 'camindex index'",
                 code: .storeDamaged, value: location)
    }

    var damageMarkPath: String? { path.map(Self.damageMarkPath) }

    static func damageMarkPath(_ path: String) -> String { Paths.real(path) + ".damaged" }

    /// The mark beside the store at `path`, if any.
    static func damageNote(_ path: String) -> String? {
        (try? String(contentsOfFile: damageMarkPath(path), encoding: .utf8)).map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
    }

    /// Stops writes, and leaves the mark for other processes.
    public func markDamaged(_ why: String) {
        damaged.set(why)
        guard let mark = damageMarkPath, !FileManager.default.fileExists(atPath: mark) else { return }
        let line = "\(TimeFormat.rfc3339(clock.now(), in: TimeZone(identifier: Zones.defaultIdentifier)!)) pid \(getpid()): \(why)\n"
        // Beside the store, on its own: the store itself cannot take it.
        FileManager.default.createFile(atPath: mark, contents: Data(line.utf8))
    }

    /// The file was found sound: the mark goes.
    public func clearDamage() {
        damaged.clear()
        if let mark = damageMarkPath { unlink(mark) }
    }

    public func damage() throws -> String? {
        if let why = damaged.reason { return why }
        return path.flatMap(Self.damageNote)
    }

    /// Reads every page a camera's new segment rows and windows go to: its key ranges in the
    /// segment table's indexes (covering counts walk the index pages alone) and in the window
    /// tables, and the rightmost path of the segment table. A damaged page answers
    /// SQLITE_CORRUPT here, before anything is written; cheap, as it is one camera's rows.
    public func checkPagesBeforeWrite(cameraID: String) throws {
        _ = try read { db in
            for sql in ["SELECT count(path) FROM segment WHERE camera_id = ?", "SELECT count(start_ms) FROM segment WHERE camera_id = ?",
                        "SELECT count(start_ms) FROM footage_run WHERE camera_id = ?", "SELECT count(start_ms) FROM footage_window WHERE camera_id = ?"] {
                _ = try Int.fetchOne(db, sql: sql, arguments: [cameraID])
            }
            return try Int64.fetchOne(db, sql: "SELECT max(id) FROM segment")
        }
        if let why = damaged.reason { throw damagedError(why) }
    }

    /// SQLite's quick check (every page and record, not the indexes against their tables): the
    /// problems found, empty when sound. A reader of its own: writers go on meanwhile.
    public func quickCheck() throws -> [String] {
        do {
            return try writer.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check(100)").filter { $0 != "ok" } }
        } catch where Self.isDamage(error) {
            return [Store.describe(error)]
        } catch {
            throw storeError(error)
        }
    }
}
