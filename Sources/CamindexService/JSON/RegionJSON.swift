import CamindexCore

/// A region of `region list` (and of the HTTP API's regions) as programs see it: CAMERAS counts
/// the enabled cameras in it and under it, OWN those registered in it.
public struct RegionJSON: Encodable, Sendable {
    var code, name, level: String
    var parent: String?
    var cameras: Int, own_cameras: Int

    public init(_ summary: RegionSummary) {
        code = summary.region.code
        name = summary.region.name
        level = summary.region.levelLabel
        parent = summary.region.parentCode
        cameras = summary.totalCameras
        own_cameras = summary.ownCameras
    }
}
