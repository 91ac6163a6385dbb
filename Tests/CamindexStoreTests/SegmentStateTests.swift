import CamindexCore
import CamindexStore
import Testing

/// The states of one directory's files: a range of the (camera, path) index, its direct
/// children only.
@Suite struct SegmentStateTests {
    @Test func statesOfTheFilesDirectlyInADirectory() throws {
        let store = try Store.inMemory()
        _ = try store.addRegion(code: RegionCode("620723"), name: "临泽县")
        _ = try store.addRegion(code: RegionCode("620723100"), name: "沙河镇")
        for id in ["cam", "other"] {
            try store.addCamera(Camera(id: id, name: id, regionCode: "620723100", at: Instant(ms: 0)))
        }
        let paths = ["/r/a/1.mp4", "/r/a/2.mp4", "/r/a/x/3.mp4", "/r/a b/4.mp4", "/r/a0/5.mp4", "/r/a.mp4", "/r/6.mp4",
                     "/r/视频/7.mp4", "/r/视频/子/8.mp4"]
        for (i, path) in paths.enumerated() {
            try store.saveSegment(cameraID: "cam", Fixtures.segment(path, start: Int64(i) * 10_000, end: Int64(i) * 10_000 + 5_000))
        }
        try store.saveSegment(cameraID: "other", Fixtures.segment("/r/a/9.mp4", start: 0, end: 5_000))
        #expect(try store.segmentStates(cameraID: "cam", inDirectories: ["/r/a"]).keys.sorted() == ["/r/a/1.mp4", "/r/a/2.mp4"])
        #expect(try store.segmentStates(cameraID: "cam", inDirectories: ["/r"]).keys.sorted() == ["/r/6.mp4", "/r/a.mp4"])
        #expect(try store.segmentStates(cameraID: "cam", inDirectories: ["/r/视频", "/r/a/x"]).keys.sorted() == ["/r/a/x/3.mp4", "/r/视频/7.mp4"])
        #expect(try store.segmentStates(cameraID: "cam", inDirectories: ["/r/none", "/r/a/"]).keys.sorted() == ["/r/a/1.mp4", "/r/a/2.mp4"])
        #expect(try store.segmentStates(cameraID: "cam", inDirectories: []).isEmpty)
        let all = try store.segmentStates(cameraID: "cam")
        #expect(try store.segmentStates(cameraID: "cam", inDirectories: ["/r/a"])["/r/a/1.mp4"] == all["/r/a/1.mp4"])
    }
}
