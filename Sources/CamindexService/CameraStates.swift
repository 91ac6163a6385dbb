import CamindexCore
import Foundation

/// Each camera's state at a glance, as the page's map and region tree colour them: live state
/// and since when, whether footage came in lately, the last judged picture.
public struct CameraStates: Sendable {
    public var now: Instant
    public var cameras: [CameraFacts]
    /// Positions by camera ID (from the registry; absent without coordinates).
    public var positions: [String: (lat: Double, lon: Double)]
    /// Footage ending this close to now counts as recording.
    public static let recordingLagMs: Int64 = 10 * 60_000

    /// The camera has footage within the last `recordingLagMs`.
    public func recording(_ camera: CameraFacts) -> Bool {
        camera.recorded.contains { $0.end >= now - Self.recordingLagMs }
    }
}

extension Queries {
    public func cameraStates(region: String?) throws -> CameraStates {
        let now = clock.now()
        let scope = try region.map { try reader.resolveRegion($0) }
        let facts = try Facts.load(from: reader, scope: scope, period: Interval(now - CameraStates.recordingLagMs, now + 60_000), now: now, withOnline: false)
        var positions: [String: (lat: Double, lon: Double)] = [:]
        for camera in try reader.cameras(in: scope) {
            if let lat = camera.lat, let lon = camera.lon { positions[camera.id] = (lat, lon) }
        }
        return CameraStates(now: now, cameras: facts.cameras, positions: positions)
    }
}

extension IndexService {
    /// The enabled cameras in `region` (or all the caller may see) with their states.
    public func cameraStates(region: String?) throws -> CameraStates {
        try require(.cameras)
        return try queries().cameraStates(region: region)
    }
}

extension IndexService {
    /// The highest region the caller sees (the county, or the top of their scope): the page's
    /// title, for every role.
    public func topRegion() throws -> Region? {
        let tree = try queries().regionTree(under: nil).tree
        return tree.map(\.region).min { ($0.code.count, $0.code) < ($1.code.count, $1.code) }
    }
}
