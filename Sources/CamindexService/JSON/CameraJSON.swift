import CamindexCore
import Foundation

/// A camera as programs see it (passwords masked): the CLI's JSON and the HTTP API's alike.
public struct CameraJSON: Encodable, Sendable {
    public struct RegionRef: Encodable, Sendable {
        var code: String
        var name: String
    }

    public struct GB28181: Encodable, Sendable {
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
    /// Picture-quality thresholds set for this camera (the others are the defaults).
    var quality_thresholds: [String: Double]

    /// A camera's region and the path to it from the top, by name.
    static func place(_ regionCode: String, regions: [String: Region]) -> (RegionRef, [RegionRef]) {
        let path = (RegionCode.ancestors(of: regionCode) + [regionCode]).compactMap { regions[$0] }
        return (RegionRef(code: regionCode, name: regions[regionCode]?.name ?? ""), path.map { RegionRef(code: $0.code, name: $0.name) })
    }

    public init(_ camera: Camera, regions: [String: Region]) {
        id = camera.id
        name = camera.name
        (region, region_path) = Self.place(camera.regionCode, regions: regions)
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
        quality_thresholds = camera.qualityThresholds
    }
}

/// The `quality` object of `camera show`: the picture of the last full probe judged.
public struct QualityJSON: Encodable, Sendable {
    var checked_at: String
    var ok: Bool
    var faults: [ProbeJSON.QualityFault]
    /// The thresholds the camera's pictures are judged by (defaults and its own).
    var thresholds: [String: Double]

    public init?(_ probe: ProbeResult, camera: Camera) {
        guard let quality = probe.quality else { return nil }
        checked_at = TimeFormat.rfc3339(probe.at, in: camera.zone)
        ok = quality.isEmpty
        faults = quality.map(ProbeJSON.QualityFault.init)
        let t = camera.pictureThresholds
        thresholds = Dictionary(uniqueKeysWithValues: PictureThresholds.names.map { ($0, t.value($0)!) })
    }
}

