import CamindexCore
import Foundation
import GRDB

// GB/T 28181 devices and their catalogs (migration v17).
extension Store {
    /// The source a catalog's cameras carry: a device's catalog disables only its own cameras.
    public static func gbSource(device: String) -> String { "gb28181:" + device }

    public func gbDevice(id: String) throws -> GBDevice? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM gb_device WHERE id = ?", arguments: [id]).map(Self.gbDevice) }
    }

    public func gbDevices() throws -> [GBDevice] {
        try read { db in try Row.fetchAll(db, sql: "SELECT * FROM gb_device ORDER BY id").map(Self.gbDevice) }
    }

    public func saveGBDevice(_ d: GBDevice) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO gb_device (id, address, registered_at_ms, expires_at_ms, last_keepalive_ms, keepalive_interval_ms, online, since_ms,
                                       reason, catalog_at_ms, catalog_expected, catalog_received, clock_offset_ms, clock_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (id) DO UPDATE SET address = excluded.address, registered_at_ms = excluded.registered_at_ms,
                    expires_at_ms = excluded.expires_at_ms, last_keepalive_ms = excluded.last_keepalive_ms,
                    keepalive_interval_ms = excluded.keepalive_interval_ms, online = excluded.online, since_ms = excluded.since_ms,
                    reason = excluded.reason, catalog_at_ms = excluded.catalog_at_ms, catalog_expected = excluded.catalog_expected,
                    catalog_received = excluded.catalog_received, clock_offset_ms = excluded.clock_offset_ms, clock_at_ms = excluded.clock_at_ms
                """, arguments: [d.id, d.address, d.presence.registeredAt.ms, d.presence.expiresAt.ms, d.presence.lastKeepalive?.ms,
                                 d.presence.keepaliveIntervalMs, d.online, d.since.ms, d.reason, d.catalogAt?.ms, d.catalogExpected,
                                 d.catalogReceived, d.clockOffsetMs, d.clockAt?.ms])
        }
    }

    /// A sign of life from a device at `at`: its open online window grows, or, after an
    /// offline spell (`continuing` false), a new one opens.
    public func gbPresenceSeen(device: String, at: Instant, continuing: Bool) throws {
        try write { db in
            let open = continuing ? try Int64.fetchOne(db, sql: "SELECT max(start_ms) FROM gb_presence_window WHERE device_id = ?", arguments: [device]) : nil
            if let open {
                try db.execute(sql: "UPDATE gb_presence_window SET end_ms = max(end_ms, ?) WHERE device_id = ? AND start_ms = ?", arguments: [at.ms, device, open])
            } else {
                try db.execute(sql: "INSERT OR REPLACE INTO gb_presence_window (device_id, start_ms, end_ms) VALUES (?, ?, ?)", arguments: [device, at.ms, at.ms])
            }
        }
    }

    public func gbLive(cameraIDs: [String], range: Interval) throws -> [String: GBLiveFacts] {
        try read { db in
            var out: [String: GBLiveFacts] = [:]
            var windows: [String: [Interval]] = [:]
            for batch in Self.batches(cameraIDs) {
                let rows = try Row.fetchAll(db, sql: """
                    SELECT c.camera_id, c.device_id, c.status, d.online, d.since_ms, d.clock_offset_ms,
                           EXISTS (SELECT 1 FROM device_recording r WHERE r.camera_id = c.camera_id)
                    FROM gb_channel c LEFT JOIN gb_device d ON d.id = c.device_id
                    WHERE c.camera_id IN (\(Self.placeholders(batch.count)))
                    """, arguments: StatementArguments(batch))
                for r in rows {
                    let device: String = r[1]
                    let on = GBCatalogItem.isOn(status: r[2]) ?? true
                    if windows[device] == nil {
                        windows[device] = try Row.fetchAll(db, sql: """
                            SELECT start_ms, end_ms FROM gb_presence_window WHERE device_id = ? AND start_ms < ? AND end_ms > ? ORDER BY start_ms
                            """, arguments: [device, range.end.ms, range.start.ms]).compactMap { Interval(startMs: $0[0], endMs: $0[1]).clipped(to: range) }
                    }
                    out[r[0]] = GBLiveFacts(online: on && ((r[3] as Bool?) ?? false), since: (r[4] as Int64?).map { Instant(ms: $0) },
                                            windows: on ? windows[device] ?? [] : [],
                                            clockOffsetS: (r[5] as Int64?).map { Double($0) / 1000 }, recordsOnDevice: r[6])
                }
            }
            return out
        }
    }

    /// What the catalog said of a camera, and its device.
    public func gbChannel(cameraID: String) throws -> GBChannelState? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT * FROM gb_channel WHERE camera_id = ?", arguments: [cameraID]).map { try Self.channelState(db, $0) }
        }
    }

    private static func channelState(_ db: Database, _ r: Row) throws -> GBChannelState {
        let device = try Row.fetchOne(db, sql: "SELECT * FROM gb_device WHERE id = ?", arguments: [r["device_id"] as String]).map(Self.gbDevice)
        return GBChannelState(deviceID: r["device_id"], device: device, parentID: r["parent_id"], manufacturer: r["manufacturer"],
                              model: r["model"], civilCode: r["civil_code"], status: r["status"], placed: r["placed"],
                              updatedAt: Instant(ms: r["updated_at_ms"]), name: r["name"], latitude: r["latitude"],
                              longitude: r["longitude"], regionCode: r["region_code"])
    }

    public func setGBCredential(device: String, realm: String, ha1: String) throws {
        let now = clock.now()
        try write { db in
            try db.execute(sql: """
                INSERT INTO gb_credential (device_id, realm, ha1, set_at_ms) VALUES (?, ?, ?, ?)
                ON CONFLICT (device_id) DO UPDATE SET realm = excluded.realm, ha1 = excluded.ha1, set_at_ms = excluded.set_at_ms
                """, arguments: [device, realm, ha1, now.ms])
        }
    }

    /// The device's own HA1 for `realm`, if one was set.
    public func gbCredential(device: String, realm: String) throws -> String? {
        try read { db in try String.fetchOne(db, sql: "SELECT ha1 FROM gb_credential WHERE device_id = ? AND realm = ?", arguments: [device, realm]) }
    }

    /// Cameras a catalog could place only at the county (CivilCode and parents name no township).
    public func gbUnplaced() throws -> Set<String> {
        try read { db in Set(try String.fetchAll(db, sql: "SELECT camera_id FROM gb_channel WHERE NOT placed")) }
    }

    /// Syncs one device's catalog into the registry: new channels become cameras with the
    /// device as their source; a camera an inventory or the shell registered keeps its fields
    /// (the catalog's are kept beside it). With `complete`, the device's cameras it no longer
    /// lists are disabled, never deleted; a catalog that did not all come disables nothing.
    public func syncGBCatalog(device: String, channels: [(item: GBCatalogItem, region: String, placed: Bool)], complete: Bool)
        throws -> [InventoryChange] {
        let now = clock.now()
        let source = Self.gbSource(device: device)
        var changes: [InventoryChange] = []
        try write { db in
            var listed = Set<String>()
            for (item, region, placed) in channels {
                listed.insert(item.id)
                let at = "\(source) catalog"
                try db.execute(sql: """
                    INSERT INTO gb_channel (camera_id, device_id, parent_id, manufacturer, model, civil_code, status, placed, updated_at_ms,
                                            name, latitude, longitude, region_code)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (camera_id) DO UPDATE SET device_id = excluded.device_id, parent_id = excluded.parent_id,
                        manufacturer = excluded.manufacturer, model = excluded.model, civil_code = excluded.civil_code,
                        status = excluded.status, placed = excluded.placed, updated_at_ms = excluded.updated_at_ms,
                        name = excluded.name, latitude = excluded.latitude, longitude = excluded.longitude, region_code = excluded.region_code
                    """, arguments: [item.id, device, item.parentID, item.manufacturer, item.model, item.civilCode, item.status, placed, now.ms,
                                     item.name, item.latitude, item.longitude, region])
                var wanted = Camera(id: item.id, name: item.name.isEmpty ? item.id : item.name, regionCode: region,
                                    lat: item.latitude, lon: item.longitude, enabled: true, source: source, at: now)
                if let existing = try CameraRow.fetchOne(db, key: item.id)?.value {
                    // An inventory's (or the shell's) camera: its fields win.
                    guard existing.source == source || existing.source?.hasPrefix("gb28181:") == true else { continue }
                    wanted.url = existing.url; wanted.recordings = existing.recordings; wanted.timezone = existing.timezone
                    wanted.pathPattern = existing.pathPattern; wanted.pathTimezone = existing.pathTimezone
                    wanted.qualityThresholds = existing.qualityThresholds
                    let diff = wanted.differences(from: existing)
                    guard !diff.isEmpty else { continue }
                    wanted.createdAtMs = existing.createdAtMs
                    try CameraRow(wanted).update(db)
                    changes.append(.init(kind: .cameraUpdated, subject: item.id, detail: "\(wanted.name): \(diff.joined(separator: ", "))", location: at))
                } else {
                    try CameraRow(wanted).insert(db)
                    changes.append(.init(kind: .cameraAdded, subject: item.id, detail: "\(wanted.name) in \(region)", location: at))
                }
            }
            guard complete else { return }
            let gone = try CameraRow.filter(CameraRow.Columns.source == source && CameraRow.Columns.enabled == true)
                .fetchAll(db).map(\.value).filter { !listed.contains($0.id) }
            for var camera in gone {
                camera.enabled = false
                camera.updatedAtMs = now.ms
                try CameraRow(camera).update(db)
                changes.append(.init(kind: .cameraDisabled, subject: camera.id, detail: "\(camera.name): no longer in \(source)'s catalog", location: nil))
            }
        }
        return changes
    }

    /// A device's answer to RecordInfo for `camera` over `range`: what it lists there replaces
    /// what it listed before (clipped to the range; a span crossing its edge keeps its outer part).
    public func replaceDeviceRecordings(cameraID: String, device: String, range: Interval, spans: [Interval]) throws {
        let now = clock.now()
        try write { db in
            // Rows crossing the range's edges are cut to what lies outside it.
            let crossing = try Row.fetchAll(db, sql: """
                SELECT start_ms, end_ms, device_id, asked_at_ms FROM device_recording WHERE camera_id = ? AND start_ms < ? AND end_ms > ?
                """, arguments: [cameraID, range.end.ms, range.start.ms])
            try db.execute(sql: "DELETE FROM device_recording WHERE camera_id = ? AND start_ms < ? AND end_ms > ?",
                           arguments: [cameraID, range.end.ms, range.start.ms])
            var rows: [(Int64, Int64, String, Int64)] = []
            for r in crossing {
                let (s, e): (Int64, Int64) = (r[0], r[1])
                if s < range.start.ms { rows.append((s, range.start.ms, r[2], r[3])) }
                if e > range.end.ms { rows.append((range.end.ms, e, r[2], r[3])) }
            }
            // Cut at UTC midnight, as footage windows are: a kept answer's read bounds its rows by a day.
            let clipped = spans.compactMap { $0.clipped(to: range) }.map { FootageSpan($0, verified: false) }
            for c in Windows.chunkedByDay(clipped) { rows.append((c.interval.start.ms, c.interval.end.ms, device, now.ms)) }
            for (s, e, d, at) in rows where e > s {
                try db.execute(sql: """
                    INSERT INTO device_recording (camera_id, start_ms, end_ms, device_id, asked_at_ms) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT DO UPDATE SET device_id = excluded.device_id, asked_at_ms = excluded.asked_at_ms
                    """, arguments: [cameraID, s, e, d, at])
            }
        }
    }

    public func deviceRecordings(cameraIDs: [String], range: Interval) throws -> [String: [Interval]] {
        try read { db in
            var out: [String: [Interval]] = [:]
            for batch in Self.batches(cameraIDs) {
                let rows = try Row.fetchCursor(db.cachedStatement(sql: """
                    SELECT camera_id, start_ms, end_ms FROM device_recording
                    WHERE camera_id IN (\(Self.placeholders(batch.count))) AND start_ms < ? AND end_ms > ? ORDER BY camera_id, start_ms
                    """), arguments: StatementArguments(batch) + [range.end.ms, range.start.ms])
                while let row = try rows.next() { out[row[0], default: []].append(Interval(startMs: row[1], endMs: row[2])) }
            }
            return out
        }
    }

    /// The catalog's view of each camera it lists (of one device, or all), with the registry's camera.
    public func gbChannels(device: String?) throws -> [(camera: Camera, channel: GBChannelState)] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM gb_channel" + (device == nil ? "" : " WHERE device_id = ?") + " ORDER BY camera_id",
                                        arguments: device.map { [$0] } ?? [])
            return try rows.compactMap { r -> (Camera, GBChannelState)? in
                guard let camera = try CameraRow.fetchOne(db, key: r["camera_id"] as String)?.value else { return nil }
                return (camera, try Self.channelState(db, r))
            }
        }
    }

    // MARK: requests a shell leaves for the daemon

    public func addGBRequest(device: String, askedBy: String) throws -> Int64 {
        let now = clock.now()
        return try write { db in
            try db.execute(sql: "INSERT INTO gb_request (device_id, asked_by, asked_at_ms) VALUES (?, ?, ?)", arguments: [device, askedBy, now.ms])
            return db.lastInsertedRowID
        }
    }

    /// Requests not yet taken, asked since `since` (older ones nobody took are left alone).
    public func openGBRequests(since: Instant) throws -> [GBRequest] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT * FROM gb_request WHERE done_at_ms IS NULL AND taken_at_ms IS NULL AND asked_at_ms >= ? ORDER BY id",
                             arguments: [since.ms]).map(Self.gbRequest)
        }
    }

    /// Takes a request for this daemon; false when another took it first.
    public func takeGBRequest(_ id: Int64) throws -> Bool {
        let now = clock.now()
        return try write { db in
            try db.execute(sql: "UPDATE gb_request SET taken_at_ms = ? WHERE id = ? AND taken_at_ms IS NULL AND done_at_ms IS NULL", arguments: [now.ms, id])
            return db.changesCount == 1
        }
    }

    public func finishGBRequest(_ id: Int64, outcome: GBCatalogOutcome) throws {
        let now = clock.now()
        let json = String(decoding: try JSONEncoder().encode(outcome), as: UTF8.self)
        try write { db in
            try db.execute(sql: "UPDATE gb_request SET done_at_ms = ?, outcome = ? WHERE id = ? AND done_at_ms IS NULL", arguments: [now.ms, json, id])
        }
    }

    public func gbRequest(_ id: Int64) throws -> GBRequest? {
        try read { db in try Row.fetchOne(db, sql: "SELECT * FROM gb_request WHERE id = ?", arguments: [id]).map(Self.gbRequest) }
    }

    private static func gbRequest(_ r: Row) -> GBRequest {
        GBRequest(id: r["id"], device: r["device_id"], askedBy: r["asked_by"], askedAt: Instant(ms: r["asked_at_ms"]),
                  takenAt: (r["taken_at_ms"] as Int64?).map { Instant(ms: $0) }, doneAt: (r["done_at_ms"] as Int64?).map { Instant(ms: $0) },
                  outcome: (r["outcome"] as String?).flatMap { try? JSONDecoder().decode(GBCatalogOutcome.self, from: Data($0.utf8)) })
    }

    private static func gbDevice(_ r: Row) -> GBDevice {
        GBDevice(id: r["id"], address: r["address"],
                 presence: GBPresence(registeredAt: Instant(ms: r["registered_at_ms"]), expiresAt: Instant(ms: r["expires_at_ms"]),
                                      lastKeepalive: (r["last_keepalive_ms"] as Int64?).map { Instant(ms: $0) },
                                      keepaliveIntervalMs: r["keepalive_interval_ms"]),
                 online: r["online"], since: Instant(ms: r["since_ms"]), reason: r["reason"],
                 catalogAt: (r["catalog_at_ms"] as Int64?).map { Instant(ms: $0) }, catalogExpected: r["catalog_expected"],
                 catalogReceived: r["catalog_received"], clockOffsetMs: r["clock_offset_ms"],
                 clockAt: (r["clock_at_ms"] as Int64?).map { Instant(ms: $0) })
    }
}
