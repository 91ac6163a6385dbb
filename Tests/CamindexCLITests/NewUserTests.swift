import CamindexTestSupport
import Foundation
import Testing

/// What a new technician and a new police user ran into (issue 13), one test per class of fault.
@Suite struct NewUserTests {
    let dir = TempDir("new-user")
    var db: String { dir.file("store.sqlite") }

    @discardableResult
    func ci(_ args: [String], status: Int32 = 0, env: [String: String] = [:], sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        try CLI.expecting(args, db: db, status: status, env: env, sourceLocation: sourceLocation)
    }

    func seed() throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        try ci(["camera", "add", "62072300001320000001", "--name", "镇政府", "--region", "沙河镇", "--lat", "39.1412", "--lon", "100.1646",
                "--url", "rtsp://admin:hunter2@cam.example/ch1"])
    }

    @Test func aStoreThatCannotBeWrittenCanStillBeRead() throws {
        try seed()
        // As a user who may read the store and its directory but write neither.
        let ro = dir.file("ro")
        try FileManager.default.createDirectory(atPath: ro, withIntermediateDirectories: true)
        let copy = ro + "/evidence.sqlite"
        try FileManager.default.copyItem(atPath: db, toPath: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: copy)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: ro)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: dir.path)
        func run(_ args: [String]) throws -> CLI.Result {
            getuid() == 0 ? try CLI.run(["--db", copy] + args, asUser: "nobody") : try CLI.run(["--db", copy] + args)
        }
        if getuid() != 0 {
            try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: copy)
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: ro)
        }
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: ro) }
        for args in [["camera", "list"], ["region", "list"], ["status"], ["camera", "show", "62072300001320000001"],
                     ["query", "--region", "沙河镇", "--from", "2026-11-20 14:00", "--to", "2026-11-20 15:00"], ["report", "--day", "2026-11-20"]] {
            let r = try run(args)
            #expect(r.status == 0, "\(args): \(r.all)")
        }
        let q = try run(["query", "--region", "沙河镇", "--from", "2026-11-20 14:00", "--to", "2026-11-20 15:00"])
        #expect(q.stderr.contains("not recorded in the audit trail"), "the audit row that cannot be written is said, not fatal")
        let write = try run(["region", "add", "620723101", "新华镇"])
        #expect(write.status == 1 && write.stderr.contains("read-only"), Comment(rawValue: write.all))
        #expect(!FileManager.default.fileExists(atPath: copy + "-wal"))
    }

    @Test func namesCannotForgeOutput() throws {
        try seed()
        let newline = try ci(["region", "add", "620723101", "新华镇\n620723102  假镇"], status: 2)
        #expect(newline.stderr.contains("control character"))
        #expect(try ci(["region", "add", "620723101", "新华镇\u{1B}[2J"], status: 2).stderr.contains("\\u{1B}"))
        #expect(try ci(["region", "add", "620723101", String(repeating: "长", count: 101)], status: 2).stderr.contains("at most 100"))
        let yaml = dir.file("inv.yaml")
        try "regions:\n  - code: \"620723101\"\n    name: \"新华镇\\e[2J\"\n".write(toFile: yaml, atomically: true, encoding: .utf8)
        let inv = try ci(["import", yaml], status: 2)
        #expect(inv.stderr.contains("\(yaml):3") && !inv.stderr.contains("\u{1B}"), Comment(rawValue: inv.stderr))
        // A name stored before these checks (or by another tool) is escaped in tables.
        _ = try Footage.run("sqlite3", [db, "UPDATE camera SET name = 'a' || char(10) || 'b' || char(27) || '[2J' WHERE id = '62072300001320000001'"])
        let list = try ci(["camera", "list"])
        #expect(!list.stdout.contains("\u{1B}") && list.stdout.contains("a\\nb\\u{1B}[2J"))
        #expect(list.stdout.split(separator: "\n").count == 2)
    }

    @Test func helpNamesFlagsThatExist() throws {
        try seed()
        #expect(try ci(["camera", "remove", "--help"]).stdout.contains("camera update ID --disable"))
        #expect(try ci(["camera", "update", "--help"]).stdout.contains("--disable"))
        try ci(["camera", "update", "62072300001320000001", "--disable"])
        #expect(try ci(["camera", "list"]).stdout.contains("no cameras"))
        try ci(["camera", "update", "62072300001320000001", "--enable"])
        #expect(try ci(["camera", "list"]).stdout.contains("62072300001320000001"))
    }

    @Test func duplicateNamesUnderOneParent() throws {
        try seed()
        let r = try ci(["region", "add", "620723101", "沙河镇"], status: 2)
        #expect(r.stderr.contains("620723100") && r.stderr.contains("沙河镇"))
        try ci(["region", "add", "620724", "临泽县二"])
        try ci(["region", "add", "620724100", "沙河镇"])  // another county: a different parent
        let cam = try ci(["camera", "add", "cam-2", "--name", "镇政府", "--region", "620723100"])
        #expect(cam.stderr.contains("warning") && cam.stderr.contains("镇政府"))
    }

    @Test func mistypedOrForeignGBIDs() throws {
        try seed()
        #expect(try ci(["camera", "add", "6207230000132000000X", "--name", "x", "--region", "沙河镇"], status: 2).stderr.contains("GB/T 28181"))
        #expect(try ci(["camera", "add", "62072300001320000O01", "--name", "x", "--region", "沙河镇"], status: 2).stderr.contains("GB/T 28181"))
        let foreign = try ci(["camera", "add", "21132400001320000001", "--name", "x", "--region", "沙河镇"])
        #expect(foreign.stderr.contains("warning") && foreign.stderr.contains("211324"))
        let strict = try ci(["camera", "add", "21132400001320000002", "--name", "y", "--region", "沙河镇", "--strict"], status: 2)
        #expect(strict.stderr.contains("211324"))
        // A slug that is mostly letters is still a slug.
        try ci(["camera", "add", "shahe-gate-east-01", "--name", "z", "--region", "沙河镇"])
    }

    @Test func negativeNumbersAreReadAsNumbers() throws {
        try seed()
        let r = try ci(["query", "--near", "39.14,100.16", "--radius", "-5", "--from", "2026-11-20 14:00", "--to", "2026-11-20 15:00"], status: 2)
        #expect(r.stderr.contains("positive number of metres"))
        try ci(["camera", "add", "west-1", "--name", "west", "--region", "沙河镇", "--lat", "51.5", "--lon", "-0.12"])
        #expect(try ci(["query", "--max-gap", "-1", "--camera", "west-1", "--from", "2026-11-20 14:00", "--to", "2026-11-20 15:00"], status: 2)
            .stderr.contains("--max-gap"))
    }

    @Test func anEmptyFileOrADirectoryIsNotAStore() throws {
        let empty = dir.file("empty.sqlite")
        FileManager.default.createFile(atPath: empty, contents: Data())
        let r = try CLI.run(["--db", empty, "camera", "list"])
        #expect(r.status == 1 && r.stderr.contains("empty file") && r.stderr.contains(empty))
        #expect((try FileManager.default.attributesOfItem(atPath: empty)[.size] as? NSNumber)?.intValue == 0)
        let d = try CLI.run(["--db", dir.path, "camera", "list"])
        #expect(d.status == 1 && d.stderr.contains(dir.path) && d.stderr.contains("directory"))
    }

    @Test func reportOrderTitleAndMissingBaseline() throws {
        try seed()
        try ci(["camera", "add", "cam-b", "--name", "b", "--region", "沙河镇", "--recordings", dir.file("rec-b")])
        let r = try ci(["report", "--day", "2026-11-20"])
        #expect(r.stdout.hasPrefix("临泽县 视频监控 KPI 报告"), "the county's name, not 全部")
        #expect(r.stdout.contains("(—)"), "no change against a period without data")
        let near = try ci(["query", "--near", "39.1412,100.1646", "--radius", "500", "--from", "2026-11-20 14:00", "--to", "2026-11-20 15:00"])
        #expect(near.stdout.contains("METRES"))
    }

    @Test func smallThings() throws {
        try seed()
        let bin = dir.file("bin.yaml")
        try Data((0..<300).map { UInt8(($0 * 7919) % 256) }).write(to: URL(fileURLWithPath: bin))
        let b = try ci(["import", bin], status: 2)
        #expect(b.stderr.contains("not a text file") && b.stderr.split(separator: "\n").count == 1)
        let dup = dir.file("dup.yaml")
        try "regions:\n  - code: \"620723101\"\n    name: a\n    name: b\n".write(toFile: dup, atomically: true, encoding: .utf8)
        #expect(try ci(["import", dup], status: 2).stderr.contains("line 3: field 'name' given twice"))
    }
}

/// `camindex diagnose` on a file and on a camera's indexed footage.
@Suite struct DiagnoseCLITests {
    let dir = TempDir("diagnose")

    /// One scene in 8-bit YUV, 10-bit YUV and planar and packed RGB: measured alike, faults alike
    /// (10-bit luma read as bytes was a third of the 8-bit one, a false noise fault).
    @Test func everyPixelFormatIsJudgedOnTheSameScale() throws {
        var stats: [String: [String: Double]] = [:], faults: [String: [String]] = [:]
        for (name, codec, format, ext) in [("yuv420p", "libx264", "yuv420p", "mp4"), ("yuv420p10le", "ffv1", "yuv420p10le", "mkv"),
                                           ("gbrp", "ffv1", "gbrp", "mkv"), ("bgr0", "ffv1", "bgr0", "mkv")] {
            let file = dir.file("\(name).\(ext)")
            try Footage.run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25", "-t", "2.5",
                                       "-c:v", codec, "-g", "25", "-pix_fmt", format, file])
            let r = try CLI.run(["diagnose", file, "--format", "json"])
            #expect(r.status == 0, Comment(rawValue: r.all))
            let d = try #require(try CLI.json(r.stdout) as? [String: Any])
            stats[name] = try #require(d["stats"] as? [String: Double])
            faults[name] = (d["faults"] as? [[String: Any]] ?? []).compactMap { $0["fault"] as? String }
        }
        let reference = try #require(stats["yuv420p"])
        for (name, s) in stats {
            #expect(abs(s["mean_luma"]! - reference["mean_luma"]!) < 3, "\(name): mean luma \(s["mean_luma"]!) against \(reference["mean_luma"]!)")
            #expect(abs(s["noise"]! - reference["noise"]!) < 3, "\(name): noise \(s["noise"]!) against \(reference["noise"]!)")
            #expect(abs(s["colour_cast"]! - reference["colour_cast"]!) < 3, "\(name): colour cast \(s["colour_cast"]!) against \(reference["colour_cast"]!)")
            #expect(faults[name] == faults["yuv420p"], "\(name): \(faults[name] ?? []) against \(faults["yuv420p"] ?? [])")
        }
    }

    @Test func aCameraWithRecordingsButNoLiveURL() throws {
        let db = dir.file("s.sqlite")
        let rec = dir.file("rec")
        try FileManager.default.createDirectory(atPath: rec, withIntermediateDirectories: true)
        try Footage.run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25,boxblur=8", "-t", "2.5",
                                   "-c:v", "libx264", "-g", "25", "-pix_fmt", "yuv420p", "\(rec)/20261120_080000.mp4"])
        for args in [["region", "add", "620723", "临泽县"], ["region", "add", "620723100", "沙河镇"],
                     ["camera", "add", "cam-1", "--name", "c", "--region", "沙河镇", "--recordings", rec], ["index", "--settle", "0"]] {
            #expect(try CLI.run(["--db", db] + args).status == 0)
        }
        let r = try CLI.run(["--db", db, "diagnose", "--camera", "cam-1", "--format", "json"])
        #expect(r.status == 0, Comment(rawValue: r.all))
        let d = try #require(try CLI.json(r.stdout) as? [String: Any])
        #expect(d["ok"] as? Bool == false)
        #expect((d["faults"] as? [[String: Any]])?.map { $0["fault"] as? String } == ["blur"])
        let file = try CLI.run(["diagnose", "\(rec)/20261120_080000.mp4"])
        #expect(file.status == 0 && file.stdout.contains("blur"))
        #expect(try CLI.run(["--db", db, "diagnose", "--camera", "cam-1", "--at", "2026-11-20 09:00"]).status == 1)
        #expect(try CLI.run(["diagnose"]).status == 2)

        // The camera's own thresholds: a soft lens accepted for this one.
        let sharpness = try #require((d["stats"] as? [String: Any])?["sharpness"] as? Double)
        let set = try CLI.run(["--db", db, "camera", "update", "cam-1", "--quality-threshold", "sharpness=\(sharpness / 2)"])
        #expect(set.status == 0 && set.stdout.contains("quality_thresholds"), Comment(rawValue: set.all))
        let lenient = try #require(try CLI.json(try CLI.run(["--db", db, "diagnose", "--camera", "cam-1", "--format", "json"]).stdout) as? [String: Any])
        #expect(lenient["ok"] as? Bool == true)
        let shown = try #require(try CLI.json(try CLI.run(["--db", db, "camera", "show", "cam-1", "--format", "json"]).stdout) as? [String: Any])
        #expect(shown["quality_thresholds"] as? [String: Double] == ["sharpness": sharpness / 2])
        #expect(shown.keys.contains("quality") && shown["quality"] is NSNull, "never probed: no quality judged")
        let bad = try CLI.run(["--db", db, "camera", "update", "cam-1", "--quality-threshold", "sharpnes=3"])
        #expect(bad.status == 2 && bad.stderr.contains("unknown quality threshold 'sharpnes'"), Comment(rawValue: bad.all))
        #expect(try CLI.run(["--db", db, "camera", "update", "cam-1", "--clear-quality-thresholds"]).status == 0)
        let strict = try #require(try CLI.json(try CLI.run(["--db", db, "diagnose", "--camera", "cam-1", "--format", "json"]).stdout) as? [String: Any])
        #expect(strict["ok"] as? Bool == false)
        // No live probe yet: no thumbnail, and the error names the camera.
        let thumb = try CLI.run(["--db", db, "camera", "thumb", "cam-1", "-o", dir.file("x.jpg")])
        #expect(thumb.status == 1 && thumb.stderr.contains("camera cam-1 has no good keyframe thumbnail"), Comment(rawValue: thumb.all))
    }
}
