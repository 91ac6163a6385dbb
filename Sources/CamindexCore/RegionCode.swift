/// A statistical division code (统计用区划代码): 2 digits for a province, 4 for a city
/// (prefecture), 6 for a county, 9 for a township or street, 12 for a village or community.
/// A code's prefix is its parent: 62 → 6207 → 620723 → 620723100 → 620723100201. A county
/// store holds one county and what is under it; the levels above exist on a province.
public struct RegionCode: Hashable, Comparable, Sendable, CustomStringConvertible {
    public enum Level: Int, Sendable, CaseIterable, Codable {
        case province = 2, city = 4, county = 6, township = 9, village = 12

        public var label: String {
            switch self {
            case .province: "province"
            case .city: "city"
            case .county: "county"
            case .township: "township"
            case .village: "village"
            }
        }
    }

    public let rawValue: String
    public let level: Level

    public init(_ text: String) throws(CamindexError) {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            throw .usage("invalid region code '\(text)': digits only (2 for a province, 4 for a city, 6 for a county, 9 for a township, 12 for a village)", code: .regionInvalid)
        }
        guard let level = Level(rawValue: text.utf8.count) else {
            throw .usage("invalid region code '\(text)': \(text.utf8.count) digits; a code has 2 (province), 4 (city), 6 (county), 9 (township) or 12 (village)", code: .regionInvalid)
        }
        if text.hasPrefix("00") {
            throw .usage("invalid region code '\(text)': no province has code 00", code: .regionInvalid)
        }
        self.rawValue = text
        self.level = level
    }

    /// True when `text` has the shape of a code (all digits), so a name lookup is not meant.
    public static func looksLikeCode(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 }
    }

    /// The region one level up (a province has none).
    public var parent: RegionCode? {
        guard let i = Level.allCases.firstIndex(of: level), i > 0 else { return nil }
        return try? RegionCode(String(rawValue.prefix(Level.allCases[i - 1].rawValue)))
    }

    /// The codes above this one, province first.
    public var ancestors: [RegionCode] {
        Self.ancestors(of: rawValue).compactMap { try? RegionCode($0) }
    }

    /// True for a province or a city: a level no county store holds.
    public var isAboveCounty: Bool { level.rawValue < Level.county.rawValue }

    /// The codes above `code` (which need not be valid), province first: one source for
    /// region ancestry wherever a path of names is shown.
    public static func ancestors(of code: String) -> [String] {
        Level.allCases.map(\.rawValue).filter { $0 < code.utf8.count }.map { String(code.prefix($0)) }
    }

    /// A string above every code under `code` (':' follows '9'): the descendants are the
    /// codes `c` with `code <= c < upperBound`, a range an index can use (unlike LIKE).
    public static func descendantsUpperBound(of code: String) -> String { code + ":" }

    /// True when `other` is this region or lies under it.
    public func contains(_ other: RegionCode) -> Bool { other.rawValue.hasPrefix(rawValue) }

    public var description: String { rawValue }
    public static func < (a: RegionCode, b: RegionCode) -> Bool { a.rawValue < b.rawValue }
}
