import CamindexMedia
import CamindexTestSupport
import Foundation
import Testing

/// Footage generated with the ffmpeg CLI: 25 fps, a keyframe every 2 s, so keyframes sit at
/// exactly 0, 2000, 4000, ... ms from the first packet.
@Suite struct SegmentReaderTests {
    let dir = TempDir("media")

    struct Case: CustomTestStringConvertible, Sendable {
        var file: String
        var spec: Footage.Spec
        var fastMethod: SegmentInfo.Method
        var codec: String
        var testDescription: String { file }
    }

    static let containers: [Case] = [
        Case(file: "h264.mp4", spec: .init(seconds: 10), fastMethod: .containerIndex, codec: "h264"),
        Case(file: "h264-bframes.mp4", spec: .init(seconds: 10, bframes: 2), fastMethod: .containerIndex, codec: "h264"),
        Case(file: "h265-bframes.mp4", spec: .init(seconds: 10, codec: .h265, bframes: 3), fastMethod: .containerIndex, codec: "hevc"),
        Case(file: "h264.mov", spec: .init(seconds: 10), fastMethod: .containerIndex, codec: "h264"),
        Case(file: "h264.mkv", spec: .init(seconds: 10, bframes: 2), fastMethod: .containerIndex, codec: "h264"),
        Case(file: "h265.mkv", spec: .init(seconds: 10, codec: .h265, bframes: 3), fastMethod: .containerIndex, codec: "hevc"),
        Case(file: "h264.ts", spec: .init(seconds: 10, bframes: 2), fastMethod: .packetScan, codec: "h264"),
        Case(file: "h265.ts", spec: .init(seconds: 10, codec: .h265), fastMethod: .packetScan, codec: "hevc"),
        Case(file: "h264.flv", spec: .init(seconds: 10), fastMethod: .packetScan, codec: "h264"),
    ]

    @Test("keyframes are presentation times, exact to the frame, both ways", arguments: containers)
    func keyframesExact(_ c: Case) throws {
        let path = dir.file(c.file)
        try Footage.make(path, c.spec)
        for mode in [SegmentReader.Mode.fast, .scan] {
            let info = try SegmentReader.read(path: path, mode: mode)
            #expect(info.keyframesMs == [0, 2000, 4000, 6000, 8000], "\(mode)")
            #expect(info.runs == [.init(startMs: 0, endMs: 10000)], "\(mode)")
            #expect(info.codec == c.codec)
            #expect(info.width == 160 && info.height == 120)
            #expect(info.fps == 25)
            #expect(info.method == (mode == .scan ? .packetScan : c.fastMethod))
            #expect(!info.truncated)
            #expect(info.damagedKeyframes == 0)
        }
    }

    @Test func oddFrameRateAndGop() throws {
        // 30000/1001 fps, GOP 45: keyframe k at k*45*1001/30 ms, exact within a frame (33 ms).
        let path = dir.file("ntsc.mp4")
        try Footage.make(path, .init(seconds: 6, fps: 30, gop: 45, options: ["-r", "30000/1001"]))
        let info = try SegmentReader.read(path: path, mode: .fast)
        let expected = (0..<4).map { Double($0) * 45 * 1001 / 30 }
        #expect(info.keyframesMs.count == expected.count)
        for (got, want) in zip(info.keyframesMs, expected) { #expect(abs(Double(got) - want) <= 1) }
    }

    @Test func timestampJumpInsideFileIsAGap() throws {
        // Two 4 s parts, the second stamped 10 s later, concatenated into one MPEG-TS file.
        let a = dir.file("a.ts"), b = dir.file("b.ts")
        try Footage.make(a, .init(seconds: 4))
        try Footage.make(b, .init(seconds: 4, options: ["-output_ts_offset", "10"]))
        let joined = dir.file("jump.ts")
        var bytes = try Data(contentsOf: URL(fileURLWithPath: a))
        bytes.append(try Data(contentsOf: URL(fileURLWithPath: b)))
        try bytes.write(to: URL(fileURLWithPath: joined))
        let info = try SegmentReader.read(path: joined, mode: .fast)
        #expect(info.runs == [.init(startMs: 0, endMs: 4000), .init(startMs: 10000, endMs: 14000)])
        #expect(info.keyframesMs == [0, 2000, 10000, 12000])
    }

    @Test func truncatedFaststartMP4IsReadUpToItsLastPacket() throws {
        let path = dir.file("cut.mp4")
        try Footage.make(path, .init(seconds: 10, options: ["-movflags", "+faststart"]))
        try Footage.truncate(path, keeping: 0.5)
        for mode in [SegmentReader.Mode.fast, .scan] {
            let info = try SegmentReader.read(path: path, mode: mode)
            #expect(info.truncated)
            #expect(info.method == .packetScan, "the index lists keyframes that are not there")
            let end = try #require(info.runs.last?.endMs)
            #expect(end > 2000 && end < 9000)
            #expect(info.keyframesMs.allSatisfy { $0 < end })
            #expect(info.keyframesMs.first == 0)
        }
    }

    @Test func truncatedTSIsReadUpToItsLastPacket() throws {
        let path = dir.file("cut.ts")
        try Footage.make(path, .init(seconds: 10))
        try Footage.truncate(path, keeping: 0.55)
        let info = try SegmentReader.read(path: path, mode: .fast)
        let end = try #require(info.runs.last?.endMs)
        #expect(end > 3000 && end < 8000)
        #expect(info.keyframesMs.first == 0 && info.keyframesMs.allSatisfy { $0 < end })
    }

    @Test func mp4WithMoovAtTheEndCutShortCannotBeOpened() throws {
        let path = dir.file("nomoov.mp4")
        try Footage.make(path, .init(seconds: 4))
        try Footage.truncate(path, keeping: 0.5)
        #expect(throws: MediaError.self) { try SegmentReader.read(path: path, mode: .fast) }
    }

    @Test func damageInsideTheMediaIsSeenOnlyByTheScan() throws {
        let path = dir.file("damaged.mp4")
        try Footage.make(path, .init(seconds: 10, gop: 50, options: ["-movflags", "+faststart"]))
        // Zero a stretch in the middle of mdat: keyframes there lose their picture data.
        try Footage.zeroOut(path, at: 0.35, count: 120_000)
        let fast = try SegmentReader.read(path: path, mode: .fast)
        let scan = try SegmentReader.read(path: path, mode: .scan)
        #expect(fast.keyframesMs.count == 5, "the index claims every keyframe")
        #expect(scan.keyframesMs.count < 5, "the scan finds the damage")
        #expect(scan.damagedKeyframes == 5 - scan.keyframesMs.count)
        #expect(scan.keyframesMs.first == 0)
    }

    @Test func randomBytesAreNotMedia() throws {
        let path = dir.file("noise.mp4")
        try Footage.randomBytes(path, count: 200_000)
        let error = try #require(throws: MediaError.self) { try SegmentReader.read(path: path, mode: .fast) }
        #expect([.invalidData, .noVideo].contains(error.kind))
        #expect(error.message.contains(path))
    }

    @Test func missingFile() throws {
        let error = try #require(throws: MediaError.self) { try SegmentReader.read(path: dir.file("gone.mp4"), mode: .fast) }
        #expect(error.kind == .notFound)
    }

    @Test func audioOnlyFileHasNoVideo() throws {
        let path = dir.file("audio.mp4")
        try Footage.run("ffmpeg", ["-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-f", "lavfi", "-i",
                                   "sine=frequency=440:duration=2", "-c:a", "aac", path])
        let error = try #require(throws: MediaError.self) { try SegmentReader.read(path: path, mode: .fast) }
        #expect(error.kind == .noVideo)
    }

    @Test func creationTimeIsRead() throws {
        let path = dir.file("stamped.mp4")
        try Footage.make(path, .init(seconds: 2, options: ["-metadata", "creation_time=2026-11-20T00:00:05Z"]))
        let info = try SegmentReader.read(path: path, mode: .fast)
        #expect(info.creationTime?.ms == 1_795_132_805_000)
    }

    @Test func colonInFileNameIsAPathNotAProtocol() throws {
        let path = dir.file("cam1:2026-11-20 08:00:00.mp4")
        try Footage.make(path, .init(seconds: 2))
        #expect(try SegmentReader.read(path: path, mode: .fast).keyframesMs == [0])
    }

    @Test func stalledTimestampsAreRetimedFromTheFrameRate() throws {
        // 500 frames at 25 fps (20 s); after 100 frames every timestamp is a tick after the last.
        let path = dir.file("stalled.mp4")
        try Footage.stalled(path, frames: 500, goodFrames: 100)
        for mode in [SegmentReader.Mode.fast, .scan] {
            let info = try SegmentReader.read(path: path, mode: mode)
            #expect(info.stalledTimestamps >= 390, "\(mode): \(info.stalledTimestamps)")
            #expect(info.runs.count == 1 && abs(info.durationMs - 20_000) <= 80, "\(mode): \(info.runs)")
            #expect(info.keyframesMs == Array(stride(from: Int64(0), to: 20_000, by: 2000)), "\(mode): \(info.keyframesMs)")
            #expect(info.method == .packetScan, "\(mode)")
        }
        let plain = dir.file("plain.mp4")
        try Footage.make(plain, .init(seconds: 4))
        #expect(try SegmentReader.read(path: plain, mode: .scan).stalledTimestamps == 0)
    }
}
