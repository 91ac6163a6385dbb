/// A statistical division code (统计用区划代码): 6 digits for a county, 9 for a township or
/// street, 12 for a village or community. A code's prefix is its parent.
public struct RegionCode: Hashable, Comparable, Sendable, CustomStringConvertible {
    public enum Level: Int, Sendable, CaseIterable, Codable {
        case county = 6, township = 9, village = 12

        public var label: String {
            switch self {
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
            throw .usage("invalid region code '\(text)': digits only (6 for a county, 9 for a township, 12 for a village)", code: .regionInvalid)
        }
        guard let level = Level(rawValue: text.utf8.count) else {
            throw .usage("invalid region code '\(text)': \(text.utf8.count) digits; a code has 6 (county), 9 (township) or 12 (village)", code: .regionInvalid)
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

    public var parent: RegionCode? {
        switch level {
        case .county: nil
        case .township: try? RegionCode(String(rawValue.prefix(6)))
        case .village: try? RegionCode(String(rawValue.prefix(9)))
        }
    }

    /// The codes above `code` (which need not be valid), county first: one source for
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
