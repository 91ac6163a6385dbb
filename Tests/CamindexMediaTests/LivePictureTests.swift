import CamindexCore
import CamindexMedia
import CamindexTestSupport
import Foundation
import Testing

extension StreamProberTests {
    /// Video quality diagnosis on full probes of live streams: the loopback RTSP server serving
    /// fault patterns, each judged with its value, and a thumbnail of the keyframe. Nested in the
    /// serialized prober suite: its encodes would otherwise load the cores under its timing tests.
    @Suite struct LivePictureTests {
        static let server = Result { try RTSPTestServer(mounts: 0, gop: 25, patterns: ["black", "snow", "frozen", "smpte"]) }
        let dir = TempDir("live-picture")

        func probe(_ mount: String) throws -> ProbeResult {
            let r = StreamProber.probe(url: try Self.server.get().url(mount), depth: .full, deadline: .seconds(10))
            #expect(r.ok, "\(mount): \(r.message ?? "")")
            return r
        }

        @Test(arguments: [("black", [PictureFault.black]), ("snow", [.noise]), ("smpte", [])])
        func eachPatternIsJudged(_ mount: String, _ faults: [PictureFault]) throws {
            var r = try probe(mount)
            let picture = try #require(r.picture, "\(mount): a keyframe decoded")
            r.judgePicture(PictureThresholds(), previousSignature: nil)
            #expect(r.quality?.map(\.fault) == faults, "\(mount): \(r.quality ?? []), \(picture)")
        }

        /// A frozen picture is the same keyframe at successive probes; a moving one is not.
        @Test(arguments: [("frozen", true), ("smpte", false)])
        func frozenAcrossProbes(_ mount: String, _ frozen: Bool) throws {
            let first = try #require(try probe(mount).picture)
            // Full probes are minutes apart on a live camera; a second is plenty for smpte's scroll.
            Thread.sleep(forTimeInterval: 1)
            var second = try probe(mount)
            second.judgePicture(PictureThresholds(), previousSignature: first.signature)
            #expect((second.quality ?? []).contains { $0.fault == .frozen } == frozen, "\(mount): \(second.quality ?? [])")
        }

        @Test func thumbnailIsASmallJPEG() throws {
            let r = try probe("smpte")
            let jpeg = try #require(r.thumbnail)
            #expect(jpeg.starts(with: [0xFF, 0xD8]) && jpeg.suffix(2) == [0xFF, 0xD9])
            #expect(jpeg.count > 1_000 && jpeg.count < 30_000, "\(jpeg.count) bytes")
            let path = dir.file("thumb.jpg")
            try Data(jpeg).write(to: URL(fileURLWithPath: path))
            let stream = try FFprobe.videoStream(path)
            #expect(stream.codec == "mjpeg" && stream.width == 320 && stream.height == 180)
        }
    }
}
