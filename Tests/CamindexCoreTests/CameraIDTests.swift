import Testing
@testable import CamindexCore

@Suite struct CameraIDTests {
    @Test func acceptsGB28181IDAndSplitsFields() throws {
        let id = try CameraID("62072300001320000001")
        #expect(id.rawValue == "62072300001320000001")
        #expect(id.description == "62072300001320000001")
        let f = try #require(id.gb28181)
        #expect(f.centerCode == "62072300")
        #expect(f.industryCode == "00")
        #expect(f.typeCode == "132")
        #expect(f.typeName == "IPC")
        #expect(f.networkCode == "0")
        #expect(f.serial == "000001")
        #expect(f.countyCode == "620723")
        #expect(f.isCamera)
    }

    @Test func otherDeviceTypes() throws {
        let nvr = try #require(try CameraID("62072300001180000007").gb28181)
        #expect(nvr.typeCode == "118")
        #expect(nvr.typeName == "NVR")
        #expect(!nvr.isCamera)

        let camera = try #require(try CameraID("62072300041317000002").gb28181)
        #expect(camera.industryCode == "04")
        #expect(camera.typeCode == "131")
        #expect(camera.typeName == "camera")
        #expect(camera.networkCode == "7")
        #expect(camera.serial == "000002")
        #expect(camera.isCamera)

        let unknown = try #require(try CameraID("62072300009990000001").gb28181)
        #expect(unknown.typeName == "type 999")
        #expect(!unknown.isCamera)
    }

    @Test(arguments: [(String(repeating: "1", count: 19), 19), (String(repeating: "1", count: 21), 21), ("123", 3)])
    func rejectsAllDigitIDsOfWrongLength(_ text: String, _ length: Int) throws {
        let e = try expectError { try CameraID(text) }
        #expect(e.kind == .usage)
        #expect(e.message == "invalid camera ID '\(text)': a GB/T 28181 ID has 20 digits, this has \(length)")
    }

    @Test(arguments: ["cam-7", "front_door.1", "A", "Cam_01-x.y", String(repeating: "a", count: 64)])
    func acceptsSlugs(_ text: String) throws {
        let id = try CameraID(text)
        #expect(id.rawValue == text)
        #expect(id.gb28181 == nil)
    }

    @Test(arguments: ["bad id", "-x", ".x", String(repeating: "a", count: 65), "摄像头", "cam/1", "cam:1", "cam\n"])
    func rejectsBadSlugs(_ text: String) throws {
        let e = try expectError { try CameraID(text) }
        #expect(e.kind == .usage)
        #expect(e.message.hasPrefix("invalid camera ID '\(text)': use 20 digits"))
    }

    @Test func rejectsEmpty() throws {
        let e = try expectError { try CameraID("") }
        #expect(e.kind == .usage)
        #expect(e.message == "empty camera ID")
    }

    @Test func equalityAndOrdering() throws {
        #expect(try CameraID("cam-7") == CameraID("cam-7"))
        #expect(try CameraID("cam-7") != CameraID("Cam-7"))
        let sorted = try ["cam-b", "62072300001320000001", "cam-a"].map { t throws(CamindexError) in try CameraID(t) }.sorted()
        #expect(sorted.map(\.rawValue) == ["62072300001320000001", "cam-a", "cam-b"])
    }
}
