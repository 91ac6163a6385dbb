import CamindexCore
import Foundation
import GRDB

extension Store {
    /// Syncs inventory files into the registry in one transaction: regions are added or
    /// renamed, cameras added or updated, and cameras that came from one of these files but are
    /// no longer listed in any of them are disabled (their footage index is kept). Idempotent:
    /// a second run reports no change. With `dryRun` nothing is written.
    /// `recordingsPath` turns an entry's `recordings` value into the path to store.
    public func syncInventory(
        _ files: [InventoryFile], dryRun: Bool, recordingsPath: (InventoryFile, InventoryFile.CameraEntry) -> String?
    ) throws -> [InventoryChange] {
        var changes: [InventoryChange] = []
        let now = clock.now()
        if !dryRun, let why = damaged.reason { throw damagedError(why) }
        do {
            try withoutActuallyEscaping(recordingsPath) { recordingsPath in
                try writer.writeWithoutTransaction { db in
                    try db.inTransaction {
                        changes = try Self.sync(db, files, now, recordingsPath)
                        return dryRun ? .rollback : .commit
                    }
                }
            }
        } catch let error as CamindexError { throw error } catch {
            throw storeError(error)
        }
        return changes
    }

    private static func sync(
        _ db: Database, _ files: [InventoryFile], _ now: Instant, _ recordingsPath: (InventoryFile, InventoryFile.CameraEntry) -> String?
    ) throws -> [InventoryChange] {
        var changes: [InventoryChange] = []

        // Regions, parents first, whichever file declares them.
        let declared = files.flatMap { f in f.regions.map { (f, $0) } }
            .sorted { ($0.1.code.level.rawValue, $0.1.code) < ($1.1.code.level.rawValue, $1.1.code) }
        var seenRegions: [String: String] = [:]
        for (file, entry) in declared {
            let at = "\(file.path):\(entry.line)"
            if let other = seenRegions[entry.code.rawValue] {
                guard other == entry.name else {
                    throw CamindexError.usage("\(at): region \(entry.code) is named '\(entry.name)' here but '\(other)' elsewhere in this import", code: .inventoryInvalid, value: entry.code.rawValue)
                }
                continue
            }
            seenRegions[entry.code.rawValue] = entry.name
            if var existing = try RegionRow.fetchOne(db, key: entry.code.rawValue) {
                if existing.name != entry.name {
                    do { try checkSiblingName(db, code: entry.code.rawValue, parent: storedParent(entry.code)?.rawValue, name: entry.name) } catch let e as CamindexError {
                        throw CamindexError.usage("\(at): \(e.message)", code: e.code, value: e.value)
                    }
                    changes.append(.init(kind: .regionRenamed, subject: entry.code.rawValue,
                                         detail: "\(existing.name) → \(entry.name)", location: at))
                    existing.name = entry.name
                    try existing.update(db)
                }
            } else {
                do { _ = try insertRegion(db, code: entry.code, name: entry.name) } catch let e as CamindexError {
                    throw CamindexError.usage("\(at): \(e.message)", code: e.code, value: e.value)
                }
                changes.append(.init(kind: .regionAdded, subject: entry.code.rawValue,
                                     detail: "\(entry.code.level.label) \(entry.name)", location: at))
            }
        }

        // Cameras.
        var listed: [String: String] = [:]
        for file in files {
            for entry in file.cameras {
                let at = "\(file.path):\(entry.line)"
                if let first = listed[entry.id.rawValue] {
                    throw CamindexError.usage("\(at): camera \(entry.id) is listed twice (also at \(first))", code: .inventoryInvalid, value: entry.id.rawValue)
                }
                listed[entry.id.rawValue] = at
                let region: Region
                do {
                    region = try resolveRegion(db, entry.region)
                    try checkCameraRegion(db, region.code)
                } catch let e as CamindexError {
                    throw CamindexError.usage("\(at): camera \(entry.id) field 'region': \(e.message)", code: e.code, value: e.value)
                }
                var wanted = Camera(
                    id: entry.id.rawValue, name: entry.name, regionCode: region.code, url: entry.url?.secret,
                    recordings: recordingsPath(file, entry), lat: entry.coordinate?.lat, lon: entry.coordinate?.lon,
                    timezone: entry.timezone, pathPattern: entry.pathPattern, pathTimezone: entry.pathTimezone,
                    enabled: true, source: file.path, at: now)
                wanted.qualityThresholds = entry.qualityThresholds
                if let existing = try CameraRow.fetchOne(db, key: entry.id.rawValue)?.value {
                    let diff = wanted.differences(from: existing)
                    guard !diff.isEmpty else { continue }
                    wanted.createdAtMs = existing.createdAtMs
                    try CameraRow(wanted).update(db)
                    changes.append(.init(kind: .cameraUpdated, subject: entry.id.rawValue,
                                         detail: "\(entry.name): \(diff.joined(separator: ", "))", location: at))
                } else {
                    try CameraRow(wanted).insert(db)
                    changes.append(.init(kind: .cameraAdded, subject: entry.id.rawValue,
                                         detail: "\(entry.name) in \(region.name) (\(region.code))", location: at))
                }
            }
        }

        // Cameras these files used to list and no longer do.
        let sources = files.map(\.path)
        let gone = try CameraRow
            .filter(sources.contains(CameraRow.Columns.source) && CameraRow.Columns.enabled == true)
            .fetchAll(db).map(\.value)
            .filter { listed[$0.id] == nil }
        for var camera in gone {
            camera.enabled = false
            camera.updatedAtMs = now.ms
            try CameraRow(camera).update(db)
            changes.append(.init(kind: .cameraDisabled, subject: camera.id,
                                 detail: "\(camera.name): no longer in \(camera.source ?? "the inventory")", location: nil))
        }
        return changes
    }
}
