import CamindexCore

/// Everything `camera show` tells about one camera.
public struct CameraDetail: Sendable {
    public var camera: Camera
    /// The camera's region and its ancestors, by code.
    public var regions: [String: Region]
    public var footage: FootageSummary
    public var indexErrors: [SegmentError]
    public var live: CameraLiveState?
    /// Newest first.
    public var probes: [ProbeResult]
    /// Indexed files, the latest footage first.
    public var files: [SegmentFile]
    /// What a GB/T 28181 catalog and its device say of the camera (a county's store).
    public var gb: GBChannelState?
    /// When it was read: what "ahead of now" is measured from.
    public var now: Instant
}

/// Cameras with the regions of their paths, for `camera list`.
public struct CameraListing: Sendable {
    public var root: Region?
    public var cameras: [Camera]
    public var regions: [String: Region]
}

extension Queries {
    public func cameraDetail(id: String, probes: Int = 10, files: Int = 20) throws -> CameraDetail {
        let camera = try reader.requireCamera(id: id)
        return CameraDetail(
            camera: camera, regions: try reader.regionPaths(for: [camera]), footage: try reader.footageSummary(cameraID: camera.id),
            indexErrors: try reader.segmentErrors(cameraID: camera.id), live: try reader.liveStates(cameraIDs: [camera.id])[camera.id],
            probes: try reader.probeHistory(cameraID: camera.id, limit: probes),
            files: try reader.recentFiles(cameraID: camera.id, limit: files), gb: nil, now: clock.now())
    }

    public func cameraList(region: String?, includeDisabled: Bool) throws -> CameraListing {
        let root = try region.map { try reader.resolveRegion($0) }
        let cameras = try reader.cameras(in: root, includeDisabled: includeDisabled)
        return CameraListing(root: root, cameras: cameras, regions: try reader.regionPaths(for: cameras))
    }

    public func regionTree(under region: String?) throws -> (root: Region?, tree: [RegionSummary]) {
        let root = try region.map { try reader.resolveRegion($0) }
        return (root, try reader.regionTree(under: root))
    }
}

/// `临泽县 / 沙河镇 / 西关村`: a region's path of names, from the highest region the store names.
public func regionPathNames(_ code: String, _ regions: [String: Region]) -> String {
    (RegionCode.ancestors(of: code) + [code]).compactMap { regions[$0]?.name }.joined(separator: " / ")
}
