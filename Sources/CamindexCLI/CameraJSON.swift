import CamindexCore
import CamindexStore
import Foundation

/// A camera as programs see it (passwords masked).
struct CameraJSON: Encodable {
    struct RegionRef: Encodable {
        var code: String
        var name: String
    }

    struct GB28181: Encodable {
        var center_code, industry_code, type_code, type, network_code: String
    }

    var id: String
    var name: String
    var region: RegionRef
    var region_path: [RegionRef]
    var gb28181: GB28181?
    var url: String?
    var recordings: String?
    var lat: Double?
    var lon: Double?
    var timezone: String
    var path_pattern: String?
    var path_timezone: String?
    var enabled: Bool
    var source: String?

    init(_ camera: Camera, regions: [String: Region]) {
        id = camera.id
        name = camera.name
        let path = RegionPath.codes(camera.regionCode).compactMap { regions[$0] }
        region = RegionRef(code: camera.regionCode, name: regions[camera.regionCode]?.name ?? "")
        region_path = path.map { RegionRef(code: $0.code, name: $0.name) }
        gb28181 = (try? CameraID(camera.id))?.gb28181.map {
            GB28181(center_code: $0.centerCode, industry_code: $0.industryCode, type_code: $0.typeCode,
                    type: $0.typeName, network_code: $0.networkCode)
        }
        url = camera.redactedURL
        recordings = camera.recordings
        lat = camera.lat
        lon = camera.lon
        timezone = camera.timezone
        path_pattern = camera.pathPattern
        path_timezone = camera.pathTimezone
        enabled = camera.enabled
        source = camera.source
    }
}

enum RegionPath {
    /// The codes from the county down to `code`: 620723, 620723100, 620723100201.
    static func codes(_ code: String) -> [String] {
        [6, 9, 12].filter { $0 <= code.count }.map { String(code.prefix($0)) }
    }

    static func regions(for cameras: [Camera], in store: Store) throws -> [String: Region] {
        try store.regions(codes: Set(cameras.flatMap { codes($0.regionCode) }))
    }

    /// `临泽县 / 沙河镇 / 西关村`.
    static func names(_ code: String, _ regions: [String: Region]) -> String {
        codes(code).compactMap { regions[$0]?.name }.joined(separator: " / ")
    }
}
