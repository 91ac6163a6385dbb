import CamindexCore
import CamindexStore
import Foundation
import Testing

@Suite struct RegistryTests {
    let store: Store

    init() throws {
        store = try Store.inMemory()
        _ = try store.addRegion(code: RegionCode("620723"), name: "临泽县")
        _ = try store.addRegion(code: RegionCode("620723100"), name: "沙河镇")
        _ = try store.addRegion(code: RegionCode("620723100201"), name: "西关村")
    }

    @Test func regionNeedsItsParent() throws {
        let error = try #require(throws: CamindexError.self) { try store.addRegion(code: RegionCode("620723105201"), name: "鸭暖村") }
        #expect(error.code == .regionParentMissing && error.kind == .usage && error.value == "620723105201")
        #expect(try store.region(code: "620723105201") == nil)
    }

    @Test func duplicateRegionRefused() throws {
        let error = try #require(throws: CamindexError.self) { try store.addRegion(code: RegionCode("620723100"), name: "别名") }
        #expect(error.code == .regionExists)
        #expect(try store.region(code: "620723100")?.name == "沙河镇")
    }

    @Test func regionByCodeOrName() throws {
        #expect(try store.resolveRegion("620723100").name == "沙河镇")
        #expect(try store.resolveRegion("西关村").code == "620723100201")
        #expect(throws: CamindexError(.usage, "", code: .regionUnknown)) { try store.resolveRegion("不存在镇") }
        #expect(throws: CamindexError(.usage, "", code: .regionUnknown)) { try store.resolveRegion("620723999") }
        #expect(throws: CamindexError(.usage, "", code: .regionInvalid)) { try store.resolveRegion("0072") }
    }

    @Test func ambiguousNameListsCandidates() throws {
        _ = try store.addRegion(code: RegionCode("620723101"), name: "新华镇")
        _ = try store.addRegion(code: RegionCode("620723101201"), name: "西关村")
        let error = try #require(throws: CamindexError.self) { try store.resolveRegion("西关村") }
        #expect(error.code == .regionAmbiguous)
        // The message lists the candidates so the user can pick one.
        #expect(error.message.contains("620723100201") && error.message.contains("620723101201"))
    }

    @Test func cameraBelongsToTownshipOrVillage() throws {
        #expect(throws: CamindexError(.usage, "", code: .regionInvalid)) {
            try store.addCamera(Camera(id: "cam-1", name: "县城", regionCode: "620723", at: Instant(ms: 0)))
        }
        try store.addCamera(Camera(id: "cam-1", name: "镇政府", regionCode: "620723100", at: Instant(ms: 0)))
        try store.addCamera(Camera(id: "cam-2", name: "村委会", regionCode: "620723100201", at: Instant(ms: 0)))
        let dup = try #require(throws: CamindexError.self) { try store.addCamera(Camera(id: "cam-1", name: "x", regionCode: "620723100", at: Instant(ms: 0))) }
        #expect(dup.message.contains("already exists"))
        #expect(try store.cameras(in: store.resolveRegion("沙河镇")).map(\.id) == ["cam-1", "cam-2"])
        #expect(try store.cameras(in: store.resolveRegion("西关村")).map(\.id) == ["cam-2"])
        let tree = try store.regionTree(under: nil)
        #expect(tree.map(\.totalCameras) == [2, 2, 1])
        #expect(tree.map(\.ownCameras) == [0, 1, 1])
    }

    @Test func removingACameraDropsItsIndex() throws {
        try store.addCamera(Camera(id: "cam-1", name: "镇政府", regionCode: "620723100", at: Instant(ms: 0)))
        try store.saveSegment(cameraID: "cam-1", Fixtures.segment("/r/a.mp4", start: 0, end: 60_000))
        try store.removeCamera(id: "cam-1")
        try store.addCamera(Camera(id: "cam-1", name: "镇政府", regionCode: "620723100", at: Instant(ms: 0)))
        #expect(try store.windows(cameraID: "cam-1", range: Interval(startMs: 0, endMs: 100_000)).isEmpty)
    }

    @Test func missingStoreIsNotCreatedForReading() throws {
        let path = NSTemporaryDirectory() + "camindex-missing-\(UUID()).sqlite"
        let error = try #require(throws: CamindexError.self) { try Store.open(path: path, create: false) }
        #expect(error.code == .storeMissing && error.value == path)
        #expect(!FileManager.default.fileExists(atPath: path))
        _ = try Store.open(path: path, create: true)
        #expect(FileManager.default.fileExists(atPath: path))
        _ = try Store.open(path: path, create: false)
        try? FileManager.default.removeItem(atPath: path)
    }

    @Test func notAStore() throws {
        let path = NSTemporaryDirectory() + "camindex-garbage-\(UUID()).sqlite"
        try Data("this is not sqlite".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let error = try #require(throws: CamindexError.self) { try Store.open(path: path, create: false) }
        #expect(error.code == .storeDamaged && error.value == path)
    }
}

enum Fixtures {
    static func segment(_ path: String, start: Int64, end: Int64, runs: [Interval]? = nil, verified: Bool = true,
                        keyframes: [Int64] = [0]) -> SegmentRecord {
        SegmentRecord(path: path, size: 1, mtimeMs: 1, startMs: start, endMs: end, startSource: .path, container: "mov",
                      codec: "h264", width: 160, height: 120, fps: 25, firstPtsMs: 0, keyframeOffsetsMs: keyframes,
                      method: verified ? "scan" : "index", verified: verified, truncated: false, damagedKeyframes: 0,
                      runs: runs ?? [Interval(startMs: start, endMs: end)])
    }
}
