import CamindexCore
import Foundation

/// The answer of `keyframe` (and of the HTTP API's keyframe request) as programs see it.
public struct KeyframeJSON: Encodable, Sendable {
    struct Key: Encodable, Sendable { var file, time: String; var offset_seconds, pts_seconds: Double; var time_source: String }
    var camera, at: String
    var keyframe: Key
    var next: Key?
    var bridged_hole_ms: Int64?

    public init(_ answer: KeyframeAnswer) {
        let z = answer.camera.zone
        func key(_ k: KeyframeLocation) -> Key {
            Key(file: k.path, time: TimeFormat.rfc3339(k.time, in: z), offset_seconds: JSONValues.seconds(ms: k.offsetMs),
                pts_seconds: JSONValues.seconds(ms: k.ptsMs), time_source: k.timeSource.rawValue)
        }
        camera = answer.camera.id
        at = TimeFormat.rfc3339(answer.at, in: z)
        keyframe = key(answer.keyframe)
        next = answer.next.map(key)
        bridged_hole_ms = answer.bridgedHoleMs
    }
}
