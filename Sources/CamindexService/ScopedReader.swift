import CamindexCore
import Foundation
import Synchronization

/// A store as a user limited to regions sees it: cameras and regions outside the scope do not
/// exist (a camera asked for by ID is unknown, as one never registered; a region is unknown;
/// lists and counts leave them out), so no use case can show one, nor say that it is there.
/// Written once over `IndexReader`, for both stores. The regions above the scope are named in
/// a visible camera's region path, as its address; they are not otherwise found.
struct ScopedReader: IndexReader {
    let base: any IndexReader
    let account: UserAccount
    /// The visible cameras, listed once per use case (a reader is made for each): a footage
    /// answer filters its windows, time quality and live windows by the same set.
    private let listed = Listed()

    private final class Listed: Sendable {
        let ids = Mutex<Set<String>?>(nil)
    }

    init(base: any IndexReader, account: UserAccount) {
        self.base = base
        self.account = account
    }

    var location: String { base.location }

    func consistently<T>(_ body: () throws -> T) throws -> T { try base.consistently(body) }

    private func visible(_ regionCode: String) -> Bool { account.sees(regionCode: regionCode) }

    /// The IDs of every camera the user sees, disabled ones too.
    private func visibleCameraIDs() throws -> Set<String> {
        if let ids = listed.ids.withLock({ $0 }) { return ids }
        let ids = Set(try base.cameras(in: nil, includeDisabled: true).filter { visible($0.regionCode) }.map(\.id))
        listed.ids.withLock { $0 = ids }
        return ids
    }

    private func requireVisible(_ cameraID: String) throws {
        guard let camera = try base.camera(id: cameraID), visible(camera.regionCode) else {
            throw CamindexError.usage("unknown camera \(cameraID) (see 'camindex camera list')", code: .cameraUnknown, value: cameraID)
        }
    }

    func region(code: String) throws -> Region? { try base.region(code: code).flatMap { visible($0.code) ? $0 : nil } }
    func regions(named name: String) throws -> [Region] { try base.regions(named: name).filter { visible($0.code) } }

    func regionList(under root: Region?) throws -> [Region] {
        if let root, !visible(root.code) { return [] }
        return try base.regionList(under: root).filter { visible($0.code) }
    }

    func enabledCameraCounts(under root: Region?) throws -> [String: Int] {
        if let root, !visible(root.code) { return [:] }
        return try base.enabledCameraCounts(under: root).filter { visible($0.key) }
    }

    /// Names of regions by code: for the paths of visible cameras and regions, ancestors included.
    func regions(codes: Set<String>) throws -> [String: Region] { try base.regions(codes: codes) }

    func camera(id: String) throws -> Camera? { try base.camera(id: id).flatMap { visible($0.regionCode) ? $0 : nil } }

    func cameras(in region: Region?, includeDisabled: Bool) throws -> [Camera] {
        if let region, !visible(region.code) { return [] }
        return try base.cameras(in: region, includeDisabled: includeDisabled).filter { visible($0.regionCode) }
    }

    func cameras(inBox lat: ClosedRange<Double>, _ lon: ClosedRange<Double>, includeDisabled: Bool) throws -> [Camera] {
        try base.cameras(inBox: lat, lon, includeDisabled: includeDisabled).filter { visible($0.regionCode) }
    }

    func gbLive(cameraIDs: [String], range: Interval) throws -> [String: GBLiveFacts] {
        try base.gbLive(cameraIDs: try only(cameraIDs), range: range)
    }

    func deviceRecordings(cameraIDs: [String], range: Interval) throws -> [String: [Interval]] {
        try base.deviceRecordings(cameraIDs: try only(cameraIDs), range: range)
    }

    func windows(cameraIDs: [String], range: Interval, maxGapMs: Int64) throws -> [String: [FootageSpan]] {
        try base.windows(cameraIDs: try only(cameraIDs), range: range, maxGapMs: maxGapMs)
    }

    func timeQuality(_ cameraIDs: [String], range: Interval) throws -> [String: FootageTimeQuality] {
        try base.timeQuality(try only(cameraIDs), range: range)
    }

    func keyframes(cameraID: String, at: Instant) throws -> KeyframePair {
        try requireVisible(cameraID)
        return try base.keyframes(cameraID: cameraID, at: at)
    }

    func segmentCounts(cameraID: String) throws -> SegmentCounts {
        try requireVisible(cameraID)
        return try base.segmentCounts(cameraID: cameraID)
    }

    func windowedMs(cameraID: String) throws -> Int64 {
        try requireVisible(cameraID)
        return try base.windowedMs(cameraID: cameraID)
    }

    func startSources(cameraID: String) throws -> [SegmentRecord.StartSource: Int] {
        try requireVisible(cameraID)
        return try base.startSources(cameraID: cameraID)
    }

    func pathDatedEndOffsets(cameraID: String, limit: Int) throws -> [Int64] {
        try requireVisible(cameraID)
        return try base.pathDatedEndOffsets(cameraID: cameraID, limit: limit)
    }

    func recentFiles(cameraID: String, limit: Int) throws -> [SegmentFile] {
        try requireVisible(cameraID)
        return try base.recentFiles(cameraID: cameraID, limit: limit)
    }

    func segmentErrors(cameraID: String?) throws -> [SegmentError] {
        if let cameraID {
            try requireVisible(cameraID)
            return try base.segmentErrors(cameraID: cameraID)
        }
        let ids = try visibleCameraIDs()
        return try base.segmentErrors(cameraID: nil).filter { ids.contains($0.cameraID) }
    }

    func failedFileCounts() throws -> [String: Int] { try keep(base.failedFileCounts()) }
    func stalledFileCounts() throws -> [String: Int] { try keep(base.stalledFileCounts()) }
    func latestMtimes(after instant: Instant) throws -> [String: Instant] { try keep(base.latestMtimes(after: instant)) }

    /// The store's totals: counts of files, not one camera's name or place.
    func indexTotals() throws -> IndexTotals { try base.indexTotals() }

    func liveStates(cameraIDs: [String]?) throws -> [String: CameraLiveState] {
        if let cameraIDs { return try base.liveStates(cameraIDs: try only(cameraIDs)) }
        return try keep(base.liveStates(cameraIDs: nil))
    }

    func standings(in region: Region?) throws -> [CameraStanding] {
        if let region, !visible(region.code) { return [] }
        return try base.standings(in: region).filter { visible($0.regionCode) }
    }

    func liveWindows(cameraIDs: [String], range: Interval) throws -> [String: [Interval]] {
        try base.liveWindows(cameraIDs: try only(cameraIDs), range: range)
    }

    func probeHistory(cameraID: String, limit: Int) throws -> [ProbeResult] {
        try requireVisible(cameraID)
        return try base.probeHistory(cameraID: cameraID, limit: limit)
    }

    func lastHeartbeat() throws -> Heartbeat? { try base.lastHeartbeat() }
    func damage() throws -> String? { try base.damage() }

    // The counters are the store's: an answer kept for this user is kept under the user's scope.
    func registryGeneration() throws -> Int64? { try base.registryGeneration() }
    func footageGenerations(range: Interval, gapMs: Int64) throws -> FootageGenerations? {
        try base.footageGenerations(range: range, gapMs: gapMs)
    }

    private func only(_ ids: [String]) throws -> [String] {
        let visible = try visibleCameraIDs()
        return ids.filter(visible.contains)
    }

    private func keep<V>(_ byCamera: [String: V]) throws -> [String: V] {
        let ids = try visibleCameraIDs()
        return byCamera.filter { ids.contains($0.key) }
    }
}
