/// The policy of the reads both stores answer, written once over their plain fetches: how a
/// region is found by code or name, how a region tree is totalled, how a camera's footage is
/// summed up. A store supplies the rows; these decide what they mean.

/// Finding a region by code or exact name. Unknown and ambiguous names are refused, the latter
/// with every candidate and its parent listed.
public enum RegionLookup {
    public static func resolve(_ text: String, byCode: (String) throws -> Region?, byName: (String) throws -> [Region],
                               parents: (Set<String>) throws -> [String: Region]) throws -> Region {
        let text = text.trimmingCharacters(in: .whitespaces)
        if RegionCode.looksLikeCode(text) {
            let code = try RegionCode(text)
            guard let region = try byCode(code.rawValue) else {
                throw CamindexError.usage("unknown region \(code): no such region code in the store (see 'camindex region list')",
                                          code: .regionUnknown, value: text)
            }
            return region
        }
        let matches = try byName(text).sorted { $0.code < $1.code }
        switch matches.count {
        case 1: return matches[0]
        case 0: throw CamindexError.usage("unknown region '\(text)': no region has that name (see 'camindex region list')",
                                          code: .regionUnknown, value: text)
        default:
            let names = try parents(Set(matches.compactMap(\.parentCode)))
            let list = matches.map { r in "\(r.code) \(r.name)" + (r.parentCode.flatMap { names[$0] }.map { " in \($0.name)" } ?? "") }
            throw CamindexError.usage("ambiguous region '\(text)': \(matches.count) regions have that name: \(list.joined(separator: ", ")); give the code",
                                      code: .regionAmbiguous, value: text)
        }
    }
}

extension RegionSummary {
    /// `regions` with their cameras: `own` counts the enabled cameras registered in each
    /// region, and each region's total adds those of every region under it. Linear in the
    /// codes (a prefix filter per region is quadratic over a province's ~2,000 regions).
    public static func tree(_ regions: [Region], own: [String: Int]) -> [RegionSummary] {
        var total: [String: Int] = [:]
        for (code, n) in own {
            for c in RegionCode.ancestors(of: code) + [code] { total[c, default: 0] += n }
        }
        return regions.sorted { $0.code < $1.code }.map {
            RegionSummary(region: $0, ownCameras: own[$0.code] ?? 0, totalCameras: total[$0.code] ?? 0)
        }
    }
}

/// A camera's segments counted as both stores count them (one aggregate statement).
public struct SegmentCounts: Sendable, Hashable {
    public var segments = 0
    public var failed = 0
    public var unverified = 0
    /// Segments whose start came only from the file's mtime.
    public var lowConfidence = 0
    public var firstMs: Int64?
    public var lastMs: Int64?
    public var badTimestamps = 0
    public var stalledSegments = 0
    /// The newest mtime among the camera's files.
    public var latestMtimeMs: Int64?

    public init() {}
}

extension FootageSummary {
    /// What `camera show` says of a camera's footage, from its counts, the length of its
    /// windows, where its segments' starts came from, and how far the newest path-dated
    /// segments end before their files' mtimes.
    public init(_ counts: SegmentCounts, coveredMs: Int64, timeSources: [SegmentRecord.StartSource: Int], pathDatedEndOffsetsMs: [Int64]) {
        self.init(segments: counts.segments, failed: counts.failed, unverified: counts.unverified, lowConfidence: counts.lowConfidence,
                  first: counts.firstMs.map(Instant.init(ms:)), last: counts.lastMs.map(Instant.init(ms:)), coveredMs: coveredMs,
                  badTimestamps: counts.badTimestamps)
        stalledSegments = counts.stalledSegments
        latestMtime = counts.latestMtimeMs.map(Instant.init(ms:))
        self.timeSources = timeSources
        pathZoneOffsetHours = PathTimestamp.wholeHourOffset(pathDatedEndOffsetsMs)
    }

    /// How many of the newest path-dated segments the path-zone check looks at.
    public static let pathZoneSample = 200
}
