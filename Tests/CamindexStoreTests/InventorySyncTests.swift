import CamindexCore
import CamindexStore
import Testing

@Suite struct InventorySyncTests {
    let store: Store

    init() throws { store = try Store.inMemory() }

    static let county = """
        regions:
          - {code: "620723", name: 临泽县}
        """

    static let town = """
        regions:
          - {code: "620723100", name: 沙河镇}
          - {code: "620723100201", name: 西关村}
        cameras:
          - id: "62072300001320000001"
            name: 沙河镇政府门口
            region: "620723100"
            url: "rtsp://admin:secret@cam1.invalid/ch1"
            recordings: rec/1
          - id: cam-2
            name: 西关村村委会
            region: 西关村
        """

    func sync(_ texts: [(String, String)], dryRun: Bool = false) throws -> [InventoryChange] {
        let files = try texts.map { try InventoryFile.parse($1, path: $0) }
        return try store.syncInventory(files, dryRun: dryRun) { _, e in e.recordings.map { "/srv/" + $0 } }
    }

    @Test func importIsIdempotent() throws {
        let first = try sync([("/inv/county.yaml", Self.county), ("/inv/town.yaml", Self.town)])
        #expect(first.filter { $0.kind == .regionAdded }.map(\.subject) == ["620723", "620723100", "620723100201"])
        #expect(first.filter { $0.kind == .cameraAdded }.map(\.subject) == ["62072300001320000001", "cam-2"])
        #expect(try sync([("/inv/county.yaml", Self.county), ("/inv/town.yaml", Self.town)]).isEmpty)
        let cam = try #require(try store.camera(id: "62072300001320000001"))
        #expect(cam.url == "rtsp://admin:secret@cam1.invalid/ch1")
        #expect(cam.redactedURL == "rtsp://admin:***@cam1.invalid/ch1")
        #expect(cam.recordings == "/srv/rec/1" && cam.source == "/inv/town.yaml" && cam.timezone == "Asia/Shanghai")
        #expect(try store.camera(id: "cam-2")?.regionCode == "620723100201")
    }

    @Test func updatesAndDisablesWhatChanged() throws {
        _ = try sync([("/inv/county.yaml", Self.county), ("/inv/town.yaml", Self.town)])
        let edited = Self.town
            .replacingOccurrences(of: "name: 沙河镇政府门口", with: "name: 沙河镇政府大门")
            .replacingOccurrences(of: "\n  - id: cam-2\n    name: 西关村村委会\n    region: 西关村", with: "")
        let changes = try sync([("/inv/town.yaml", edited)])
        #expect(changes.map(\.kind) == [.cameraUpdated, .cameraDisabled])
        #expect(changes[0].detail.contains("name"))
        #expect(try store.camera(id: "cam-2")?.enabled == false)
        #expect(try store.cameras().map(\.id) == ["62072300001320000001"])
        // Listed again: enabled again.
        #expect(try sync([("/inv/town.yaml", Self.town)]).map(\.kind) == [.cameraUpdated, .cameraUpdated])
        #expect(try store.camera(id: "cam-2")?.enabled == true)
    }

    @Test func dryRunWritesNothing() throws {
        let changes = try sync([("/inv/county.yaml", Self.county), ("/inv/town.yaml", Self.town)], dryRun: true)
        #expect(changes.count == 5)
        #expect(try store.regionTree(under: nil).isEmpty)
        #expect(try store.cameras(in: nil, includeDisabled: true).isEmpty)
    }

    @Test func errorsNameFileAndLineAndWriteNothing() throws {
        // The township file without its county: the parent is missing.
        let e1 = try #require(throws: CamindexError.self) { try sync([("/inv/town.yaml", Self.town)]) }
        #expect(e1.message.hasPrefix("/inv/town.yaml:2:"))
        #expect(e1.message.contains("620723"))
        #expect(try store.regionTree(under: nil).isEmpty)

        let badRegion = Self.town.replacingOccurrences(of: "region: 西关村", with: "region: 东关村")
        let e2 = try #require(throws: CamindexError.self) { try sync([("/inv/county.yaml", Self.county), ("/inv/town.yaml", badRegion)]) }
        #expect(e2.message.hasPrefix("/inv/town.yaml:10:"))
        #expect(e2.message.contains("region") && e2.message.contains("东关村"))
        #expect(try store.cameras(in: nil, includeDisabled: true).isEmpty, "one transaction: nothing from the failed import stays")

        let inCounty = Self.town.replacingOccurrences(of: "region: \"620723100\"", with: "region: \"620723\"")
        let e3 = try #require(throws: CamindexError.self) { try sync([("/inv/county.yaml", Self.county), ("/inv/town.yaml", inCounty)]) }
        #expect(e3.message.contains("/inv/town.yaml:5:") && e3.message.contains("county"))
    }

    @Test func sameCameraInTwoFilesRefused() throws {
        let other = """
            cameras:
              - {id: cam-2, name: 重复, region: "620723100"}
            """
        let e = try #require(throws: CamindexError.self) {
            try sync([("/inv/county.yaml", Self.county), ("/inv/town.yaml", Self.town), ("/inv/other.yaml", other)])
        }
        #expect(e.message.contains("cam-2") && e.message.contains("/inv/town.yaml:10"))
    }
}
