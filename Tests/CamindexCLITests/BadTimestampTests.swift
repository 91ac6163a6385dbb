import CamindexTestSupport
import Foundation
import Testing

/// The reproduction end to end: one packet 83,500 s late does not become a day of
/// footage, and `camera show` and `check` say what was left out.
@Suite struct BadTimestampTests {
    let dir = TempDir("bad-ts")
    var db: String { dir.file("store.sqlite") }

    @discardableResult
    func ci(_ args: [String], status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        try CLI.expecting(args, db: db, status: status, sourceLocation: sourceLocation)
    }

    @Test func oneLatePacketIsLeftOutAndCounted() throws {
        let rec = dir.file("rec")
        let source = dir.file("a.mp4")
        try Footage.make(source, .init(seconds: 8, fps: 25, gop: 25))
        try FileManager.default.createDirectory(atPath: rec, withIntermediateDirectories: true)
        try Footage.run("ffmpeg", ["-v", "error", "-y", "-i", source, "-c", "copy",
                                   "-bsf:v", "setts=pts=if(eq(N\\,2)\\,PTS+83500*90000\\,PTS)", "-f", "mpegts", "\(rec)/20261121_080000.ts"])
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        try ci(["camera", "add", "cam-1", "--name", "c", "--region", "沙河镇", "--recordings", rec])
        try ci(["index", "--settle", "0"])
        let q = try #require(try CLI.json(try ci(["query", "--camera", "cam-1", "--from", "2026-11-21 00:00", "--to", "2026-11-22 00:00",
                                                 "--format", "json"]).stdout) as? [String: Any])
        let covered = try #require((q["cameras"] as? [[String: Any]])?.first?["covered_seconds"] as? Double)
        #expect(covered > 7.5 && covered <= 8.1, "\(covered) s of footage in a day")
        let show = try #require(try CLI.json(try ci(["camera", "show", "cam-1", "--format", "json"]).stdout) as? [String: Any])
        #expect(((show["footage"] as? [String: Any])?["bad_timestamps"] as? Int ?? 0) >= 1)
        let check = try #require(try CLI.json(try ci(["check", "--format", "json"]).stdout) as? [String: Any])
        let notes = try #require(check["bad_timestamps"] as? [[String: Any]])
        #expect(notes.count == 1 && (notes[0]["path"] as? String)?.hasSuffix("20261121_080000.ts") == true)
        #expect(check["ok"] as? Bool == true, "a file with an outlier packet is not a fault of the index")
    }

    @Test func theLongestSegmentIsAnOption() throws {
        let rec = dir.file("rec-long")
        try Footage.make("\(rec)/20261121_080000.mp4", .init(seconds: 10, fps: 25, gop: 25))
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        try ci(["camera", "add", "cam-1", "--name", "c", "--region", "沙河镇", "--recordings", rec])
        try ci(["index", "--max-segment-hours", "-1"], status: 2)
        try ci(["index", "--settle", "0", "--max-segment-hours", "0.001"])
        let q = try #require(try CLI.json(try ci(["query", "--camera", "cam-1", "--from", "2026-11-21 08:00", "--to", "2026-11-21 08:01",
                                                 "--format", "json"]).stdout) as? [String: Any])
        #expect((q["cameras"] as? [[String: Any]])?.first?["covered_seconds"] as? Double == 3.6, "clipped to 0.001 h")

        // The daemon takes the same limit.
        try ci(["daemon", "--max-segment-hours", "0"], status: 2)
        let rec2 = dir.file("rec-long-2")
        try Footage.make("\(rec2)/20261121_080000.mp4", .init(seconds: 10, fps: 25, gop: 25))
        try Footage.setMtime("\(rec2)/20261121_080000.mp4", Date().addingTimeInterval(-60))
        try ci(["camera", "add", "cam-2", "--name", "c", "--region", "沙河镇", "--recordings", rec2])
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: CLI.binary)
        daemon.arguments = ["--db", db, "daemon", "--scan-interval", "0.5", "--max-segment-hours", "0.001", "--no-watch"]
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        var covered: Double?
        for _ in 0..<100 where covered == nil {
            Thread.sleep(forTimeInterval: 0.2)
            let q2 = try CLI.json(try ci(["query", "--camera", "cam-2", "--from", "2026-11-21 08:00", "--to", "2026-11-21 08:01",
                                          "--format", "json"]).stdout) as? [String: Any]
            covered = ((q2?["cameras"] as? [[String: Any]])?.first?["covered_seconds"] as? Double).flatMap { $0 > 0 ? $0 : nil }
        }
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        #expect(covered == 3.6, "clipped to 0.001 h by the daemon")
    }
}
