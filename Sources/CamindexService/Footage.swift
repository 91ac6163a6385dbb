import CamindexCore
import Foundation
import Synchronization

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

/// Read-only outside the service: an answer kept by `FootageCache` is one value for every
/// request that gets it, and a front end renders it once (`rendered`).
public struct FootageAnswer: Sendable {
    public internal(set) var title: String
    public internal(set) var range: Interval
    /// The zone the range was read in.
    public internal(set) var zone: TimeZone
    public internal(set) var maxGapMs: Int64
    public internal(set) var cameras: [CameraFootage]
    /// Regions on the cameras' paths, by code.
    public internal(set) var regions: [String: Region]
    /// What its audit row says of it, once made.
    let auditSummary = Once<(cameras: [String], result: String)>()
    let rendering = Once<any Sendable>()

    /// The answer as a front end renders it (the HTTP API: its JSON in the server's buffer),
    /// made by the first request that gets this answer and shared by the others.
    public func rendered<R: Sendable>(_ make: () -> R) -> R {
        if let done = rendering.get({ make() }) as? R { return done }
        return make()
    }
}

/// Something derived from a value, made by the first that asks and then shared by every copy.
final class Once<Value: Sendable>: Sendable {
    private let made = Mutex<Value?>(nil)

    func get(_ make: () -> Value) -> Value {
        if let done = made.withLock({ $0 }) { return done }
        let value = make()
        made.withLock { $0 = value }
        return value
    }
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
        try zone(of: Set(cameras.map(\.timezone)), override: override)
    }

    static func zone(of cameraZones: Set<String>, override: String?) throws -> TimeZone {
        if let override { return try Zones.named(override) }
        return try Zones.named(cameraZones.count == 1 ? cameraZones.first! : Zones.defaultIdentifier)
    }

    public func footage(_ q: FootageQuery) throws -> FootageAnswer {
        let selection = try select(q.selector, includeDisabled: q.includeDisabled)
        let zone = try Self.zone(for: selection.cameras, override: q.timezone)
        let range = try DateSpec(date: q.date, zone: zone).range(from: q.from, to: q.to, now: clock.now())
        return try footage(of: selection, range: range, zone: zone, q)
    }

    func footage(of selection: CameraSelection, range: Interval, zone: TimeZone, _ q: FootageQuery) throws -> FootageAnswer {
        let selected = selection.cameras
        let ids = selected.map(\.id)
        var windows = try reader.windows(cameraIDs: ids, range: range, maxGapMs: q.maxGapMs)
        for (id, kept) in try reader.deviceRecordings(cameraIDs: ids, range: range) {
            windows[id] = Windows.addingDeviceFootage(windows[id] ?? [], device: kept, in: range, maxGapMs: q.maxGapMs)
        }
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
