import CamindexCore
import CamindexMedia
import CamindexStore
import Foundation

/// Video quality diagnosis of recorded footage: a file, or a camera's indexed segment at a
/// moment (its latest by default) for a camera that records but has no reachable live URL.
public struct PictureDiagnosis: Sendable {
    public var path: String
    /// The keyframes looked at, in order.
    public var pictures: [PictureStats]
    /// Faults of the last picture, the frozen check against the one before it.
    public var verdicts: [PictureVerdict]
    public var thresholds: PictureThresholds
    public var ok: Bool { verdicts.isEmpty }
}

public enum Diagnose {
    public static func file(_ path: String, skipMs: Int64 = 0, thresholds: PictureThresholds = .init()) throws -> PictureDiagnosis {
        let samples: [PictureSample]
        do { samples = try PictureDecoder.keyframes(path: path, count: 2, skipMs: skipMs) } catch {
            throw CamindexError.runtime(error.message, code: error.identifier, value: path)
        }
        guard let last = samples.last.map(PictureStats.init) else {
            throw CamindexError.runtime("\(path): no keyframe could be decoded", code: .mediaNoPicture, value: path)
        }
        let previous = samples.count > 1 ? PictureStats(samples[0]) : nil
        return PictureDiagnosis(path: path, pictures: (previous.map { [$0] } ?? []) + [last],
                                verdicts: thresholds.verdicts(last, previous: previous), thresholds: thresholds)
    }

    /// The camera's segment holding `at` (its latest segment when nil), from the keyframe at or
    /// before that moment.
    public static func camera(_ id: String, at: Instant?, store: Store, thresholds: PictureThresholds = .init()) throws -> PictureDiagnosis {
        let camera = try store.requireCamera(id: id)
        let moment = at ?? store.clock.now()
        let lookback: Int64 = at == nil ? 90 * 86_400_000 : 0
        let segments = try store.segments(cameraID: camera.id, overlapping: Interval(startMs: moment.ms - lookback - 1, endMs: moment.ms + 1))
        guard let segment = segments.last(where: { $0.startMs <= moment.ms }) ?? segments.last else {
            throw CamindexError.runtime("camera \(camera.id) has no indexed footage" + (at.map { " at \(TimeFormat.rfc3339($0, in: camera.zone))" } ?? ""),
                                        code: .footageNone, value: camera.id)
        }
        let offset = at.map { t in segment.keyframeOffsetsMs.last(where: { segment.startMs + $0 <= t.ms }) ?? 0 } ?? 0
        return try file(segment.path, skipMs: offset, thresholds: thresholds)
    }
}
