import CamindexCore
import CamindexStore

/// What a catalog did to the registry.
public struct GBCatalogSync: Sendable {
    public var device: String
    /// SumNum, and the items that came.
    public var expected: Int
    public var received: Int
    /// Items that are pictures (types 131, 132), and of those the ones only the county could place.
    public var channels: Int
    public var unplaced: [String]
    public var changes: [InventoryChange]
    public var complete: Bool { received >= expected }
}

/// GB/T 28181 devices and lower platforms (the daemon's `--sip`): registrations, keepalives
/// and catalogs as registry writes. Only the daemon (or the shell) calls these; a signed-in
/// user reads devices.
extension IndexService {
    public func gbDevices() throws -> [GBDevice] {
        try require(.cameras)
        return try countyStore().gbDevices()
    }

    public func gbDevice(id: String) throws -> GBDevice? {
        try require(.cameras)
        return try countyStore().gbDevice(id: id)
    }

    /// Gives a device its own SIP password for the platform whose realm is `realm`: kept as the
    /// digest's HA1 (MD5 of id:realm:password), never in clear.
    public func gbSetPassword(device: String, realm: String, password: String) throws {
        try requireShell("set GB/T 28181 passwords")
        guard (try? CameraID(device))?.gb28181 != nil else {
            throw CamindexError.usage("'\(Names.printable(device))' is not a 20-digit GB/T 28181 ID", code: .cameraInvalid, value: device)
        }
        guard !password.isEmpty else { throw CamindexError.usage("an empty SIP password", code: .gbListen, value: device) }
        try countyStore().setGBCredential(device: device, realm: realm, ha1: GBDigest.ha1(user: device, realm: realm, password: password))
        audit("gb password", reason: nil, cameras: [], result: "\(device): its own SIP password set")
    }

    /// The HA1 a device's digest is checked with, when it has its own password.
    public func gbCredential(device: String, realm: String) throws -> String? {
        try requireShell("register GB/T 28181 devices")
        return try countyStore().gbCredential(device: device, realm: realm)
    }

    /// A device registered or refreshed its registration from `address`.
    @discardableResult
    public func gbRegistered(device id: String, address: String, expiresS: Int, keepaliveIntervalMs: Int64) throws -> GBDevice {
        try requireShell("register GB/T 28181 devices")
        let store = try countyStore()
        let now = clock.now()
        let presence = GBPresence(registeredAt: now, expiresAt: Instant(ms: now.ms + Int64(expiresS) * 1000), lastKeepalive: now,
                                  keepaliveIntervalMs: keepaliveIntervalMs)
        var device = try store.gbDevice(id: id) ?? GBDevice(id: id, address: address, presence: presence, online: false, since: now)
        let wasOnline = device.online
        device.address = address
        device.presence = presence
        if !wasOnline { device.online = true; device.since = now; device.reason = nil }
        try store.saveGBDevice(device)
        try store.gbPresenceSeen(device: id, at: now, continuing: wasOnline)
        if !wasOnline { audit("gb register", reason: nil, cameras: [], result: "\(id) online from \(address), registration for \(expiresS) s") }
        return device
    }

    /// A device said it leaves (REGISTER with Expires 0).
    public func gbUnregistered(device id: String) throws {
        try requireShell("register GB/T 28181 devices")
        let store = try countyStore()
        guard var device = try store.gbDevice(id: id) else { return }
        let now = clock.now()
        device.presence.expiresAt = now
        if device.online {
            device.online = false; device.since = now; device.reason = "unregistered"
            audit("gb offline", reason: nil, cameras: [], result: "\(id) offline: unregistered")
        }
        try store.saveGBDevice(device)
    }

    /// A keepalive from a device: false when it is not registered (it should register again).
    public func gbKeepalive(device id: String, address: String) throws -> Bool {
        try requireShell("register GB/T 28181 devices")
        let store = try countyStore()
        let now = clock.now()
        guard var device = try store.gbDevice(id: id), now < device.presence.expiresAt else { return false }
        device.presence.lastKeepalive = now
        device.address = address
        try store.gbPresenceSeen(device: id, at: now, continuing: device.online)
        if !device.online {
            device.online = true; device.since = now; device.reason = nil
            audit("gb register", reason: nil, cameras: [], result: "\(id) online again: keepalive from \(address)")
        }
        try store.saveGBDevice(device)
        return true
    }

    /// Marks offline the devices whose registration expired or whose keepalives stopped;
    /// returns those that went offline now.
    public func gbSweepPresence() throws -> [GBDevice] {
        try requireShell("register GB/T 28181 devices")
        let store = try countyStore()
        let now = clock.now()
        var went: [GBDevice] = []
        for var device in try store.gbDevices() where device.online {
            guard let why = device.presence.offlineReason(at: now) else { continue }
            device.online = false; device.since = now; device.reason = why
            try store.saveGBDevice(device)
            audit("gb offline", reason: nil, cameras: [], result: "\(device.id) offline: \(why)")
            went.append(device)
        }
        return went
    }

    /// A device's catalog (all its answers, or those that came before the deadline) into the
    /// registry: each picture channel a camera placed by its CivilCode (`GBPlacement`).
    public func gbCatalog(device id: String, items: [GBCatalogItem], expected: Int, datum: GBDatum = .wgs84) throws -> GBCatalogSync {
        try requireShell("register GB/T 28181 devices")
        let store = try countyStore()
        guard let county = try topRegion() else {
            throw CamindexError.usage("the store has no region: add the county first ('camindex region add CODE NAME'), then the catalog of \(id) can place its cameras",
                                      code: .regionUnknown, value: id)
        }
        let countyCode = String(county.code.prefix(6))
        let known = Set(try store.regionList(under: nil).map(\.code))
        var byID: [String: GBCatalogItem] = [:]
        for var item in items {
            (item.latitude, item.longitude) = datum.wgs84(lat: item.latitude, lon: item.longitude)
            byID[item.id] = item
        }
        let channels = byID.values.filter(\.isVideoChannel).sorted { $0.id < $1.id }
        let placed = channels.map { item -> (item: GBCatalogItem, region: String, placed: Bool) in
            let p = GBPlacement.region(of: item, in: byID, county: countyCode, known: known.contains)
            return (item, known.contains(p.code) ? p.code : county.code, p.placed)
        }
        let complete = byID.count >= expected
        let changes = try store.syncGBCatalog(device: id, channels: placed, complete: complete)
        if var device = try store.gbDevice(id: id) {
            device.catalogAt = clock.now(); device.catalogExpected = expected; device.catalogReceived = byID.count
            try store.saveGBDevice(device)
        }
        let sync = GBCatalogSync(device: id, expected: expected, received: byID.count, channels: channels.count,
                                 unplaced: placed.filter { !$0.placed }.map(\.item.id), changes: changes)
        audit("gb catalog", reason: nil, cameras: channels.map(\.id),
              result: "\(id): \(byID.count) of \(expected) items, \(channels.count) channels, \(changes.count) changes"
                  + (complete ? "" : " (incomplete: nothing disabled)"))
        return sync
    }

    /// A device's RecordInfo answer for one of its cameras over `range`: the footage it keeps
    /// there, replacing what it said of that range before.
    public func gbRecordings(device: String, cameraID: String, range: Interval, spans: [Interval]) throws {
        try requireShell("register GB/T 28181 devices")
        try countyStore().replaceDeviceRecordings(cameraID: cameraID, device: device, range: range, spans: spans)
    }

    /// The enabled cameras a device's catalog brought (the channels to ask RecordInfo of).
    public func gbCameras(device: String) throws -> [Camera] {
        try requireShell("register GB/T 28181 devices")
        let source = Store.gbSource(device: device)
        return try countyStore().cameras().filter { $0.source == source }
    }

    /// The device's clock as its DeviceStatus answer gave it (DeviceTime), against camindex's
    /// at the answer: the 校时 check's offset for its channels no probe measures.
    public func gbClock(device id: String, deviceTime: Instant, at: Instant) throws {
        try requireShell("register GB/T 28181 devices")
        let store = try countyStore()
        guard var device = try store.gbDevice(id: id) else { return }
        device.clockOffsetMs = deviceTime.ms - at.ms
        device.clockAt = at
        try store.saveGBDevice(device)
    }

    // MARK: a catalog now, asked from the shell and done by the daemon

    /// Leaves a request for the daemon's SIP side to ask `device` for its catalog now.
    public func gbAskCatalog(device: String) throws -> GBRequest {
        try requireShell("ask GB/T 28181 devices for their catalogs")
        guard (try? CameraID(device))?.gb28181 != nil else {
            throw CamindexError.usage("'\(Names.printable(device))' is not a 20-digit GB/T 28181 ID", code: .gbInvalid, value: device)
        }
        let store = try countyStore()
        guard try store.gbDevice(id: device) != nil else {
            throw CamindexError.usage("\(device) has never registered with this store's daemon ('camindex gb devices' lists those that have)",
                                      code: .gbUnknown, value: device)
        }
        let id = try store.addGBRequest(device: device, askedBy: caller.name)
        audit("gb catalog request", reason: nil, cameras: [], result: "\(device): catalog asked (request \(id))")
        return try store.gbRequest(id)!
    }

    public func gbRequest(id: Int64) throws -> GBRequest? {
        try require(.cameras)
        return try countyStore().gbRequest(id)
    }

    /// The daemon's side: requests left in the last two minutes that no daemon took yet.
    public func gbOpenRequests() throws -> [GBRequest] {
        try requireShell("answer GB/T 28181 requests")
        return try countyStore().openGBRequests(since: Instant(ms: clock.now().ms - 120_000))
    }

    public func gbTakeRequest(_ id: Int64) throws -> Bool {
        try requireShell("answer GB/T 28181 requests")
        return try countyStore().takeGBRequest(id)
    }

    public func gbFinishRequest(_ id: Int64, outcome: GBCatalogOutcome) throws {
        try requireShell("answer GB/T 28181 requests")
        try countyStore().finishGBRequest(id, outcome: outcome)
    }

    /// Where the registry and the devices' catalogs disagree (one device's, or all): an
    /// inventory's fields won, the catalog's are kept beside them.
    public func gbCatalogDifferences(device: String?) throws -> [GBCatalogDifference] {
        try require(.cameras)
        return try countyStore().gbChannels(device: device).flatMap { $0.channel.differences(from: $0.camera) }
    }
}
