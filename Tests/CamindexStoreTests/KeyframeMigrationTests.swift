@testable import CamindexCore
@testable import CamindexStore
import Foundation
import GRDB
import Testing

/// Migration v9 rewrites every keyframe blob of a store written before it; the store then
/// answers the same keyframe and seek questions.
@Suite struct KeyframeMigrationTests {
    let hour: Int64 = 3_600_000
    let day: Int64 = 1_795_132_800_000  // 2026-11-20T00:00:00Z

    /// Each file's keyframe offsets: a steady 2 s GOP, jitter and a lost keyframe, B-frames
    /// (a first keyframe before the first packet), one keyframe, none.
    var files: [(path: String, start: Int64, end: Int64, keyframes: [Int64])] {
        var jitter = (0..<1800).map { Int64($0) * 2000 + Int64($0 % 3) - 1 }
        jitter.remove(at: 700)
        return [
            ("/a.mp4", day, day + hour, (0..<1800).map { Int64($0) * 2000 }),
            ("/b.mp4", day + hour + 1_800, day + 2 * hour, jitter),
            ("/c.mp4", day + 2 * hour + 1_500, day + 3 * hour, (0..<900).map { Int64($0) * 4000 - 80 }),
            ("/d.mp4", day + 3 * hour, day + 3 * hour + 60_000, [0]),
            ("/e.mp4", day + 3 * hour + 61_000, day + 3 * hour + 120_000, []),
            ("/f.mp4", day + 3 * hour + 121_000, day + 4 * hour, [0, 0, 5, 3, 40_000, 1_000_000]),
        ]
    }

    /// The last migration before v9; the registry is written in SQL, as the schema stood then
    /// (the store's own registry code follows the newest schema).
    static let beforeV9 = "v8: segment starts chained to the previous file, MP4s recovered without moov"

    static func addCamera(_ queue: DatabaseQueue) throws {
        try queue.write { db in
            try db.execute(sql: """
                INSERT INTO region (code, name, level, parent_code) VALUES ('620723', '临泽县', 6, NULL), ('620723100', '沙河镇', 9, '620723');
                INSERT INTO camera (id, name, region_code, timezone, created_at_ms, updated_at_ms)
                    VALUES ('cam', '镇政府', '620723100', 'Asia/Shanghai', 0, 0);
                """)
        }
    }

    @Test func migratedStoreAnswersTheSameKeyframeQueries() throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: Self.beforeV9)
        let store = Store(writer: queue, path: nil, clock: SystemClock(), readOnly: false)
        try Self.addCamera(queue)
        for f in files {
            try store.saveSegment(cameraID: "cam", SegmentRecord(
                path: f.path, size: 1, mtimeMs: 1, startMs: f.start, endMs: f.end, startSource: .path, container: "mov",
                codec: "h264", width: 160, height: 120, fps: 25, firstPtsMs: 1_400, keyframeOffsetsMs: f.keyframes,
                method: "scan", verified: true, truncated: false, damagedKeyframes: 0,
                runs: [Interval(startMs: f.start, endMs: f.end)]))
        }
        // Every ~10 s, and inside each hole between files (bridged: 1.8 s, 1.5 s, 1 s).
        let holes: [Int64] = [hour + 900, 2 * hour + 700, 3 * hour + 60_500, 3 * hour + 120_500]
        let moments = (stride(from: day - 5_000, to: day + 4 * hour + 5_000, by: 9_973) + holes.map { day + $0 }).map { Instant(ms: $0) }
        let everything = Interval(startMs: day - hour, endMs: day + 5 * hour)
        let seeks = try moments.map { try store.keyframes(cameraID: "cam", at: $0) }
        let segments = try store.segments(cameraID: "cam", overlapping: everything)
        #expect(segments.map(\.keyframeOffsetsMs) == files.map(\.keyframes))
        #expect(seeks.compactMap(\.atOrBefore).count > 1_400)
        #expect(seeks.suffix(4).map(\.bridgedHoleMs) == [1_800, 1_500, 1_000, 1_000])

        // Put the blobs back as camindex wrote them before v9: one varint delta per keyframe.
        try queue.write { db in
            for f in files {
                try db.execute(sql: "UPDATE segment SET keyframes = ? WHERE path = ?", arguments: [Data(legacy(f.keyframes)), f.path])
            }
        }
        let legacyBytes = try queue.read { db in try Int.fetchOne(db, sql: "SELECT sum(length(keyframes)) FROM segment")! }
        #expect(throws: CamindexError.self) { try store.keyframes(cameraID: "cam", at: Instant(ms: day + 10_000)) }

        try Schema.migrator.migrate(queue)
        let blobs = try queue.read { db in
            try Row.fetchAll(db, sql: "SELECT path, keyframes FROM segment ORDER BY path").map { ($0[0] as String, $0[1] as Data?) }
        }
        #expect(blobs.map(\.0) == files.map(\.path))
        for (blob, f) in zip(blobs, files) {
            #expect(blob.1 == Data(KeyframeBlob.encode(f.keyframes)), "\(f.path)")
        }
        let compactBytes = blobs.reduce(0) { $0 + ($1.1?.count ?? 0) }
        // About a byte a keyframe for the jittery file, a few bytes for each steady one.
        #expect(compactBytes * 5 < legacyBytes, "\(compactBytes) bytes against \(legacyBytes)")
        #expect(try moments.map { try store.keyframes(cameraID: "cam", at: $0) } == seeks)
        #expect(try store.segments(cameraID: "cam", overlapping: everything) == segments)
    }

    /// Migrating a store more than one batch long (10,000 rows) touches every row once.
    @Test func migrationCoversEveryBatch() throws {
        let queue = try DatabaseQueue()
        try Schema.migrator.migrate(queue, upTo: Self.beforeV9)
        let store = Store(writer: queue, path: nil, clock: SystemClock(), readOnly: false)
        try Self.addCamera(queue)
        let n = 10_050
        try queue.write { db in
            // Rows straight into the table: the migration reads only id and keyframes.
            for i in 0..<n {
                let keyframes = (0..<(i % 7)).map { Int64($0) * 2000 + Int64(i) }
                try db.execute(sql: """
                    INSERT INTO segment (camera_id, path, size, mtime_ms, indexed_at_ms, keyframes) VALUES ('cam', ?, 1, 1, 1, ?)
                    """, arguments: ["/\(i)", i % 11 == 0 ? nil : Data(legacy(keyframes))])
            }
        }
        try Schema.migrator.migrate(queue)
        let rows = try queue.read { db in try Row.fetchAll(db, sql: "SELECT path, keyframes FROM segment ORDER BY id") }
        #expect(rows.count == n)
        for (i, row) in rows.enumerated() {
            let blob: Data? = row[1]
            let keyframes = (0..<(i % 7)).map { Int64($0) * 2000 + Int64(i) }
            if i % 11 == 0 {
                #expect(blob == nil)
            } else {
                #expect(try KeyframeBlob.decode(blob ?? Data()) == keyframes, "row \(i)")
            }
        }
    }

    /// The format before v9, as camindex wrote it then.
    func legacy(_ offsets: [Int64]) -> [UInt8] {
        var out: [UInt8] = []
        var previous: Int64 = 0
        for value in offsets {
            KeyframeBlob.appendVarint(KeyframeBlob.zigzag(value &- previous), to: &out)
            previous = value
        }
        return out
    }
}
