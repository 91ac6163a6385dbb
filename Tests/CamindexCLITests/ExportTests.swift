import CamindexTestSupport
import Foundation
import Testing

/// `camindex export` and the audit trail end to end, on footage made at test time, clips read
/// back with ffprobe.
@Suite(.serialized) struct ExportTests {
    let dir = TempDir("export")
    var db: String { dir.file("store.sqlite") }
    var rec: String { dir.file("rec/cam-1") }

    @discardableResult
    func ci(_ args: [String], status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        try CLI.expecting(args, db: db, status: status, sourceLocation: sourceLocation)
    }

    /// 08:00:00–08:00:30 in three 10 s files, a hole, 08:00:40–08:00:50; keyframes every second.
    func seed(camera: String = "cam-1", recordings: String? = nil) throws {
        if !FileManager.default.fileExists(atPath: db) {
            try ci(["region", "add", "620723", "临泽县"])
            try ci(["region", "add", "620723100", "沙河镇"])
        }
        let rec = recordings ?? self.rec
        for name in ["20261120_080000", "20261120_080010", "20261120_080020", "20261120_080040"] {
            try Footage.make("\(rec)/\(name).mp4", .init(seconds: 10, fps: 25, gop: 25))
        }
        try ci(["camera", "add", camera, "--name", "镇政府", "--region", "沙河镇", "--recordings", rec,
                "--url", "rtsp://admin:hunter2@cam.example/ch1"])
        try ci(["index", "--settle", "0"])
    }

    struct Packet { var pts: Double; var dts: Double; var key: Bool; var size: Int }

    func packets(_ path: String) throws -> [Packet] {
        let out = try Footage.run("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,dts_time,flags,size",
                                              "-of", "csv=p=0", path])
        return out.split(separator: "\n").map { line in
            let f = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            return Packet(pts: Double(f[0]) ?? .nan, dts: Double(f[1]) ?? .nan, key: f[3].hasPrefix("K"), size: Int(f[2]) ?? 0)
        }
    }

    func tag(_ path: String, _ name: String) throws -> String {
        try Footage.run("ffprobe", ["-v", "error", "-show_entries", "format_tags=\(name)", "-of", "default=nw=1:nk=1", path])
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func manifest(_ out: String) throws -> [String: Any] {
        try #require(try CLI.json(String(contentsOfFile: "\(out)/manifest.json", encoding: .utf8)) as? [String: Any])
    }

    @Test func clipAcrossFilesStartsAtTheKeyframeAndIsContinuous() throws {
        try seed()
        let out = dir.file("out1")
        try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:05.5", "--to", "2026-11-20 08:00:25", "--output", out,
                "--reason", "案件 2026-118"])
        let clip = "\(out)/cam-1_20261120T080005.mp4"
        let p = try packets(clip)
        #expect(p.first?.key == true)
        // 08:00:05 (the keyframe at or before 05.5) to the frame at 08:00:25 inclusive: 20 s + one frame.
        #expect(p.count == 20 * 25 + 1, "\(p.count) packets")
        let steps = zip(p.dropFirst(), p).map { $0.dts - $1.dts }
        #expect(steps.allSatisfy { abs($0 - 0.04) < 0.002 }, "no timestamp jump across the file boundaries")
        #expect(try tag(clip, "creation_time") == "2026-11-20T00:00:05.000000Z")
        let m = try manifest(out)
        let cam = try #require((m["cameras"] as? [[String: Any]])?.first)
        let clips = try #require(cam["clips"] as? [[String: Any]])
        #expect(clips.count == 1)
        #expect(clips[0]["from_offset_seconds"] as? Double == 0.5)
        #expect(clips[0]["starts_at"] as? String == "2026-11-20T08:00:05+08:00")
        #expect((clips[0]["sources"] as? [Any])?.count == 3)
        let hash = try #require(clips[0]["sha256"] as? String)
        #expect(try Footage.run("sha256sum", [clip]).hasPrefix(hash))
        #expect((cam["holes"] as? [Any])?.isEmpty == true)
        #expect(m["reason"] as? String == "案件 2026-118")
        #expect(FileManager.default.fileExists(atPath: "\(out)/manifest.txt"))
        #expect(try ci(["export", "verify", out]).stdout.contains("ok"))
        // A changed clip is found.
        let h = try #require(FileHandle(forUpdatingAtPath: clip))
        try h.seek(toOffset: 4000)
        try h.write(contentsOf: Data([0xFF, 0x00, 0xFF]))
        try h.close()
        #expect(try ci(["export", "verify", out], status: 1).stderr.contains("cam-1_20261120T080005.mp4"))
    }

    @Test func aHoleMakesTwoPartsAndIsListed() throws {
        try seed()
        let out = dir.file("out2")
        try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:25", "--to", "2026-11-20 08:00:45", "--output", out])
        let m = try manifest(out)
        let cam = try #require((m["cameras"] as? [[String: Any]])?.first)
        let clips = try #require(cam["clips"] as? [[String: Any]])
        #expect(clips.map { $0["file"] as? String } == ["cam-1_20261120T080025_part1.mp4", "cam-1_20261120T080025_part2.mp4"])
        let holes = try #require(cam["holes"] as? [[String: Any]])
        #expect(holes.count == 1 && holes[0]["start"] as? String == "2026-11-20T08:00:30+08:00" && holes[0]["end"] as? String == "2026-11-20T08:00:40+08:00")
        #expect(try packets("\(out)/cam-1_20261120T080025_part1.mp4").count == 5 * 25)
        #expect(try tag("\(out)/cam-1_20261120T080025_part2.mp4", "creation_time") == "2026-11-20T00:00:40.000000Z")
        #expect(try packets("\(out)/cam-1_20261120T080025_part2.mp4").count == 5 * 25 + 1)
    }

    @Test func dryRunWritesNothingAndExistingFilesAreKept() throws {
        try seed()
        let out = dir.file("out3")
        let dry = try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:00", "--to", "2026-11-20 08:00:10", "--output", out, "--dry-run"])
        #expect(dry.stdout.contains("cam-1_20261120T080000.mp4"))
        #expect(!FileManager.default.fileExists(atPath: out))
        try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:00", "--to", "2026-11-20 08:00:10", "--output", out])
        let again = try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:00", "--to", "2026-11-20 08:00:10", "--output", out], status: 1)
        #expect(again.stderr.contains("--force"))
        try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:00", "--to", "2026-11-20 08:00:10", "--output", out, "--force"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["cam-1_20261120T080000.mp4", "extraction-record.html", "manifest.json", "manifest.json.sig", "manifest.txt"])
    }

    @Test func severalCamerasOneFailingTheOthersExported() throws {
        try seed()
        try seed(camera: "cam-2", recordings: dir.file("rec/cam-2"))
        // cam-2's files vanish after indexing: its export fails, cam-1's does not.
        try FileManager.default.removeItem(atPath: dir.file("rec/cam-2"))
        let out = dir.file("out4")
        let r = try ci(["export", "--region", "沙河镇", "--from", "2026-11-20 08:00:02", "--to", "2026-11-20 08:00:04", "--output", out], status: 1)
        #expect(r.stderr.contains("cam-2"))
        #expect(FileManager.default.fileExists(atPath: "\(out)/cam-1_20261120T080002.mp4"))
        let cams = try #require(try manifest(out)["cameras"] as? [[String: Any]])
        #expect(cams.count == 2 && cams[1]["error"] is String && (cams[0]["clips"] as? [Any])?.count == 1)
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).allSatisfy { !$0.hasSuffix(".partial") })
    }

    @Test func everyReadAndExportIsAuditedWithoutPasswordsAndTamperingIsFound() throws {
        try seed()
        try ci(["query", "--camera", "cam-1", "--from", "2026-11-20 08:00", "--to", "2026-11-20 08:01", "--reason", "巡查"])
        try ci(["keyframe", "--camera", "cam-1", "--at", "2026-11-20 08:00:03.5"])
        try ci(["camera", "show", "cam-1"])
        try ci(["report", "--day", "2026-11-20"])
        try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:01", "--to", "2026-11-20 08:00:03", "--output", dir.file("out5")])
        let rows = try #require(try CLI.json(try ci(["audit", "--format", "json"]).stdout) as? [[String: Any]])
        #expect(rows.map { $0["command"] as? String } == ["query", "keyframe", "camera show", "report", "export"])
        #expect(rows[0]["reason"] as? String == "巡查")
        #expect((rows[4]["result"] as? String)?.contains("sha256") == true)
        #expect(rows.allSatisfy { ($0["user"] as? String)?.isEmpty == false })
        let all = try ci(["audit", "--format", "json"]).stdout + (try ci(["audit"]).stdout)
        #expect(!all.contains("hunter2"))
        #expect(try ci(["audit", "--command", "export", "--format", "json"]).stdout.components(separatedBy: "\"command\"").count == 2)
        #expect(try ci(["audit", "verify"]).stdout.contains("intact: 5 rows"))

        // camindex refuses to change a row; so does SQLite.
        let update = try Footage.runStatus("sqlite3", [db, "UPDATE audit SET reason = 'x' WHERE id = 2"])
        #expect(update != 0)
        // Behind camindex's back: drop the trigger, change a row.
        _ = try Footage.run("sqlite3", [db, "DROP TRIGGER audit_no_update; UPDATE audit SET user = 'someone' WHERE id = 3"])
        let broken = try ci(["audit", "verify"], status: 1)
        #expect(broken.stderr.contains("row 3"))
    }

    @Test func aSourceThatEndsEarlyEndsItsPartAndLeavesAHole() throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        let rec = dir.file("rec/ts")
        for name in ["20261120_080000", "20261120_080010", "20261120_080020"] {
            try Footage.make("\(rec)/\(name).ts", .init(seconds: 10, fps: 25, gop: 25))
        }
        try ci(["camera", "add", "cam-ts", "--name", "ts", "--region", "沙河镇", "--recordings", rec])
        try ci(["index", "--settle", "0"])
        // The middle file shrinks after it was indexed (cut inside a TS packet): the index does
        // not know, the copy finds out.
        let middle = "\(rec)/20261120_080010.ts"
        let size = try #require(try FileManager.default.attributesOfItem(atPath: middle)[.size] as? NSNumber).intValue
        _ = try Footage.run("truncate", ["-s", String(size / 2 + 101), middle])
        let out = dir.file("out7")
        try ci(["export", "--camera", "cam-ts", "--from", "2026-11-20 08:00:05", "--to", "2026-11-20 08:00:25", "--output", out])
        let cam = try #require((try manifest(out)["cameras"] as? [[String: Any]])?.first)
        let clips = try #require(cam["clips"] as? [[String: Any]])
        #expect(clips.map { $0["file"] as? String } == ["cam-ts_20261120T080005_part1.mp4", "cam-ts_20261120T080005_part2.mp4"])
        let sources = try #require(clips[0]["sources"] as? [[String: Any]])
        #expect(sources.map { $0["ended_early"] as? Bool } == [false, true])
        #expect(clips[1]["starts_at"] as? String == "2026-11-20T08:00:20+08:00")
        let holes = try #require(cam["holes"] as? [[String: Any]])
        #expect(holes.count == 1 && holes[0]["end"] as? String == "2026-11-20T08:00:20+08:00")
        let first = try packets("\(out)/cam-ts_20261120T080005_part1.mp4")
        #expect(first.count > 5 * 25 && first.count < 15 * 25, "\(first.count) packets: the first file and what was readable of the second")
    }

    @Test func aResolutionChangeStartsANewPart() throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        let rec = dir.file("rec/res")
        try Footage.make("\(rec)/20261120_080000.mp4", .init(seconds: 10, fps: 25, gop: 25))
        var big = Footage.Spec(seconds: 10, fps: 25, gop: 25)
        big.size = "320x240"
        try Footage.make("\(rec)/20261120_080010.mp4", big)
        try ci(["camera", "add", "cam-res", "--name", "r", "--region", "沙河镇", "--recordings", rec])
        try ci(["index", "--settle", "0"])
        let out = dir.file("out8")
        try ci(["export", "--camera", "cam-res", "--from", "2026-11-20 08:00:05", "--to", "2026-11-20 08:00:15", "--output", out])
        let clips = try #require((try manifest(out)["cameras"] as? [[String: Any]])?.first?["clips"] as? [[String: Any]])
        #expect(clips.map { "\($0["width"] ?? "")x\($0["height"] ?? "")" } == ["160x120", "320x240"])
        #expect(clips.map { $0["starts_at"] as? String } == ["2026-11-20T08:00:05+08:00", "2026-11-20T08:00:10+08:00"])
        #expect(try packets("\(out)/cam-res_20261120T080005_part2.mp4").count == 5 * 25 + 1)
    }

    /// A recorder that died mid-file (an MP4 cut before its moov): its pictures are indexed
    /// from the mdat and the export copies the file whole, as its own part, hashed.
    @Test func aRecoveredFileIsCopiedWhole() throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        let rec = dir.file("rec/killed")
        try Footage.make("\(rec)/20261120_080000.mp4", .init(seconds: 10, fps: 25, gop: 25))
        let killed = "\(rec)/20261120_080010.mp4"
        try Footage.make(killed, .init(seconds: 10, fps: 25, gop: 25))
        let whole = try Data(contentsOf: URL(fileURLWithPath: killed))
        try whole.prefix(whole.count / 2).write(to: URL(fileURLWithPath: killed))
        try ci(["camera", "add", "cam-k", "--name", "k", "--region", "沙河镇", "--recordings", rec])
        try ci(["index", "--settle", "0"])
        let out = dir.file("out9")
        try ci(["export", "--camera", "cam-k", "--from", "2026-11-20 08:00:05", "--to", "2026-11-20 08:00:30", "--output", out])
        let cam = try #require((try manifest(out)["cameras"] as? [[String: Any]])?.first)
        let clips = try #require(cam["clips"] as? [[String: Any]])
        #expect(clips.map { $0["file"] as? String } == ["cam-k_20261120T080005_part1.mp4", "cam-k_20261120T080005_part2.mp4"])
        #expect(clips[1]["starts_at"] as? String == "2026-11-20T08:00:10+08:00")
        let source = try #require((clips[1]["sources"] as? [[String: Any]])?.first)
        #expect((source["note"] as? String)?.hasPrefix("recovered") == true)
        #expect(try Data(contentsOf: URL(fileURLWithPath: "\(out)/cam-k_20261120T080005_part2.mp4")) == whole.prefix(whole.count / 2))
        #expect(clips[1]["sha256"] as? String == source["sha256"] as? String)
        try ci(["export", "verify", out])
    }

    /// A source's SHA-256 is read once and kept while the file is the one hashed: a second
    /// export takes the kept hash (here made false in the store, to see that it was taken), a
    /// file touched or replaced under its name is read again.
    @Test func aSourceIsHashedOnceWhileItIsUnchanged() throws {
        try seed()
        var n = 0
        func sources() throws -> [String: [String: Any]] {
            n += 1
            let out = dir.file("hash\(n)")
            try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:05", "--to", "2026-11-20 08:00:15", "--output", out])
            let clips = try #require((try manifest(out)["cameras"] as? [[String: Any]])?.first?["clips"] as? [[String: Any]])
            let list = clips.flatMap { $0["sources"] as? [[String: Any]] ?? [] }
            return Dictionary(uniqueKeysWithValues: list.map { ($0["path"] as! String, $0) })
        }
        let a = "\(rec)/20261120_080000.mp4", b = "\(rec)/20261120_080010.mp4"
        func sha(_ path: String) throws -> String { String(try Footage.run("sha256sum", [path]).prefix(64)) }
        let first = try sources()
        #expect(first.keys.sorted() == [a, b])
        for path in [a, b] {
            let hash = try sha(path)
            #expect(first[path]?["sha256"] as? String == hash)
            #expect((first[path]?["sha256_read_at"] as? String)?.hasPrefix("20") == true)
        }
        let kept = try Footage.run("sqlite3", [db, "SELECT path FROM source_hash ORDER BY path"]).split(separator: "\n").map(String.init)
        #expect(kept == [a, b])
        let forged = String(repeating: "f", count: 64)
        _ = try Footage.run("sqlite3", [db, "UPDATE source_hash SET sha256 = '\(forged)'"])
        let second = try sources()
        #expect(second[a]?["sha256"] as? String == forged && second[b]?["sha256"] as? String == forged, "the kept hashes, not read again")
        #expect(second[a]?["sha256_read_at"] as? String == first[a]?["sha256_read_at"] as? String)
        // a touched (a new mtime); b replaced by a copy of itself with its mtime (another inode).
        _ = try Footage.run("touch", ["-d", "2026-11-21 09:00", a])
        _ = try Footage.run("cp", ["-p", b, b + ".new"])
        _ = try Footage.run("mv", [b + ".new", b])
        let third = try sources()
        let (hashA, hashB) = (try sha(a), try sha(b))
        #expect(third[a]?["sha256"] as? String == hashA && third[b]?["sha256"] as? String == hashB, "read again")
        try ci(["export", "verify", dir.file("hash3")])
    }

    @Test func aReasonCanBeRequired() throws {
        try seed()
        let r = try CLI.run(["--db", db, "export", "--camera", "cam-1", "--from", "2026-11-20 08:00:01", "--to", "2026-11-20 08:00:03",
                             "--output", dir.file("out6")], env: ["CAMINDEX_REQUIRE_REASON": "1"])
        #expect(r.status == 2 && r.stderr.contains("--reason"))
        #expect(!FileManager.default.fileExists(atPath: dir.file("out6")))
    }
}
