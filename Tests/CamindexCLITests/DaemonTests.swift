import CamindexCore
import CamindexTestSupport
import Foundation
import Testing

/// The daemon end to end: the built binary against a real RTSP server, dead endpoints and a
/// recording directory that grows while it runs.
@Suite(.serialized) struct DaemonTests {
    let dir = TempDir("daemon")
    var db: String { dir.file("store.sqlite") }

    @discardableResult
    func ci(_ args: [String], status: Int32? = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        try CLI.expecting(args, db: db, status: status, sourceLocation: sourceLocation)
    }

    func json(_ args: [String]) throws -> [String: Any] {
        try #require(try CLI.json(try ci(args + ["--format", "json"]).stdout) as? [String: Any])
    }

    func startDaemon(_ extra: [String] = []) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["daemon", "--db", db, "--interval", "1", "--full-interval", "30", "--deadline", "2",
                       "--scan-interval", "0.5", "--settle", "1"] + extra
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: { () -> String in
            let log = dir.file("daemon.log")
            FileManager.default.createFile(atPath: log, contents: nil)
            return log
        }()))
        try p.run()
        return p
    }

    /// Sends `signal` and waits; returns the exit status and how long it took.
    func stop(_ p: Process, signal: Int32 = SIGTERM) async throws -> (Int32, Duration) {
        let clock = ContinuousClock()
        let start = clock.now
        kill(p.processIdentifier, signal)
        while p.isRunning && clock.now - start < .seconds(15) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!p.isRunning, "daemon still running after \(signal)")
        return (p.terminationStatus, clock.now - start)
    }

    func segment(_ name: String, seconds: Double = 2) throws {
        try Footage.make(dir.file("rec/\(name)"), .init(seconds: seconds, fps: 10, gop: 10))
        // Old enough to count as settled.
        try Footage.setMtime(dir.file("rec/\(name)"), Date().addingTimeInterval(-5))
    }

    func segmentCount(_ id: String) throws -> Int {
        let shown = try json(["camera", "show", id])
        return (shown["footage"] as? [String: Any])?["segments"] as? Int ?? -1
    }

    @Test func probesIndexesAndStopsCleanly() async throws {
        let server = try RTSPTestServer(mounts: 1, gop: 10)
        let silent = try SilentServer()
        let inventory = dir.file("inventory.yaml")
        try """
            regions:
              - {code: "620723", name: 临泽县}
              - {code: "620723100", name: 沙河镇}
            cameras:
              - {id: live-1, name: 镇政府, region: "620723100", url: "\(server.url("cam0"))", recordings: rec}
              - {id: auth-1, name: 派出所, region: "620723100", url: "rtsp://admin:secret@127.0.0.1:\(server.port)/secure"}
              - {id: dead-1, name: 村口, region: "620723100", url: "rtsp://127.0.0.1:\(try closedPort())/x"}
              - {id: silent-1, name: 路口, region: "620723100", url: "rtsp://127.0.0.1:\(silent.port)/x"}
            """.write(toFile: inventory, atomically: true, encoding: .utf8)
        try FileManager.default.createDirectory(atPath: dir.file("rec"), withIntermediateDirectories: true)
        try segment("20261120_080000.mp4")
        let daemon = try startDaemon(["--inventory", inventory])

        // The directory grows while the daemon runs: finished files, a temp dot-file that is
        // renamed when done, and a file still being written (fresh mtime).
        for i in 1...3 {
            try await Task.sleep(for: .milliseconds(700))
            try segment("20261120_08000\(i * 2).mp4")
            // The CLI reads while the daemon writes: never "database is locked".
            let q = try ci(["query", "--camera", "live-1", "--from", "2026-11-20 08:00", "--to", "2026-11-20 08:01", "--format", "json"])
            #expect(!q.stderr.contains("locked"))
        }
        try segment(".20261120_080008.mp4")
        // A recorder still writing: half the file written, the file open.
        let source = TempDir("source")
        try Footage.make(source.file("clip.mp4"), .init(seconds: 2, fps: 10, gop: 10))
        let bytes = try Data(contentsOf: URL(fileURLWithPath: source.file("clip.mp4")))
        FileManager.default.createFile(atPath: dir.file("rec/20261120_080010.mp4"), contents: nil)
        let writer = try FileHandle(forWritingTo: URL(fileURLWithPath: dir.file("rec/20261120_080010.mp4")))
        try writer.write(contentsOf: bytes.prefix(bytes.count / 2))
        // Still being written, however slow this machine is: its mtime kept fresh as a
        // recorder's writes keep it (an mtime ahead of now would be a clock set wrong, settled).
        // A thread of its own: the test's other work may hold the cooperative threads.
        let writing = CancelFlag()
        let path = dir.file("rec/20261120_080010.mp4")
        Thread.detachNewThread {
            while !writing.isCancelled {
                try? Footage.setMtime(path, Date())
                usleep(100_000)
            }
        }
        // Scans run every 0.5 s; a file modified within the 1 s settle time is left alone, and
        // one closed without moov (created empty, then written) waits for the scan. The four
        // finished files are indexed meanwhile (polled: a loaded machine is slow to).
        var count = try segmentCount("live-1")
        for _ in 0..<40 where count < 4 {
            try await Task.sleep(for: .milliseconds(100))
            count = try segmentCount("live-1")
        }
        try await Task.sleep(for: .milliseconds(700))
        count = try segmentCount("live-1")
        #expect(count == 4, "the temp file and the file being written wait")
        writing.cancel()
        try writer.write(contentsOf: bytes.dropFirst(bytes.count / 2))
        try writer.close()
        try FileManager.default.moveItem(atPath: dir.file("rec/.20261120_080008.mp4"), toPath: dir.file("rec/20261120_080008.mp4"))

        // SIGHUP re-reads the inventory.
        try String(contentsOfFile: inventory, encoding: .utf8)
            .appending("\n  - {id: new-1, name: 新装, region: \"620723100\"}\n")
            .write(toFile: inventory, atomically: true, encoding: .utf8)
        kill(daemon.processIdentifier, SIGHUP)
        try await Task.sleep(for: .seconds(4))

        let (status, took) = try await stop(daemon)
        #expect(status == 0)
        // In-flight probes end at their 2 s deadline; a full probe's picture decode and JPEG
        // (debug build) and a loaded machine add to that. A stop that waited for the next
        // cycles, or hung, would take far longer.
        #expect(took < .seconds(10), "graceful stop took \(took)")
        let log = try String(contentsOfFile: dir.file("daemon.log"), encoding: .utf8)
        #expect(!log.contains("secret"), "passwords never reach the log")
        #expect(log.contains("camera=dead-1") && log.contains("camera offline"))

        #expect(try ci(["camera", "show", "new-1"]).status == 0)
        let live = try json(["camera", "show", "live-1"])
        #expect(live["state"] as? String == "online")
        #expect(live["since"] is String)
        let lastProbe = try #require(live["last_probe"] as? [String: Any])
        #expect(lastProbe["ok"] as? Bool == true && lastProbe["codec"] as? String == "h264")
        #expect(lastProbe["width"] as? Int == 320)
        for key in ["at", "error", "duration_ms", "fps", "keyframe_interval_s", "clock_offset_s"] { #expect(lastProbe.keys.contains(key), "\(key)") }
        #expect(try json(["camera", "show", "auth-1"])["state"] as? String == "online")
        let dead = try json(["camera", "show", "dead-1"])
        #expect(dead["state"] as? String == "offline")
        #expect((dead["last_probe"] as? [String: Any])?["error"] as? String == "refused")
        let hung = try json(["camera", "show", "silent-1"])
        #expect(hung["state"] as? String == "offline")
        #expect((hung["last_probe"] as? [String: Any])?["error"] as? String == "timeout")
        #expect(((hung["last_probe"] as? [String: Any])?["duration_ms"] as? Int ?? 0) < 2600)

        // Six files indexed once each (the one being written once closed), verified by the
        // background scan.
        #expect(try segmentCount("live-1") == 6)
        let q = try json(["query", "--camera", "live-1", "--from", "2026-11-20 08:00", "--to", "2026-11-20 08:01", "--live"])
        let cam = try #require((q["cameras"] as? [[String: Any]])?.first)
        #expect(cam["covered_seconds"] as? Double == 12)
        #expect((cam["windows"] as? [[String: Any]])?.allSatisfy { $0["verified"] as? Bool == true } == true)
        #expect(cam["live_windows"] is [Any])

        let status2 = try json(["status"])
        let beat = try #require(status2["heartbeat"] as? [String: Any])
        #expect((beat["cycle"] as? [String: Any])?["cameras"] as? Int == 4, "cameras with a live URL")
        #expect((status2["cameras"] as? [String: Any])?["online"] as? Int == 2)
    }

    /// Issue 10 end to end: cameras that answer with a black screen, snow or a frozen picture
    /// are online but not in good order, and the quality check warns; a moving picture passes.
    @Test func pictureFaultsThroughTheDaemon() async throws {
        let server = try RTSPTestServer(mounts: 0, gop: 25, patterns: ["black", "snow", "frozen", "smpte"])
        let inventory = dir.file("inventory.yaml")
        try """
            regions:
              - {code: "620723", name: 临泽县}
              - {code: "620723100", name: 沙河镇}
              - {code: "620723101", name: 新华镇}
            cameras:
              - {id: vqd-black, name: 黑屏, region: "620723100", url: "\(server.url("black"))"}
              - {id: vqd-snow, name: 雪花, region: "620723100", url: "\(server.url("snow"))"}
              - {id: vqd-frozen, name: 冻结, region: "620723100", url: "\(server.url("frozen"))"}
              - {id: vqd-clean, name: 正常, region: "620723101", url: "\(server.url("smpte"))"}
            """.write(toFile: inventory, atomically: true, encoding: .utf8)
        // Full probes every 2 s: the frozen picture needs two of them.
        let daemon = try startDaemon(["--inventory", inventory, "--full-interval", "2"])
        var shown: [String: [String: Any]] = [:]
        let clock = ContinuousClock()
        let start = clock.now
        func judged(_ id: String) -> Bool { shown[id]?["quality"] is [String: Any] }
        while clock.now - start < .seconds(30) {
            try await Task.sleep(for: .milliseconds(500))
            for id in ["vqd-black", "vqd-snow", "vqd-frozen", "vqd-clean"] { shown[id] = try json(["camera", "show", id]) }
            let frozenProbes = (shown["vqd-frozen"]?["probes"] as? [[String: Any]])?.filter { $0["quality"] is [Any] }.count ?? 0
            if ["vqd-black", "vqd-snow", "vqd-clean"].allSatisfy(judged), frozenProbes >= 2 { break }
        }
        let (status, _) = try await stop(daemon)
        #expect(status == 0)

        func faults(_ id: String) -> [String] {
            ((shown[id]?["quality"] as? [String: Any])?["faults"] as? [[String: Any]])?.compactMap { $0["fault"] as? String } ?? ["not judged"]
        }
        for id in ["vqd-black", "vqd-snow", "vqd-frozen", "vqd-clean"] { #expect(shown[id]?["state"] as? String == "online", "\(id)") }
        #expect(faults("vqd-black") == ["black"])
        // videotestsrc's snow starts from the same seed in each session the server restarts, so
        // later probes also see it frozen (truly: the same picture).
        #expect(faults("vqd-snow").first == "noise" && Set(faults("vqd-snow")).isSubset(of: ["noise", "frozen"]))
        #expect(faults("vqd-frozen") == ["frozen"])
        // The clean mount is bars with a small ball moving by the wall clock: its first full probe
        // finds nothing wrong; a later one that lands on the same ball position (or sees the ball
        // too small to move the 32×18 signature past 0.5) rightly finds the same picture, frozen.
        // Seen once under CI's load.
        let cleanVerdicts = (shown["vqd-clean"]?["probes"] as? [[String: Any]])?.compactMap { $0["quality"] as? [Any] } ?? []
        #expect(cleanVerdicts.last?.isEmpty == true, "the clean picture's first full probe: \(cleanVerdicts)")
        let cleanFrozen = faults("vqd-clean") == ["frozen"]
        #expect(faults("vqd-clean") == [] || cleanFrozen, "\(faults("vqd-clean"))")
        let black = try #require(shown["vqd-black"]?["quality"] as? [String: Any])
        #expect(black["ok"] as? Bool == false && black["checked_at"] is String)
        let fault = try #require((black["faults"] as? [[String: Any]])?.first)
        #expect((fault["measured"] as? Double ?? 99) < 24 && fault["threshold"] as? Double == 24)
        #expect((black["thresholds"] as? [String: Double])?["black_luma"] == 24)
        #expect((shown["vqd-black"]?["last_probe"] as? [String: Any])?["quality"] is [Any])
        let table = try ci(["camera", "show", "vqd-black"]).stdout
        #expect(table.contains("picture") && table.contains("black "), Comment(rawValue: table))

        let health = try ci(["health", "--check", "quality"], status: 1)
        let faulty = cleanFrozen ? 4 : 3
        #expect(health.stdout.hasPrefix("CAMINDEX WARNING - \(faulty) online cameras with picture faults | 'quality_faults'=\(faulty);0;100;0"), Comment(rawValue: health.stdout))
        for id in ["vqd-black", "vqd-snow", "vqd-frozen"] { #expect(health.stdout.contains("[WARNING] picture \(id) "), "\(id)") }
        if !cleanFrozen {
            #expect(!health.stdout.contains("vqd-clean"))
            #expect(try ci(["health", "--check", "quality", "--region", "新华镇"]).stdout.hasPrefix("CAMINDEX OK"))
        }

        // Thumbnails: the last faulty keyframe of the black camera, the last good one of the clean camera.
        let faultyJPEG = dir.file("black.jpg")
        let written = try ci(["camera", "thumb", "vqd-black", "--faulty", "-o", faultyJPEG])
        #expect(written.stdout.contains("black "), Comment(rawValue: written.stdout))
        let goodJPEG = dir.file("clean.jpg")
        try ci(["camera", "thumb", "vqd-clean", "-o", goodJPEG])
        for path in [faultyJPEG, goodJPEG] {
            let stream = try FFprobe.videoStream(path)
            #expect(stream.codec == "mjpeg" && stream.width == 320 && stream.height == 180, "\(path)")
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int ?? 0
            #expect(size > 500 && size < 30_000, "\(path): \(size) bytes")
        }
        let none = try ci(["camera", "thumb", "vqd-black", "-o", dir.file("none.jpg")], status: 1)
        #expect(none.stderr.contains("camera vqd-black has no good keyframe thumbnail"))
    }

    /// The same scenes in 8-bit YUV, 10-bit YUV and planar RGB, served over HTTP: the daemon's
    /// full probes judge them alike, and the thumbnails they keep follow those verdicts (the
    /// blurred ones only as faulty, the clean ones only as good), as health reports them.
    @Test func thumbnailsFollowTheVerdictsInEveryPixelFormat() async throws {
        let media = TempDir("pixel-formats")
        var cameras: [(id: String, blurred: Bool)] = []
        // Matroska: an MP4's moov at its end needs range requests, which Python's server lacks.
        for (format, codec, ext) in [("yuv420p", "libx264", "mkv"), ("yuv420p10le", "ffv1", "mkv"), ("gbrp", "ffv1", "mkv"), ("bgr0", "ffv1", "mkv")] {
            for blurred in [false, true] {
                let id = "\(blurred ? "blur" : "clean")-\(format)"
                try Footage.run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=320x180:rate=25" + (blurred ? ",boxblur=8" : ""),
                                           "-t", "3", "-c:v", codec, "-g", "25", "-pix_fmt", format, media.file("\(id).\(ext)")])
                cameras.append((id, blurred))
            }
        }
        let server = try HTTPTestServer(directory: media.path)
        let names = try FileManager.default.contentsOfDirectory(atPath: media.path)
        let inventory = dir.file("inventory.yaml")
        try (["regions:", "  - {code: \"620723\", name: 临泽县}", "  - {code: \"620723100\", name: 沙河镇}", "cameras:"]
            + cameras.map { c in
                let file = names.first { $0.hasPrefix(c.id + ".") }!
                return "  - {id: \(c.id), name: \(c.id), region: \"620723100\", url: \"http://127.0.0.1:\(server.port)/\(file)\"}"
            }).joined(separator: "\n").write(toFile: inventory, atomically: true, encoding: .utf8)
        // One full probe each (the one on going online): a file served again starts at the same
        // picture, which a second full probe would rightly call frozen.
        let daemon = try startDaemon(["--inventory", inventory, "--full-interval", "600"])
        var faults: [String: [String]] = [:]
        let clock = ContinuousClock()
        let start = clock.now
        while faults.count < cameras.count, clock.now - start < .seconds(30) {
            try await Task.sleep(for: .milliseconds(500))
            for c in cameras where faults[c.id] == nil {
                if let quality = try json(["camera", "show", c.id])["quality"] as? [String: Any] {
                    faults[c.id] = (quality["faults"] as? [[String: Any]] ?? []).compactMap { $0["fault"] as? String }
                }
            }
        }
        let (status, _) = try await stop(daemon)
        #expect(status == 0)
        let health = try ci(["health", "--check", "quality"], status: nil).stdout
        for c in cameras {
            #expect(faults[c.id] == (c.blurred ? ["blur"] : []), "\(c.id): \(faults[c.id] ?? ["not judged"])")
            let good = try CLI.run(["--db", db, "camera", "thumb", c.id, "-o", dir.file("\(c.id)-good.jpg")])
            let faulty = try CLI.run(["--db", db, "camera", "thumb", c.id, "--faulty", "-o", dir.file("\(c.id)-faulty.jpg")])
            #expect((good.status == 0) == !c.blurred && (faulty.status == 0) == c.blurred, "\(c.id): \(good.all) \(faulty.all)")
            if c.blurred {
                #expect(faulty.stdout.contains("blur"), "\(c.id): \(faulty.stdout)")
                let stream = try FFprobe.videoStream(dir.file("\(c.id)-faulty.jpg"))
                #expect(stream.codec == "mjpeg" && stream.width == 320 && stream.height == 180, "\(c.id)")
            }
            #expect(health.contains("[WARNING] picture \(c.id) ") == c.blurred, "\(c.id): \(health)")
        }
        // Each format's thumbnail shows the scene as the 8-bit one does: colours and levels
        // alike (RGB keeps the chroma 4:2:0 loses at the pattern's sharp edges: about 9 of 255
        // apart; a 10-bit plane read as bytes, or R and B swapped, would be far further).
        func pixels(_ jpeg: String) throws -> [UInt8] {
            let raw = dir.file(UUID().uuidString + ".rgb")
            try Footage.run("ffmpeg", ["-v", "error", "-y", "-i", jpeg, "-vf", "scale=32:18", "-f", "rawvideo", "-pix_fmt", "rgb24", raw])
            return Array(try Data(contentsOf: URL(fileURLWithPath: raw)))
        }
        let reference = try pixels(dir.file("clean-yuv420p-good.jpg"))
        for c in cameras where !c.blurred && c.id != "clean-yuv420p" {
            let other = try pixels(dir.file("\(c.id)-good.jpg"))
            let difference = zip(reference, other).map { abs(Int($0) - Int($1)) }.reduce(0, +) / max(1, reference.count)
            #expect(other.count == reference.count && difference < 16, "\(c.id): mean difference \(difference) of 255")
        }
    }

    /// Files closed or renamed into place are indexed at once, long before the next scan.
    @Test func closedFilesAreIndexedAtOnce() async throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        try ci(["camera", "add", "zlm-1", "--name", "录像", "--region", "620723100", "--recordings", dir.file("rec")])
        try FileManager.default.createDirectory(atPath: dir.file("rec/2026-11-20"), withIntermediateDirectories: true)
        let daemon = try startDaemon(["--scan-interval", "120"])
        try await Task.sleep(for: .milliseconds(1500))
        // Written in place; written as a dot-file then renamed (ZLMediaKit); in a new day directory.
        try Footage.make(dir.file("rec/2026-11-20/2026-11-20-08-00-00-0.mp4"), .init(seconds: 2, fps: 10, gop: 10))
        try Footage.make(dir.file("rec/2026-11-20/.2026-11-20-08-00-02-0.mp4"), .init(seconds: 2, fps: 10, gop: 10))
        try FileManager.default.moveItem(atPath: dir.file("rec/2026-11-20/.2026-11-20-08-00-02-0.mp4"),
                                         toPath: dir.file("rec/2026-11-20/2026-11-20-08-00-02-0.mp4"))
        try FileManager.default.createDirectory(atPath: dir.file("rec/2026-11-21"), withIntermediateDirectories: true)
        try Footage.make(dir.file("rec/2026-11-21/2026-11-21-00-00-00-0.mp4"), .init(seconds: 2, fps: 10, gop: 10))
        var count = 0
        for _ in 0..<40 where count < 3 {
            try await Task.sleep(for: .milliseconds(100))
            count = try segmentCount("zlm-1")
        }
        _ = try await stop(daemon)
        #expect(count == 3, "indexed within 4 s while the next scan is 2 minutes away")
    }

    /// SIGTERM with 2,000 files of one camera still to index: the daemon stops between files
    /// (systemd kills at 30 s; it once finished the whole index and verify pass, 16 s), and
    /// what it did not read is read by the next run, none of it recorded as failed.
    @Test func stopsBetweenFilesWithThousandsPending() async throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        try ci(["camera", "add", "rec-1", "--name", "录像", "--region", "620723100", "--recordings", dir.file("rec")])
        try segment("20261120_000000.mp4")
        for i in 1..<2000 {
            let name = String(format: "20261120_%02d%02d%02d.mp4", i * 2 / 3600, i * 2 / 60 % 60, i * 2 % 60)
            try FileManager.default.copyItem(atPath: dir.file("rec/20261120_000000.mp4"), toPath: dir.file("rec/\(name)"))
        }
        let daemon = try startDaemon(["--scan-interval", "120", "--settle", "0"])
        var count = 0
        for _ in 0..<300 where count < 20 {
            try await Task.sleep(for: .milliseconds(50))
            count = try segmentCount("rec-1")
        }
        #expect(count >= 20 && count < 2000, "indexing under way: \(count)")
        let (status, took) = try await stop(daemon)
        #expect(status == 0)
        #expect(took < .seconds(5), "stopped \(took) after SIGTERM")
        let left = 2000 - (try segmentCount("rec-1"))
        #expect(left > 0, "stopped before the pass was done")
        let report = try #require((try CLI.json(try ci(["index", "--format", "json"]).stdout) as? [[String: Any]])?.first)
        #expect(report["indexed"] as? Int == left && (report["failed"] as? [Any])?.isEmpty == true, "\(report)")
        #expect(try segmentCount("rec-1") == 2000)
    }

    /// A recordings directory deleted and made again is watched again: files renamed into it,
    /// into a new day directory under it, and a directory of files moved in whole, are indexed
    /// at once, long before the next scan.
    @Test func aRecordingsDirectoryMadeAgainIsWatchedAgain() async throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        try FileManager.default.createDirectory(atPath: dir.file("rec"), withIntermediateDirectories: true)
        try ci(["camera", "add", "rec-1", "--name", "录像", "--region", "620723100", "--recordings", dir.file("rec")])
        let made = TempDir("made")
        for s in stride(from: 0, to: 8, by: 2) {
            try Footage.make(made.file("20261120_0800\(String(format: "%02d", s)).mp4"), .init(seconds: 2, fps: 10, gop: 10))
        }
        let daemon = try startDaemon(["--scan-interval", "120"])
        try await Task.sleep(for: .milliseconds(1500))
        try FileManager.default.removeItem(atPath: dir.file("rec"))
        try await Task.sleep(for: .milliseconds(300))
        try FileManager.default.createDirectory(atPath: dir.file("rec"), withIntermediateDirectories: false)
        try await Task.sleep(for: .milliseconds(300))
        try FileManager.default.moveItem(atPath: made.file("20261120_080000.mp4"), toPath: dir.file("rec/20261120_080000.mp4"))
        try FileManager.default.createDirectory(atPath: dir.file("rec/day"), withIntermediateDirectories: false)
        try await Task.sleep(for: .milliseconds(300))
        try FileManager.default.moveItem(atPath: made.file("20261120_080002.mp4"), toPath: dir.file("rec/day/20261120_080002.mp4"))
        // A directory with files in it, moved in whole.
        try FileManager.default.createDirectory(atPath: made.file("batch"), withIntermediateDirectories: false)
        try FileManager.default.moveItem(atPath: made.file("20261120_080004.mp4"), toPath: made.file("batch/20261120_080004.mp4"))
        try FileManager.default.moveItem(atPath: made.file("20261120_080006.mp4"), toPath: made.file("batch/20261120_080006.mp4"))
        try FileManager.default.moveItem(atPath: made.file("batch"), toPath: dir.file("rec/batch"))
        var count = 0
        for _ in 0..<50 where count < 4 {
            try await Task.sleep(for: .milliseconds(100))
            count = try segmentCount("rec-1")
        }
        _ = try await stop(daemon)
        #expect(count == 4, "indexed within 5 s while the next scan is 2 minutes away")
    }

    @Test func killNineAndRestart() async throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        try ci(["camera", "add", "rec-1", "--name", "录像", "--region", "620723100", "--recordings", dir.file("rec")])
        for m in 0..<6 { try segment("20261120_0800\(m)0.mp4", seconds: 10) }
        let first = try startDaemon()
        try await Task.sleep(for: .milliseconds(900))
        _ = try await stop(first, signal: SIGKILL)

        // Files not yet indexed may be reported; the store itself must be sound.
        let check = try ci(["check", "--format", "json"], status: nil)
        let problems = try #require((try CLI.json(check.stdout) as? [String: Any])?["problems"] as? [[String: Any]])
        #expect(!problems.contains { $0["kind"] as? String == "integrity" || $0["kind"] as? String == "windows" })

        let second = try startDaemon()
        try await Task.sleep(for: .seconds(3))
        let (status, _) = try await stop(second)
        #expect(status == 0)
        #expect(try segmentCount("rec-1") == 6, "nothing doubled, nothing lost")
        try ci(["check"])
        let q = try json(["query", "--camera", "rec-1", "--from", "2026-11-20 08:00", "--to", "2026-11-20 08:01"])
        #expect((q["cameras"] as? [[String: Any]])?.first?["covered_seconds"] as? Double == 60)
    }

    /// Issue 15: a second daemon on the same store is refused (exit 1, naming the pid that
    /// holds the lock); CLI commands, `index` included, keep working beside the first; nothing
    /// is indexed twice; the lock goes with the process.
    @Test func secondDaemonOnOneStoreIsRefused() async throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        try ci(["camera", "add", "rec-1", "--name", "录像", "--region", "620723100", "--recordings", dir.file("rec")])
        for m in 0..<6 { try segment("20261120_0800\(m)0.mp4", seconds: 10) }
        let first = try startDaemon(["--require-reason"])
        let lock = db + ".daemon.lock"
        for _ in 0..<100 {
            if (try? String(contentsOfFile: lock, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) == "\(first.processIdentifier)" { break }
            try await Task.sleep(for: .milliseconds(50))
        }

        // The second daemon, bounded in time in case it is not refused.
        let second = Process()
        second.executableURL = URL(fileURLWithPath: CLI.binary)
        second.arguments = ["daemon", "--db", db, "--interval", "1", "--scan-interval", "0.5", "--settle", "1"]
        let err = Pipe()
        second.standardOutput = FileHandle.nullDevice
        second.standardError = err
        try second.run()
        let clock = ContinuousClock(), started = clock.now
        while second.isRunning && clock.now - started < .seconds(10) { try await Task.sleep(for: .milliseconds(50)) }
        if second.isRunning { kill(second.processIdentifier, SIGKILL) }
        second.waitUntilExit()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(second.terminationStatus == 1, "\(message)")
        #expect(message.contains("pid \(first.processIdentifier)") && message.contains(lock), "\(message)")
        #expect(message.contains("error[daemon.running]"), "\(message)")
        // The refused daemon wrote nothing: the first one's export policy holds.
        let export = try ci(["export", "--camera", "rec-1", "--from", "2026-11-20 08:00", "--to", "2026-11-20 08:01", "--output", dir.file("out")], status: 2)
        #expect(export.stderr.contains("error[export.reason_required]"), "\(export.stderr)")

        // Beside the daemon: index by hand, query, check.
        try ci(["index", "--settle", "0"])
        try segment("20261120_080100.mp4", seconds: 10)
        try ci(["index", "--settle", "0"])
        try ci(["query", "--camera", "rec-1", "--from", "2026-11-20 08:00", "--to", "2026-11-20 08:02"])
        try await Task.sleep(for: .seconds(2))
        let (status, _) = try await stop(first)
        #expect(status == 0)
        #expect(try segmentCount("rec-1") == 7, "nothing doubled, nothing lost")
        try ci(["check"])
        let q = try json(["query", "--camera", "rec-1", "--from", "2026-11-20 08:00", "--to", "2026-11-20 08:02"])
        #expect((q["cameras"] as? [[String: Any]])?.first?["covered_seconds"] as? Double == 70)

        // The lock went with the first daemon: a new one starts and stops cleanly.
        let third = try startDaemon()
        try await Task.sleep(for: .seconds(1))
        #expect(third.isRunning)
        #expect(try await stop(third).0 == 0)
    }

    @Test func checkFindsAndRepairs() throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        try ci(["camera", "add", "rec-1", "--name", "录像", "--region", "620723100", "--recordings", dir.file("rec")])
        for m in 0..<3 { try segment("20261120_0800\(m)0.mp4", seconds: 10) }
        try ci(["index", "--settle", "0"])
        try ci(["check"])
        try FileManager.default.removeItem(atPath: dir.file("rec/20261120_080000.mp4"))
        try segment("20261120_080010.mp4", seconds: 5)
        try segment("20261120_080030.mp4", seconds: 10)
        // Just written: within check's default settle time, in progress, not reported.
        #expect(!(try ci(["check"], status: 1).stdout.contains("unindexed")))
        let found = try ci(["check", "--settle", "0"], status: 1)
        for kind in ["missing", "changed", "unindexed"] { #expect(found.stdout.contains(kind)) }
        try ci(["check", "--repair", "--settle", "0"])
        try ci(["check", "--settle", "0"])
        let q = try json(["query", "--camera", "rec-1", "--from", "2026-11-20 08:00", "--to", "2026-11-20 08:01"])
        #expect((q["cameras"] as? [[String: Any]])?.first?["covered_seconds"] as? Double == 25)
    }

    /// `camindex health` on a store filled by the real prober and indexer.
    @Test func healthEndToEnd() async throws {
        let server = try RTSPTestServer(mounts: 1, gop: 10)
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        try ci(["camera", "add", "live-1", "--name", "镇政府", "--region", "620723100", "--url", server.url("cam0"), "--recordings", dir.file("rec")])
        try ci(["camera", "add", "dead-1", "--name", "村口", "--region", "620723100", "--url", "rtsp://127.0.0.1:\(try closedPort())/x"])
        // Two minutes of footage, ending ten minutes ago (file names in Asia/Shanghai).
        let shanghai = TimeZone(identifier: "Asia/Shanghai")!
        let f = DateFormatter()
        f.timeZone = shanghai
        f.dateFormat = "yyyyMMdd_HHmmss"
        let base = Date().addingTimeInterval(-720)
        for k in 0..<2 { try segment(f.string(from: base.addingTimeInterval(Double(k) * 60)) + ".ts", seconds: 60) }

        let missing = try CLI.run(["--db", dir.file("none.sqlite"), "health"])
        #expect(missing.status == 3 && missing.stdout.hasPrefix("CAMINDEX UNKNOWN - "))
        let never = try ci(["health"], status: 2)
        #expect(never.stdout.hasPrefix("CAMINDEX CRITICAL - ") && never.stdout.contains("no daemon heartbeat"))

        let daemon = try startDaemon()
        try await Task.sleep(for: .seconds(4))
        _ = try await stop(daemon)

        let r = try ci(["health", "--recording-hours", "1"], status: 2)
        let first = try #require(r.stdout.split(separator: "\n").first)
        #expect(first.hasPrefix("CAMINDEX CRITICAL - "))
        #expect(first.contains("沙河镇 online 50.0% (< 95%)"))
        #expect(first.contains("'online'=50%;98:;95:;0;100"))
        #expect(first.contains("'recording'=3.3%;95:;90:;0;100"), "120 s of 3600 s")
        #expect(first.contains("'offline_24h'=0;0;10;0"))

        // Thresholds loosened: OK. (The test server's ball on black is rightly judged a covered
        // lens by the quality check.)
        try ci(["health", "--online-warning", "50:", "--online-critical", "10:", "--recording-hours", "1",
                "--recording-warning", "1:", "--recording-critical", "0:", "--quality-warning", "1"], status: 0)
        try ci(["health", "--check", "offline"], status: 0)
        #expect(try ci(["health", "--check", "nonsense"], status: 3).stdout.hasPrefix("CAMINDEX UNKNOWN - "))

        let json = try #require(try CLI.json(try ci(["health", "--format", "json"], status: 2).stdout) as? [String: Any])
        #expect(json["status"] as? String == "CRITICAL" && json["code"] as? Int == 2)

        // The Prometheus textfile, written through a rename, read by the real parser.
        let prom = dir.file("textfile/camindex.prom")
        try FileManager.default.createDirectory(atPath: dir.file("textfile"), withIntermediateDirectories: true)
        try ci(["health", "--format", "prometheus", "--output", prom], status: 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("textfile")) == ["camindex.prom"], "no temp file left")
        let parsed = try Footage.run("/usr/bin/python3", ["-c", """
            import sys
            from prometheus_client.parser import text_string_to_metric_families
            for family in text_string_to_metric_families(open(sys.argv[1]).read()):
                for s in family.samples:
                    print(s.name, s.labels.get("region_code", ""), s.labels.get("state", ""), s.value)
            """, prom])
        #expect(parsed.contains("camindex_health_status   2.0"))
        #expect(parsed.contains("camindex_online_ratio 620723100  0.5"))
        #expect(parsed.contains("camindex_cameras 620723100 offline 1.0"))
        #expect(parsed.split(separator: "\n").allSatisfy { $0.hasPrefix("camindex_") })

        // The KPI report over the last hour, from the same store.
        let now = Date()
        let iso = ISO8601DateFormatter()
        let period = ["--from", iso.string(from: now.addingTimeInterval(-3600)), "--to", iso.string(from: now)]
        let report = try #require(try CLI.json(try ci(["report", "--format", "json"] + period).stdout) as? [String: Any])
        let township = try #require((report["regions"] as? [[String: Any]])?.first { $0["code"] as? String == "620723100" })
        #expect(township["cameras"] as? Int == 2 && township["live_cameras"] as? Int == 2)
        #expect(township["recording_integrity"] as? Double == 0.0333, "120 s of 3600 s")
        #expect((township["online_rate"] as? Double ?? 1) < 0.01, "online for a few seconds of the hour")
        #expect(township["good_rate"] as? Double == 0)
        let csv = try ci(["report", "--format", "csv"] + period).stdout
        #expect(csv.hasPrefix("region_code,region_name,level,cameras,online_rate,good_rate,recording_integrity"))
        #expect(try ci(["report"] + period).stdout.contains("在线率"))

        // The HTML page renders in a real headless browser.
        let page = dir.file("report.html")
        try ci(["report", "--format", "html", "--output", page] + period)
        let dom = try Footage.run("chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", "file://" + page])
        #expect(dom.contains("<svg") && dom.contains("镇政府 live-1") && dom.contains("录像完整率"))
        let shot = dir.file("report.png")
        try Footage.run("chromium", ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1100,900",
                                     "--screenshot=" + shot, "file://" + page])
        let size = (try FileManager.default.attributesOfItem(atPath: shot)[.size] as? NSNumber)?.intValue ?? 0
        #expect(size > 20_000, "a screenshot with content (\(size) bytes)")
    }
}
