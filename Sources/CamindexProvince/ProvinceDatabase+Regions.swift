import CamindexCore
import PostgresNIO

extension ProvinceDatabase {
    /// Names a province (2 digits) or a city (4): the one write a province takes from
    /// `camindex region add`. Counties, townships and villages are the counties' own and come
    /// only by publishing. The parent need not be named first: the tree above the counties
    /// follows from the codes.
    public func addRegion(code: RegionCode, name: String) throws -> Region {
        guard code.isAboveCounty else {
            throw CamindexError.usage("region \(code) is a \(code.level.label): on a province only provinces (2 digits) and cities (4) are added; counties, townships and villages come from each county's store by 'camindex publish'",
                                      code: .storeProvinceReadOnly, value: code.rawValue)
        }
        let name = try Names.validate(name, what: "region \(code) name")
        try migrate()
        return try transaction {
            // One writer at a time, so that two adds cannot both pass the checks below.
            try execute("LOCK TABLE region_above_county IN SHARE ROW EXCLUSIVE MODE")
            if let existing = try query("SELECT name FROM region_above_county WHERE code = \(code.rawValue)").first {
                throw CamindexError.usage("region \(code) already exists (\(try existing.decode(String.self)))", code: .regionExists, value: code.rawValue)
            }
            // Siblings: the same level under the same parent (a province's siblings are all provinces).
            let prefix = code.parent?.rawValue ?? ""
            if let clash = try query("""
                SELECT code FROM region_above_county WHERE name = \(name) AND level = \(Int64(code.level.rawValue))
                  AND left(code, \(Int32(prefix.count))) = \(prefix) ORDER BY code LIMIT 1
                """).first {
                throw CamindexError.usage("region \(code): \(try clash.decode(String.self)) under the same parent is already named '\(name)'; give each a distinct name",
                                          code: .nameDuplicate, value: name)
            }
            try query("INSERT INTO region_above_county (code, name, level) VALUES (\(code.rawValue), \(name), \(Int64(code.level.rawValue)))")
            return Region(code: code, name: name)
        }
    }
}
