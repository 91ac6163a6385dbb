import CamindexCore
import Foundation

/// Which cameras a question is about.
public enum CameraSelector: Sendable, Hashable {
    /// A region (code or exact name) and every region under it.
    case region(String)
    /// Cameras by ID, in the order given.
    case cameras([String])
    /// Cameras with a location within `radiusM` metres of a point, nearest first.
    case near(Coordinate, radiusM: Double)
}

/// Cameras picked by a selector, with a title that says how.
public struct CameraSelection: Sendable {
    public struct Item: Sendable {
        public var camera: Camera
        /// Metres from the point, for `.near`.
        public var distanceM: Double?
    }

    public var title: String
    public var items: [Item]
    public var cameras: [Camera] { items.map(\.camera) }
}

/// The footage question police ask: which cameras have footage in a range, and where the gaps are.
public struct FootageQuery: Sendable {
    public var selector: CameraSelector
    public var from: String
    public var to: String
    public var date: String?
    /// Zone for times without an offset; nil: the zone the cameras share, else Asia/Shanghai.
    public var timezone: String?
    public var maxGapMs: Int64 = Windows.defaultMaxGapMs
    public var includeDisabled = false
    /// Also the live-online windows from the daemon's probes.
    public var live = false

    public init(selector: CameraSelector, from: String, to: String, date: String? = nil, timezone: String? = nil) {
        self.selector = selector
        self.from = from
        self.to = to
        self.date = date
        self.timezone = timezone
    }
}

/// One camera's footage over the range.
public struct CameraFootage: Sendable {
    public var camera: Camera
    public var distanceM: Double?
    public var windows: [FootageSpan]
    public var gaps: [Interval]
    /// Where the starts of the segments in the range came from, and stalled timestamps.
    public var timeQuality: FootageTimeQuality
    /// Some segment in the range has its start only from the file's mtime, or stalled timestamps.
    public var lowConfidence: Bool { timeQuality.lowConfidence }
    /// With `live`: when the camera answered probes.
    public var online: [Interval]?

    public var coveredMs: Int64 { Windows.coveredMs(windows.map(\.interval)) }
    public var verified: Bool { windows.allSatisfy(\.verified) }
}

public struct FootageAnswer: Sendable {
    public var title: String
    public var range: Interval
    /// The zone the range was read in.
    public var zone: TimeZone
    public var maxGapMs: Int64
    public var cameras: [CameraFootage]
    /// Regions on the cameras' paths, by code.
    public var regions: [String: Region]
}

extension Queries {
    public func select(_ selector: CameraSelector, includeDisabled: Bool = false) throws -> CameraSelection {
        switch selector {
        case let .region(text):
            let r = try reader.resolveRegion(text)
            return CameraSelection(title: r.name.isEmpty ? r.code : "\(r.name) (\(r.code))",
                                   items: try reader.cameras(in: r, includeDisabled: includeDisabled).map { .init(camera: $0) })
        case let .near(point, radius):
            let box = point.boundingBox(radiusM: radius)
            let items = try reader.cameras(inBox: box.lat, box.lon, includeDisabled: includeDisabled).compactMap { c -> CameraSelection.Item? in
                guard let at = c.coordinate else { return nil }
                let d = at.distance(to: point)
                return d <= radius ? .init(camera: c, distanceM: d) : nil
            }.sorted { $0.distanceM! < $1.distanceM! }
            return CameraSelection(title: "within \(Int(radius)) m of \(point.lat),\(point.lon)", items: items)
        case let .cameras(ids):
            // A camera named twice is selected once, where it was first named.
            var seen = Set<String>()
            let items = try ids.filter { seen.insert($0).inserted }.map { CameraSelection.Item(camera: try reader.requireCamera(id: $0)) }
            let title = items.count == 1 ? "\(items[0].camera.name) (\(items[0].camera.id))" : "\(items.count) cameras"
            return CameraSelection(title: title, items: items)
        }
    }

    /// Bare times are read in `timezone`, else the zone the cameras share, else Asia/Shanghai.
    public static func zone(for cameras: [Camera], override: String?) throws -> TimeZone {
        if let override { return try Zones.named(override) }
        let zones = Set(cameras.map(\.timezone))
        return try Zones.named(zones.count == 1 ? zones.first! : Zones.defaultIdentifier)
    }

    public func footage(_ q: FootageQuery) throws -> FootageAnswer {
        let selection = try select(q.selector, includeDisabled: q.includeDisabled)
        let selected = selection.cameras
        let zone = try Self.zone(for: selected, override: q.timezone)
        let range = try DateSpec(date: q.date, zone: zone).range(from: q.from, to: q.to, now: clock.now())
        let ids = selected.map(\.id)
        let windows = try reader.windows(cameraIDs: ids, range: range, maxGapMs: q.maxGapMs)
        let timeQuality = try reader.timeQuality(ids, range: range)
        let online = q.live ? try reader.liveWindows(cameraIDs: ids, range: range) : [:]
        let cameras = selection.items.map { item in
            let w = windows[item.camera.id] ?? []
            return CameraFootage(camera: item.camera, distanceM: item.distanceM, windows: w,
                                 gaps: Windows.gaps(w.map(\.interval), in: range),
                                 timeQuality: timeQuality[item.camera.id] ?? .init(),
                                 online: q.live ? online[item.camera.id] ?? [] : nil)
        }
        return FootageAnswer(title: selection.title, range: range, zone: zone, maxGapMs: q.maxGapMs, cameras: cameras,
                             regions: try reader.regionPaths(for: selected))
    }
}
