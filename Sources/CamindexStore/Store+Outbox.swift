import CamindexCore
import Foundation
import GRDB

// The publish outbox (migration "v11: publish outbox"): what a province has not yet applied.
extension Store {
    /// The county this store is: its one county-level region. A store without one, or with
    /// several, cannot say which partition of a province its rows belong to.
    public func publishCounty() throws -> Region {
        let counties = try read { db in
            try RegionRow.filter(Column("level") == RegionCode.Level.county.rawValue).order(RegionRow.Columns.code).fetchAll(db).map(\.value)
        }
        guard counties.count == 1 else {
            let found = counties.isEmpty ? "none" : counties.map { "\($0.code) \($0.name)" }.joined(separator: ", ")
            throw CamindexError.usage("store \(location) must hold exactly one county to publish (found: \(found)); add it with 'camindex region add CODE NAME'",
                                      code: .publishCounty, value: location)
        }
        return counties[0]
    }

    /// The highest sequence number given so far.
    public func outboxHead() throws -> Int64 {
        try read { db in try Self.meta(db, "outbox_seq") }
    }

    /// Up to `limit` changes after `seq`, in order, each with its row's current state, from
    /// one snapshot. Camera URLs leave redacted: their passwords stay in the county.
    public func outboxBatch(county: String, after seq: Int64, limit: Int) throws -> PublishBatch {
        try read { db in
            let entries = try Row.fetchAll(db, sql: "SELECT tbl, k1, k2, seq FROM publish_outbox WHERE seq > ? ORDER BY seq LIMIT ?",
                                           arguments: [seq, limit])
            var changes: [PublishedChange] = []
            changes.reserveCapacity(entries.count)
            for e in entries {
                guard let table = PublishedTable(rawValue: e[0]) else { continue }
                let k1: String = e[1], k2: Int64 = e[2]
                var change = PublishedChange(seq: e[3], table: table, key: k1, key2: k2, columns: nil)
                let row: Row? = switch table {
                case .region: try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM region WHERE code = ?"), arguments: [k1])
                case .camera: try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM camera WHERE id = ?"), arguments: [k1])
                case .segment: try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM segment WHERE id = ?"), arguments: [k2])
                case .footageWindow:
                    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM footage_window WHERE camera_id = ? AND start_ms = ?"), arguments: [k1, k2])
                case .liveWindow:
                    try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM live_window WHERE camera_id = ? AND start_ms = ?"), arguments: [k1, k2])
                case .cameraState: try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM camera_state WHERE camera_id = ?"), arguments: [k1])
                case .probe: try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM probe WHERE id = ?"), arguments: [k2])
                case .heartbeat: try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM daemon_cycle WHERE id = ?"), arguments: [k2])
                }
                if let row {
                    var columns = Self.fields(row)
                    if table == .camera, case .text(let url) = columns["url"] ?? .null { columns["url"] = .text(Redaction.redactURL(url)) }
                    change.columns = columns
                    if table == .segment {
                        change.runs = try Row.fetchAll(db.cachedStatement(sql: "SELECT * FROM footage_run WHERE segment_id = ? ORDER BY start_ms"),
                                                       arguments: [k2]).map(Self.fields)
                    }
                }
                changes.append(change)
            }
            return PublishBatch(county: county, changes: changes, lastSeq: changes.last?.seq ?? seq,
                                maxRunMs: try Self.meta(db, "max_run_ms"), maxSegmentMs: try Self.meta(db, "max_segment_ms"))
        }
    }

    /// Records that `target` (a province, named without its password) has applied every
    /// change through `seq`, and forgets the deletions every target has applied. Entries of
    /// present rows stay: a new province gets every row.
    public func recordPublished(target: String, through seq: Int64) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO publish_target (target, last_seq) VALUES (?, ?)
                ON CONFLICT (target) DO UPDATE SET last_seq = excluded.last_seq
                """, arguments: [target, seq])
            try db.execute(sql: "DELETE FROM publish_outbox WHERE op = 'delete' AND seq <= (SELECT min(last_seq) FROM publish_target)")
        }
    }

    private static func fields(_ row: Row) -> [String: FieldValue] {
        var out: [String: FieldValue] = [:]
        for (name, value) in row {
            out[name] = switch value.storage {
            case .null: .null
            case .int64(let v): .integer(v)
            case .double(let v): .real(v)
            case .string(let v): .text(v)
            case .blob(let v): .blob([UInt8](v))
            }
        }
        return out
    }
}
