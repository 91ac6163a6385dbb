import CamindexCore
import CamindexMedia
import CamindexTestSupport
import Foundation
import Testing

/// MP4s whose recorder died before writing `moov`: made by cutting a finished file (the ffmpeg
/// CLI writes `moov` after `mdat`) before its `moov`, or in the middle of its `mdat`, and by
/// killing a recording ffmpeg with SIGKILL.
@Suite struct MoovlessMP4Tests {
    let dir = TempDir("moovless")

    /// The offset of the file's `moov` box (after `mdat`, as the ffmpeg CLI writes it).
    func moovOffset(_ path: String) throws -> Int {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        var offset = 0
        while offset + 8 <= data.count {
            let size = data[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) }
            if String(decoding: data[offset + 4..<offset + 8], as: UTF8.self) == "moov" { return offset }
            guard size >= 8 else { break }
            offset += size
        }
        throw FootageError("no moov in \(path)")
    }

    func cut(_ path: String, to length: Int) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        try data.prefix(length).write(to: URL(fileURLWithPath: path))
    }

    @Test(arguments: [Footage.Codec.h264, .h265])
    func wholeMdatGivesEveryPictureAndKeyframe(codec: Footage.Codec) throws {
        let path = dir.file("whole-\(codec).mp4")
        try Footage.make(path, .init(seconds: 8, codec: codec))
        let finished = try SegmentReader.read(path: path, mode: .scan)
        try cut(path, to: try moovOffset(path))
        #expect(MP4Boxes.lacksMoov(path) == true)
        #expect(throws: MediaError.self) { try SegmentReader.read(path: path, mode: .scan) }
        let info = try MoovlessMP4.recover(path: path, reference: StreamParameters(codec: finished.codec, width: 160, height: 120, fps: 25))
        #expect(info.method == .recovered)
        #expect(info.keyframesMs == finished.keyframesMs)
        #expect(info.keyframesMs == [0, 2000, 4000, 6000])
        #expect(info.runs == [.init(startMs: 0, endMs: 8000)])
        #expect(info.codec == finished.codec && info.width == 160 && info.fps == 25)
    }

    @Test func halfAnMdatGivesTheFirstHalf() throws {
        let path = dir.file("half.mp4")
        try Footage.make(path, .init(seconds: 8, gop: 25))
        try cut(path, to: try moovOffset(path) / 2)
        let info = try MoovlessMP4.recover(path: path, reference: StreamParameters(codec: "h264", width: 160, height: 120, fps: 25))
        // About half of the 8 s: keyframes every second from 0, the end a picture after the last one found.
        let end = try #require(info.runs.first?.endMs)
        #expect(end > 2500 && end < 5500, "\(end)")
        #expect(info.keyframesMs == Array(stride(from: Int64(0), to: end, by: 1000)))
    }

    @Test func notAnMP4OrNoPictures() throws {
        let path = dir.file("empty-mdat.mp4")
        try Footage.make(path, .init(seconds: 2))
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        // ftyp, then an mdat of zeros
        let ftypSize = data.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        try (data.prefix(ftypSize) + Data([0, 0, 0, 0]) + Data("mdat".utf8) + Data(count: 4096)).write(to: URL(fileURLWithPath: path))
        #expect(MP4Boxes.lacksMoov(path) == true)
        #expect(throws: MediaError.self) {
            try MoovlessMP4.recover(path: path, reference: StreamParameters(codec: "h264", width: 160, height: 120, fps: 25))
        }
        let text = dir.file("notes.mp4")
        try Data("not a video at all".utf8).write(to: URL(fileURLWithPath: text))
        #expect(MP4Boxes.lacksMoov(text) == nil)
    }

    /// A recorder (the ffmpeg CLI, writing a plain MP4 in real time) killed with SIGKILL.
    @Test func killedRecorder() throws {
        let path = dir.file("killed.mp4")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y", "-re", "-f", "lavfi",
                       "-i", "testsrc2=size=160x120:rate=25", "-t", "30", "-pix_fmt", "yuv420p", "-c:v", "libx264",
                       "-preset", "veryfast", "-g", "25", "-keyint_min", "25", "-sc_threshold", "0", "-bf", "0", path]
        try p.run()
        // Until a few seconds of pictures are on disk.
        let deadline = Date(timeIntervalSinceNow: 20)
        while Date() < deadline, ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) < 60_000 {
            Thread.sleep(forTimeInterval: 0.2)
        }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(MP4Boxes.lacksMoov(path) == true)
        let info = try MoovlessMP4.recover(path: path, reference: StreamParameters(codec: "h264", width: 160, height: 120, fps: 25))
        let end = try #require(info.runs.first?.endMs)
        #expect(end >= 1000, "\(end)")
        #expect(info.keyframesMs.first == 0)
        #expect(info.keyframesMs == Array(stride(from: Int64(0), to: end, by: 1000)))
    }
}
