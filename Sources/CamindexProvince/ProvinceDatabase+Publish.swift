import CamindexCore
import Foundation
import PostgresNIO

// The province's side of `camindex publish`: a county's partitions, and batches of its
// changes applied with its sequence mark in one transaction.
extension ProvinceDatabase {
    /// Makes the county's partitions and its `county_publish` row if it has none yet, and
    /// returns the last sequence number applied for it (0: never published).
    public func prepareCounty(_ county: String) throws -> Int64 {
        guard county.utf8.count == 6, county.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw CamindexError.usage("invalid county code '\(county)'", code: .regionInvalid, value: county)
        }
        return try transaction {
            // Two counties publishing their first batch at once: partitions are DDL, one at a time.
            try execute("SELECT pg_advisory_xact_lock(72818)")
            for table in ProvinceSchema.partitioned {
                try execute("CREATE TABLE IF NOT EXISTS \(table)_c\(county) PARTITION OF \(table) FOR VALUES IN ('\(county)')")
            }
            try query("INSERT INTO county_publish (county) VALUES (\(county)) ON CONFLICT (county) DO NOTHING")
            return try lastSeq(county: county)
        }
    }

    public func lastSeq(county: String) throws -> Int64 {
        try query("SELECT last_seq FROM county_publish WHERE county = \(county)").first.map { try $0.decode(Int64.self) } ?? 0
    }

    /// Applies `batch` when the province's mark for its county is still `expected`: each
    /// changed row replaced by its current state (or deleted), the mark set to the batch's
    /// last sequence number, all in one transaction. Returns false, applying nothing, when
    /// another publisher of the county moved the mark meanwhile.
    public func apply(_ batch: PublishBatch, expected: Int64) throws -> Bool {
        try transaction {
            let mark = try query("SELECT last_seq FROM county_publish WHERE county = \(batch.county) FOR UPDATE").first
                .map { try $0.decode(Int64.self) }
            guard mark == expected else { return false }
            let byTable = Dictionary(grouping: batch.changes, by: \.table)
            try raiseGenerations(batch.county, byTable)
            for table in PublishedTable.allCases {
                guard let changes = byTable[table], let spec = ProvinceSchema.tables[table] else { continue }
                try delete(spec, county: batch.county, changes)
                if table == .segment {
                    try query(PostgresQuery(unsafeSQL: "DELETE FROM footage_run WHERE county = $1 AND segment_id = ANY($2)",
                                            binds: binds(batch.county, changes.map(\.key2))))
                }
                try insert(spec.name, spec.columns, county: batch.county, rows: changes.compactMap(\.columns))
                if table == .segment {
                    try insert("footage_run", ProvinceSchema.runColumns, county: batch.county, rows: changes.flatMap(\.runs))
                }
            }
            try query("""
                UPDATE county_publish SET last_seq = \(batch.lastSeq), published_at = now(),
                    max_run_ms = greatest(max_run_ms, \(batch.maxRunMs)), max_segment_ms = greatest(max_segment_ms, \(batch.maxSegmentMs))
                WHERE county = \(batch.county)
                """)
            return true
        }
    }

    /// The batch's change counters (p7), raised before its rows are replaced: the registry's
    /// when regions or cameras change; for footage the UTC days on which changed rows of
    /// segment, footage_run and footage_window start, as stored before and as published.
    private func raiseGenerations(_ county: String, _ byTable: [PublishedTable: [PublishedChange]]) throws {
        if byTable[.region] != nil || byTable[.camera] != nil {
            try query("UPDATE county_publish SET registry_generation = registry_generation + 1 WHERE county = \(county)")
        }
        var starts: [Int64] = []
        if let windows = byTable[.footageWindow] { starts += windows.map(\.key2) }
        if let segments = byTable[.segment] {
            starts += try query(PostgresQuery(unsafeSQL: """
                SELECT start_ms FROM segment WHERE county = $1 AND id = ANY($2) AND start_ms IS NOT NULL
                UNION ALL SELECT start_ms FROM footage_run WHERE county = $1 AND segment_id = ANY($2)
                """, binds: binds(county, segments.map(\.key2)))).map { try $0.decode(Int64.self) }
            for change in segments {
                if case let .integer(start)? = change.columns?["start_ms"] { starts.append(start) }
                for run in change.runs { if case let .integer(start)? = run["start_ms"] { starts.append(start) } }
            }
        }
        let days = Set(starts.map(FootageGenerations.day(ofMs:)))
        guard !days.isEmpty else { return }
        try query(PostgresQuery(unsafeSQL: """
            INSERT INTO footage_generation (county, day, n) SELECT $1, d, 1 FROM unnest($2::bigint[]) AS d
            ON CONFLICT (day, county) DO UPDATE SET n = footage_generation.n + 1
            """, binds: binds(county, days.sorted())))
    }

    private func binds(_ county: String, _ values: [Int64]) -> PostgresBindings {
        var b = PostgresBindings()
        b.append(county)
        b.append(values)
        return b
    }

    private func delete(_ spec: ProvinceSchema.Table, county: String, _ changes: [PublishedChange]) throws {
        var b = PostgresBindings()
        b.append(county)
        let sql: String
        switch (spec.key, spec.key2) {
        case let (k?, k2?):
            b.append(changes.map(\.key))
            b.append(changes.map(\.key2))
            sql = "DELETE FROM \(spec.name) WHERE county = $1 AND (\(k), \(k2)) IN (SELECT * FROM unnest($2::text[], $3::bigint[]))"
        case let (k?, nil):
            b.append(changes.map(\.key))
            sql = "DELETE FROM \(spec.name) WHERE county = $1 AND \(k) = ANY($2::text[])"
        case let (nil, k2?):
            b.append(changes.map(\.key2))
            sql = "DELETE FROM \(spec.name) WHERE county = $1 AND \(k2) = ANY($2::bigint[])"
        case (nil, nil):
            return
        }
        try query(PostgresQuery(unsafeSQL: sql, binds: b))
    }

    /// Multi-row INSERTs, as many rows a statement as its 65,535 parameters allow.
    private func insert(_ table: String, _ columns: [(String, ProvinceSchema.Kind)], county: String, rows: [[String: FieldValue]]) throws {
        guard !rows.isEmpty else { return }
        let width = columns.count + 1
        let perStatement = 60_000 / width
        let head = "INSERT INTO \(table) (county, \(columns.map(\.0).joined(separator: ", "))) VALUES "
        for start in stride(from: 0, to: rows.count, by: perStatement) {
            let chunk = rows[start..<min(start + perStatement, rows.count)]
            var b = PostgresBindings(capacity: chunk.count * width)
            var tuples: [String] = []
            tuples.reserveCapacity(chunk.count)
            var n = 0
            for row in chunk {
                b.append(county)
                for (name, kind) in columns { try Self.bind(row[name] ?? .null, as: kind, into: &b, column: name) }
                tuples.append("(" + (1...width).map { "$\(n + $0)" }.joined(separator: ", ") + ")")
                n += width
            }
            try query(PostgresQuery(unsafeSQL: head + tuples.joined(separator: ", "), binds: b))
        }
    }

    /// A county value bound as the province column's type (SQLite keeps booleans as integers).
    private static func bind(_ value: FieldValue, as kind: ProvinceSchema.Kind, into b: inout PostgresBindings, column: String) throws {
        switch (value, kind) {
        case (.null, _): b.appendNull()
        case (.integer(let v), .integer): b.append(v)
        case (.integer(let v), .boolean): b.append(v != 0)
        case (.integer(let v), .real): b.append(Double(v))
        case (.real(let v), .real): b.append(v)
        case (.real(let v), .integer): b.append(Int64(v))
        case (.text(let v), .text): b.append(v)
        case (.blob(let v), .bytes): b.append(ByteBuffer(bytes: v))
        case (.text(let v), .bytes): b.append(ByteBuffer(string: v))
        case (.blob(let v), .text): b.append(String(decoding: v, as: UTF8.self))
        default:
            throw CamindexError.runtime("column \(column): a \(value) cannot be published as \(kind)", code: .provinceFailed, value: column)
        }
    }
}
