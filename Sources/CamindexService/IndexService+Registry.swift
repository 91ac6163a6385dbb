import CamindexCore
import CamindexProvince
import CamindexStore
import Foundation

/// Changes to a camera's registry fields, as `camera add` and `camera update` take them: nil
/// leaves a field as it is.
public struct CameraEdit: Sendable {
    public var name: String?
    /// Region code or exact name.
    public var region: String?
    public var url: String?
    /// An absolute directory (the front end resolves a relative one against its own base).
    public var recordings: String?
    public var location: Coordinate?
    public var timezone: String?
    public var pathPattern: String?
    public var pathTimezone: String?
    /// `name=value` picture-quality thresholds to set.
    public var qualityThresholds: [String] = []
    public var clearURL = false
    public var clearRecordings = false
    public var clearLocation = false
    public var clearPathPattern = false
    public var clearQualityThresholds = false
    public var enabled: Bool?

    public init() {}
}

/// What `camera add` did.
public struct CameraAdded: Sendable {
    public var camera: Camera
    public var region: Region?
    /// Things the technician should know: a GB/T 28181 ID naming another county, a name
    /// another camera of the region has, a type code that is not a camera, a recordings
    /// directory that does not exist yet.
    public var notes: [String]
}

/// What an inventory import did (or would do, dry).
public struct InventoryImportResult: Sendable {
    public var files: [String]
    public var camerasListed: Int
    public var changes: [InventoryChange]
    /// Cameras whose GB/T 28181 ID names another county than their region's, as `file:line: …`.
    public var mismatches: [String]
}

extension IndexService {
    /// Names a region: on a county store any level of its county; on a province only
    /// provinces (2 digits) and cities (4).
    public func addRegion(code text: String, name: String) throws -> Region {
        try requireShell("add regions")
        let code = try RegionCode(text)
        switch backend {
        case let .county(county): return try county.store().addRegion(code: code, name: name)
        case let .province(_, url), let .provinceRegistry(url): return try ProvinceDatabase(url: url).addRegion(code: code, name: name)
        }
    }

    /// Registers a camera. `strict` refuses a GB/T 28181 ID whose centre code names another
    /// county than the region's; otherwise that is a note.
    public func addCamera(id text: String, _ edit: CameraEdit, strict: Bool) throws -> CameraAdded {
        try requireShell("add cameras")
        let store = try countyStore()
        let id = try CameraID(text)
        guard edit.name != nil else { throw CamindexError.usage("missing --name NAME", code: .nameInvalid) }
        guard edit.region != nil else { throw CamindexError.usage("missing --region CODE|NAME (a township or village)", code: .regionInvalid) }
        var camera = Camera(id: id.rawValue, name: "", regionCode: "", at: store.clock.now())
        try apply(edit, to: &camera, store: store)
        var notes: [String] = []
        if let mismatch = id.countyMismatch(regionCode: camera.regionCode) {
            if strict { throw CamindexError.usage(mismatch + " (--strict)", code: .cameraInvalid, value: id.rawValue) }
            notice("warning: \(mismatch)")
            notes.append(mismatch)
        }
        try store.addCamera(camera)
        let region = try store.region(code: camera.regionCode)
        if let region, try store.cameras(in: region, includeDisabled: true)
            .contains(where: { $0.id != camera.id && $0.name == camera.name && $0.regionCode == camera.regionCode }) {
            let note = "another camera in \(region.name) is also named '\(camera.name)': people will not tell them apart"
            notice("warning: \(note)")
            notes.append(note)
        }
        if let gb = id.gb28181, !gb.isCamera {
            let note = "type code \(gb.typeCode) is a \(gb.typeName), not a camera (131/132)"
            notice("note: \(note)")
            notes.append(note)
        }
        if let dir = camera.recordings, !FileManager.default.fileExists(atPath: dir) {
            let note = "recordings directory \(dir) does not exist yet"
            notice("note: \(note)")
            notes.append(note)
        }
        return CameraAdded(camera: camera, region: region, notes: notes)
    }

    /// Changes a camera's fields; returns the camera after and the names of the fields that
    /// changed (none: nothing was written).
    public func updateCamera(id: String, _ edit: CameraEdit) throws -> (camera: Camera, changed: [String]) {
        try requireShell("change cameras")
        let store = try countyStore()
        let before = try store.requireCamera(id: id)
        var camera = before
        try apply(edit, to: &camera, store: store)
        let changed = camera.differences(from: before)
        guard !changed.isEmpty else { return (before, []) }
        camera.updatedAtMs = store.clock.now().ms
        try store.updateCamera(camera)
        return (camera, changed)
    }

    /// Removes a camera with its footage index (the files are not touched).
    public func removeCamera(id: String) throws -> Camera {
        try requireShell("remove cameras")
        let store = try countyStore()
        let camera = try store.requireCamera(id: id)
        try store.removeCamera(id: camera.id)
        return camera
    }

    private func apply(_ edit: CameraEdit, to camera: inout Camera, store: Store) throws {
        if let name = edit.name {
            let trimmed = name.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty else { throw CamindexError.usage("--name is empty", code: .nameInvalid) }
            camera.name = trimmed
        }
        if let region = edit.region { camera.regionCode = try store.resolveRegion(region).code }
        if let url = edit.url { camera.url = try StreamURL(url).secret }
        if edit.clearURL { camera.url = nil }
        if let recordings = edit.recordings { camera.recordings = recordings }
        if edit.clearRecordings { camera.recordings = nil }
        if let at = edit.location { camera.lat = at.lat; camera.lon = at.lon }
        if edit.clearLocation { camera.lat = nil; camera.lon = nil }
        if let timezone = edit.timezone {
            _ = try Zones.named(timezone)
            camera.timezone = timezone
        }
        if let pattern = edit.pathPattern {
            _ = try PathTimestamp(pattern: pattern)
            camera.pathPattern = pattern
        }
        if let pathTimezone = edit.pathTimezone {
            _ = try Zones.named(pathTimezone)
            camera.pathTimezone = pathTimezone
        }
        if edit.clearPathPattern { camera.pathPattern = nil; camera.pathTimezone = nil }
        if edit.clearQualityThresholds { camera.qualityThresholds = [:] }
        for t in edit.qualityThresholds {
            let (name, value) = try PictureThresholds.parseOverride(t)
            camera.qualityThresholds[name] = value
        }
        if let enabled = edit.enabled { camera.enabled = enabled }
    }

    /// Syncs inventory files into the registry (`camindex import`, the daemon's start and
    /// SIGHUP): every file is parsed before anything is written; GB/T 28181 IDs naming another
    /// county than their region's are refused with `strict`, else warned about.
    public func importInventory(paths: [String], recordingsRoot: String? = nil, dryRun: Bool = false, strict: Bool = false) throws -> InventoryImportResult {
        try requireShell("import inventories")
        let importer = InventoryImport(paths: paths, recordingsRoot: recordingsRoot)
        let files = try importer.load()
        let store = try countyStore()
        let mismatches = try Self.countyMismatches(files, store: store)
        if strict, let first = mismatches.first {
            throw CamindexError.usage(first + (mismatches.count > 1 ? " (and \(mismatches.count - 1) more)" : "") + " (--strict)", code: .cameraInvalid)
        }
        for m in mismatches { notice("warning: \(m)") }
        let changes = try importer.sync(files, into: store, dryRun: dryRun)
        return InventoryImportResult(files: files.map(\.path), camerasListed: files.reduce(0) { $0 + $1.cameras.count },
                                     changes: changes, mismatches: mismatches)
    }

    /// Cameras whose GB/T 28181 ID names another county than their region, as `file:line: …`.
    /// A region given by name is looked up among the files' regions, then in the store.
    private static func countyMismatches(_ files: [InventoryFile], store: Store) throws -> [String] {
        let declared = Dictionary(files.flatMap { $0.regions.map { ($0.name, $0.code.rawValue) } }, uniquingKeysWith: { a, _ in a })
        var out: [String] = []
        for file in files {
            for entry in file.cameras where entry.id.gb28181 != nil {
                let code = RegionCode.looksLikeCode(entry.region) ? entry.region
                    : declared[entry.region] ?? (try? store.resolveRegion(entry.region).code)
                if let code, let m = entry.id.countyMismatch(regionCode: code) { out.append("\(file.path):\(entry.line): \(m)") }
            }
        }
        return out
    }
}
