import CamindexCore
import Foundation

/// The answer of `query` (and of the HTTP API's footage request) as programs see it.
public struct FootageJSON: Encodable, Sendable {
    struct Span: Encodable, Sendable {
        var start, end: String
        var seconds: Double
        var verified: Bool?
        /// "device" for footage a GB/T 28181 device keeps (RecordInfo) and no file here has.
        var source: String?
    }
    struct Item: Encodable, Sendable {
        var id, name: String
        var region: CameraJSON.RegionRef
        var region_path: [CameraJSON.RegionRef]
        var windows: [Span]
        var gaps: [Span]
        var covered_seconds: Double
        var coverage: Double
        var verified: Bool
        var low_confidence: Bool
        /// "stalled" when some segment's timestamps stalled and were re-timed, else "ok".
        var timestamps: String
        /// The least trustworthy start among the segments: path, chained, creation_time, mtime.
        var time_source: String?
        var enabled: Bool
        var distance_m: Double?
        var live_windows: [Span]?
    }
    var from, to: String
    var max_gap_seconds: Double
    var cameras: [Item]

    public init(_ answer: FootageAnswer) {
        let (range, zone, regions) = (answer.range, answer.zone, answer.regions)
        // Hundreds of cameras share a few regions: each place is made once.
        var places: [String: (CameraJSON.RegionRef, [CameraJSON.RegionRef])] = [:]
        let items = answer.cameras.map { r -> Item in
            let z = r.camera.zone
            let place = places[r.camera.regionCode] ?? CameraJSON.place(r.camera.regionCode, regions: regions)
            places[r.camera.regionCode] = place
            return Item(
                id: r.camera.id, name: r.camera.name, region: place.0, region_path: place.1,
                windows: r.windows.map { Span(start: TimeFormat.rfc3339($0.interval.start, in: z), end: TimeFormat.rfc3339($0.interval.end, in: z),
                                              seconds: JSONValues.seconds(ms: $0.interval.durationMs), verified: $0.verified,
                                              source: $0.onDevice ? "device" : nil) },
                gaps: r.gaps.map { Span(start: TimeFormat.rfc3339($0.start, in: z), end: TimeFormat.rfc3339($0.end, in: z),
                                        seconds: JSONValues.seconds(ms: $0.durationMs), verified: nil) },
                covered_seconds: JSONValues.seconds(ms: r.coveredMs),
                coverage: (Double(r.coveredMs) / Double(range.durationMs) * 10_000).rounded() / 10_000,
                verified: r.verified, low_confidence: r.lowConfidence,
                timestamps: r.timeQuality.stalledSegments > 0 ? "stalled" : "ok", time_source: r.timeQuality.weakestSource?.rawValue,
                enabled: r.camera.enabled,
                distance_m: r.distanceM.map { ($0 * 10).rounded() / 10 },
                live_windows: r.online?.map { Span(start: TimeFormat.rfc3339($0.start, in: z), end: TimeFormat.rfc3339($0.end, in: z),
                                                   seconds: JSONValues.seconds(ms: $0.durationMs), verified: nil) })
        }
        from = TimeFormat.rfc3339(range.start, in: zone)
        to = TimeFormat.rfc3339(range.end, in: zone)
        max_gap_seconds = JSONValues.seconds(ms: answer.maxGapMs)
        cameras = items
    }
}

/// Numbers as camindex's JSON writes them.
public enum JSONValues {
    public static func seconds(ms: Int64) -> Double { Double(ms) / 1000 }
}
