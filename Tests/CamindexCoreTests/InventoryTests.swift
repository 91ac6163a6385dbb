import Testing
@testable import CamindexCore

private let path = "Cameras/620723-linze/620723100-shahe.yaml"

private func parse(_ text: String) throws(CamindexError) -> InventoryFile {
    try InventoryFile.parse(text, path: path)
}

/// Parses `text`, which must fail, and returns the message.
private func failure(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
    let e = try expectError(sourceLocation: sourceLocation) { try parse(text) }
    #expect(e.kind == .usage, sourceLocation: sourceLocation)
    return e.message
}

@Suite struct InventoryParseTests {
    @Test func validFile() throws {
        let text = """
            # 沙河镇 (620723100): sample data.
            regions:
              - {code: "620723", name: 临泽县}
              - code: "620723100"
                name: 沙河镇
              - {code: 620723100201, name: " 沙河村 "}
            cameras:
              - id: "62072300001320000001"
                name: 沙河镇政府门口
                region: "620723100"
                url: "rtsp://admin:Lz2026@shahe-01.cam.linze.invalid:554/Streaming/Channels/101"
                recordings: 62072300001320000001
                lat: 39.1412
                lon: 100.1646
              - id: front_door
                name: Front door
                region: 沙河村
                timezone: Asia/Urumqi
                path_pattern: "%Y-%m-%d/%H/<camera>/%M.%S.mp4"
                path_timezone: UTC
                lat: ~
              - id: cam-7
                name: Seven
                region: 620723100201
                url:
                recordings: /srv/rec/cam-7
            """
        let file = try parse(text)
        #expect(file.path == path)

        #expect(file.regions.count == 3)
        #expect(file.regions[0] == InventoryFile.RegionEntry(code: try RegionCode("620723"), name: "临泽县", line: 3))
        #expect(file.regions[1] == InventoryFile.RegionEntry(code: try RegionCode("620723100"), name: "沙河镇", line: 4))
        #expect(file.regions[2] == InventoryFile.RegionEntry(code: try RegionCode("620723100201"), name: "沙河村", line: 6))
        #expect(file.regions[2].code.level == .village)

        #expect(file.cameras.count == 3)
        let a = file.cameras[0]
        #expect(a.id == (try CameraID("62072300001320000001")))
        #expect(a.name == "沙河镇政府门口")
        #expect(a.region == "620723100")
        #expect(a.url?.secret == "rtsp://admin:Lz2026@shahe-01.cam.linze.invalid:554/Streaming/Channels/101")
        #expect(a.url?.redacted == "rtsp://admin:***@shahe-01.cam.linze.invalid:554/Streaming/Channels/101")
        #expect(a.recordings == "62072300001320000001")
        #expect(a.coordinate == (try Coordinate(lat: 39.1412, lon: 100.1646)))
        #expect(a.timezone == "Asia/Shanghai")
        #expect(a.pathPattern == nil)
        #expect(a.pathTimezone == nil)
        #expect(a.line == 8)

        let b = file.cameras[1]
        #expect(b.id == (try CameraID("front_door")))
        #expect(b.name == "Front door")
        #expect(b.region == "沙河村")
        #expect(b.url == nil)
        #expect(b.recordings == nil)
        #expect(b.coordinate == nil)
        #expect(b.timezone == "Asia/Urumqi")
        #expect(b.pathPattern == "%Y-%m-%d/%H/<camera>/%M.%S.mp4")
        #expect(b.pathTimezone == "UTC")
        #expect(b.line == 15)

        let c = file.cameras[2]
        #expect(c.id == (try CameraID("cam-7")))
        #expect(c.region == "620723100201")
        #expect(c.url == nil)
        #expect(c.recordings == "/srv/rec/cam-7")
        #expect(c.timezone == "Asia/Shanghai")
        #expect(c.line == 22)
    }

    @Test func defaultsApplyUnlessACameraOverrides() throws {
        let text = """
            defaults:
              timezone: America/New_York
              path_pattern: "%Y%m%d/%H%M%S.mp4"
              path_timezone: UTC
            cameras:
              - id: cam-1
                name: One
                region: "620723"
              - id: cam-2
                name: Two
                region: "620723"
                timezone: Asia/Shanghai
                path_pattern: "%Y/%m/%d/%H.ts"
                path_timezone: Asia/Tokyo
            """
        let file = try parse(text)
        #expect(file.regions == [])
        #expect(file.cameras.count == 2)
        #expect(file.cameras[0].timezone == "America/New_York")
        #expect(file.cameras[0].pathPattern == "%Y%m%d/%H%M%S.mp4")
        #expect(file.cameras[0].pathTimezone == "UTC")
        #expect(file.cameras[0].line == 6)
        #expect(file.cameras[1].timezone == "Asia/Shanghai")
        #expect(file.cameras[1].pathPattern == "%Y/%m/%d/%H.ts")
        #expect(file.cameras[1].pathTimezone == "Asia/Tokyo")
        #expect(file.cameras[1].line == 9)
    }

    @Test(arguments: ["", "\n\n", "# only a comment\n", "regions:\ncameras:\n", "regions: []\ncameras: []\n", "cameras: ~\n"])
    func emptyFiles(_ text: String) throws {
        let file = try parse(text)
        #expect(file.path == path)
        #expect(file.regions.isEmpty)
        #expect(file.cameras.isEmpty)
    }

    @Test func unknownCameraField() throws {
        let message = try failure("""
            cameras:
              - id: cam-1
                name: A
                region: "620723"
                recording: /srv/rec/cam-1
            """)
        #expect(message == "\(path):5: camera: unknown field 'recording'; known fields: id, lat, lon, name, path_pattern, path_timezone, quality_thresholds, recordings, region, timezone, url")
    }

    @Test func unknownTopLevelField() throws {
        let message = try failure("""
            regions: []
            camera:
              - id: cam-1
            """)
        #expect(message == "\(path):2: top level: unknown field 'camera'; known fields: cameras, defaults, regions")
    }

    @Test func unknownDefaultsField() throws {
        let message = try failure("""
            defaults:
              timezone: UTC
              time_zone: UTC
            """)
        #expect(message == "\(path):3: defaults: unknown field 'time_zone'; known fields: path_pattern, path_timezone, timezone")
    }

    @Test func topLevelMustBeAMapping() throws {
        let message = try failure("- a\n- b\n")
        #expect(message == "\(path):1: top level: expected a mapping of fields")
    }

    @Test func camerasMustBeAList() throws {
        let message = try failure("regions: []\ncameras: cam-1\n")
        #expect(message == "\(path):2: cameras: expected a list")
    }

    @Test func missingID() throws {
        let message = try failure("""
            cameras:
              - id: cam-1
                name: A
                region: "620723"
              - name: B
                region: "620723"
            """)
        #expect(message == "\(path):5: camera: missing field 'id'")
    }

    @Test func missingName() throws {
        let message = try failure("""
            cameras:
              - id: cam-1
                region: "620723"
            """)
        #expect(message == "\(path):2: camera cam-1: missing field 'name'")
    }

    @Test func emptyRegion() throws {
        let message = try failure("""
            cameras:
              - id: cam-1
                name: A
                region: "  "
            """)
        #expect(message == "\(path):4: camera cam-1 field 'region': expected a non-empty value")
    }

    @Test func badRegionCode() throws {
        let message = try failure("""
            regions:
              - {code: "620723", name: 临泽县}
              - name: 沙河镇
                code: "6207231"
            """)
        #expect(message == "\(path):4: region field 'code': invalid region code '6207231': 7 digits; a code has 2 (province), 4 (city), 6 (county), 9 (township) or 12 (village)")
    }

    @Test func regionWithoutName() throws {
        let message = try failure("""
            regions:
              - code: "620723"
            """)
        #expect(message == "\(path):2: region 620723: missing field 'name'")
    }

    @Test func badCameraID() throws {
        let message = try failure("""
            cameras:
              - name: A
                id: "6207230000132000000"
                region: "620723"
            """)
        #expect(message == "\(path):3: camera field 'id': invalid camera ID '6207230000132000000': a GB/T 28181 ID has 20 digits, this has 19")
    }

    @Test func badLatitude() throws {
        let message = try failure("""
            cameras:
              - id: cam-1
                name: A
                region: "620723"
                lat: abc
                lon: 100.1646
            """)
        #expect(message == "\(path):5: camera cam-1 field 'lat': expected a number in decimal degrees, got 'abc'")
    }

    @Test func latitudeOutOfRange() throws {
        let message = try failure("""
            cameras:
              - id: cam-1
                name: A
                region: "620723"
                lon: 100.1646
                lat: 91
            """)
        #expect(message == "\(path):6: camera cam-1 field 'lat'/'lon': latitude 91.0 is outside -90...90")
    }

    @Test func latitudeWithoutLongitude() throws {
        let message = try failure("""
            cameras:
              - id: cam-1
                name: A
                region: "620723"
              - id: cam-2
                name: B
                region: "620723"
                lat: 39.1412
            """)
        #expect(message == "\(path):5: camera cam-2 field 'lon': lat and lon go together")
    }

    @Test func longitudeWithoutLatitude() throws {
        let message = try failure("""
            cameras:
              - id: cam-1
                name: A
                region: "620723"
                lon: 100.1646
            """)
        #expect(message == "\(path):2: camera cam-1 field 'lat': lat and lon go together")
    }

    @Test func duplicateCameraID() throws {
        let message = try failure("""
            cameras:
              - id: cam-1
                name: A
                region: "620723"
              - id: cam-2
                name: B
                region: "620723"
              - id: cam-1
                name: C
                region: "620723"
            """)
        #expect(message == "\(path):8: camera cam-1 field 'id': duplicate camera ID (first listed at line 2)")
    }

    @Test func unknownCameraTimeZone() throws {
        let message = try failure("""
            cameras:
              - id: cam-1
                name: A
                region: "620723"
                timezone: Mars/Base
            """)
        #expect(message == "\(path):5: camera cam-1 field 'timezone': unknown time zone 'Mars/Base': use an IANA name such as Asia/Shanghai or UTC")
    }

    @Test func unknownDefaultTimeZone() throws {
        let message = try failure("""
            defaults:
              timezone: CST
            cameras: []
            """)
        #expect(message == "\(path):2: defaults.timezone: unknown time zone 'CST': use an IANA name such as Asia/Shanghai or UTC")
    }

    @Test func unknownPathTimeZone() throws {
        let message = try failure("""
            cameras:
              - id: cam-1
                name: A
                region: "620723"
                path_timezone: Beijing
            """)
        #expect(message == "\(path):5: camera cam-1 field 'path_timezone': unknown time zone 'Beijing': use an IANA name such as Asia/Shanghai or UTC")
    }

    @Test func badPathPattern() throws {
        let message = try failure("""
            cameras:
              - id: cam-1
                name: A
                region: "620723"
                path_pattern: "%Y%m%d%H%Q.mp4"
            """)
        #expect(message == "\(path):5: camera cam-1 field 'path_pattern': invalid path pattern '%Y%m%d%H%Q.mp4': unknown field %Q; use %Y %m %d %H %M %S")
    }

    @Test func badURLHidesThePassword() throws {
        let message = try failure("""
            cameras:
              - id: cam-1
                name: A
                region: "620723"
                url: "ftp://admin:Lz2026@10.0.0.1/x"
            """)
        #expect(message == "\(path):5: camera cam-1 field 'url': invalid stream URL 'ftp://admin:***@10.0.0.1/x': scheme 'ftp' is not one of rtsp, rtsps, http, https")
        #expect(!message.contains("Lz2026"))
    }

    @Test func listWhereAValueIsExpected() throws {
        let message = try failure("""
            cameras:
              - id: cam-1
                name: A
                region: "620723"
                recordings: [a, b]
            """)
        #expect(message == "\(path):5: camera cam-1 field 'recordings': expected a value, not a list or mapping")
    }

    @Test func invalidYAMLSyntax() throws {
        let message = try failure("""
            cameras:
              - id: cam-1
                name: a: b
                region: "620723"
            """)
        #expect(message == "\(path): line 3, column 12: not valid YAML: mapping values are not allowed in this context")
    }

    @Test func invalidYAMLUnclosedQuote() throws {
        let message = try failure("""
            regions:
              - {code: "620723", name: 临泽县}
            cameras:
              - id: "cam-1
                name: A
            """)
        // The scanner runs to the end of the text looking for the closing quote.
        #expect(message == "\(path): line 5, column 12: not valid YAML: found unexpected end of stream")
    }
}
