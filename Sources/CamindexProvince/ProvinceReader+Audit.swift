import CamindexCore
import Foundation
import PostgresNIO

/// The province's own audit trail (migration p5): reads asked of the province, with the county
/// store's row shape and hash chain (`AuditVerification`).
extension ProvinceReader: AuditTrail {
    private static let columns = #"id, at_ms, "user", command, arguments, reason, cameras, result, previous_hash, hash"#

    private static func record(_ row: PostgresRow) throws -> AuditRecord {
        var c = Cells(row)
        let id = try c.next(Int64.self), at = try c.next(Int64.self), user = try c.next(String.self), command = try c.next(String.self)
        let arguments = try c.next(String.self), reason = try c.next(String?.self), cameras = try c.next(String.self)
        let result = try c.next(String.self), previous = try c.next(String.self), hash = try c.next(String.self)
        var entry = AuditEntry(at: Instant(ms: at), user: user, command: command, arguments: [], reason: reason,
                               cameras: AuditJSON.decode(cameras), result: result)
        // As stored: already masked when written.
        entry.arguments = AuditJSON.decode(arguments)
        return AuditRecord(id: id, entry: entry, previousHash: previous, hash: hash)
    }


    /// Appends a row at the head of the chain; the table lock orders appends from every reader.
    @discardableResult
    public func appendAudit(_ entry: AuditEntry) throws -> AuditRecord {
        try db.transaction {
            try db.execute("LOCK TABLE audit IN SHARE ROW EXCLUSIVE MODE")
            let head = try db.query("SELECT id, hash FROM audit ORDER BY id DESC LIMIT 1").first.map { try $0.decode((Int64, String).self) }
            let r = AuditVerification.next(after: head, entry)
            let e = r.entry
            try db.query("""
                INSERT INTO audit (id, at_ms, "user", command, arguments, reason, cameras, result, previous_hash, hash)
                VALUES (\(r.id), \(e.at.ms), \(e.user), \(e.command), \(AuditJSON.encode(e.arguments)), \(e.reason), \(AuditJSON.encode(e.cameras)),
                        \(e.result), \(r.previousHash), \(r.hash))
                """)
            try db.query("""
                INSERT INTO audit_head (one, rows, hash) VALUES (true, \(r.id), \(r.hash))
                ON CONFLICT (one) DO UPDATE SET rows = excluded.rows, hash = excluded.hash
                """)
            return r
        }
    }

    public func auditRecords(_ filter: AuditFilter) throws -> [AuditRecord] {
        let range = filter.range ?? Interval(startMs: Int64.min / 2, endMs: Int64.max / 2)
        return try db.query("SELECT \(unescaped: Self.columns) FROM audit WHERE at_ms >= \(range.start.ms) AND at_ms < \(range.end.ms) ORDER BY id")
            .map(Self.record).filter(filter.matches)
    }

    public func verifyAudit() throws -> AuditVerification {
        try db.snapshot {
            let anchor = try db.query("SELECT rows, hash FROM audit_head").first.map { row -> AuditAnchor in
                var c = row.cells
                return AuditAnchor(rows: Int(try c.next(Int64.self)), hash: try c.next(String.self))
            } ?? AuditAnchor(rows: 0, hash: "")
            var rows = try db.query(PostgresQuery(unsafeSQL: "SELECT \(Self.columns) FROM audit ORDER BY id")).makeIterator()
            return try AuditVerification.walk(anchor: anchor) { try rows.next().map(Self.record) }
        }
    }
}
