/// A county, township or village of the registry.
public struct Region: Codable, Hashable, Sendable {
    public var code: String
    public var name: String
    /// 6, 9 or 12: the number of digits of the code.
    public var level: Int
    public var parentCode: String?

    public init(code: RegionCode, name: String) {
        self.code = code.rawValue
        self.name = name
        level = code.level.rawValue
        parentCode = code.parent?.rawValue
    }

    /// A region as a store holds it.
    public init(code: String, name: String, level: Int, parentCode: String?) {
        self.code = code
        self.name = name
        self.level = level
        self.parentCode = parentCode
    }

    public var levelLabel: String { RegionCode.Level(rawValue: level)?.label ?? "region" }

    /// The codes of this region's ancestors, county first.
    public var ancestorCodes: [String] { RegionCode.ancestors(of: code) }
}

/// A region with its camera counts, as `region list` shows it.
public struct RegionSummary: Sendable, Hashable {
    public var region: Region
    /// Cameras registered directly in this region.
    public var ownCameras: Int
    /// Cameras in this region and every region under it.
    public var totalCameras: Int

    public init(region: Region, ownCameras: Int, totalCameras: Int) {
        self.region = region
        self.ownCameras = ownCameras
        self.totalCameras = totalCameras
    }
}
