import CamindexCore
import Foundation

/// `report --format json` and `GET /api/v1/report`: the KPIs of each region with those of the
/// period before, the worst cameras, the longest gaps and the clocks off.
public struct ReportJSON: Encodable, Sendable {
    struct KPI: Encodable {
        var code, name, level: String
        var cameras, live_cameras, recording_cameras, good_cameras: Int
        var online_rate, good_rate, recording_integrity: Double?
        var previous: Previous?
    }
    struct Previous: Encodable { var online_rate, good_rate, recording_integrity: Double? }
    struct Cam: Encodable { var id, name, region_code: String; var online_rate, recording_rate: Double? }
    struct Gap: Encodable { var camera, start, end: String; var seconds: Double }
    struct Clock: Encodable { var camera: String; var offset_s: Double }

    var from, to, previous_from, previous_to: String
    var region: String?
    var definitions: [String]
    var regions: [KPI]
    var worst_cameras: [Cam]
    var longest_gaps: [Gap]
    var clock_offsets: [Clock]

    public init(_ r: Report, zone: TimeZone) {
        func round4(_ v: Double?) -> Double? { v.map { ($0 * 10_000).rounded() / 10_000 } }
        from = TimeFormat.rfc3339(r.period.start, in: zone)
        to = TimeFormat.rfc3339(r.period.end, in: zone)
        previous_from = TimeFormat.rfc3339(r.previousPeriod.start, in: zone)
        previous_to = TimeFormat.rfc3339(r.previousPeriod.end, in: zone)
        region = r.scope?.code
        definitions = Report.definitions
        regions = r.regions.map { k in
            let p = r.previous[k.region.code]
            return KPI(code: k.region.code, name: k.region.name, level: k.region.levelLabel, cameras: k.cameras,
                       live_cameras: k.liveCameras, recording_cameras: k.recordingCameras, good_cameras: k.goodCameras,
                       online_rate: round4(k.onlineRate), good_rate: round4(k.goodRate), recording_integrity: round4(k.recordingIntegrity),
                       previous: p.map { Previous(online_rate: round4($0.onlineRate), good_rate: round4($0.goodRate), recording_integrity: round4($0.recordingIntegrity)) })
        }
        worst_cameras = r.worstCameras.map { Cam(id: $0.camera.id, name: $0.camera.name, region_code: $0.camera.regionCode,
                                                online_rate: round4($0.onlineRate), recording_rate: round4($0.recordingRate)) }
        longest_gaps = r.longestGaps.map { Gap(camera: $0.camera.id, start: TimeFormat.rfc3339($0.gap.start, in: zone),
                                               end: TimeFormat.rfc3339($0.gap.end, in: zone), seconds: Double($0.gap.durationMs) / 1000) }
        clock_offsets = r.clockOffenders.map { Clock(camera: $0.id, offset_s: $0.clockOffsetS!) }
    }
}
