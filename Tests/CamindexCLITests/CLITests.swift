import CamindexTestSupport
import Foundation
import Testing

/// The `camindex` binary end to end: exit codes, messages, JSON contracts, redaction.
@Suite struct CLITests {
    let dir = TempDir("cli")
    var db: String { dir.file("store.sqlite") }

    @discardableResult
    func ci(_ args: [String], status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        try CLI.expecting(args, db: db, status: status, sourceLocation: sourceLocation)
    }

    func seed() throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        try ci(["region", "add", "620723100201", "西关村"])
    }

    @Test func helpTeaches() throws {
        let root = try CLI.run(["--help"])
        #expect(root.status == 0)
        for word in ["region", "camera", "import", "index", "query", "keyframe", "CAMINDEX_DB"] { #expect(root.stdout.contains(word)) }
        let query = try CLI.run(["query", "--help"])
        #expect(query.status == 0 && query.stdout.contains("--max-gap") && query.stdout.contains("沙河镇"))
    }

    @Test func dbBeforeOrAfterTheSubcommandOrFromTheEnvironment() throws {
        try seed()
        #expect(try CLI.run(["region", "list", "--db", db]).stdout.contains("沙河镇"))
        #expect(try CLI.run(["--db", db, "region", "list"]).stdout.contains("沙河镇"))
        #expect(try CLI.run(["region", "list"], env: ["CAMINDEX_DB": db]).stdout.contains("沙河镇"))
    }

    @Test func readingNeverCreatesAStore() throws {
        let missing = dir.file("nowhere/none.sqlite")
        let r = try CLI.run(["--db", missing, "query", "--region", "沙河镇", "--from", "2026-11-20 14:00", "--to", "2026-11-20 15:00"])
        #expect(r.status == 1)
        #expect(r.stderr.contains(missing))
        #expect(!FileManager.default.fileExists(atPath: missing))
    }

    @Test func badInputIsRefusedWithNothingWritten() throws {
        try seed()
        let cases: [([String], String)] = [
            (["region", "add", "62072", "坏码"], "62072"),
            (["region", "add", "620723105201", "鸭暖村"], "620723105"),
            (["camera", "add", "6207230000132000000", "--name", "x", "--region", "沙河镇"], "19"),
            (["camera", "add", "bad id", "--name", "x", "--region", "沙河镇"], "bad id"),
            (["camera", "add", "cam-1", "--name", "x", "--region", "东关镇"], "东关镇"),
            (["camera", "add", "cam-1", "--name", "x", "--region", "620723"], "county"),
            (["camera", "add", "cam-1", "--name", "x", "--region", "沙河镇", "--url", "ftp://u:hunter2@h/x"], "ftp"),
            (["camera", "add", "cam-1", "--name", "x", "--region", "沙河镇", "--timezone", "Mars/Base"], "Mars/Base"),
            (["camera", "add", "cam-1", "--name", "x", "--region", "沙河镇", "--lat", "39.1"], "--lon"),
            (["camera", "add", "cam-1", "--region", "沙河镇"], "--name"),
        ]
        for (args, named) in cases {
            let r = try ci(args, status: 2)
            #expect(r.stderr.contains(named), "\(args): \(r.stderr)")
            #expect(!r.all.contains("hunter2"))
            #expect(!r.stderr.contains("Fatal error") && !r.stderr.contains("Stack"))
        }
        #expect((try CLI.json(try ci(["camera", "list", "--format", "json"]).stdout) as? [Any])?.isEmpty == true)
        #expect(try ci(["region", "list", "--format", "json"]).stdout.components(separatedBy: "\"code\"").count == 4)

        try ci(["camera", "add", "cam-1", "--name", "镇政府", "--region", "沙河镇"])
        #expect(try ci(["camera", "add", "cam-1", "--name", "again", "--region", "沙河镇"], status: 2).stderr.contains("already exists"))
        let backwards = try ci(["query", "--camera", "cam-1", "--from", "2026-11-20 15:00", "--to", "2026-11-20 14:00"], status: 2)
        #expect(backwards.stderr.contains("--from"))
        #expect(try ci(["query", "--camera", "cam-1", "--from", "yesterday-ish", "--to", "2026-11-20 14:00"], status: 2).stderr.contains("yesterday-ish"))
        #expect(try ci(["query", "--from", "2026-11-20 14:00", "--to", "2026-11-20 15:00"], status: 2).stderr.contains("--region"))
        #expect(try ci(["camera", "show", "cam-404"], status: 2).stderr.contains("cam-404"))
    }

    @Test func ambiguousRegionNameListsCandidates() throws {
        try seed()
        try ci(["region", "add", "620723101", "新华镇"])
        try ci(["region", "add", "620723101201", "西关村"])
        let r = try ci(["region", "list", "--under", "西关村"], status: 2)
        #expect(r.stderr.contains("620723100201") && r.stderr.contains("620723101201"))
    }

    @Test func passwordsNeverLeaveTheRegistry() throws {
        try seed()
        let url = "rtsp://admin:S3cr3t!x@cam1.invalid:554/Streaming/Channels/101"
        try ci(["camera", "add", "62072300001320000001", "--name", "镇政府", "--region", "620723100", "--url", url])
        var outputs = [
            try ci(["camera", "list"]), try ci(["camera", "list", "--format", "json"]), try ci(["camera", "list", "--format", "csv"]),
            try ci(["camera", "show", "62072300001320000001"]), try ci(["camera", "show", "62072300001320000001", "--format", "json"]),
        ]
        outputs.append(try ci(["camera", "update", "62072300001320000001", "--url", "rtsp://admin:N3w!pw@cam1.invalid/x"]))
        outputs.append(try ci(["camera", "list", "-vv"]))
        for r in outputs {
            #expect(!r.all.contains("S3cr3t") && !r.all.contains("N3w!pw"))
        }
        #expect(outputs[0].stdout.contains("rtsp://admin:***@cam1.invalid:554/Streaming/Channels/101"))
        let shown = try #require(try CLI.json(outputs[4].stdout) as? [String: Any])
        #expect(shown["url"] as? String == "rtsp://admin:***@cam1.invalid:554/Streaming/Channels/101")
        let gb = try #require(shown["gb28181"] as? [String: Any])
        #expect(gb["type_code"] as? String == "132")
    }

    @Test func importTheSampleCountyIdempotently() throws {
        let cameras = CLI.packageRoot + "/Cameras"
        let first = try ci(["import", cameras, "--format", "json"])
        let changes = try #require((try CLI.json(first.stdout) as? [String: Any])?["changes"] as? [[String: Any]])
        #expect(changes.filter { $0["kind"] as? String == "region_added" }.count >= 8)
        #expect(changes.filter { $0["kind"] as? String == "camera_added" }.count >= 30)
        #expect(try ci(["import", cameras]).stdout.contains("no changes"))
        let tree = try ci(["region", "list", "--format", "json"])
        let regions = try #require(try CLI.json(tree.stdout) as? [[String: Any]])
        #expect(regions.filter { $0["level"] as? String == "township" }.count == 7)
        #expect(regions.first { $0["code"] as? String == "620723" }?["name"] as? String == "临泽县")
    }

    @Test func importErrorsNameFileLineAndField() throws {
        let file = dir.file("bad.yaml")
        try """
            regions:
              - {code: "620723", name: 临泽县}
              - {code: "620723100", name: 沙河镇}
            cameras:
              - id: cam-1
                name: 镇政府
                region: "620723100"
                lat: north
                lon: 100.1
            """.write(toFile: file, atomically: true, encoding: .utf8)
        let r = try ci(["import", file], status: 2)
        #expect(r.stderr.contains("\(file):8") && r.stderr.contains("lat"))
        try ci(["import", file, "--dry-run"], status: 2)
        // Nothing written, not even the valid regions before the bad camera: no store at all.
        #expect(!FileManager.default.fileExists(atPath: db))
        // With a store in place, a bad import leaves it as it was.
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["import", file], status: 2)
        #expect(try ci(["region", "list", "--format", "csv"]).stdout.split(separator: "\n").count == 2)
    }

    @Test func indexAndQueryEndToEnd() throws {
        try seed()
        let rec = dir.file("rec")
        try ci(["camera", "add", "cam-a", "--name", "镇政府门口", "--region", "沙河镇", "--recordings", rec + "/a", "--lat", "39.1412", "--lon", "100.1646"])
        try ci(["camera", "add", "cam-b", "--name", "村委会", "--region", "西关村", "--recordings", rec + "/b", "--lat", "39.2", "--lon", "100.2"])
        try ci(["camera", "add", "cam-c", "--name", "村口", "--region", "西关村"])
        // cam-a: 14:00–14:02 and 14:03–14:04 (14:02 missing); cam-b: a file that is not video.
        for m in [0, 1, 3] {
            try Footage.make("\(rec)/a/2026-11-20/2026-11-20-14-0\(m)-00-0.mp4", .init(seconds: 60, fps: 10, gop: 20))
        }
        try FileManager.default.createDirectory(atPath: rec + "/b", withIntermediateDirectories: true)
        try Footage.randomBytes(rec + "/b/20261120_140000.mp4", count: 50_000)

        // A file that fails: the rest is indexed, the run exits 1 naming it, unless --allow-failures.
        let index = try ci(["index", "--settle", "0"], status: 1)
        #expect(index.stdout.contains("20261120_140000.mp4"))
        #expect(index.stdout.contains("4 files: 3 indexed, 0 unchanged, 1 failed"))
        #expect(index.stderr.contains("1 file could not be indexed"))
        let again = try ci(["index", "--settle", "0", "--format", "json", "--allow-failures"])
        let items = try #require(try CLI.json(again.stdout) as? [[String: Any]])
        #expect(items.map { $0["indexed"] as? Int } == [0, 0])
        #expect(items.map { $0["unchanged"] as? Int } == [3, 0], "a file that still fails is counted failed, not unchanged")
        #expect(items.map { ($0["failed"] as? [Any])?.count } == [0, 1])
        #expect(try ci(["index", "--settle", "0", "--verify", "--allow-failures"]).stdout.contains("4 files: 3 indexed, 0 unchanged, 1 failed"),
                "with --verify the counts still add up")

        let q = try ci(["query", "--region", "沙河镇", "--from", "2026-11-20T14:00:00+08:00", "--to", "2026-11-20 14:05", "--format", "json"])
        let result = try #require(try CLI.json(q.stdout) as? [String: Any])
        #expect(result["from"] as? String == "2026-11-20T14:00:00+08:00")
        #expect(result["to"] as? String == "2026-11-20T14:05:00+08:00")
        let cams = try #require(result["cameras"] as? [[String: Any]])
        #expect(cams.map { $0["id"] as? String } == ["cam-a", "cam-b", "cam-c"], "every camera, also those without footage")
        let a = cams[0]
        #expect((a["region"] as? [String: Any])?["code"] as? String == "620723100")
        #expect((a["windows"] as? [[String: Any]])?.map { [$0["start"] as! String, $0["end"] as! String] } == [
            ["2026-11-20T14:00:00+08:00", "2026-11-20T14:02:00+08:00"], ["2026-11-20T14:03:00+08:00", "2026-11-20T14:04:00+08:00"],
        ])
        #expect((a["gaps"] as? [[String: Any]])?.map { [$0["start"] as! String, $0["end"] as! String] } == [
            ["2026-11-20T14:02:00+08:00", "2026-11-20T14:03:00+08:00"], ["2026-11-20T14:04:00+08:00", "2026-11-20T14:05:00+08:00"],
        ])
        #expect(a["covered_seconds"] as? Double == 180)
        #expect((cams[2]["windows"] as? [Any])?.isEmpty == true)
        #expect((cams[2]["gaps"] as? [[String: Any]])?.count == 1)
        #expect(cams[1]["covered_seconds"] as? Double == 0)

        let near = try ci(["query", "--near", "39.1412,100.1646", "--radius", "100", "--date", "2026-11-20", "--from", "14:00", "--to", "14:05", "--format", "json"])
        let nearCams = try #require((try CLI.json(near.stdout) as? [String: Any])?["cameras"] as? [[String: Any]])
        #expect(nearCams.map { $0["id"] as? String } == ["cam-a"])

        let csv = try ci(["query", "--camera", "cam-a", "--from", "2026-11-20 14:00", "--to", "2026-11-20 14:05", "--format", "csv"])
        #expect(csv.stdout.split(separator: "\n").count == 5)
        #expect(csv.stdout.contains("cam-a,镇政府门口,620723100,沙河镇,gap,2026-11-20T14:02:00+08:00,2026-11-20T14:03:00+08:00,60,"), "seconds as JSON writes them")

        let table = try ci(["query", "--region", "620723100", "--from", "2026-11-20 14:00", "--to", "2026-11-20 14:05"])
        #expect(table.stdout.contains("3 cameras, 1 with footage"))
        #expect(table.stdout.contains("14:02:00–14:03:00"))

        let k = try ci(["keyframe", "--camera", "cam-a", "--at", "2026-11-20 14:03:27.5", "--format", "json"])
        let key = try #require(try CLI.json(k.stdout) as? [String: Any])
        let at = try #require(key["keyframe"] as? [String: Any])
        #expect(at["time"] as? String == "2026-11-20T14:03:26+08:00")
        #expect(at["offset_seconds"] as? Double == 26)
        #expect((at["file"] as? String)?.hasSuffix("2026-11-20-14-03-00-0.mp4") == true)
        #expect((key["next"] as? [String: Any])?["time"] as? String == "2026-11-20T14:03:28+08:00")
        let gap = try ci(["keyframe", "--camera", "cam-a", "--at", "2026-11-20 14:02:30"], status: 1)
        #expect(gap.stderr.contains("no indexed footage") && gap.stderr.contains("14:03:00"))

        let show = try ci(["camera", "show", "cam-b", "--format", "json"])
        let shown = try #require(try CLI.json(show.stdout) as? [String: Any])
        let errors = try #require(shown["index_errors"] as? [[String: Any]])
        #expect(errors.count == 1 && (errors[0]["path"] as? String)?.hasSuffix("20261120_140000.mp4") == true)
        #expect(try ci(["camera", "show", "cam-b"]).stdout.contains("could not be indexed"))
    }

    @Test func keyframeInsideABridgedHole() throws {
        try seed()
        let rec = dir.file("rec")
        try ci(["camera", "add", "cam-h", "--name", "路口", "--region", "沙河镇", "--recordings", rec])
        // Two 10 s files with a 1 s hole between them, which the windows bridge.
        try Footage.make("\(rec)/2026-11-20/2026-11-20-14-00-00-0.mp4", .init(seconds: 10, fps: 10, gop: 20))
        try Footage.make("\(rec)/2026-11-20/2026-11-20-14-00-11-0.mp4", .init(seconds: 10, fps: 10, gop: 20))
        try ci(["index", "--settle", "0"])
        let q = try ci(["query", "--camera", "cam-h", "--from", "2026-11-20 14:00", "--to", "2026-11-20 14:01", "--format", "json"])
        let cams = try #require((try CLI.json(q.stdout) as? [String: Any])?["cameras"] as? [[String: Any]])
        #expect((cams.first?["windows"] as? [Any])?.count == 1, "query counts the hole as covered")

        let k = try ci(["keyframe", "--camera", "cam-h", "--at", "2026-11-20 14:00:10.5", "--format", "json"])
        let key = try #require(try CLI.json(k.stdout) as? [String: Any])
        let at = try #require(key["keyframe"] as? [String: Any])
        #expect(at["time"] as? String == "2026-11-20T14:00:08+08:00")
        #expect((at["file"] as? String)?.hasSuffix("2026-11-20-14-00-00-0.mp4") == true)
        #expect(((key["next"] as? [String: Any])?["file"] as? String)?.hasSuffix("2026-11-20-14-00-11-0.mp4") == true)
        let hole = try #require(key["bridged_hole_ms"] as? Int)
        #expect(hole >= 900 && hole <= 1100, "\(hole)")

        let table = try ci(["keyframe", "--camera", "cam-h", "--at", "2026-11-20 14:00:10.5"])
        #expect(table.stdout.contains("bridged hole of \(hole) ms"))
        let inside = try ci(["keyframe", "--camera", "cam-h", "--at", "2026-11-20 14:00:05", "--format", "json"])
        #expect((try CLI.json(inside.stdout) as? [String: Any])?["bridged_hole_ms"] == nil, "only in a hole")
    }

    @Test func indexLeavesFilesBeingWrittenAndNamesUnfinishedMP4() throws {
        try seed()
        let rec = dir.file("rec")
        try ci(["camera", "add", "cam-w", "--name", "路口", "--region", "沙河镇", "--recordings", rec])
        let old = Date(timeIntervalSinceNow: -600)
        try Footage.make("\(rec)/20261120_140000.mp4", .init(seconds: 4, fps: 10, gop: 20))
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: "\(rec)/20261120_140000.mp4")
        // Being written: modified just now and without its moov yet (a whole file written just
        // now is indexed: IndexFaultTests), and a hidden temp file waiting for its rename.
        try Footage.make("\(dir.path)/whole-140004.mp4", .init(seconds: 4, fps: 10, gop: 20))
        let growing = try Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/whole-140004.mp4"))
        try growing.prefix(growing.count / 2).write(to: URL(fileURLWithPath: "\(rec)/20261120_140004.mp4"))
        try Footage.make("\(rec)/.20261120_140008.mp4", .init(seconds: 4, fps: 10, gop: 20))
        let index = try ci(["index"])
        #expect(index.stdout.contains("20261120_140004.mp4: in progress (modified"))
        #expect(index.stdout.contains(".20261120_140008.mp4: in progress (hidden temp file"))
        #expect(index.stdout.contains("3 files: 1 indexed, 0 unchanged, 2 still being written, 0 failed"), "\(index.stdout)")
        let json = try #require(try CLI.json(try ci(["index", "--format", "json"]).stdout) as? [[String: Any]])
        #expect((json.first?["in_progress"] as? [[String: Any]])?.count == 2)
        #expect((json.first?["failed"] as? [Any])?.isEmpty == true)

        // A recorder killed mid-file: an MP4 without its moov, older than the settle time. Its
        // pictures are recovered with the frame rate of the camera's finished file.
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: "\(rec)/20261120_140004.mp4")
        let killed = try ci(["index"])
        #expect(killed.stdout.contains("20261120_140004.mp4: unfinished (no moov), pictures recovered"), "\(killed.stdout)")
        #expect(!killed.stdout.contains("not a media file"))
        let q = try ci(["query", "--camera", "cam-w", "--from", "2026-11-20 14:00", "--to", "2026-11-20 14:01", "--format", "json"])
        let window = try #require((((try CLI.json(q.stdout) as? [String: Any])?["cameras"] as? [[String: Any]])?.first?["windows"] as? [[String: Any]])?.first)
        #expect(window["start"] as? String == "2026-11-20T14:00:00+08:00")
        #expect(window["verified"] as? Bool == false, "recovered footage is not verified")
        let check = try #require(try CLI.json(try ci(["check", "--format", "json"]).stdout) as? [String: Any])
        #expect((check["recovered"] as? [[String: Any]])?.first?["path"] as? String == "\(rec)/20261120_140004.mp4")
        #expect(try ci(["check"]).stdout.contains("recovered from their media data"))
        // Not read again by --verify (nothing more can be verified of it).
        let verify = try #require(try CLI.json(try ci(["index", "--verify", "--format", "json"]).stdout) as? [[String: Any]])
        #expect((verify.first?["recovered"] as? [String])?.isEmpty == true, "\(verify)")
        #expect(verify.first?["unchanged"] as? Int == 1, "\(verify)")

        // Without a finished file of the camera, nothing says how to time the pictures.
        let lone = dir.file("lone")
        try ci(["camera", "add", "cam-k", "--name", "路口", "--region", "沙河镇", "--recordings", lone])
        try FileManager.default.createDirectory(atPath: lone, withIntermediateDirectories: true)
        try growing.prefix(growing.count / 2).write(to: URL(fileURLWithPath: "\(lone)/20261120_140004.mp4"))
        try FileManager.default.setAttributes([.modificationDate: old], ofItemAtPath: "\(lone)/20261120_140004.mp4")
        let unfinished = try ci(["index", "--camera", "cam-k"], status: 1)
        #expect(unfinished.stdout.contains("20261120_140004.mp4: unfinished (no moov)"), "\(unfinished.stdout)")
        #expect(try ci(["index", "--settle", "-1"], status: 2).stderr.contains("--settle"))
    }

    @Test func stalledTimestampsAreRetimedAndFlagged() throws {
        try seed()
        let rec = dir.file("rec")
        try ci(["camera", "add", "cam-s", "--name", "路口", "--region", "沙河镇", "--recordings", rec])
        // 20 s of frames whose timestamps stall after 4 s, as after an RTSP source restart.
        try Footage.stalled("\(rec)/20261120_140000.mp4", frames: 500, goodFrames: 100)
        try ci(["index", "--settle", "0"])
        let q = try ci(["query", "--camera", "cam-s", "--from", "2026-11-20 14:00", "--to", "2026-11-20 14:01", "--format", "json"])
        let cam = try #require(((try CLI.json(q.stdout) as? [String: Any])?["cameras"] as? [[String: Any]])?.first)
        let covered = try #require(cam["covered_seconds"] as? Double)
        #expect(abs(covered - 20) < 0.2, "re-timed from the frame rate: \(covered)")
        #expect(cam["low_confidence"] as? Bool == true)
        #expect(cam["timestamps"] as? String == "stalled")
        #expect(cam["time_source"] as? String == "path")
        let health = try ci(["health", "--check", "index"], status: 1)
        #expect(health.stdout.hasPrefix("CAMINDEX WARNING"), "\(health.stdout)")
        #expect(health.stdout.contains("1 file with timestamps: stalled"), "\(health.stdout)")
        #expect(health.stdout.contains("'index_stalled'=1"), "\(health.stdout)")
        let show = try #require(try CLI.json(try ci(["camera", "show", "cam-s", "--format", "json"]).stdout) as? [String: Any])
        #expect((show["footage"] as? [String: Any])?["stalled_timestamps"] as? Int == 1)
        #expect(try ci(["camera", "show", "cam-s"]).stdout.contains("timestamps: stalled"))
        let check = try #require(try CLI.json(try ci(["check", "--format", "json"]).stdout) as? [String: Any])
        #expect(((check["warnings"] as? [[String: Any]])?.first?["detail"] as? String)?.contains("timestamps: stalled") == true)
    }

    /// Frigate's recorder: ffmpeg's segment muxer (`-strftime 1 -reset_timestamps 1`), killed
    /// with SIGKILL mid-file and started again. Every finished file is indexed, the one it was
    /// writing is recovered (here empty), nothing fails, and the footage is there up to the kill.
    @Test func aSegmentRecorderKilledAndRestarted() throws {
        try seed()
        let rec = dir.file("frigate")
        try FileManager.default.createDirectory(atPath: rec, withIntermediateDirectories: true)
        try ci(["camera", "add", "cam-f", "--name", "路口", "--region", "沙河镇", "--recordings", rec])
        func recorder(seconds: Int) throws -> Process {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            p.arguments = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-re", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25",
                           "-t", String(seconds),
                           "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "ultrafast", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0",
                           "-f", "segment", "-segment_time", "2", "-strftime", "1", "-reset_timestamps", "1", "\(rec)/%Y%m%d_%H%M%S.mp4"]
            p.environment = ["TZ": "Asia/Shanghai", "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin"]
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }
        func files() -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: rec)) ?? []).sorted() }
        // Killed once its third file is being written, then started again for a while.
        let first = try recorder(seconds: 60)
        while files().count < 3 { Thread.sleep(forTimeInterval: 0.1) }
        Thread.sleep(forTimeInterval: 1)
        kill(first.processIdentifier, SIGKILL)
        first.waitUntilExit()
        let killedFile = try #require(files().last)
        Thread.sleep(forTimeInterval: 1.2)  // a new name for the restarted recorder's first file
        defer { if first.isRunning { kill(first.processIdentifier, SIGKILL) } }
        // It ends by itself (signals other than SIGKILL may be blocked in a test runner's children).
        let second = try recorder(seconds: 5)
        second.waitUntilExit()

        let index = try #require(try CLI.json(try ci(["index", "--settle", "0", "--format", "json"]).stdout) as? [[String: Any]])
        #expect((index.first?["failed"] as? [Any])?.isEmpty == true, "\(index)")
        #expect(index.first?["recovered"] as? [String] == ["\(rec)/\(killedFile)"], "\(index)")
        let show = try #require(try CLI.json(try ci(["camera", "show", "cam-f", "--format", "json"]).stdout) as? [String: Any])
        let footage = try #require(show["footage"] as? [String: Any])
        #expect(footage["segments"] as? Int == files().count)
        #expect(footage["failed"] as? Int == 0)
        // Two finished 2 s files before the killed one (whose muxer had flushed no picture:
        // ffmpeg's segment muxer leaves a 48-byte stub), dated by names in whole seconds.
        let q = try ci(["query", "--camera", "cam-f", "--from", try #require(footage["first"] as? String),
                        "--to", try #require(footage["last"] as? String), "--format", "json"])
        // Then the restarted recorder's 5 s; the restart's hole may be under 2 s (bridged).
        let covered = try #require(((try CLI.json(q.stdout) as? [String: Any])?["cameras"] as? [[String: Any]])?.first?["covered_seconds"] as? Double)
        #expect(covered >= 8 && covered <= 13, "\(q.stdout)")
    }

    /// GStreamer's splitmuxsink with mp4mux, live: file names without times, each file's
    /// creation time stamped after its first frame. Later files are chained to the file
    /// before, and every JSON answer says where a file's time came from.
    @Test func splitmuxsinkFilesAreChainedByCreationTime() throws {
        try seed()
        let rec = dir.file("rec")
        try FileManager.default.createDirectory(atPath: rec, withIntermediateDirectories: true)
        try ci(["camera", "add", "cam-g", "--name", "路口", "--region", "沙河镇", "--recordings", rec])
        try Footage.run("gst-launch-1.0", ["-q", "-e", "videotestsrc", "is-live=true", "num-buffers=150", "!",
                                           "video/x-raw,width=160,height=120,framerate=25/1", "!",
                                           "x264enc", "key-int-max=25", "speed-preset=ultrafast", "tune=zerolatency", "!", "h264parse", "!",
                                           "splitmuxsink", "location=\(rec)/seg%02d.mp4", "max-size-time=2000000000", "muxer=mp4mux"])
        try ci(["index", "--settle", "0"])
        let show = try #require(try CLI.json(try ci(["camera", "show", "cam-g", "--format", "json"]).stdout) as? [String: Any])
        let footage = try #require(show["footage"] as? [String: Any])
        let sources = try #require(footage["time_sources"] as? [String: Int])
        #expect(sources["creation_time"] == 1, "\(sources)")
        #expect(sources["chained"] == 2, "\(sources)")
        // The same, file by file, the latest footage first.
        let listed = try #require(show["files"] as? [[String: Any]])
        #expect(listed.map { ($0["path"] as? String).map { URL(fileURLWithPath: $0).lastPathComponent } } == ["seg02.mp4", "seg01.mp4", "seg00.mp4"])
        #expect(listed.map { $0["time_source"] as? String } == ["chained", "chained", "creation_time"])
        #expect(listed.last?["start"] as? String == footage["first"] as? String && listed.first?["end"] as? String == footage["last"] as? String)
        let table = try ci(["camera", "show", "cam-g", "--files", "2"]).stdout
        #expect(table.contains("seg02.mp4") && table.contains("seg01.mp4") && !table.contains("seg00.mp4"), "\(table)")
        let first = try #require(footage["first"] as? String), last = try #require(footage["last"] as? String)
        let q = try ci(["query", "--camera", "cam-g", "--from", first, "--to", last, "--max-gap", "0", "--format", "json"])
        let cam = try #require(((try CLI.json(q.stdout) as? [String: Any])?["cameras"] as? [[String: Any]])?.first)
        // Back to back: one window of all 6 s, no hole and no overlap.
        #expect((cam["windows"] as? [Any])?.count == 1, "\(q.stdout)")
        #expect(cam["covered_seconds"] as? Double == 6, "\(q.stdout)")
        #expect(cam["time_source"] as? String == "creation_time")
        let plain = ISO8601DateFormatter(), fractional = ISO8601DateFormatter()
        fractional.formatOptions.insert(.withFractionalSeconds)
        let end = try #require(plain.date(from: last) ?? fractional.date(from: last))
        let k = try ci(["keyframe", "--camera", "cam-g", "--at", plain.string(from: end - 0.5), "--format", "json"])
        let key = try #require((try CLI.json(k.stdout) as? [String: Any])?["keyframe"] as? [String: Any])
        #expect(key["time_source"] as? String == "chained", "\(k.stdout)")
        #expect((key["file"] as? String)?.hasSuffix("seg02.mp4") == true)
    }

    @Test func pathTimesInTheWrongZoneAreWarnedOnce() throws {
        try seed()
        let rec = dir.file("rec")
        // Frigate-like: path times in UTC, camera registered without --path-timezone UTC.
        try ci(["camera", "add", "cam-z", "--name", "路口", "--region", "沙河镇", "--recordings", rec])
        for (i, name) in ["20261120_060000.mp4", "20261120_060004.mp4", "20261120_060008.mp4"].enumerated() {
            try Footage.make("\(rec)/\(name)", .init(seconds: 4, fps: 10, gop: 20))
            let written = Date(timeIntervalSince1970: 1_795_154_404 + Double(i) * 4)  // 2026-11-20T06:00:04Z + 4 s each
            try FileManager.default.setAttributes([.modificationDate: written], ofItemAtPath: "\(rec)/\(name)")
        }
        let index = try ci(["index", "--settle", "0"])
        let warning = "path times look 8 h behind the files' mtimes: set --path-timezone?"
        #expect(index.stdout.components(separatedBy: warning).count == 2, "once per camera: \(index.stdout)")
        let json = try #require(try CLI.json(try ci(["index", "--settle", "0", "--format", "json"]).stdout) as? [[String: Any]])
        #expect(json.first?["path_zone_offset_hours"] as? Int == 8)
        #expect(try ci(["camera", "show", "cam-z"]).stdout.contains(warning))
        let show = try #require(try CLI.json(try ci(["camera", "show", "cam-z", "--format", "json"]).stdout) as? [String: Any])
        #expect((show["footage"] as? [String: Any])?["path_zone_offset_hours"] as? Int == 8)
        let check = try ci(["check"])
        #expect(check.stdout.components(separatedBy: warning).count == 2, "a warning, not a problem: \(check.stdout)")
    }
}
