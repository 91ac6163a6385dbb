import CamindexTestSupport
import Foundation
import Testing

/// The JSON every read command prints is a contract for scripts: each shape against golden
/// text, on one store made at test time. Values that differ from run to run (the temporary
/// directory, when a row was written, who ran it, hashes over those) are replaced by a
/// placeholder; everything else — every key, every footage time, every count — must match.
/// After a deliberate change of a shape, regenerate with CAMINDEX_UPDATE_GOLDEN=1 and read the
/// diff.
@Suite(.serialized) struct JSONGoldenTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden/json")

    static let store: (dir: TempDir, db: String) = {
        let dir = TempDir("golden-json")
        let db = dir.file("store.sqlite")
        func ci(_ args: [String]) {
            let r = try! CLI.run(["--db", db] + args)
            precondition(r.status == 0, "camindex \(args.joined(separator: " ")): \(r.all)")
        }
        ci(["region", "add", "620723", "临泽县"])
        ci(["region", "add", "620723100", "沙河镇"])
        ci(["region", "add", "620723100201", "西关村"])
        let rec = dir.file("rec/62072300001320000001")
        // 08:00:00–08:00:20 in two files, a hole, 08:00:30–08:00:40; a keyframe every 2 s; one file that is not video.
        for name in ["20261120_080000", "20261120_080010", "20261120_080030"] {
            try! Footage.make("\(rec)/\(name).mp4", .init(seconds: 10, fps: 10, gop: 20))
        }
        try! Footage.randomBytes("\(rec)/20261120_080100.mp4", count: 10_000)
        ci(["camera", "add", "62072300001320000001", "--name", "镇政府门口", "--region", "沙河镇", "--recordings", rec,
            "--url", "rtsp://admin:hunter2@cam.example/ch1", "--lat", "39.1412", "--lon", "100.1646"])
        ci(["camera", "add", "cam-village", "--name", "西关村口", "--region", "西关村", "--lat", "39.1420", "--lon", "100.1650",
            "--quality-threshold", "black_luma=12"])
        ci(["index", "--settle", "0", "--allow-failures"])
        ci(["camera", "show", "cam-village", "--reason", "巡查"])
        return (dir, db)
    }()

    /// Each command, and the keys whose values depend on when and by whom the test ran.
    static let commands: [(String, [String], Set<String>)] = [
        ("query", ["query", "--region", "沙河镇", "--from", "2026-11-20 08:00", "--to", "2026-11-20 08:01"], []),
        ("query-near-live", ["query", "--near", "39.1412,100.1646", "--radius", "500", "--from", "2026-11-20 08:00", "--to", "2026-11-20 08:01",
                             "--live", "--max-gap", "0"], []),
        ("keyframe", ["keyframe", "--camera", "62072300001320000001", "--at", "2026-11-20 08:00:05"], []),
        ("camera-list", ["camera", "list", "--all"], []),
        // When the file was found unreadable.
        ("camera-show", ["camera", "show", "62072300001320000001"], ["at", "latest_mtime", "mtime", "size"]),
        ("region-list", ["region", "list"], []),
        ("status", ["status"], []),
        ("health", ["health"], []),
        ("report", ["report", "--day", "2026-11-20"], []),
        ("check", ["check"], []),
        // When, by whom, and the hashes over those.
        ("audit", ["audit", "--command", "camera show", "--camera", "cam-village"], ["at", "user", "hash", "previous_hash"]),
    ]

    @Test(arguments: commands)
    func jsonMatchesGolden(_ name: String, _ args: [String], _ volatile: Set<String>) throws {
        let (dir, db) = Self.store
        let r = try CLI.run(["--db", db] + args + ["--format", "json"])
        // health and check also say what they found in their exit status; the JSON is the contract here.
        #expect(!r.stdout.isEmpty, "\(r.all)")
        let value = try CLI.json(r.stdout)
        let text = String(decoding: try JSONSerialization.data(withJSONObject: Self.normalised(value, dir: dir.path, volatile: volatile),
                                                                options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]), as: UTF8.self) + "\n"
        let file = Self.golden.appendingPathComponent("\(name).json")
        if ProcessInfo.processInfo.environment["CAMINDEX_UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: Self.golden, withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(text == expected, "camindex \(args.joined(separator: " ")) --format json differs from \(file.path):\n\(text)")
    }

    static func normalised(_ value: Any, dir: String, volatile: Set<String>, key: String? = nil) -> Any {
        if let key, volatile.contains(key), !(value is NSNull) { return "<varies>" }
        switch value {
        case let d as [String: Any]:
            return d.reduce(into: [String: Any]()) { $0[$1.key] = normalised($1.value, dir: dir, volatile: volatile, key: $1.key) }
        case let a as [Any]: return a.map { normalised($0, dir: dir, volatile: volatile) }
        case let s as String: return s.replacingOccurrences(of: dir, with: "$TMP")
        default: return value
        }
    }
}
