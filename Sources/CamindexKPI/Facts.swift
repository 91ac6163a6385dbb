import CamindexCore
import Foundation

/// What the store knows of one camera over a period: plain values, so that health checks
/// and KPIs are computed (and tested) without a database.
public struct CameraFacts: Sendable, Hashable {
    public enum State: String, Sendable, CaseIterable { case online, offline, unknown }

    public var id: String
    public var name: String
    public var regionCode: String
    /// Has a live URL: counted for online rate.
    public var live: Bool
    /// Has a recordings directory: counted for recording integrity.
    public var records: Bool
    public var state: State
    public var since: Instant?
    public var clockOffsetS: Double?
    /// The last full probe delivered video with a known codec and resolution.
    public var validVideo: Bool
    /// Recorded footage windows within the period.
    public var recorded: [Interval]
    /// Live-online windows within the period.
    public var online: [Interval]
    public var failedFiles: Int
    /// Segments whose timestamps stalled and were re-timed from the frame rate.
    public var stalledFiles: Int
    /// The newest mtime of its files when it lies ahead of now (the recorder's clock).
    public var latestMtimeAhead: Instant?
    public var zone: TimeZone
    /// Picture faults at the last full probe that judged a picture (empty: in good order; nil:
    /// never judged), and when.
    public var quality: [PictureVerdict]?
    public var qualityAt: Instant?

    public init(id: String, name: String, regionCode: String, live: Bool, records: Bool, state: State, since: Instant? = nil,
                clockOffsetS: Double? = nil, validVideo: Bool = false, recorded: [Interval] = [], online: [Interval] = [],
                failedFiles: Int = 0, stalledFiles: Int = 0, latestMtimeAhead: Instant? = nil, zone: TimeZone = TimeZone(identifier: "Asia/Shanghai")!,
                quality: [PictureVerdict]? = nil, qualityAt: Instant? = nil) {
        self.id = id; self.name = name; self.regionCode = regionCode; self.live = live; self.records = records
        self.state = state; self.since = since; self.clockOffsetS = clockOffsetS; self.validVideo = validVideo
        self.recorded = recorded; self.online = online; self.failedFiles = failedFiles; self.stalledFiles = stalledFiles
        self.latestMtimeAhead = latestMtimeAhead
        self.zone = zone
        self.quality = quality; self.qualityAt = qualityAt
    }

    /// The last picture judged showed a fault.
    public var hasPictureFault: Bool { !(quality ?? []).isEmpty }

    public var recordedMs: Int64 { Windows.coveredMs(recorded) }
    public var onlineMs: Int64 { Windows.coveredMs(online) }
}

/// The facts of a region's cameras over a period, read in one pass over the store.
public struct Facts: Sendable {
    public var now: Instant
    public var period: Interval
    /// The region the facts are scoped to (nil: the whole store).
    public var scope: Region?
    /// The scope and every region under it (all regions when unscoped), by code.
    public var regions: [String: Region]
    public var cameras: [CameraFacts] {
        didSet { camerasByRegion = Self.group(cameras) }
    }
    public var heartbeat: Heartbeat?
    /// Why the store was found damaged (see `IndexReader.damage`).
    public var damage: String?
    /// Indices into `cameras` by each region code at or above a camera's own: a province
    /// breaks its ~50,000 cameras down by a few hundred regions, once per check.
    private var camerasByRegion: [String: [Int]]

    public init(now: Instant, period: Interval, scope: Region?, regions: [String: Region], cameras: [CameraFacts], heartbeat: Heartbeat?) {
        self.now = now; self.period = period; self.scope = scope; self.regions = regions; self.cameras = cameras
        self.heartbeat = heartbeat
        camerasByRegion = Self.group(cameras)
    }

    private static func group(_ cameras: [CameraFacts]) -> [String: [Int]] {
        var out: [String: [Int]] = [:]
        var path: [String: [String]] = [:]
        for (i, camera) in cameras.enumerated() {
            let own = camera.regionCode
            if path[own] == nil { path[own] = RegionCode.ancestors(of: own) + [own] }
            for code in path[own]! { out[code, default: []].append(i) }
        }
        return out
    }

    /// Reads enabled cameras in `scope` (or all), their states, windows within `period`
    /// (recorded always, live-online when `withOnline`), failed files, and the heartbeat.
    public static func load(from store: any IndexReader, scope: Region?, period: Interval, now: Instant, withOnline: Bool = true) throws -> Facts {
        let cameras = try store.standings(in: scope)
        let ids = cameras.map(\.id)
        let recording = try store.windows(cameraIDs: cameras.filter(\.records).map(\.id), range: period)
        let online = withOnline ? try store.liveWindows(cameraIDs: ids, range: period) : [:]
        let gb = try store.gbLive(cameraIDs: ids, range: period)
        // Footage kept on GB/T 28181 devices counts in 录像完整率 beside the files.
        let onDevice = try store.deviceRecordings(cameraIDs: gb.filter(\.value.recordsOnDevice).map(\.key), range: period)
        let failed = try store.failedFileCounts()
        let stalled = try store.stalledFileCounts()
        let ahead = try store.latestMtimes(after: now + FootageSummary.mtimeSlackMs)
        let allRegions = try store.regionTree(under: scope).map(\.region)
        var regions = Dictionary(uniqueKeysWithValues: allRegions.map { ($0.code, $0) })
        // Ancestors too, for names in region paths.
        let missing = Set(Set(cameras.map(\.regionCode)).flatMap { RegionCode.ancestors(of: $0) }).filter { regions[$0] == nil }
        regions.merge(try store.regions(codes: missing)) { a, _ in a }
        // A zone per name, not per camera: a province's 50,000 cameras share a handful.
        var zones: [String: TimeZone] = [:]
        let facts = cameras.map { c -> CameraFacts in
            if zones[c.timezone] == nil { zones[c.timezone] = TimeZone(identifier: c.timezone) ?? TimeZone(identifier: Zones.defaultIdentifier)! }
            let zone = zones[c.timezone]!
            // A GB/T 28181 channel is live too: online while its device keeps alive and it is ON;
            // probed as well, it is online when either says so.
            let g = gb[c.id]
            var state: CameraFacts.State = c.state.map { $0 == .online ? .online : .offline } ?? .unknown
            var since = c.since
            if let g, state != .online, g.online || state == .unknown {
                state = g.online ? .online : .offline
                since = g.since
            }
            var onlineWindows = online[c.id] ?? []
            if let g, !g.windows.isEmpty, withOnline {
                onlineWindows = Windows.merge((onlineWindows + g.windows).map { FootageSpan($0, verified: true) }, maxGapMs: 0).map(\.interval)
            }
            var recorded = (recording[c.id] ?? []).map(\.interval)
            if let kept = onDevice[c.id], !kept.isEmpty {
                recorded = Windows.merge((recorded + kept).map { FootageSpan($0, verified: true) }, maxGapMs: 0).map(\.interval)
            }
            return CameraFacts(
                id: c.id, name: c.name, regionCode: c.regionCode, live: c.live || g != nil, records: c.records || g?.recordsOnDevice == true,
                state: state, since: since,
                clockOffsetS: c.clockOffsetS ?? g?.clockOffsetS, validVideo: c.validVideo,
                recorded: recorded, online: onlineWindows,
                failedFiles: failed[c.id] ?? 0, stalledFiles: stalled[c.id] ?? 0, latestMtimeAhead: ahead[c.id], zone: zone,
                quality: c.quality, qualityAt: c.qualityAt)
        }
        var loaded = Facts(now: now, period: period, scope: scope, regions: regions, cameras: facts, heartbeat: try store.lastHeartbeat())
        loaded.damage = try store.damage()
        return loaded
    }

    /// Cameras in `region` or under it.
    public func cameras(in region: Region) -> [CameraFacts] {
        (camerasByRegion[region.code] ?? []).map { cameras[$0] }
    }

    /// The regions to break figures down by, in code order: the scope, its townships, and with
    /// `villages` their villages. Unscoped, the same for a store of one county; for a province,
    /// each county alone (its townships would be hundreds of lines a check; `--region` gives them).
    public func breakdown(villages: Bool) -> [Region] {
        if scope == nil {
            let counties = regions.values.filter { $0.level == RegionCode.Level.county.rawValue }
            if counties.count > 1 { return counties.sorted { $0.code < $1.code } }
        }
        return regions.values.filter { r in
            if let scope { return r.code == scope.code || (r.code.hasPrefix(scope.code) && (villages || r.level <= 9)) }
            return r.level == 6 || r.level == 9 || (villages && r.level == 12)
        }.sorted { $0.code < $1.code }
    }
}
