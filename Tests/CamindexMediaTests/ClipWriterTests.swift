import CamindexCore
import CamindexMedia
import CamindexTestSupport
import Foundation
import Testing

/// Clips written by `ClipWriter` from footage made at test time, checked with ffprobe and
/// ffmpeg's decoder. A "recording" is consecutive 4 s files at 30000/1001 fps with a keyframe
/// every 30 frames (1.001 s), each file's timestamps starting again at zero as recorders write
/// them, and each file showing the next 4 s of the test pattern.
@Suite struct ClipWriterTests {
    let dir = TempDir("clip")
    static let created = Instant(ms: CivilTime(year: 2026, month: 11, day: 20, hour: 6, minute: 0, second: 30).msAsUTC)

    struct Case: CustomTestStringConvertible, Sendable {
        var codec: Footage.Codec
        var ext: String
        var bframes: Int
        var testDescription: String { "\(codec.rawValue) \(ext), \(bframes) B-frames" }
    }

    static let cases: [Case] = [
        Case(codec: .h264, ext: "mp4", bframes: 2),
        Case(codec: .h264, ext: "ts", bframes: 2),
        Case(codec: .h265, ext: "mp4", bframes: 3),
        Case(codec: .h265, ext: "ts", bframes: 3),
        Case(codec: .h264, ext: "mp4", bframes: 0),
        // Matroska: presentation times only, in ms.
        Case(codec: .h264, ext: "mkv", bframes: 2),
    ]

    func recording(_ c: Case, name: String = "rec", files: Int = 3, size: String = "160x120",
                   options: [String] = []) throws -> [String] {
        try (0..<files).map { i in
            let path = dir.file("\(name)-\(i).\(c.ext)")
            var spec = Footage.Spec(seconds: 4, gop: 30, codec: c.codec, bframes: c.bframes, options: options)
            spec.rate = "30000/1001"
            spec.size = size
            spec.patternOffset = Double(i) * 4
            try Footage.make(path, spec)
            return path
        }
    }

    func write(_ sources: [ClipSource], _ name: String = "clip.mp4") throws -> (path: String, result: ClipResult) {
        let path = dir.file(name)
        let result = try ClipWriter.write(sources: sources, to: path, creationTime: Self.created, timeout: .seconds(60))
        return (path, result)
    }

    // MARK: Clips checked packet by packet

    @Test("a clip across three files: from between two keyframes to the middle of the last file", arguments: cases)
    func acrossThreeFiles(_ c: Case) throws {
        let files = try recording(c)
        // The numbers the index stores: each file's first PTS and keyframe offsets.
        let infos = try files.map { try SegmentReader.read(path: $0, mode: .fast) }
        #expect(infos[0].keyframesMs.count == 4)
        let sources = [
            ClipSource(path: files[0], fromPtsMs: infos[0].firstPtsMs + infos[0].keyframesMs[1] + 500),
            ClipSource(path: files[1], fromPtsMs: infos[1].firstPtsMs),
            ClipSource(path: files[2], fromPtsMs: infos[2].firstPtsMs, toPtsMs: infos[2].firstPtsMs + 2500),
        ]
        let (path, result) = try write(sources)
        try checkClip(path, result, sources, c)
        #expect(result.sources[0].firstPtsMs == infos[0].firstPtsMs + infos[0].keyframesMs[1])
    }

    @Test("a clip from the middle of one file, starting at a keyframe the index gave", arguments: cases)
    func insideOneFile(_ c: Case) throws {
        let files = try recording(c, files: 1)
        let info = try SegmentReader.read(path: files[0], mode: .fast)
        let from = info.firstPtsMs + info.keyframesMs[2]
        let sources = [ClipSource(path: files[0], fromPtsMs: from, toPtsMs: info.firstPtsMs + 3300)]
        let (path, result) = try write(sources)
        try checkClip(path, result, sources, c)
        #expect(result.sources[0].firstPtsMs == from)
    }

    @Test func fromBeforeTheFileStartsAtItsFirstKeyframe() throws {
        let c = Case(codec: .h264, ext: "ts", bframes: 2)
        let files = try recording(c, files: 2)
        let info = try SegmentReader.read(path: files[0], mode: .fast)
        let sources = [ClipSource(path: files[0], fromPtsMs: info.firstPtsMs - 5000), ClipSource(path: files[1], fromPtsMs: 0)]
        let (path, result) = try write(sources)
        try checkClip(path, result, sources, c)
        #expect(result.sources[0].firstPtsMs == info.firstPtsMs)
        #expect(result.packets == 240)
    }

    /// Everything a clip must be, checked against the sources with ffprobe and the decoder.
    func checkClip(_ path: String, _ result: ClipResult, _ sources: [ClipSource], _ c: Case,
                   sourceLocation: SourceLocation = #_sourceLocation) throws {
        let out = try FFprobe.packets(path)
        let stream = try FFprobe.videoStream(path)
        let frame = stream.frameTicks
        // Matroska's millisecond timestamps make frames 33 or 34 ms apart.
        let slack = c.ext == "mkv" ? Double(stream.timeBase.den) / Double(stream.timeBase.num) / 1000 : 1
        try #require(out.count == result.packets, sourceLocation: sourceLocation)
        #expect(out.first?.isKeyframe == true, "starts with a keyframe", sourceLocation: sourceLocation)
        #expect(result.sources.map(\.packets).reduce(0, +) == out.count, sourceLocation: sourceLocation)
        #expect(!result.endedEarly, sourceLocation: sourceLocation)

        // The packets are the sources' own, in order, and each source's timing is kept.
        var expected: [FFprobe.Packet] = []
        var expectedPictures: [String] = []
        var starts: [Int] = []
        var plannedMs = 0.0
        for (i, source) in sources.enumerated() {
            let packets = try FFprobe.packets(source.path)
            let s = try FFprobe.videoStream(source.path)
            // The start: the last keyframe at or before fromPtsMs (1 ms of slack), else the first.
            let keyIndex = try #require(packets.indices.last { packets[$0].isKeyframe && s.ms(packets[$0].pts) <= Double(source.fromPtsMs) + 1 }
                ?? packets.firstIndex(where: \.isKeyframe))
            let key = packets[keyIndex]
            #expect(result.sources[i].firstPtsMs == Int64(s.ms(key.pts).rounded()), sourceLocation: sourceLocation)
            // From the keyframe on in decode order, less an open GOP's leading pictures (they
            // show before the keyframe and refer to the GOP before it).
            let run = packets[keyIndex...].enumerated().filter { $0.offset > 16 || $0.element.pts >= key.pts }.map(\.element)
            let copied = Array(run.prefix(result.sources[i].packets))
            let end: Double
            if let to = source.toPtsMs {
                // Every frame before `to` is in, and the first at or after it.
                let inClip = Set(copied.map(\.pts))
                #expect(run.filter { s.ms($0.pts) < Double(to) - 0.5 }.allSatisfy { inClip.contains($0.pts) },
                        "a frame before toPtsMs is missing", sourceLocation: sourceLocation)
                #expect(copied.contains { s.ms($0.pts) >= Double(to) - 0.5 }, sourceLocation: sourceLocation)
                end = Double(to) + s.ms(Int64(s.frameTicks))
            } else {
                #expect(copied.count == run.count, "to the end of the file", sourceLocation: sourceLocation)
                end = s.ms(packets.map(\.pts).max()! + Int64(s.frameTicks))
            }
            plannedMs += end - s.ms(key.pts)
            // Relative timing inside the source is the source's.
            let base = expected.count
            if out.count >= base + copied.count {
                for (j, p) in copied.enumerated() {
                    let got = stream.ms(out[base + j].pts - out[base].pts), want = s.ms(p.pts - key.pts)
                    if abs(got - want) > 0.1 {
                        Issue.record("source \(i) packet \(j): at \(got) ms, source at \(want) ms", sourceLocation: sourceLocation)
                        break
                    }
                }
            }
            starts.append(base)
            expected += copied
            // What the decoder shows for these frames when it reads the whole source file.
            let pictures = try FFprobe.pictureHashes(source.path)
            let order = packets.map(\.pts).sorted()
            try #require(pictures.count == order.count, sourceLocation: sourceLocation)
            expectedPictures += copied.map(\.pts).sorted().map { pictures[order.firstIndex(of: $0)!] }
        }
        #expect(out.map(\.isKeyframe) == expected.map(\.isKeyframe), sourceLocation: sourceLocation)
        if c.ext != "ts" {
            // Stream copy: the same bytes.
            #expect(out.map(\.size) == expected.map(\.size), sourceLocation: sourceLocation)
            #expect(out.map(\.hash) == expected.map(\.hash), sourceLocation: sourceLocation)
        } else {
            // MPEG-TS start codes become MP4 length fields: a byte more for each 3-byte one.
            #expect(zip(out, expected).allSatisfy { $0.size >= $1.size && $0.size <= $1.size + 16 }, sourceLocation: sourceLocation)
        }
        #expect(try FFprobe.pictureHashes(path) == expectedPictures, "the decoder shows the sources' pictures", sourceLocation: sourceLocation)

        // No timestamp jump: presentation times one frame apart, across the boundaries too;
        // decode times rising one frame at a time (after the first packet, where leading
        // pictures may have been left out).
        let pts = out.map(\.pts).sorted()
        #expect(zip(pts, pts.dropFirst()).allSatisfy { abs(Double($1 - $0) - frame) <= slack }, "PTS steps", sourceLocation: sourceLocation)
        for j in out.indices.dropFirst() {
            #expect(out[j].dts > out[j - 1].dts, "DTS rises at \(j)", sourceLocation: sourceLocation)
            if j >= 2 && abs(Double(out[j].dts - out[j - 1].dts) - frame) > slack {
                Issue.record("DTS step at packet \(j) (sources start at \(starts)): \(out[j - 1].dts) → \(out[j].dts)", sourceLocation: sourceLocation)
            }
        }

        // Duration: the plan (start keyframe to `to`, plus the frame at or after `to`) within
        // one frame, plus at most the rest of a B-frame group, which stream copy cannot cut.
        let durationMs = stream.ms(pts.last! + Int64(frame) - pts.first!)
        let frameMs = stream.ms(Int64(frame))
        #expect(abs(Double(result.durationMs) - durationMs) <= 1, sourceLocation: sourceLocation)
        #expect(durationMs >= plannedMs - 1, "duration \(durationMs) ms, planned \(plannedMs) ms", sourceLocation: sourceLocation)
        #expect(durationMs <= plannedMs + frameMs * Double(1 + c.bframes) + 1, "duration \(durationMs) ms, planned \(plannedMs) ms",
                sourceLocation: sourceLocation)
        #expect(result.firstPtsMs == 0 && pts.first == 0, sourceLocation: sourceLocation)

        // The container: MP4 with the moov first (faststart), creation_time, the codec.
        let boxes = try FFprobe.topLevelBoxes(path)
        #expect(boxes.first == "ftyp", sourceLocation: sourceLocation)
        let moov = try #require(boxes.firstIndex(of: "moov"), sourceLocation: sourceLocation)
        let mdat = try #require(boxes.firstIndex(of: "mdat"), sourceLocation: sourceLocation)
        #expect(moov < mdat, "faststart: \(boxes)", sourceLocation: sourceLocation)
        if c.ext == "mp4" {
            // MP4 sources: room kept for the moov (one pass); its rest is a free box.
            #expect(boxes[moov + 1] == "free", "\(boxes)", sourceLocation: sourceLocation)
            #expect(try Footage.size(path) < UInt64(result.bytes) + 64 * UInt64(result.packets) + 200_000, sourceLocation: sourceLocation)
        }
        #expect(try FFprobe.formatTags(path)["creation_time"] == "2026-11-20T06:00:30.000000Z", sourceLocation: sourceLocation)
        #expect(stream.tags["creation_time"] == "2026-11-20T06:00:30.000000Z", sourceLocation: sourceLocation)
        #expect(result.codec == (c.codec == .h264 ? "h264" : "hevc") && stream.codec == result.codec, sourceLocation: sourceLocation)
        #expect(result.width == 160 && result.height == 120 && stream.width == 160, sourceLocation: sourceLocation)
        let tag = c.ext != "mp4" ? (c.codec == .h264 ? "avc1" : "hev1") : try FFprobe.videoStream(sources[0].path).codecTag
        #expect(stream.codecTag == tag, sourceLocation: sourceLocation)
    }

    // MARK: Damaged sources

    @Test func truncatedTSInTheMiddleIsCopiedUpToItsLastPacket() throws {
        let c = Case(codec: .h264, ext: "ts", bframes: 2)
        let files = try recording(c)
        // Cut inside a 188-byte TS packet, as a crash or a full disk leaves it.
        try Footage.truncate(files[1], toBytes: try Footage.size(files[1]) * 6 / 10 / 188 * 188 + 100)
        let remaining = try FFprobe.packets(files[1])
        let infos = try files.map { try SegmentReader.read(path: $0, mode: .fast) }
        let (path, result) = try write([
            ClipSource(path: files[0], fromPtsMs: infos[0].firstPtsMs + infos[0].keyframesMs[2]),
            ClipSource(path: files[1], fromPtsMs: infos[1].firstPtsMs),
            ClipSource(path: files[2], fromPtsMs: infos[2].firstPtsMs),
        ])
        let cut = result.sources[1]
        #expect(cut.endedEarly)
        #expect(cut.endReason?.contains("MPEG-TS packet") == true, "\(cut.endReason ?? "")")
        #expect(cut.packets == remaining.count, "every packet that is left")
        #expect(!result.sources[0].endedEarly && !result.sources[2].endedEarly)
        #expect(result.sources[2].packets == 120)
        let out = try FFprobe.packets(path)
        #expect(out.count == result.packets)
        #expect(zip(out, out.dropFirst()).allSatisfy { $1.dts > $0.dts })
        // The next file follows the cut one's last frame directly.
        let firstOfNext = out[result.sources[0].packets + cut.packets]
        #expect(firstOfNext.isKeyframe)
        let frame = Int64(try FFprobe.videoStream(path).frameTicks)
        let shownBefore = out[..<(result.sources[0].packets + cut.packets)].map(\.pts).max()!
        #expect(firstOfNext.pts == shownBefore + frame)
    }

    @Test func tsCutAtAPacketBoundaryEndsBeforeItsIndexedEnd() throws {
        // Nothing in the file shows the cut: the end the index recorded does.
        let c = Case(codec: .h265, ext: "ts", bframes: 3)
        let files = try recording(c, files: 2)
        let infos = try files.map { try SegmentReader.read(path: $0, mode: .fast) }
        try Footage.truncate(files[0], toBytes: try Footage.size(files[0]) / 2 / 188 * 188)
        let (path, result) = try write([
            ClipSource(path: files[0], fromPtsMs: infos[0].firstPtsMs, toPtsMs: infos[0].firstPtsMs + infos[0].durationMs),
            ClipSource(path: files[1], fromPtsMs: infos[1].firstPtsMs, toPtsMs: infos[1].firstPtsMs + infos[1].durationMs),
        ])
        #expect(result.sources[0].endedEarly)
        #expect(result.sources[0].endReason?.contains("the file ends at") == true, "\(result.sources[0].endReason ?? "")")
        #expect(!result.sources[1].endedEarly, "a whole file ends where the index says")
        #expect(result.sources[1].packets == 120)
        #expect(try FFprobe.packets(path).count == result.packets)
    }

    @Test func truncatedMP4EndsEarlyBeforeItsPlannedEnd() throws {
        let c = Case(codec: .h264, ext: "mp4", bframes: 2)
        let files = try recording(c, files: 1, options: ["-movflags", "+faststart"])
        let info = try SegmentReader.read(path: files[0], mode: .fast)
        try Footage.truncate(files[0], keeping: 0.5)
        let (path, result) = try write([ClipSource(path: files[0], fromPtsMs: info.firstPtsMs + info.keyframesMs[1],
                                                   toPtsMs: info.firstPtsMs + 3900)])
        let source = result.sources[0]
        #expect(source.endedEarly)
        #expect(source.endReason != nil)
        let last = try #require(source.lastPtsMs)
        #expect(last > 1001 && last < 3000)
        let out = try FFprobe.packets(path)
        #expect(out.count == result.packets && out.first?.isKeyframe == true)
        #expect(try FFprobe.pictureHashes(path).count == out.count, "every copied packet decodes")
    }

    // MARK: Refusals

    @Test func differentResolutionIsRefusedAndNoFileIsLeft() throws {
        let c = Case(codec: .h264, ext: "mp4", bframes: 0)
        let small = try recording(c, name: "small", files: 1)[0]
        let large = try recording(c, name: "large", files: 1, size: "320x240")[0]
        let path = dir.file("mixed.mp4")
        let error = try #require(throws: MediaError.self) {
            try ClipWriter.write(sources: [ClipSource(path: small, fromPtsMs: 0), ClipSource(path: large, fromPtsMs: 0)],
                                 to: path, creationTime: Self.created, timeout: .seconds(30))
        }
        #expect(error.kind == .mismatch)
        #expect(error.message.contains(small) && error.message.contains(large) && error.message.contains("resolution"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func differentCodecIsRefused() throws {
        let h264 = try recording(Case(codec: .h264, ext: "ts", bframes: 0), name: "avc", files: 1)[0]
        let h265 = try recording(Case(codec: .h265, ext: "ts", bframes: 0), name: "hevc", files: 1)[0]
        let path = dir.file("mixed.mp4")
        let error = try #require(throws: MediaError.self) {
            try ClipWriter.write(sources: [ClipSource(path: h264, fromPtsMs: 0), ClipSource(path: h265, fromPtsMs: 0)],
                                 to: path, creationTime: Self.created, timeout: .seconds(30))
        }
        #expect(error.kind == .mismatch && error.message.contains("codec"))
        #expect(error.message.contains(h264) && error.message.contains(h265))
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func missingSourceFailsTheClipAndRemovesIt() throws {
        let file = try recording(Case(codec: .h264, ext: "mp4", bframes: 0), files: 1)[0]
        let path = dir.file("partial.mp4")
        let error = try #require(throws: MediaError.self) {
            try ClipWriter.write(sources: [ClipSource(path: file, fromPtsMs: 0), ClipSource(path: dir.file("gone.mp4"), fromPtsMs: 0)],
                                 to: path, creationTime: Self.created, timeout: .seconds(30))
        }
        #expect(error.kind == .notFound)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func deadlinePassedFailsTheClip() throws {
        let file = try recording(Case(codec: .h264, ext: "mp4", bframes: 0), files: 1)[0]
        let path = dir.file("late.mp4")
        let error = try #require(throws: MediaError.self) {
            try ClipWriter.write(sources: [ClipSource(path: file, fromPtsMs: 0)], to: path, creationTime: Self.created, timeout: .zero)
        }
        #expect(error.kind == .timeout)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test func creationTimeText() {
        #expect(ClipWriter.creationTimeText(Self.created) == "2026-11-20T06:00:30.000000Z")
        #expect(ClipWriter.creationTimeText(Self.created + 123) == "2026-11-20T06:00:30.123000Z")
        #expect(ClipWriter.creationTimeText(Instant(ms: 0)) == "1970-01-01T00:00:00.000000Z")
    }
}
