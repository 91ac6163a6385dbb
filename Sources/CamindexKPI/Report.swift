import CamindexCore
import Foundation

/// The KPIs a county or township officer reads, for a period and a region, by township and
/// village. Definitions (printed with the figures):
/// - online rate (在线率): time the cameras answered probes or their GB/T 28181 device kept
///   alive (channel ON) / (live cameras × period); a camera is online from the first to the last
///   of consecutive successful probes or keepalives.
/// - in good order (完好率): cameras online at least `goodOnlineRatio` of the period whose last
///   full probe delivered video with a known codec and resolution / cameras with a live URL.
/// - recording integrity (录像完整率): recorded time / (cameras with a recordings directory × period).
public struct Report: Sendable {
    public struct Options: Sendable {
        public var goodOnlineRatio = 0.95
        public var clockLimitS = 5.0
        public var listed = 10

        public init() {}
    }

    public struct RegionKPI: Sendable {
        public var region: Region
        public var cameras: Int
        public var liveCameras: Int
        public var recordingCameras: Int
        public var goodCameras: Int
        public var onlineMs: Int64
        public var recordedMs: Int64
        public var periodMs: Int64

        public var onlineRate: Double? { liveCameras > 0 ? Double(onlineMs) / Double(Int64(liveCameras) * periodMs) : nil }
        public var goodRate: Double? { liveCameras > 0 ? Double(goodCameras) / Double(liveCameras) : nil }
        public var recordingIntegrity: Double? {
            recordingCameras > 0 ? Double(recordedMs) / Double(Int64(recordingCameras) * periodMs) : nil
        }
    }

    public struct CameraKPI: Sendable {
        public var camera: CameraFacts
        public var onlineRate: Double?
        public var recordingRate: Double?
        public var gaps: [Interval]
        /// The lower of its two rates: how it ranks among the worst.
        public var score: Double { min(onlineRate ?? 1, recordingRate ?? 1) }
        var total: Double { (onlineRate ?? 1) + (recordingRate ?? 1) }
    }

    public var period: Interval
    public var previousPeriod: Interval
    public var scope: Region?
    public var options: Options
    public var regions: [RegionKPI]
    public var previous: [String: RegionKPI]
    public var cameras: [CameraKPI]
    public var facts: Facts

    /// What the report is about: the region asked for, else the one county the store holds.
    public var title: String {
        if let scope { return scope.displayName }
        let counties = facts.regions.values.filter { $0.level == RegionCode.Level.county.rawValue }
        return counties.count == 1 ? counties[0].name : "全部"
    }

    public static let definitions = [
        "online rate (在线率) = time cameras answered probes or their GB/T 28181 device kept alive with the channel ON / (cameras with a live URL or a GB/T 28181 channel × period)",
        "in good order (完好率) = cameras online ≥ 95% of the period whose last full probe gave video of known codec and resolution with no picture fault (black, frozen, snow, blur, colour cast, lens covered) / cameras with a live URL",
        "recording integrity (录像完整率) = recorded time / (cameras with a recordings directory × period)",
    ]

    public init(current: Facts, previous: Facts, options: Options = .init()) {
        period = current.period
        previousPeriod = previous.period
        scope = current.scope
        self.options = options
        facts = current
        regions = Self.regionKPIs(current, options)
        // A period before the daemon ran or before any footage is no baseline: no change is shown.
        let previousHasData = previous.cameras.contains { $0.onlineMs > 0 || $0.recordedMs > 0 }
        self.previous = previousHasData
            ? Dictionary(uniqueKeysWithValues: Self.regionKPIs(previous, options).map { ($0.region.code, $0) }) : [:]
        let periodMs = current.period.durationMs
        cameras = current.cameras.map { c in
            CameraKPI(camera: c,
                      onlineRate: c.live ? Double(c.onlineMs) / Double(periodMs) : nil,
                      recordingRate: c.records ? Double(c.recordedMs) / Double(periodMs) : nil,
                      gaps: c.records ? Windows.gaps(c.recorded, in: current.period) : [])
        }
    }

    static func regionKPIs(_ facts: Facts, _ options: Options) -> [RegionKPI] {
        let periodMs = facts.period.durationMs
        return facts.breakdown(villages: true).map { region in
            let cams = facts.cameras(in: region)
            let live = cams.filter(\.live), rec = cams.filter(\.records)
            let good = live.filter { Double($0.onlineMs) >= options.goodOnlineRatio * Double(periodMs) && $0.validVideo && !$0.hasPictureFault }
            return RegionKPI(region: region, cameras: cams.count, liveCameras: live.count, recordingCameras: rec.count,
                             goodCameras: good.count, onlineMs: live.reduce(0) { $0 + $1.onlineMs },
                             recordedMs: rec.reduce(0) { $0 + $1.recordedMs }, periodMs: periodMs)
        }
    }

    /// Cameras with the lowest rates, worst first.
    public var worstCameras: [CameraKPI] {
        // Ties on the lower rate (often 0) go to the camera whose other rate is lower too.
        Array(cameras.filter { $0.score < 1 }.sorted { ($0.score, $0.total, $0.camera.id) < ($1.score, $1.total, $1.camera.id) }
            .prefix(options.listed))
    }

    /// The longest recording gaps in the period, longest first.
    public var longestGaps: [(camera: CameraFacts, gap: Interval)] {
        Array(cameras.flatMap { k in k.gaps.map { (camera: k.camera, gap: $0) } }
            .sorted { ($0.gap.durationMs, $1.camera.id) > ($1.gap.durationMs, $0.camera.id) }
            .prefix(options.listed))
    }

    /// Cameras whose clock is off by more than the limit at their last full probe.
    public var clockOffenders: [CameraFacts] {
        cameras.map(\.camera).filter { ($0.clockOffsetS.map(abs) ?? 0) > options.clockLimitS }
            .sorted { abs($0.clockOffsetS!) > abs($1.clockOffsetS!) }
    }
}
