import CamindexCore
import Foundation
import GRDB

// What `camindex check` compares: SQLite's own checks and the stored files.
extension Store {
    /// SQLite's own checks: an empty list when the file is sound.
    public func integrityProblems() throws -> [String] {
        try read { db in
            var problems = try String.fetchAll(db, sql: "PRAGMA integrity_check").filter { $0 != "ok" }
            problems += try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").map { "foreign key: \($0)" }
            return problems
        }
    }

    public func storedFiles(cameraID: String?) throws -> [StoredFile] {
        try read { db in
            var sql = "SELECT camera_id, path, size, mtime_ms, bad_timestamps FROM segment"
            var arguments: StatementArguments = []
            if let cameraID {
                sql += " WHERE camera_id = ?"
                arguments = [cameraID]
            }
            return try Row.fetchAll(db, sql: sql + " ORDER BY camera_id, path", arguments: arguments).map {
                StoredFile(cameraID: $0[0], path: $0[1], size: $0[2], mtimeMs: $0[3], badTimestamps: $0[4])
            }
        }
    }
}

extension Store: IndexReader {}
