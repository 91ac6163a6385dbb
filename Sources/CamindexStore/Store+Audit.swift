import CamindexCore
import Foundation
import GRDB

/// A row of `audit`.
struct AuditRow: Codable, FetchableRecord, PersistableRecord {
    static let databaseTableName = "audit"
    enum Columns {
        static let id = Column(CodingKeys.id)
        static let atMs = Column(CodingKeys.atMs)
        static let user = Column(CodingKeys.user)
        static let command = Column(CodingKeys.command)
        static let cameras = Column(CodingKeys.cameras)
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
        arguments = Self.json(r.entry.arguments); reason = r.entry.reason; cameras = Self.json(r.entry.cameras)
        result = r.entry.result; previousHash = r.previousHash; hash = r.hash
    }

    var value: AuditRecord {
        var entry = AuditEntry(at: Instant(ms: atMs), user: user, command: command, arguments: [], reason: reason,
                               cameras: Self.list(cameras), result: result)
        // As stored: already masked when written.
        entry.arguments = Self.list(arguments)
        return AuditRecord(id: id, entry: entry, previousHash: previousHash, hash: hash)
    }

    static func json(_ list: [String]) -> String {
        String(decoding: (try? JSONEncoder().encode(list)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func list(_ json: String) -> [String] { (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? [] }
}

extension Store: AuditTrail {
    /// Appends a row at the head of the chain, in one transaction with the read of the head.
    @discardableResult
    public func appendAudit(_ entry: AuditEntry) throws -> AuditRecord {
        try write { db in
            let head = try AuditRow.order(AuditRow.Columns.id.desc).fetchOne(db)
            let id = (head?.id ?? 0) + 1
            let previous = head?.hash ?? ""
            let record = AuditRecord(id: id, entry: entry, previousHash: previous,
                                     hash: AuditRecord.hash(id: id, entry: entry, previousHash: previous))
            try AuditRow(record).insert(db)
            return record
        }
    }

    public func auditRecords(_ filter: AuditFilter) throws -> [AuditRecord] {
        try read { db in
            var request = AuditRow.order(AuditRow.Columns.id)
            if let range = filter.range {
                request = request.filter(AuditRow.Columns.atMs >= range.start.ms && AuditRow.Columns.atMs < range.end.ms)
            }
            if let user = filter.user { request = request.filter(AuditRow.Columns.user == user) }
            if let command = filter.command { request = request.filter(AuditRow.Columns.command == command) }
            var rows = try request.fetchAll(db).map(\.value)
            if let camera = filter.camera { rows = rows.filter { $0.entry.cameras.contains(camera) } }
            return rows
        }
    }

    /// Walks the chain from the first row: each row's hash must match its content, link to the
    /// row before, and the ids must follow one another (a removed row leaves a hole).
    public func verifyAudit() throws -> AuditVerification {
        try read { db in
            let cursor = try AuditRow.order(AuditRow.Columns.id).fetchCursor(db)
            var previous = "", expectedID: Int64 = 1, count = 0
            while let row = try cursor.next() {
                let r = row.value
                count += 1
                if r.id != expectedID {
                    return AuditVerification(rows: count, firstBroken: r.id, problem: "row \(expectedID) is missing (next row is \(r.id))")
                }
                if r.previousHash != previous {
                    return AuditVerification(rows: count, firstBroken: r.id, problem: "row \(r.id) does not link to the row before it")
                }
                if !r.isSound {
                    return AuditVerification(rows: count, firstBroken: r.id, problem: "row \(r.id) was changed after it was written")
                }
                previous = r.hash
                expectedID += 1
            }
            return AuditVerification(rows: count, firstBroken: nil, problem: nil)
        }
    }
}
