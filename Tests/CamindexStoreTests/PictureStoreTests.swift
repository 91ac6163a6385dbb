import CamindexCore
import CamindexStore
import Testing

/// Picture quality kept with full probes: verdicts per probe, the last signature, and the last
/// good and faulty thumbnails per camera.
@Suite struct PictureStoreTests {
    let now: Int64 = 1_795_132_800_000

    func store() throws -> Store {
        let store = try Store.inMemory()
        _ = try store.addRegion(code: RegionCode("620723"), name: "临泽县")
        _ = try store.addRegion(code: RegionCode("620723100"), name: "沙河镇")
        try store.addCamera(Camera(id: "cam", name: "cam", regionCode: "620723100", url: "rtsp://127.0.0.1/x", at: Instant(ms: 0)))
        return store
    }

    func full(at ms: Int64, signature: UInt8, faults: [PictureVerdict], jpeg: [UInt8]) -> ProbeResult {
        var r = ProbeResult(at: Instant(ms: ms), depth: .full, ok: true, durationMs: 900)
        r.codec = "h264"
        r.width = 320
        r.height = 180
        r.picture = PictureStats(PictureSample(width: 32, height: 18, luma: [UInt8](repeating: signature, count: 576), meanCb: 128, meanCr: 128))
        r.quality = faults
        r.thumbnail = jpeg
        return r
    }

    @Test func verdictsSignatureAndThumbnails() throws {
        let store = try store()
        #expect(try store.pictureSignatures().isEmpty)
        #expect(try store.thumbnail(cameraID: "cam", faulty: false) == nil)

        let black = PictureVerdict(fault: .black, measured: 3.25, threshold: 24)
        try store.recordProbes([("cam", full(at: now, signature: 90, faults: [], jpeg: [0xFF, 0xD8, 1]))])
        try store.recordProbes([("cam", full(at: now + 60_000, signature: 4, faults: [black], jpeg: [0xFF, 0xD8, 2]))])
        // A light probe after them keeps the full probe's verdicts as the camera's.
        try store.recordProbes([("cam", ProbeResult(at: Instant(ms: now + 120_000), depth: .light, ok: true, durationMs: 10))])

        let state = try #require(try store.liveStates()["cam"])
        #expect(state.lastFullProbe?.quality == [black])
        #expect(state.latestWithFigures.quality == [black])
        #expect(try store.probeHistory(cameraID: "cam").map(\.quality) == [[black], []])
        #expect(try store.pictureSignatures() == ["cam": [UInt8](repeating: 4, count: 576)])
        #expect(try store.pictureSignatures(cameraID: "other").isEmpty)

        let good = try #require(try store.thumbnail(cameraID: "cam", faulty: false))
        #expect(good.jpeg == [0xFF, 0xD8, 1] && good.at.ms == now && good.quality.isEmpty)
        let faulty = try #require(try store.thumbnail(cameraID: "cam", faulty: true))
        #expect(faulty.jpeg == [0xFF, 0xD8, 2] && faulty.at.ms == now + 60_000 && faulty.quality == [black])

        // A good picture later replaces the good thumbnail only.
        try store.recordProbes([("cam", full(at: now + 180_000, signature: 91, faults: [], jpeg: [0xFF, 0xD8, 3]))])
        #expect(try store.thumbnail(cameraID: "cam", faulty: false)?.jpeg == [0xFF, 0xD8, 3])
        #expect(try store.thumbnail(cameraID: "cam", faulty: true)?.jpeg == [0xFF, 0xD8, 2])

        // Removing the camera removes its pictures.
        try store.removeCamera(id: "cam")
        #expect(try store.pictureSignatures().isEmpty)
    }

    @Test func probesWithoutAPictureAreNotJudged() throws {
        let store = try store()
        var r = ProbeResult(at: Instant(ms: now), depth: .full, ok: true, durationMs: 900)
        r.codec = "h264"
        try store.recordProbes([("cam", r)])
        #expect(try store.liveStates()["cam"]?.lastFullProbe?.quality == nil)
        #expect(try store.pictureSignatures().isEmpty)
    }

    @Test func perCameraThresholdsAreKept() throws {
        let store = try store()
        var camera = try #require(try store.camera(id: "cam"))
        camera.qualityThresholds = ["black_luma": 12, "occlusion_share": 0.8]
        try store.updateCamera(camera)
        let read = try #require(try store.camera(id: "cam"))
        #expect(read.qualityThresholds == ["black_luma": 12, "occlusion_share": 0.8])
        #expect(read.pictureThresholds.blackLuma == 12 && read.pictureThresholds.occlusionShare == 0.8 && read.pictureThresholds.noise == 40)
    }
}
