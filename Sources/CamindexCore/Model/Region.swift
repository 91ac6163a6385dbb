/// A region of the registry: a county, township or village; on a province also the province
/// and its cities.
public struct Region: Codable, Hashable, Sendable {
    public var code: String
    /// Empty for a province or city that no one named: it exists on a province because
    /// counties under it were published.
    public var name: String
    /// 2, 4, 6, 9 or 12: the number of digits of the code.
    public var level: Int
    /// The region one level up when the store has it (a county store holds nothing above its county).
    public var parentCode: String?

    /// A region of a province's tree, its parent one level up.
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

    /// The name, or the code for a region no one named: for sentences and titles.
    public var displayName: String { name.isEmpty ? code : name }

    /// Levels above this one (a province 0, a county 2): indentation in trees.
    public var depth: Int { RegionCode.ancestors(of: code).count }
    public static let countyDepth = RegionCode.ancestors(of: "000000").count

    /// The codes of this region's ancestors, province first.
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
