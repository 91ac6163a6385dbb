import CamindexCore
import Foundation
import GRDB

/// A row of `audit`.
struct AuditRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "audit"
    enum Columns {
        static let id = Column(CodingKeys.id)
        static let atMs = Column(CodingKeys.atMs)
    }

    var id: Int64
    var atMs: Int64
    var user: String
    var command: String
    var arguments: String
    var reason: String?
    var cameras: String
    var result: String
    var previousHash: String
    var hash: String

    enum CodingKeys: String, CodingKey {
        case id, user, command, arguments, reason, cameras, result, hash
        case atMs = "at_ms"
        case previousHash = "previous_hash"
    }

    init(_ r: AuditRecord) {
        id = r.id; atMs = r.entry.at.ms; user = r.entry.user; command = r.entry.command
        arguments = AuditJSON.encode(r.entry.arguments); reason = r.entry.reason; cameras = AuditJSON.encode(r.entry.cameras)
        result = r.entry.result; previousHash = r.previousHash; hash = r.hash
    }

    var value: AuditRecord {
        var entry = AuditEntry(at: Instant(ms: atMs), user: user, command: command, arguments: [], reason: reason,
                               cameras: AuditJSON.decode(cameras), result: result)
        // As stored: already masked when written.
        entry.arguments = AuditJSON.decode(arguments)
        return AuditRecord(id: id, entry: entry, previousHash: previousHash, hash: hash)
    }

}

extension Store: AuditTrail {
    /// Appends a row at the head of the chain, in one transaction with the read of the head.
    @discardableResult
    public func appendAudit(_ entry: AuditEntry) throws -> AuditRecord {
        try write { db in
            // The head's number and hash only: its row may list hundreds of cameras.
            let head = try Row.fetchOne(db.cachedStatement(sql: "SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1")).map { ($0[0] as Int64, $0[1] as String) }
            let record = AuditVerification.next(after: head, entry)
            try AuditRow(record).insert(db)
            try db.execute(sql: """
                INSERT INTO store_meta (key, value) VALUES ('audit_rows', ?), ('audit_head', ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value
                """, arguments: [record.id, "sha256:" + record.hash])
            return record
        }
    }

    public func auditRecords(_ filter: AuditFilter) throws -> [AuditRecord] {
        try read { db in
            var request = AuditRow.order(AuditRow.Columns.id)
            // The time range narrows the read by its index; the filter decides.
            if let range = filter.range {
                request = request.filter(AuditRow.Columns.atMs >= range.start.ms && AuditRow.Columns.atMs < range.end.ms)
            }
            return try request.fetchAll(db).map(\.value).filter(filter.matches)
        }
    }

    public func verifyAudit() throws -> AuditVerification {
        try read { db in
            var anchor: AuditAnchor?
            if let rows = try Int.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'audit_rows'") {
                let head = try String.fetchOne(db, sql: "SELECT value FROM store_meta WHERE key = 'audit_head'") ?? ""
                anchor = AuditAnchor(rows: rows, hash: head.hasPrefix("sha256:") ? String(head.dropFirst(7)) : head)
            }
            let cursor = try AuditRow.order(AuditRow.Columns.id).fetchCursor(db)
            return try AuditVerification.walk(anchor: anchor) { try cursor.next()?.value }
        }
    }
}
