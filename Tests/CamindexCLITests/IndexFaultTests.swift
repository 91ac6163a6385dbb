import CamindexTestSupport
import Foundation
import Testing

/// Files as a technician meets them: copied a moment ago, still being written, dated by a
/// recorder whose clock is ahead.
@Suite(.serialized) struct IndexFaultTests {
    let dir = TempDir("index-fault")
    var db: String { dir.file("store.sqlite") }
    var rec: String { dir.file("rec/cam-1") }

    @discardableResult
    func ci(_ args: [String], status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        try CLI.expecting(args, db: db, status: status, sourceLocation: sourceLocation)
    }

    func seedCamera() throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        try FileManager.default.createDirectory(atPath: rec, withIntermediateDirectories: true)
        try ci(["camera", "add", "cam-1", "--name", "镇政府", "--region", "沙河镇", "--recordings", rec])
    }

    func report() throws -> [String: Any] {
        try #require((try CLI.json(try ci(["index", "--format", "json"]).stdout) as? [[String: Any]])?.first)
    }

    @Test func filesCopiedJustNowAreIndexedAndOnlyThoseNotWholeYetWait() throws {
        try seedCamera()
        // Whole files written a moment ago (an NVR's export copied in), and one of each kind
        // still being written: an MP4 without its moov yet, a TS cut inside a packet.
        try Footage.make("\(rec)/20261120_080000.mp4", .init(seconds: 10, fps: 10, gop: 10))
        try Footage.make("\(rec)/20261120_080010.ts", .init(seconds: 10, fps: 10, gop: 10))
        try Footage.make("\(dir.path)/whole.mp4", .init(seconds: 10, fps: 10, gop: 10))
        let mp4 = try Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/whole.mp4"))
        try mp4.prefix(mp4.count / 2).write(to: URL(fileURLWithPath: "\(rec)/20261120_080020.mp4"))
        try Footage.make("\(dir.path)/whole.ts", .init(seconds: 10, fps: 10, gop: 10))
        let ts = try Data(contentsOf: URL(fileURLWithPath: "\(dir.path)/whole.ts"))
        try ts.prefix(ts.count / 2 + 101).write(to: URL(fileURLWithPath: "\(rec)/20261120_080030.ts"))
        let r = try report()
        #expect(r["indexed"] as? Int == 2 && (r["failed"] as? [Any])?.isEmpty == true, "\(r)")
        let waiting = try #require(r["in_progress"] as? [[String: Any]]).map { ($0["path"] as! String).split(separator: "/").last.map(String.init)! }
        #expect(waiting == ["20261120_080020.mp4", "20261120_080030.ts"], "\(r)")
        // Written to the end: read again, indexed.
        try FileManager.default.removeItem(atPath: "\(rec)/20261120_080020.mp4")
        try FileManager.default.copyItem(atPath: "\(dir.path)/whole.mp4", toPath: "\(rec)/20261120_080020.mp4")
        #expect(try report()["indexed"] as? Int == 1)
    }

    @Test func aRecorderClockAheadIsIndexedAndSaid() throws {
        try seedCamera()
        // Its mtime a day ahead: not 'in progress' forever.
        try Footage.make("\(rec)/20261120_080000.mp4", .init(seconds: 10, fps: 10, gop: 10))
        try Footage.setMtime("\(rec)/20261120_080000.mp4", Date().addingTimeInterval(86_400))
        // Dated by its path a year ahead.
        let year = Calendar(identifier: .gregorian).component(.year, from: Date()) + 1
        try Footage.make("\(rec)/\(year)1120_080000.mp4", .init(seconds: 10, fps: 10, gop: 10))
        let text = try ci(["index"]).stdout
        #expect(text.contains("2 indexed") && text.contains("in the future") && text.contains("1 segment dated more than a day ahead"), "\(text)")
        let check = try ci(["check"])
        #expect(check.stdout.contains("warning: cam-1: 1 segment dated more than a day ahead"), "\(check.stdout)")
        // How far ahead its files are, by every door a technician looks through.
        #expect(check.stdout.contains("warning: cam-1: files modified up to 23h59m") && check.stdout.contains("in the future"), "\(check.stdout)")
        let show = try ci(["camera", "show", "cam-1"]).stdout
        #expect(show.contains("in the future (the recorder's clock is ahead?)"), "\(show)")
        let shown = try #require(try CLI.json(try ci(["camera", "show", "cam-1", "--format", "json"]).stdout) as? [String: Any])
        let ahead = try #require((shown["footage"] as? [String: Any])?["mtime_ahead_seconds"] as? Double)
        #expect(abs(ahead - 86_400) < 120, "\(shown)")
        let health = try ci(["health", "--check", "index"], status: 1).stdout
        #expect(health.hasPrefix("CAMINDEX WARNING") && health.contains("1 camera with files modified in the future")
                && health.contains("in the future (the recorder's clock is ahead?): cam-1 镇政府"), "\(health)")
        #expect(health.contains("'index_clock_ahead'=1"), "\(health)")
    }

    /// A long run shows how far it is on a terminal (script(1) gives it one), and nothing of
    /// the kind reaches a log.
    @Test func aLongRunShowsProgressOnATerminalOnly() throws {
        try seedCamera()
        try Footage.make(dir.file("one.mp4"), .init(seconds: 2, fps: 10, gop: 10))
        // 800 files packet by packet on one core: over a second however fast the machine, and
        // light on the other tests running beside.
        for i in 0..<800 {
            let s = 8 * 3600 + i * 2
            try FileManager.default.copyItem(atPath: dir.file("one.mp4"), toPath: String(format: "\(rec)/20261120_%02d%02d%02d.mp4", s / 3600, s / 60 % 60, s % 60))
        }
        let command = ([CLI.binary, "--db", db, "index", "--settle", "0", "--verify", "--jobs", "1"]).map { "'\($0)'" }.joined(separator: " ")
        let terminal = try Footage.run("script", ["-qec", command, "/dev/null"])
        #expect(terminal.contains("cam-1: ") && terminal.contains("of 800 files read"), "\(terminal.suffix(300))")
        try FileManager.default.removeItem(atPath: db)
        try seedCamera()
        let logged = try ci(["index", "--settle", "0", "--verify", "--jobs", "1"])
        #expect(!logged.all.contains("files read") && logged.stdout.contains("800 indexed"), "\(logged.all.suffix(300))")
    }
}
