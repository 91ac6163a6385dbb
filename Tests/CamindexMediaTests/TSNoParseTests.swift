@testable import CamindexMedia
import CamindexTestSupport
import Foundation
import Testing

/// MPEG-TS read without FFmpeg's parser (`TSPacketScanner`) against the parser path
/// (`PacketScanner`) on the same files: every packet's times, duration and key flag, the damaged
/// count and the segment (keyframes, runs, truncation) must be equal, and the files that break
/// the no-parser path's assumptions must fall back to the parser.
@Suite struct TSNoParseTests {
    let dir = TempDir("tsnoparse")

    /// Both readings of `path`: the parser path's packets and segment, the no-parser path's
    /// packets (nil: it fell back) and the segment `SegmentReader` gives with it.
    struct Readings {
        var parsed: PacketScanner.Packets
        var parsedInfo: SegmentInfo
        var unparsed: PacketScanner.Packets?
        var info: SegmentInfo
    }

    func read(_ path: String) throws -> Readings {
        let stream = try SegmentReader.openVideo(path: path, interrupt: Interrupt(timeout: .seconds(60)))
        let parsed = try PacketScanner(stream: stream).readToEnd()
        let unparsed = try TSPacketScanner(parsed: stream, path: path).readToEnd()
        return Readings(parsed: parsed, parsedInfo: try SegmentReader.read(path: path, mode: .scan, timeout: .seconds(60), tsParser: true),
                        unparsed: unparsed, info: try SegmentReader.read(path: path, mode: .scan))
    }

    /// The no-parser path was taken and agrees with the parser path packet by packet.
    @discardableResult
    func expectSame(_ path: String, _ comment: Comment? = nil) throws -> Readings {
        let r = try read(path)
        guard let unparsed = r.unparsed else {
            Issue.record("fell back to the parser \(comment ?? "")")
            return r
        }
        #expect(unparsed.times.count == r.parsed.times.count, comment)
        for (i, (a, b)) in zip(unparsed.times, r.parsed.times).enumerated() where a != b {
            Issue.record("packet \(i): no parser \(a), parser \(b) \(comment ?? "")")
            break
        }
        #expect(unparsed.damaged == r.parsed.damaged, comment)
        #expect(unparsed.truncated == r.parsed.truncated, comment)
        #expect(r.info == r.parsedInfo, comment)
        return r
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var spec: Footage.Spec
        var testDescription: String { name }
    }

    static let encodings: [Case] = [
        Case(name: "h264", spec: .init(seconds: 6, gop: 25)),
        Case(name: "h264-bframes", spec: .init(seconds: 6, gop: 25, bframes: 2)),
        Case(name: "h264-one-bframe", spec: .init(seconds: 6, gop: 25, bframes: 1)),
        Case(name: "h265-bframes", spec: .init(seconds: 6, gop: 25, codec: .h265, bframes: 3)),
        Case(name: "h265", spec: .init(seconds: 6, gop: 25, codec: .h265)),
        // Open GOPs: non-IDR I pictures with a recovery-point SEI, which the parser flags key
        // (and the keyframe check then counts as damaged: no IDR).
        Case(name: "h264-open-gop", spec: .init(seconds: 6, gop: 25, bframes: 2, options: ["-x264-params", "open-gop=1"])),
        // Intra refresh: no I pictures after the first, a recovery point on each refresh.
        Case(name: "h264-intra-refresh", spec: .init(seconds: 6, gop: 25, options: ["-x264-params", "intra-refresh=1"])),
        Case(name: "h264-ntsc", spec: {
            var s = Footage.Spec(seconds: 5, fps: 30, gop: 45, bframes: 2)
            s.rate = "30000/1001"
            return s
        }()),
    ]

    @Test("the same packets, keyframes and segment as the parser", arguments: encodings)
    func sameAsParser(_ c: Case) throws {
        let path = dir.file("\(c.name).ts")
        try Footage.make(path, c.spec)
        let r = try expectSame(path)
        #expect(!r.info.keyframesMs.isEmpty)
        #expect(r.info.runs.count == 1)
    }

    @Test func openGopKeyframesAreTheParsersRecoveryPoints() throws {
        let path = dir.file("open.ts")
        try Footage.make(path, .init(seconds: 6, gop: 25, bframes: 2, options: ["-x264-params", "open-gop=1"]))
        let r = try expectSame(path)
        // The parser flags the open-GOP I pictures key; they hold no IDR.
        #expect(r.info.damagedKeyframes > 0)
        #expect(r.info.keyframesMs == [0])
    }

    /// Non-IDR I pictures (x264's scene cuts inside the minimum GOP, no recovery-point SEI):
    /// the parser's heuristic flags them key only when the SPS allows one reference frame and
    /// the PPS one default reference.
    @Test(arguments: [1, 3])
    func iPicturesFollowTheParsersHeuristic(refs: Int) throws {
        let path = dir.file("cuts-\(refs).ts")
        try Footage.run("ffmpeg", ["-v", "error", "-y", "-filter_complex",
                                   "testsrc2=s=160x120:r=25:d=6[a];mandelbrot=s=160x120:r=25[m];[m]trim=duration=6[b];"
                                       + "[a][b]blend=all_expr='if(mod(floor(T),2),B,A)',format=yuv420p",
                                   "-c:v", "libx264", "-preset", "veryfast", "-g", "250", "-keyint_min", "150", "-bf", "0",
                                   "-x264-params", "ref=\(refs)", path])
        let r = try expectSame(path, "ref=\(refs)")
        #expect(r.info.damagedKeyframes == (refs == 1 ? 4 : 0), "ref=\(refs)")
        #expect(r.info.keyframesMs == [0])
    }

    /// Parameter-set timing (25 fps) that disagrees with the timestamps (12.5 fps): the parser
    /// path lasts each packet a VUI frame, which ends the run 40 ms after the last picture.
    @Test func durationsComeFromTheParameterSetsNotTheSteps() throws {
        let source = dir.file("25.ts")
        try Footage.make(source, .init(seconds: 4, gop: 25))
        let path = dir.file("slow.ts")
        try Footage.retime(source, to: path, pts: "PTS*2", dts: "DTS*2")
        let r = try expectSame(path)
        #expect(r.parsed.times.allSatisfy { $0.duration == 40_000 })
        #expect(r.info.runs == [.init(startMs: 0, endMs: 7960)])
    }

    @Test func hlsSegments() throws {
        let hls = dir.file("hls")
        try FileManager.default.createDirectory(atPath: hls, withIntermediateDirectories: true)
        try Footage.run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "6",
                                   "-pix_fmt", "yuv420p", "-c:v", "libx264", "-preset", "veryfast", "-g", "25", "-bf", "2",
                                   "-f", "hls", "-hls_time", "2", "-hls_list_size", "0",
                                   "-hls_segment_filename", "\(hls)/seg%d.ts", "\(hls)/index.m3u8"])
        let segments = try FileManager.default.contentsOfDirectory(atPath: hls).filter { $0.hasSuffix(".ts") }.sorted()
        #expect(segments.count >= 3)
        for s in segments { try expectSame("\(hls)/\(s)", "\(s)") }
    }

    @Test(arguments: [0, 2])
    func gstreamerMpegtsmux(bframes: Int) throws {
        let path = dir.file("gst-\(bframes).ts")
        try Footage.run("gst-launch-1.0", ["-q", "videotestsrc", "num-buffers=150", "!",
                                           "video/x-raw,width=160,height=120,framerate=25/1", "!",
                                           "x264enc", "key-int-max=25", "bframes=\(bframes)", "speed-preset=veryfast", "!",
                                           "h264parse", "!", "mpegtsmux", "!", "filesink", "location=\(path)"])
        let r = try expectSame(path)
        #expect(r.info.keyframesMs.count == 6)
    }

    /// Cut mid-PES (and mid-TS-packet): the last packet's partial access unit is read the
    /// same way by both.
    @Test(arguments: [0.37, 0.61])
    func truncatedFile(keeping fraction: Double) throws {
        let path = dir.file("cut-\(fraction).ts")
        try Footage.make(path, .init(seconds: 6, gop: 25, bframes: 2))
        try Footage.truncate(path, keeping: fraction)
        let r = try expectSame(path)
        let end = try #require(r.info.runs.last?.endMs)
        #expect(end > 1000 && end < 5000)
    }

    @Test func corruptedFileFallsBackAndAgrees() throws {
        let path = dir.file("damaged.ts")
        try Footage.make(path, .init(seconds: 6, gop: 25, bframes: 2))
        try Footage.zeroOut(path, at: 0.4, count: 3_000)
        let r = try read(path)
        #expect(r.unparsed == nil ? true : false, "FFmpeg flags the broken PES corrupt")
        #expect(r.info == r.parsedInfo)
        #expect(r.info.truncated)
    }

    @Test func otherCodecsFallBack() throws {
        let path = dir.file("mpeg2.ts")
        try Footage.run("ffmpeg", ["-v", "error", "-y", "-f", "lavfi", "-i", "testsrc2=size=160x120:rate=25", "-t", "2",
                                   "-c:v", "mpeg2video", "-g", "25", path])
        let r = try read(path)
        #expect(r.unparsed == nil ? true : false, "fell back")
        #expect(r.info == r.parsedInfo)
        #expect(r.info.keyframesMs == [0, 1000])
    }

    /// Interlaced H.264 (field pairs or MBAFF): the parser's durations depend on the picture
    /// structure, which is not modelled.
    @Test func interlacedH264FallsBack() throws {
        let path = dir.file("tff.ts")
        try Footage.make(path, .init(seconds: 2, gop: 25, options: ["-flags", "+ildct+ilme", "-x264-params", "tff=1"]))
        let r = try read(path)
        #expect(r.unparsed == nil ? true : false, "fell back")
        #expect(r.info == r.parsedInfo)
    }

    // MARK: the classifier on its own

    /// Access units of a raw H.264 stream with access unit delimiters, cut at them.
    func accessUnits(_ spec: Footage.Spec) throws -> [[UInt8]] {
        let path = dir.file("raw-\(UUID().uuidString.prefix(6)).h264")
        var spec = spec
        spec.options += ["-x264-params", "aud=1", "-f", "h264"]
        try Footage.make(path, spec)
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var starts: [Int] = []
        for i in 0..<(bytes.count - 4) where bytes[i] == 0 && bytes[i + 1] == 0 && bytes[i + 2] == 1 && bytes[i + 3] & 0x1F == 9 {
            starts.append(i)
        }
        return zip(starts, starts.dropFirst() + [bytes.count]).map { Array(bytes[$0..<$1]) }
    }

    @Test func classifierFindsIDRAndRejectsPartsAndPairs() throws {
        let units = try accessUnits(.init(seconds: 3, gop: 25, bframes: 2))
        #expect(units.count == 75)
        var classifier = AccessUnitClassifier(codec: .h264)
        var keys: [Int] = []
        for (i, u) in units.enumerated() {
            let unit = try #require(u.withUnsafeBufferPointer { classifier.classify($0) }, "unit \(i)")
            if unit.key { keys.append(i) }
        }
        #expect(keys == [0, 25, 50])
        #expect(classifier.frameDuration == .init(num: 2, den: 50))
        // Two access units in one packet, and the second half of one: not one access unit.
        #expect((units[1] + units[2]).withUnsafeBufferPointer { classifier.classify($0) } == nil)
        let half = Array(units[3][(units[3].count / 2)...])
        #expect(half.withUnsafeBufferPointer { classifier.classify($0) } == nil)
    }

    @Test func annexBUnitsExcludeStartCodesAndTrailingZeros() {
        let bytes: [UInt8] = [0, 0, 0, 1, 9, 0xF0, 0, 0, 0, 1, 0x67, 1, 2, 0, 0, 1, 0x65, 0x88, 0, 0]
        var units: [[UInt8]] = []
        bytes.withUnsafeBufferPointer { b in
            AnnexB.forEachUnit(b) { r in
                units.append(Array(b[r]))
                return true
            }
        }
        #expect(units == [[9, 0xF0], [0x67, 1, 2], [0x65, 0x88]])
        let rbsp = [UInt8]([0x67, 0, 0, 3, 1, 0, 0, 3]).withUnsafeBufferPointer { AnnexB.rbsp($0[...]) }
        #expect(rbsp == [0x67, 0, 0, 1, 0, 0])
    }
}
