import CamindexCore
import Foundation

public struct KeyframeAnswer: Sendable {
    public var camera: Camera
    public var at: Instant
    public var keyframe: KeyframeLocation
    public var next: KeyframeLocation?
    /// Set when `at` falls in a hole of this many ms between files (or runs) that the windows
    /// bridge, so `query` reports it as covered: `keyframe` is then the previous file's last
    /// keyframe at or before `at`.
    public var bridgedHoleMs: Int64?
}

extension Queries {
    /// Where a player must start to show `at`: the keyframe at or before it, and the next one.
    /// `at` is read in `timezone`, else the camera's zone. Fails with `footage.none`, naming
    /// the footage within an hour, when `at` is not inside indexed footage. A moment in a hole
    /// the windows bridge (up to 2 s) is inside footage: the answer says the hole's length.
    public func keyframe(cameraID: String, at text: String, date: String? = nil, timezone: String? = nil) throws -> KeyframeAnswer {
        let camera = try reader.requireCamera(id: cameraID)
        let zone = try timezone.map { try Zones.named($0) } ?? camera.zone
        let moment = try DateSpec(date: date, zone: zone).instant(text, option: "--at", now: clock.now())
        let found = try reader.keyframes(cameraID: camera.id, at: moment)
        guard let before = found.atOrBefore else {
            let z = camera.zone
            if let kept = try reader.deviceRecordings(cameraIDs: [camera.id], range: Interval(moment, moment + 1))[camera.id]?.first {
                throw CamindexError.runtime("camera \(camera.id): the footage at \(TimeFormat.rfc3339(moment, in: z)) is on its GB/T 28181 device "
                                            + "(\(TimeFormat.rfc3339(kept.start, in: z))–\(TimeFormat.rfc3339(kept.end, in: z)), RecordInfo), "
                                            + "not in a file camindex reads: it has no keyframes here",
                                            code: .footageNone, value: TimeFormat.rfc3339(moment, in: z))
            }
            let nearby = try reader.windows(cameraID: camera.id, range: Interval(moment - 3_600_000, moment + 3_600_000))
            let hint = nearby.isEmpty ? "no footage within an hour of it"
                : "footage nearby: " + nearby.map { "\(TimeFormat.rfc3339($0.interval.start, in: z))–\(TimeFormat.rfc3339($0.interval.end, in: z))" }
                    .joined(separator: ", ")
            throw CamindexError.runtime("camera \(camera.id) has no indexed footage at \(TimeFormat.rfc3339(moment, in: z)); \(hint)",
                                        code: .footageNone, value: TimeFormat.rfc3339(moment, in: z))
        }
        return KeyframeAnswer(camera: camera, at: moment, keyframe: before, next: found.next, bridgedHoleMs: found.bridgedHoleMs)
    }
}
