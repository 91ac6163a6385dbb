import CamindexCore
import CamindexMedia
import CamindexTestSupport
import Foundation
import Testing

/// Probes against a real RTSP server on loopback (GStreamer: 320x180, 25 fps, a keyframe
/// every second) and dead endpoints.
@Suite(.serialized) struct StreamProberTests {
    static let server = Result { try RTSPTestServer(mounts: 2, gop: 25) }

    func server() throws -> RTSPTestServer { try Self.server.get() }

    @Test func fullProbeMeasuresTheStream() throws {
        let r = StreamProber.probe(url: try server().url("cam0"), depth: .full, deadline: .seconds(10))
        #expect(r.ok, "\(r.message ?? "")")
        #expect(r.error == nil)
        #expect(r.codec == "h264")
        #expect(r.width == 320 && r.height == 180)
        #expect(r.fps == 25)
        #expect(r.keyframeIntervalS == 1)
        #expect(r.firstKeyframeMs != nil && r.bitrateKbps != nil)
        #expect(r.profile != nil)
        // The RTCP sender report gives the server's own clock: the offset is near zero.
        let offset = try #require(r.clockOffsetS, "an RTSP full probe waits for the first sender report")
        #expect(abs(offset) < 1)
    }

    /// The offset is the camera's clock against the injected one: a server clock 30 s ahead
    /// sees the camera 30 s behind.
    @Test func clockOffsetIsAgainstTheInjectedClock() throws {
        struct Ahead: WallClock {
            func now() -> Instant { SystemClock().now() + 30_000 }
            func sleep(until deadline: Instant) async throws {}
        }
        let r = StreamProber.probe(url: try server().url("cam1"), depth: .full, deadline: .seconds(10), clock: Ahead())
        let offset = try #require(r.clockOffsetS)
        #expect(abs(offset + 30) < 1, "\(offset)")
        #expect(abs(r.at.ms - (SystemClock().now().ms + 30_000)) < 15_000, "the result is stamped by the injected clock")
    }

    @Test func overUDPToo() throws {
        let r = StreamProber.probe(url: try server().url("cam1"), depth: .full, deadline: .seconds(10), transport: .udp)
        #expect(r.ok && r.codec == "h264" && r.width == 320)
    }

    @Test func lightProbeIsQuick() throws {
        let r = StreamProber.probe(url: try server().url("cam0"), depth: .light, deadline: .seconds(10))
        #expect(r.ok && r.codec == "h264")
        #expect(r.durationMs < 2000)
        #expect(r.keyframeIntervalS == nil, "a light probe does not wait for keyframes")
    }

    @Test func errorClasses() throws {
        let s = try server()
        let cases: [(String, ProbeResult.ErrorClass)] = [
            (s.url("secure"), .unauthorized),
            ("rtsp://admin:wrong@127.0.0.1:\(s.port)/secure", .unauthorized),
            (s.url("no-such-mount"), .notFound),
            ("rtsp://127.0.0.1:\(try closedPort())/x", .refused),
            ("rtsp://camera.invalid/x", .dns),
        ]
        for (url, expected) in cases {
            let r = StreamProber.probe(url: url, depth: .full, deadline: .seconds(5))
            #expect(!r.ok && r.error == expected, "\(url): \(String(describing: r.error)) \(r.message ?? "")")
            #expect(!(r.message ?? "").contains("wrong"), "passwords masked in messages")
        }
        let authed = StreamProber.probe(url: "rtsp://admin:secret@127.0.0.1:\(s.port)/secure", depth: .light, deadline: .seconds(10))
        #expect(authed.ok)
    }

    @Test func notAStream() throws {
        let dir = TempDir("probe")
        let file = dir.file("noise.bin")
        try Footage.randomBytes(file, count: 100_000)
        let r = StreamProber.probe(url: "file:" + file, depth: .light, deadline: .seconds(5))
        #expect(!r.ok && r.error == .invalidData)
    }

    /// A camera that accepts the connection and then says nothing ends at its deadline, and
    /// does not hold up probes running beside it.
    @Test(arguments: ["rtsp", "http"]) func silentCameraEndsAtItsDeadline(scheme: String) async throws {
        let silent = try SilentServer()
        let url = "\(scheme)://127.0.0.1:\(silent.port)/stream"
        let good = try server().url("cam1")
        let clock = ContinuousClock()
        let started = clock.now
        async let hung = onThread { StreamProber.probe(url: url, depth: .full, deadline: .seconds(2)) }
        async let fine = onThread { (StreamProber.probe(url: good, depth: .light, deadline: .seconds(10)), clock.now) }
        let (h, (f, fineDone)) = await (hung, fine)
        let total = clock.now - started
        #expect(!h.ok && h.error == .timeout)
        #expect(h.durationMs >= 1900 && h.durationMs <= 2500, "\(h.durationMs) ms")
        // Both probes together end soon after the silent one's deadline (the bound leaves room
        // for a suite running ffmpeg encodes on the same two cores).
        #expect(total < .milliseconds(3500))
        #expect(f.ok)
        #expect(fineDone - started < .milliseconds(1800), "the healthy probe was not held up")
    }

    @Test func cancellingStopsAProbeAtOnce() async throws {
        let silent = try SilentServer()
        let flag = CancelFlag()
        let clock = ContinuousClock()
        let started = clock.now
        async let probe = onThread { StreamProber.probe(url: "rtsp://127.0.0.1:\(silent.port)/x", depth: .full, deadline: .seconds(30), cancel: flag) }
        try await Task.sleep(for: .milliseconds(300))
        flag.cancel()
        let r = await probe
        #expect(!r.ok)
        #expect(clock.now - started < .seconds(2))
    }

    @Test func hlsAndHTTPFLV() throws {
        let dir = TempDir("http")
        try Footage.make(dir.file("clip.flv"), .init(seconds: 4, gop: 25))
        try Footage.make(dir.file("hls/index.m3u8"), .init(seconds: 6, gop: 25, options: ["-f", "hls", "-hls_time", "2", "-hls_list_size", "0"]))
        let http = try HTTPTestServer(directory: dir.path)
        for path in ["hls/index.m3u8", "clip.flv"] {
            let r = StreamProber.probe(url: http.url(path), depth: .full, deadline: .seconds(10))
            #expect(r.ok && r.codec == "h264" && r.width == 160, "\(path): \(r.message ?? "")")
            #expect(r.keyframeIntervalS == 1, "\(path)")
        }
        let missing = StreamProber.probe(url: http.url("nope.m3u8"), depth: .light, deadline: .seconds(5))
        #expect(missing.error == .notFound)
    }
}

/// Runs blocking work on a thread of its own, as the daemon's pool does: on Swift's
/// cooperative threads (two on two cores) it would wait behind other tests' work.
func onThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
    await withCheckedContinuation { continuation in
        Thread.detachNewThread { continuation.resume(returning: body()) }
    }
}
