import CamindexCore
import Foundation
import GRDB

public struct RegionSummary: Sendable, Hashable {
    public var region: Region
    /// Cameras registered directly in this region.
    public var ownCameras: Int
    /// Cameras in this region and every region under it.
    public var totalCameras: Int
}

extension Store {
    // MARK: Regions

    public func addRegion(code: RegionCode, name: String) throws -> Region {
        try write { db in try Self.insertRegion(db, code: code, name: name) }
    }

    static func insertRegion(_ db: Database, code: RegionCode, name: String) throws -> Region {
        let name = name.trimmingCharacters(in: .whitespaces)
        guard !name.isEmpty else { throw CamindexError.usage("region \(code): the name is empty") }
        if let existing = try Region.fetchOne(db, key: code.rawValue) {
            throw CamindexError.usage("region \(code) already exists (\(existing.name))")
        }
        if let parent = code.parent, try Region.fetchOne(db, key: parent.rawValue) == nil {
            throw CamindexError.usage("region \(code): its parent \(parent) (\(parent.level.label)) does not exist; add it first")
        }
        let region = Region(code: code, name: name)
        try region.insert(db)
        return region
    }

    public func region(code: String) throws -> Region? {
        try read { db in try Region.fetchOne(db, key: code) }
    }

    /// A region by code or exact name. Unknown and ambiguous names are refused, the latter
    /// with every candidate listed.
    public func resolveRegion(_ text: String) throws -> Region {
        try read { db in try Self.resolveRegion(db, text) }
    }

    static func resolveRegion(_ db: Database, _ text: String) throws -> Region {
        let text = text.trimmingCharacters(in: .whitespaces)
        if RegionCode.looksLikeCode(text) {
            let code = try RegionCode(text)
            guard let region = try Region.fetchOne(db, key: code.rawValue) else {
                throw CamindexError.usage("unknown region \(code): no such region code in the store (see 'camindex region list')")
            }
            return region
        }
        let matches = try Region.filter(Column("name") == text).order(Column("code")).fetchAll(db)
        switch matches.count {
        case 1: return matches[0]
        case 0: throw CamindexError.usage("unknown region '\(text)': no region has that name (see 'camindex region list')")
        default:
            let list = matches.map { "\($0.code) \($0.name)\(try! parentName(db, $0))" }.joined(separator: ", ")
            throw CamindexError.usage("ambiguous region '\(text)': \(matches.count) regions have that name: \(list); give the code")
        }
    }

    private static func parentName(_ db: Database, _ region: Region) throws -> String {
        guard let p = region.parentCode, let parent = try Region.fetchOne(db, key: p) else { return "" }
        return " in \(parent.name)"
    }

    /// Regions at or under `root` (all when nil), in code order, with camera counts.
    public func regionTree(under root: Region?) throws -> [RegionSummary] {
        try read { db in
            let prefix = (root?.code ?? "") + "%"
            let regions = try Region.filter(sql: "code LIKE ?", arguments: [prefix]).order(Column("code")).fetchAll(db)
            let counts = try Row.fetchAll(db, sql: """
                SELECT region_code, COUNT(*) AS n FROM camera WHERE region_code LIKE ? AND enabled GROUP BY region_code
                """, arguments: [prefix])
            var own: [String: Int] = [:]
            for row in counts { own[row["region_code"]] = row["n"] }
            return regions.map { r in
                let total = own.filter { $0.key.hasPrefix(r.code) }.reduce(0) { $0 + $1.value }
                return RegionSummary(region: r, ownCameras: own[r.code] ?? 0, totalCameras: total)
            }
        }
    }

    // MARK: Cameras

    public func addCamera(_ camera: Camera) throws {
        try write { db in
            if let existing = try Camera.fetchOne(db, key: camera.id) {
                throw CamindexError.usage("camera \(camera.id) already exists (\(existing.name)); use 'camindex camera update'")
            }
            try Self.checkCameraRegion(db, camera.regionCode)
            try camera.insert(db)
        }
    }

    static func checkCameraRegion(_ db: Database, _ code: String) throws {
        guard let region = try Region.fetchOne(db, key: code) else {
            throw CamindexError.usage("unknown region \(code)")
        }
        guard region.level != RegionCode.Level.county.rawValue else {
            throw CamindexError.usage("region \(code) (\(region.name)) is a county: a camera belongs to a township or a village")
        }
    }

    public func camera(id: String) throws -> Camera? {
        try read { db in try Camera.fetchOne(db, key: id) }
    }

    public func requireCamera(id: String) throws -> Camera {
        guard let camera = try camera(id: id) else {
            throw CamindexError.usage("unknown camera \(id) (see 'camindex camera list')")
        }
        return camera
    }

    /// Replaces a camera's row; the caller changed only what the user asked for.
    public func updateCamera(_ camera: Camera) throws {
        try write { db in
            guard try Camera.fetchOne(db, key: camera.id) != nil else {
                throw CamindexError.usage("unknown camera \(camera.id)")
            }
            try Self.checkCameraRegion(db, camera.regionCode)
            try camera.update(db)
        }
    }

    /// Deletes a camera with its segment index and windows.
    public func removeCamera(id: String) throws {
        try write { db in
            guard try Camera.deleteOne(db, key: id) else { throw CamindexError.usage("unknown camera \(id)") }
        }
    }

    /// Cameras in `region` and under it (all when nil), by ID.
    public func cameras(in region: Region? = nil, includeDisabled: Bool = false) throws -> [Camera] {
        try read { db in
            var request = Camera.order(Column("id"))
            if let region { request = request.filter(sql: "region_code LIKE ?", arguments: [region.code + "%"]) }
            if !includeDisabled { request = request.filter(Column("enabled") == true) }
            return try request.fetchAll(db)
        }
    }

    public func regions(codes: Set<String>) throws -> [String: Region] {
        try read { db in
            let rows = try Region.filter(keys: Array(codes)).fetchAll(db)
            return Dictionary(uniqueKeysWithValues: rows.map { ($0.code, $0) })
        }
    }
}
