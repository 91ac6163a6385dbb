import CamindexCore
import Foundation
import GRDB

extension Store {
    // MARK: Regions

    public func addRegion(code: RegionCode, name: String) throws -> Region {
        try write { db in try Self.insertRegion(db, code: code, name: name) }
    }

    static func insertRegion(_ db: Database, code: RegionCode, name: String) throws -> Region {
        if code.isAboveCounty {
            throw CamindexError.usage("region \(code) is a \(code.level.label): a county store holds one county and what is under it; provinces and cities are added on the province ('camindex region add --db postgresql://… \(code) NAME')",
                                      code: .regionAboveCounty, value: code.rawValue)
        }
        let name = try Names.validate(name, what: "region \(code) name")
        if let existing = try RegionRow.fetchOne(db, key: code.rawValue) {
            throw CamindexError.usage("region \(code) already exists (\(existing.name))", code: .regionExists, value: code.rawValue)
        }
        let parent = storedParent(code)
        if let parent, try RegionRow.fetchOne(db, key: parent.rawValue) == nil {
            throw CamindexError.usage("region \(code): its parent \(parent) (\(parent.level.label)) does not exist; add it first",
                                      code: .regionParentMissing, value: code.rawValue)
        }
        try checkSiblingName(db, code: code.rawValue, parent: parent?.rawValue, name: name)
        let region = Region(code: code.rawValue, name: name, level: code.level.rawValue, parentCode: parent?.rawValue)
        try RegionRow(region).insert(db)
        return region
    }

    /// A region's parent within a county store: none for the county (the store holds nothing above it).
    static func storedParent(_ code: RegionCode) -> RegionCode? {
        code.level.rawValue > RegionCode.Level.county.rawValue ? code.parent : nil
    }

    /// Two regions under one parent with one name make every lookup by that name ambiguous.
    static func checkSiblingName(_ db: Database, code: String, parent: String?, name: String) throws {
        let siblings = RegionRow.filter(RegionRow.Columns.name == name && RegionRow.Columns.code != code)
        let clash = try (parent.map { siblings.filter(Column("parent_code") == $0) } ?? siblings.filter(Column("parent_code") == nil)).fetchOne(db)
        if let clash {
            throw CamindexError.usage("region \(code): \(clash.code) under the same parent is already named '\(name)'; give each a distinct name (e.g. with the village or street)",
                                      code: .nameDuplicate, value: name)
        }
    }

    public func region(code: String) throws -> Region? {
        try read { db in try RegionRow.fetchOne(db, key: code)?.value }
    }

    public func regions(named name: String) throws -> [Region] {
        try read { db in try RegionRow.filter(RegionRow.Columns.name == name).order(RegionRow.Columns.code).fetchAll(db).map(\.value) }
    }

    /// `resolveRegion` inside a write transaction (an inventory sync checks its entries).
    static func resolveRegion(_ db: Database, _ text: String) throws -> Region {
        try RegionLookup.resolve(
            text, byCode: { try RegionRow.fetchOne(db, key: $0)?.value },
            byName: { try RegionRow.filter(RegionRow.Columns.name == $0).order(RegionRow.Columns.code).fetchAll(db).map(\.value) },
            parents: { try RegionRow.filter(keys: Array($0)).fetchAll(db).reduce(into: [:]) { $0[$1.code] = $1.value } })
    }

    public func regionList(under root: Region?) throws -> [Region] {
        try read { db in
            var regions = RegionRow.order(RegionRow.Columns.code)
            if let root {
                regions = regions.filter(RegionRow.Columns.code >= root.code && RegionRow.Columns.code < RegionCode.descendantsUpperBound(of: root.code))
            }
            return try regions.fetchAll(db).map(\.value)
        }
    }

    public func enabledCameraCounts(under root: Region?) throws -> [String: Int] {
        try read { db in
            var counts = "SELECT region_code, COUNT(*) AS n FROM camera WHERE enabled"
            var arguments: StatementArguments = []
            if let root {
                counts += " AND region_code >= ? AND region_code < ?"
                arguments = [root.code, RegionCode.descendantsUpperBound(of: root.code)]
            }
            var own: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: counts + " GROUP BY region_code", arguments: arguments) { own[row[0]] = row[1] }
            return own
        }
    }

    public func regions(codes: Set<String>) throws -> [String: Region] {
        try read { db in
            let rows = try RegionRow.filter(keys: Array(codes)).fetchAll(db)
            return Dictionary(uniqueKeysWithValues: rows.map { ($0.code, $0.value) })
        }
    }

    // MARK: Cameras

    public func addCamera(_ camera: Camera) throws {
        try write { db in
            if let existing = try CameraRow.fetchOne(db, key: camera.id) {
                throw CamindexError.usage("camera \(camera.id) already exists (\(existing.name)); use 'camindex camera update'",
                                          code: .cameraExists, value: camera.id)
            }
            try Self.checkCameraRegion(db, camera.regionCode)
            var camera = camera
            camera.name = try Names.validate(camera.name, what: "camera \(camera.id) name")
            try CameraRow(camera).insert(db)
        }
    }

    static func checkCameraRegion(_ db: Database, _ code: String) throws {
        guard let region = try RegionRow.fetchOne(db, key: code) else {
            throw CamindexError.usage("unknown region \(code)", code: .regionUnknown, value: code)
        }
        guard region.level != RegionCode.Level.county.rawValue else {
            throw CamindexError.usage("region \(code) (\(region.name)) is a county: a camera belongs to a township or a village",
                                      code: .regionInvalid, value: code)
        }
    }

    public func camera(id: String) throws -> Camera? {
        try read { db in try CameraRow.fetchOne(db, key: id)?.value }
    }

    /// Replaces a camera's row; the caller changed only what the user asked for.
    public func updateCamera(_ camera: Camera) throws {
        try write { db in
            guard try CameraRow.fetchOne(db, key: camera.id) != nil else {
                throw CamindexError.usage("unknown camera \(camera.id)", code: .cameraUnknown, value: camera.id)
            }
            try Self.checkCameraRegion(db, camera.regionCode)
            var camera = camera
            camera.name = try Names.validate(camera.name, what: "camera \(camera.id) name")
            try CameraRow(camera).update(db)
        }
    }

    /// Deletes a camera with its segment index and windows.
    public func removeCamera(id: String) throws {
        try write { db in
            guard try CameraRow.deleteOne(db, key: id) else {
                throw CamindexError.usage("unknown camera \(id)", code: .cameraUnknown, value: id)
            }
        }
    }

    /// Cameras in `region` and under it (all when nil), by ID. The region is matched by code
    /// range, which the camera_region index serves.
    public func cameras(in region: Region?, includeDisabled: Bool) throws -> [Camera] {
        try read { db in
            var request = CameraRow.order(CameraRow.Columns.id)
            if let region {
                request = request.filter(CameraRow.Columns.regionCode >= region.code
                    && CameraRow.Columns.regionCode < RegionCode.descendantsUpperBound(of: region.code))
            }
            if !includeDisabled { request = request.filter(CameraRow.Columns.enabled == true) }
            return try request.fetchAll(db).map(\.value)
        }
    }
}
