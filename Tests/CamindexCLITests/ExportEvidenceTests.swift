import CamindexTestSupport
import Foundation
import Testing

/// Export defects a trial found, each made to happen on footage made with the ffmpeg CLI: the
/// start keyframe far before --from, overlapping files, sources lost or changed after indexing.
@Suite(.serialized) struct ExportEvidenceTests {
    let dir = TempDir("export-evidence")
    var db: String { dir.file("store.sqlite") }

    @discardableResult
    func ci(_ args: [String], status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        try CLI.expecting(args, db: db, status: status, sourceLocation: sourceLocation)
    }

    /// A camera whose files are `names` (path-dated, 08:00:00 on) of `seconds` each.
    func seed(_ names: [String], seconds: Double = 10, fps: Int = 10, gop: Int = 10) throws -> String {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        let rec = dir.file("rec/cam-1")
        for name in names { try Footage.make("\(rec)/\(name).mp4", .init(seconds: seconds, fps: fps, gop: gop)) }
        try ci(["camera", "add", "cam-1", "--name", "镇政府", "--region", "沙河镇", "--recordings", rec])
        try ci(["index", "--settle", "0"])
        return rec
    }

    func manifest(_ out: String) throws -> [String: Any] {
        try #require(try CLI.json(String(contentsOfFile: "\(out)/manifest.json", encoding: .utf8)) as? [String: Any])
    }

    func camera(_ out: String) throws -> [String: Any] {
        try #require((try manifest(out)["cameras"] as? [[String: Any]])?.first)
    }

    func seconds(_ clip: String) throws -> Double {
        let p = try FFprobe.packets(clip)
        let stream = try FFprobe.videoStream(clip)
        return stream.ms((p.map(\.pts).max() ?? 0) + (p.last?.duration ?? 0) - (p.map(\.pts).min() ?? 0)) / 1000
    }

    @Test func theClipStartsAtTheKeyframeAtOrBeforeFromHoweverFarBack() throws {
        // One 30 s file with a keyframe every 10 s: 08:00:05 is 5 s after the keyframe before it.
        try seed(["20261120_080000"], seconds: 30, gop: 100)
        let key = try #require(try CLI.json(try ci(["keyframe", "--camera", "cam-1", "--at", "2026-11-20 08:00:05", "--format", "json"]).stdout) as? [String: Any])
        #expect((key["keyframe"] as? [String: Any])?["time"] as? String == "2026-11-20T08:00:00+08:00")
        let out = dir.file("out")
        try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:05", "--to", "2026-11-20 08:00:15", "--output", out])
        let cam = try camera(out)
        let clips = try #require(cam["clips"] as? [[String: Any]])
        #expect(clips.count == 1 && (cam["holes"] as? [Any])?.isEmpty == true, "\(cam)")
        #expect(clips[0]["starts_at"] as? String == "2026-11-20T08:00:00+08:00")
        #expect(clips[0]["from_offset_seconds"] as? Double == 5)
        #expect((cam["actual"] as? [String: Any])?["start"] as? String == "2026-11-20T08:00:00+08:00")
        let s = try seconds("\(out)/\(clips[0]["file"] as! String)")
        #expect(abs(s - 15.1) < 0.05, "08:00:00 to the first frame at or after 08:00:15: \(s) s")
    }

    @Test func overlappingFilesAreCopiedOnce() throws {
        // 08:00:00–08:01:00 and 08:00:30–08:01:30: 30 s recorded twice.
        try seed(["20261120_080000", "20261120_080030"], seconds: 60)
        let out = dir.file("out")
        try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:00", "--to", "2026-11-20 08:01:30", "--output", out])
        let clips = try #require(try camera(out)["clips"] as? [[String: Any]])
        #expect(clips.count == 1)
        let clip = "\(out)/\(clips[0]["file"] as! String)"
        let s = try seconds(clip)
        #expect(abs(s - 90) < 0.05, "the clip follows wall-clock time: \(s) s, not 120")
        let pts = try FFprobe.packets(clip).map(\.pts).sorted()
        #expect(Set(pts).count == pts.count && pts.count == 900, "one frame per 100 ms, none twice: \(pts.count)")
    }

    @Test func aSourceLostAfterIndexingIsAHoleWithItsCauseAndTheRestIsExported() throws {
        let rec = try seed(["20261120_080000", "20261120_080010", "20261120_080020", "20261120_080030", "20261120_080040"])
        try FileManager.default.removeItem(atPath: "\(rec)/20261120_080010.mp4")
        try Footage.truncate("\(rec)/20261120_080030.mp4", toBytes: 600)
        let out = dir.file("out")
        // What is intact is exported; the export says what is not.
        let r = try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:00", "--to", "2026-11-20 08:00:50", "--output", out])
        #expect(r.stderr.contains("warning: camera cam-1") && r.stderr.contains("20261120_080010.mp4") && r.stderr.contains("missing"), "\(r.stderr)")
        let cam = try camera(out)
        #expect(cam["error"] == nil || cam["error"] is NSNull)
        let clips = try #require(cam["clips"] as? [[String: Any]])
        #expect(clips.map { $0["starts_at"] as? String } == ["2026-11-20T08:00:00+08:00", "2026-11-20T08:00:20+08:00", "2026-11-20T08:00:40+08:00"])
        let holes = try #require(cam["holes"] as? [[String: Any]])
        #expect(holes.map { $0["start"] as? String } == ["2026-11-20T08:00:10+08:00", "2026-11-20T08:00:30+08:00"])
        #expect(holes.map { $0["end"] as? String } == ["2026-11-20T08:00:20+08:00", "2026-11-20T08:00:40+08:00"])
        #expect((holes[0]["cause"] as? String)?.contains("missing") == true && (holes[1]["cause"] as? String)?.contains("cannot be read") == true, "\(holes)")
        let text = try String(contentsOfFile: "\(out)/manifest.txt", encoding: .utf8)
        #expect(text.contains("not exported") && text.contains("20261120_080010.mp4"))
        try ci(["export", "verify", out])
        // Nothing left to export of it: the camera has failed, named.
        for name in ["20261120_080000", "20261120_080020", "20261120_080040"] { try FileManager.default.removeItem(atPath: "\(rec)/\(name).mp4") }
        let none = try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:00", "--to", "2026-11-20 08:00:50", "--output", dir.file("out2")], status: 1)
        #expect(none.stderr.contains("error[export.failed]") && none.stderr.contains("nothing could be exported"), "\(none.stderr)")
    }

    @Test func aSourceChangedSinceIndexingIsRecordedAsReadAndSaid() throws {
        let rec = try seed(["20261120_080000"])
        let file = "\(rec)/20261120_080000.mp4"
        let indexed = try Footage.size(file)
        // The same footage written again, a little longer: other bytes, another size and mtime.
        try Footage.make(file, .init(seconds: 11, fps: 10, gop: 10))
        try Footage.setMtime(file, Date().addingTimeInterval(-30))
        let out = dir.file("out")
        let r = try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:00", "--to", "2026-11-20 08:00:05", "--output", out])
        #expect(r.stderr.contains("changed since it was indexed"), "\(r.stderr)")
        let source = try #require(((try camera(out)["clips"] as? [[String: Any]])?.first?["sources"] as? [[String: Any]])?.first)
        #expect(source["bytes"] as? Int64 == Int64(try Footage.size(file)) && source["indexed_bytes"] as? Int64 == Int64(indexed), "\(source)")
        #expect(source["sha256"] as? String == (try Footage.run("sha256sum", [file]).split(separator: " ").first.map(String.init)))
        #expect(try String(contentsOfFile: "\(out)/manifest.txt", encoding: .utf8).contains("changed since it was indexed"))
    }

    /// SIGINT in the middle of a many-camera export: the part being written goes, every clip
    /// whole so far is listed in a manifest marked incomplete, the attempt is audited; a re-run
    /// is refused with one message, --force replaces it all, and verify sees stray clips.
    @Test func anInterruptedExportKeepsWhatIsWholeAndSaysSo() async throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        // Fifteen cameras, each with five 10 s files 3 s apart: five parts, ten lines of
        // progress (-v), some 500 bytes a camera.
        let footage = dir.file("one.mp4")
        try Footage.make(footage, .init(seconds: 10, fps: 10, gop: 10))
        let cameras = (1...15).map { String(format: "cam-%02d", $0) }
        var yaml = "regions:\n  - code: \"620723100\"\n    name: 沙河镇\ncameras:\n"
        for id in cameras {
            let rec = dir.file("rec/\(id)")
            try FileManager.default.createDirectory(atPath: rec, withIntermediateDirectories: true)
            for i in 0..<5 { try FileManager.default.copyItem(atPath: footage, toPath: "\(rec)/20261120_0800\(String(format: "%02d", i * 13)).mp4") }
            yaml += "  - id: \(id)\n    name: 路口\(id)\n    region: \"620723100\"\n    recordings: \(rec)\n"
        }
        try yaml.write(toFile: dir.file("inventory.yaml"), atomically: true, encoding: .utf8)
        try ci(["import", dir.file("inventory.yaml")])
        try ci(["index", "--settle", "0"])

        // The progress goes into a pipe of one page that is not read: the export stops, blocked
        // on the full pipe, some eight cameras in; the signal comes then, and the pipe is
        // drained. However slow the machine, it is stopped in the middle.
        let out = dir.file("out")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["--db", db, "export", "-v", "--region", "沙河镇", "--from", "2026-11-20 08:00:00", "--to", "2026-11-20 08:01:15",
                       "--output", out, "--reason", "案件 118"]
        let err = Pipe()
        _ = fcntl(err.fileHandleForWriting.fileDescriptor, 1031 /* F_SETPIPE_SZ */, 4096)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = err
        try p.run()
        let clock = ContinuousClock(), started = clock.now
        while p.isRunning && clock.now - started < .seconds(60) {
            if ((try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []).contains(where: { !$0.hasPrefix(".") && $0.hasSuffix(".mp4") }) { break }
            try await Task.sleep(for: .milliseconds(5))
        }
        try await Task.sleep(for: .milliseconds(300))
        kill(p.processIdentifier, SIGINT)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 1 && stderr.contains("error[export.interrupted]"), "\(stderr)")

        let names = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(!names.contains { $0.hasSuffix(".partial") }, "\(names)")
        let manifest = try manifest(out)
        #expect(manifest["complete"] as? Bool == false && (manifest["interrupted"] as? String)?.contains("signal") == true)
        let files = try #require(manifest["files"] as? [[String: Any]]).map { $0["file"] as! String }
        let entries = try #require(manifest["cameras"] as? [[String: Any]])
        let whole = entries.filter { !(($0["clips"] as? [Any]) ?? []).isEmpty }.count
        #expect(whole >= 1 && whole < cameras.count && files.count == 5 * whole, "\(whole) cameras, \(files.count) clips")
        #expect(Set(names.filter { $0.hasSuffix(".mp4") }) == Set(files), "every clip on disk is listed, and only those")
        #expect(entries.count == cameras.count && entries.filter { ($0["error"] as? String)?.contains("stopped") == true }.count == cameras.count - whole)
        #expect(try String(contentsOfFile: "\(out)/manifest.txt", encoding: .utf8).contains("INCOMPLETE"))
        #expect(try ci(["export", "verify", out]).stdout.contains("marked incomplete"))
        let rows = try #require(try CLI.json(try ci(["audit", "--command", "export", "--format", "json"]).stdout) as? [[String: Any]])
        #expect(rows.count == 1 && (rows[0]["result"] as? String)?.hasPrefix("failed: export.interrupted") == true, "\(rows)")

        // Run again: one message; with --force and a shorter range, nothing of the first is left.
        let again = try ci(["export", "--region", "沙河镇", "--from", "2026-11-20 08:00:00", "--to", "2026-11-20 08:01:15", "--output", out], status: 1)
        #expect(again.stderr.contains("stopped before it was done") && again.stderr.contains("--force"), "\(again.stderr)")
        try ci(["export", "--camera", "cam-01", "--from", "2026-11-20 08:00:00", "--to", "2026-11-20 08:00:10", "--output", out, "--force"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).filter { $0.hasSuffix(".mp4") } == ["cam-01_20261120T080000.mp4"],
                "nothing of the first export is left beside the second")
        // A stray clip and a partial one beside the manifest are found.
        try FileManager.default.copyItem(atPath: footage, toPath: "\(out)/extra.mp4")
        FileManager.default.createFile(atPath: "\(out)/.cam-02_x_1.partial", contents: Data([0]))
        let verify = try ci(["export", "verify", out], status: 1)
        #expect(verify.stderr.contains("extra.mp4: a clip the manifest does not list") && verify.stderr.contains("partial clip"), "\(verify.stderr)")
    }

    @Test func verifyRefusesANameThatLeavesTheExportDirectory() throws {
        try seed(["20261120_080000"])
        let out = dir.file("out")
        try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:00", "--to", "2026-11-20 08:00:05", "--output", out])
        let path = "\(out)/manifest.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(of: "\"file\" : \"cam-1_20261120T080000.mp4\"", with: "\"file\" : \"../../etc/passwd\"")
            .write(toFile: path, atomically: true, encoding: .utf8)
        let r = try ci(["export", "verify", out], status: 1)
        #expect(r.stderr.contains("../../etc/passwd: refused, the name leaves the export directory"), "\(r.stderr)")
    }
}
