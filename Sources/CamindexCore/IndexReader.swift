/// Everything the read commands (query, keyframe, camera list/show, region list, status,
/// health, report) ask of a store, as plain values. The SQLite store implements it; a
/// province's PostgreSQL store is the second implementation. Implementations supply plain
/// fetches, each from one consistent snapshot, and throw `CamindexError` (codes `store.*`,
/// `region.*`); what the fetches mean — finding a region, totalling a tree, summing up a
/// camera's footage — is written once, below and in `ReadPolicy.swift`, over both.
public protocol IndexReader: Sendable {
    /// Where the store is, for messages (a path, or a URL without its password).
    var location: String { get }

    /// Runs `body`, whose fetches then read one snapshot where the store can give one across
    /// statements (a province's repeatable-read transaction). By default each fetch is its own.
    func consistently<T>(_ body: () throws -> T) throws -> T

    // Registry
    func region(code: String) throws -> Region?
    /// The regions with exactly this name.
    func regions(named name: String) throws -> [Region]
    /// Regions at or under `root` (all when nil).
    func regionList(under root: Region?) throws -> [Region]
    /// Enabled cameras per region code at or under `root` (all when nil), each counted in its
    /// own region only.
    func enabledCameraCounts(under root: Region?) throws -> [String: Int]
    /// The regions of `codes` that the store holds with a name (a province's unnamed provinces
    /// and cities are left out, so paths of names never show an empty one).
    func regions(codes: Set<String>) throws -> [String: Region]
    func camera(id: String) throws -> Camera?
    /// Cameras in `region` and under it (all when nil), by ID.
    func cameras(in region: Region?, includeDisabled: Bool) throws -> [Camera]
    /// Cameras with a location inside the box (a radius query's candidates: the caller checks
    /// the exact distance). By default, every camera's location is tested.
    func cameras(inBox lat: ClosedRange<Double>, _ lon: ClosedRange<Double>, includeDisabled: Bool) throws -> [Camera]

    // Recorded footage
    /// Per camera, footage windows overlapping `range`, holes up to `maxGapMs` bridged, clipped to `range`.
    func windows(cameraIDs: [String], range: Interval, maxGapMs: Int64) throws -> [String: [FootageSpan]]
    /// What GB/T 28181 devices said they keep of these cameras (RecordInfo) overlapping `range`.
    func deviceRecordings(cameraIDs: [String], range: Interval) throws -> [String: [Interval]]
    /// Per camera among `cameraIDs` with segments overlapping `range`: where their starts came
    /// from and how many had stalled timestamps.
    func timeQuality(_ cameraIDs: [String], range: Interval) throws -> [String: FootageTimeQuality]
    func keyframes(cameraID: String, at: Instant) throws -> KeyframePair
    func segmentCounts(cameraID: String) throws -> SegmentCounts
    /// The length of the camera's stored footage windows.
    func windowedMs(cameraID: String) throws -> Int64
    /// Indexed segments per source of their start.
    func startSources(cameraID: String) throws -> [SegmentRecord.StartSource: Int]
    /// mtime − end of the camera's newest path-dated segments, newest first, at most `limit`.
    func pathDatedEndOffsets(cameraID: String, limit: Int) throws -> [Int64]
    /// The camera's indexed files, the latest footage first, at most `limit`.
    func recentFiles(cameraID: String, limit: Int) throws -> [SegmentFile]
    /// Files that could not be indexed, for one camera or all.
    func segmentErrors(cameraID: String?) throws -> [SegmentError]
    func failedFileCounts() throws -> [String: Int]
    /// Segments whose timestamps stalled and were re-timed, per camera (cameras with none left out).
    func stalledFileCounts() throws -> [String: Int]
    /// The newest mtime of each camera whose files include one modified after `instant` (a
    /// recorder's clock ahead), cameras with none left out.
    func latestMtimes(after instant: Instant) throws -> [String: Instant]
    func indexTotals() throws -> IndexTotals

    // Live
    func liveStates(cameraIDs: [String]?) throws -> [String: CameraLiveState]
    /// The enabled cameras in `region` and under it (all when nil), by ID, with their states as
    /// health reads them. By default from `cameras(in:)` and `liveStates`.
    func standings(in region: Region?) throws -> [CameraStanding]
    func liveWindows(cameraIDs: [String], range: Interval) throws -> [String: [Interval]]
    func probeHistory(cameraID: String, limit: Int) throws -> [ProbeResult]
    /// The cameras a GB/T 28181 catalog lists: online by their device's keepalives and their
    /// Status, and the device's online time within `range`.
    func gbLive(cameraIDs: [String], range: Interval) throws -> [String: GBLiveFacts]
    func lastHeartbeat() throws -> Heartbeat?
    /// Why the store was found damaged (a daemon's quick_check, a write that met a damaged
    /// page), nil when nothing is known against it.
    func damage() throws -> String?

    // Change counters, for answers kept between requests
    /// A counter raised by every change of the registry (regions, cameras); nil where the store
    /// keeps none, and its answers are then never kept.
    func registryGeneration() throws -> Int64?
    /// The counters of the recorded footage a read of `range`, holes up to `gapMs` bridged, is
    /// made of; nil where the store keeps none.
    func footageGenerations(range: Interval, gapMs: Int64) throws -> FootageGenerations?
}

extension IndexReader {
    public func consistently<T>(_ body: () throws -> T) throws -> T { try body() }

    public func registryGeneration() throws -> Int64? { nil }
    public func footageGenerations(range: Interval, gapMs: Int64) throws -> FootageGenerations? { nil }

    /// A region by code or exact name; unknown and ambiguous names are refused.
    public func resolveRegion(_ text: String) throws -> Region {
        try consistently {
            try RegionLookup.resolve(text, byCode: { try region(code: $0) }, byName: { try regions(named: $0) }, parents: { try regions(codes: $0) })
        }
    }

    /// Regions at or under `root` (all when nil), in code order, with camera counts.
    public func regionTree(under root: Region?) throws -> [RegionSummary] {
        try consistently { RegionSummary.tree(try regionList(under: root), own: try enabledCameraCounts(under: root)) }
    }

    public func footageSummary(cameraID: String) throws -> FootageSummary {
        try consistently {
            FootageSummary(try segmentCounts(cameraID: cameraID), coveredMs: try windowedMs(cameraID: cameraID),
                           timeSources: try startSources(cameraID: cameraID),
                           pathDatedEndOffsetsMs: try pathDatedEndOffsets(cameraID: cameraID, limit: FootageSummary.pathZoneSample))
        }
    }

    public func requireCamera(id: String) throws -> Camera {
        guard let camera = try camera(id: id) else {
            throw CamindexError.usage("unknown camera \(id) (see 'camindex camera list')", code: .cameraUnknown, value: id)
        }
        return camera
    }

    public func cameras(in region: Region? = nil) throws -> [Camera] { try cameras(in: region, includeDisabled: false) }

    public func cameras(inBox lat: ClosedRange<Double>, _ lon: ClosedRange<Double>, includeDisabled: Bool) throws -> [Camera] {
        try cameras(in: nil, includeDisabled: includeDisabled).filter { c in
            guard let at = c.coordinate else { return false }
            return lat.contains(at.lat) && lon.contains(at.lon)
        }
    }

    /// Windows with the stored tolerance (holes up to 2 s bridged).
    public func windows(cameraIDs: [String], range: Interval) throws -> [String: [FootageSpan]] {
        try windows(cameraIDs: cameraIDs, range: range, maxGapMs: Windows.defaultMaxGapMs)
    }

    public func liveStates() throws -> [String: CameraLiveState] { try liveStates(cameraIDs: nil) }

    public func standings(in region: Region?) throws -> [CameraStanding] {
        let cameras = try cameras(in: region)
        // Unscoped, every camera's state is wanted: no list of IDs to send.
        let states = try liveStates(cameraIDs: region == nil ? nil : cameras.map(\.id))
        return cameras.map { CameraStanding(camera: $0, state: states[$0.id]) }
    }
    public func segmentErrors() throws -> [SegmentError] { try segmentErrors(cameraID: nil) }

    public func windows(cameraID: String, range: Interval, maxGapMs: Int64 = Windows.defaultMaxGapMs) throws -> [FootageSpan] {
        try windows(cameraIDs: [cameraID], range: range, maxGapMs: maxGapMs)[cameraID] ?? []
    }

    /// The regions named in the paths of `cameras` (each camera's region and its ancestors).
    public func regionPaths(for cameras: [Camera]) throws -> [String: Region] {
        // Thousands of cameras share a few hundred region codes: each code's ancestors once.
        let own = Set(cameras.map(\.regionCode))
        return try regions(codes: own.union(own.flatMap { RegionCode.ancestors(of: $0) }))
    }
}
