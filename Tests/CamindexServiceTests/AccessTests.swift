import CamindexCore
import CamindexService
import CamindexStore
import Foundation
import Testing

/// Who may ask what: a role allows its use cases only, and a user limited to regions finds no
/// camera or region outside them by any use case — each answers as for one never registered.
@Suite struct AccessTests {
    static let t0 = Instant(ms: 1_795_132_800_000)
    let clock = FixedClock(Instant(ms: 1_795_132_800_000 + 86_400_000))

    func store() throws -> Store {
        let store = try Store.inMemory(clock: clock)
        _ = try store.addRegion(code: RegionCode("620723"), name: "临泽县")
        _ = try store.addRegion(code: RegionCode("620723100"), name: "沙河镇")
        _ = try store.addRegion(code: RegionCode("620723100201"), name: "西关村")
        _ = try store.addRegion(code: RegionCode("620723101"), name: "新华镇")
        for (id, region, lat) in [("cam-a", "620723100", 39.14), ("cam-v", "620723100201", 39.141), ("cam-c", "620723101", 39.142)] {
            try store.addCamera(Camera(id: id, name: id, regionCode: region, recordings: "/srv/\(id)", lat: lat, lon: 100.16, at: clock.now()))
            try store.saveSegment(cameraID: id, SegmentRecord(
                path: "/srv/\(id)/0800.mp4", size: 1000, mtimeMs: Self.t0.ms + 600_000, startMs: Self.t0.ms, endMs: Self.t0.ms + 600_000,
                startSource: .path, container: "mov", codec: "h264", width: 640, height: 360, fps: 25, firstPtsMs: 0,
                keyframeOffsetsMs: Array(stride(from: 0, to: 600_000, by: 2000)), method: "scan", verified: true,
                truncated: false, damagedKeyframes: 0, runs: [Interval(startMs: Self.t0.ms, endMs: Self.t0.ms + 600_000)]))
        }
        return store
    }

    func account(_ role: Role, _ regions: [String] = []) -> UserAccount {
        UserAccount(name: "u-\(role.rawValue)", role: role, regions: regions, disabled: false, createdAt: Self.t0, passwordChangedAt: Self.t0)
    }

    func service(_ store: Store, _ account: UserAccount?) -> IndexService {
        IndexService(store: store, caller: account.map { .user($0, invocation: ["GET /test"]) } ?? Caller(name: "shell"))
    }

    func code(_ body: () throws -> Any) -> CamindexError.Code? {
        do { _ = try body(); return nil } catch { return (error as? CamindexError)?.code }
    }

    func footage(_ selector: CameraSelector) -> FootageQuery {
        FootageQuery(selector: selector, from: "2026-11-20 08:00", to: "2026-11-20 09:00", timezone: "Asia/Shanghai")
    }

    @Test func aUserLimitedToATownshipSeesNothingElse() throws {
        let store = try store()
        let police = service(store, account(.police, ["620723100"]))
        // Lists and trees: the township and what is under it.
        #expect(try police.cameraList(region: nil, includeDisabled: true).cameras.map(\.id) == ["cam-a", "cam-v"])
        #expect(try police.regionTree(under: nil).tree.map(\.region.code) == ["620723100", "620723100201"])
        #expect(try police.footage(footage(.region("沙河镇"))).cameras.map(\.camera.id) == ["cam-a", "cam-v"])
        #expect(try police.footage(footage(.near(Coordinate(lat: 39.141, lon: 100.16), radiusM: 5000))).cameras.map(\.camera.id) == ["cam-v", "cam-a"], "nearest first")
        // Another township, the county above, a camera outside: as if they did not exist.
        let shell = service(store, nil)
        for region in ["新华镇", "620723101", "临泽县", "620723"] {
            #expect(code { try police.footage(footage(.region(region))) } == .regionUnknown, "\(region)")
            #expect(code { try police.cameraList(region: region, includeDisabled: false) } == .regionUnknown, "\(region)")
            #expect(code { try police.regionTree(under: region) } == .regionUnknown, "\(region)")
        }
        #expect(code { try shell.footage(footage(.region("新华镇"))) } == nil)
        func message(_ body: () throws -> Any) -> String {
            do { _ = try body(); return "" } catch { return ErrorText.of(error) }
        }
        // The same words as for a camera never registered.
        #expect(message { try police.cameraDetail(id: "cam-c") } == message { try police.cameraDetail(id: "cam-x") }.replacingOccurrences(of: "cam-x", with: "cam-c"))
        #expect(code { try police.cameraDetail(id: "cam-c") } == .cameraUnknown)
        #expect(code { try police.keyframe(cameraID: "cam-c", at: "2026-11-20 08:05") } == .cameraUnknown)
        #expect(code { try police.keyframe(cameraID: "cam-a", at: "2026-11-20 08:05") } == nil)
        #expect(code { try police.thumbnail(cameraID: "cam-c", faulty: false) } == .cameraUnknown)
        #expect(code { try police.footage(footage(.cameras(["cam-a", "cam-c"]))) } == .cameraUnknown)
        var export = Exporter.Request(selector: .cameras(["cam-c"]), from: "2026-11-20 08:00", to: "2026-11-20 08:05",
                                      output: FileManager.default.temporaryDirectory.appendingPathComponent("scoped-\(UUID())").path)
        export.dryRun = true
        #expect(code { try police.export(export) } == .cameraUnknown)
        #expect(!FileManager.default.fileExists(atPath: export.output))
        // Health and reports count their cameras only.
        let officer = service(store, account(.officer, ["620723100"]))
        let health = try officer.health(region: nil, thresholds: HealthThresholds(), checks: [.recording])
        #expect(Set(health.facts.cameras.map(\.id)) == ["cam-a", "cam-v"])
        #expect(code { try officer.health(region: "新华镇", thresholds: HealthThresholds(), checks: []) } == .regionUnknown)
    }

    @Test func eachRoleAsksForItsOwnUseCasesOnly() throws {
        let store = try store()
        let police = service(store, account(.police)), technician = service(store, account(.technician))
        let officer = service(store, account(.officer)), admin = service(store, account(.admin))
        let q = footage(.region("沙河镇"))
        #expect(code { try police.footage(q) } == nil)
        #expect(code { try technician.footage(q) } == nil)
        #expect(code { try officer.footage(q) } == .authForbidden)
        #expect(code { try admin.footage(q) } == .authForbidden)
        #expect(code { try officer.cameraList(region: nil, includeDisabled: false) } == nil)
        #expect(code { try admin.cameraList(region: nil, includeDisabled: false) } == .authForbidden)
        #expect(code { try technician.status() } == nil)
        #expect(code { try police.status() } == .authForbidden)
        #expect(code { try officer.health(region: nil, thresholds: HealthThresholds(), checks: []) } == nil)
        #expect(code { try police.health(region: nil, thresholds: HealthThresholds(), checks: []) } == .authForbidden)
        #expect(code { try admin.auditRows(AuditFilter()) } == nil)
        #expect(code { try police.auditRows(AuditFilter()) } == .authForbidden)
        #expect(code { try technician.users() } == .authForbidden)
        #expect(code { try admin.users() } == nil)
        var export = Exporter.Request(selector: .cameras(["cam-a"]), from: "2026-11-20 08:00", to: "2026-11-20 08:05",
                                      output: FileManager.default.temporaryDirectory.appendingPathComponent("role-\(UUID())").path)
        export.dryRun = true
        #expect(code { try technician.export(export) } == .authForbidden)
        #expect(code { try police.export(export) } == nil)
        // What the index machine alone does: no signed-in user, whatever their role.
        for user in [police, technician, officer, admin] {
            #expect(code { try user.addRegion(code: "620723102", name: "平川镇") } == .authForbidden)
            #expect(code { try user.index(cameraID: nil, paths: [], options: IndexOptions()) } == .authForbidden)
            #expect(code { try user.check(cameraID: nil, repair: false, settleMs: 0) } == .authForbidden)
        }
        // A refused request is an audit row with the user's name.
        let last = try #require(try service(store, nil).auditRows(AuditFilter(command: "query")).last)
        #expect(last.entry.user == "u-admin" && last.entry.result.hasPrefix("refused: auth.forbidden"), "\(last.entry)")
    }
}
