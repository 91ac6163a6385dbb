import CamindexCore
import Foundation

/// What `camindex status` reports: the daemon's heartbeat, camera states, index totals.
public struct StatusSummary: Sendable {
    public var store: String
    public var now: Instant
    public var heartbeat: Heartbeat?
    public var enabledCameras: Int
    public var liveCameras: Int
    public var online: Int
    public var offline: Int
    public var index: IndexTotals

    /// Cameras with a live URL that no probe has reached yet.
    public var unprobed: Int { liveCameras - online - offline }
    public var heartbeatAgeMs: Int64? { heartbeat.map { now.ms - $0.ended.ms } }
}

extension Queries {
    public func status() throws -> StatusSummary {
        let cameras = try reader.standings(in: nil)
        let live = cameras.filter(\.live)
        return StatusSummary(
            store: reader.location, now: clock.now(), heartbeat: try reader.lastHeartbeat(), enabledCameras: cameras.count,
            liveCameras: live.count, online: live.filter { $0.state == .online }.count,
            offline: live.filter { $0.state == .offline }.count, index: try reader.indexTotals())
    }
}
