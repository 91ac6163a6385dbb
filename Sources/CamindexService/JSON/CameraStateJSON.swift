import CamindexCore
import Foundation

/// A camera's state as the page's map and region tree read it (`GET /api/v1/states`).
public struct CameraStateJSON: Encodable, Sendable {
    var id, name, region: String
    var lat, lon: Double?
    /// online, offline or unknown (never probed, or no live URL).
    var state: String
    var since: String?
    /// Footage came in within the last ten minutes.
    var recording: Bool
    var records: Bool
    /// ok, faulty, or absent when no picture was judged.
    var picture: String?
    var faults: [String]
    var clock_offset_s: Double?

    public static func list(_ states: CameraStates) -> [CameraStateJSON] {
        states.cameras.map { c in
            let position = states.positions[c.id]
            return CameraStateJSON(
                id: c.id, name: c.name, region: c.regionCode, lat: position?.lat, lon: position?.lon,
                state: c.live ? c.state.rawValue : CameraFacts.State.unknown.rawValue,
                since: c.since.map { TimeFormat.rfc3339($0, in: c.zone) },
                recording: states.recording(c), records: c.records,
                picture: c.quality.map { $0.isEmpty ? "ok" : "faulty" }, faults: (c.quality ?? []).map(\.fault.rawValue),
                clock_offset_s: c.clockOffsetS)
        }
    }
}
