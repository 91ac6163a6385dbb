import Crypto

/// One item of a GB/T 28181 catalog (目录): a channel, an NVR, a business group or a
/// virtual organisation, as a device or a lower platform lists it.
public struct GBCatalogItem: Sendable, Hashable {
    public var id: String
    public var name: String
    public var manufacturer: String?
    public var model: String?
    /// 6, 9 or 12 digits: county, township, village (行政区划); often only the county's.
    public var civilCode: String?
    public var parentID: String?
    public var longitude: Double?
    public var latitude: Double?
    /// ON or OFF as the device says.
    public var status: String?

    public init(id: String, name: String, manufacturer: String? = nil, model: String? = nil, civilCode: String? = nil,
                parentID: String? = nil, longitude: Double? = nil, latitude: Double? = nil, status: String? = nil) {
        self.id = id; self.name = name; self.manufacturer = manufacturer; self.model = model; self.civilCode = civilCode
        self.parentID = parentID; self.longitude = longitude; self.latitude = latitude; self.status = status
    }

    /// The type digits of its ID (11–13), when it is a 20-digit ID.
    public var typeCode: String? { (try? CameraID(id))?.gb28181?.typeCode }

    /// A picture: a camera or an IPC (an NVR's channels carry these types too).
    public var isVideoChannel: Bool { typeCode == "131" || typeCode == "132" }

    /// Whether the device says the channel works (`ON`; some send `ONLINE` or `OK`).
    public var statusOn: Bool? { Self.isOn(status: status) }

    public static func isOn(status: String?) -> Bool? {
        guard let s = status?.uppercased() else { return nil }
        return s == "ON" || s == "ONLINE" || s == "OK"
    }
}

/// Where a catalog's channel goes in the registry, as plain rules over the codes the store knows.
public enum GBPlacement {
    /// The region a channel belongs to: its CivilCode when that names a township or village,
    /// else the nearest parent's (a business group or an NVR above it, by ParentID) that does;
    /// each taken as the deepest region of the store on its path. `placed` is false when only
    /// the county could be named: `camera list --unplaced` lists those.
    public static func region(of item: GBCatalogItem, in items: [String: GBCatalogItem], county: String,
                              known: (String) -> Bool) -> (code: String, placed: Bool) {
        var seen = Set<String>()
        var current: GBCatalogItem? = item
        while let c = current, seen.insert(c.id).inserted {
            if let civil = c.civilCode, let code = deepestKnown(civil, known), code.count > 6, code.hasPrefix(county) { return (code, true) }
            current = c.parentID.flatMap { items[$0] }
        }
        return (county, false)
    }

    /// The deepest region of `code`'s path (12 → 9 → 6 digits) that the store has.
    static func deepestKnown(_ code: String, _ known: (String) -> Bool) -> String? {
        let digits = code.filter(\.isNumber)
        for n in [12, 9, 6] where digits.count >= n {
            let prefix = String(digits.prefix(n))
            if known(prefix) { return prefix }
        }
        return nil
    }
}

/// A device's registration and keepalives, judged at an instant: WVP's rule, offline after
/// three missed keepalives or when the registration expires.
public struct GBPresence: Sendable, Hashable {
    public var registeredAt: Instant
    public var expiresAt: Instant
    public var lastKeepalive: Instant?
    public var keepaliveIntervalMs: Int64

    public static let missedKeepalives: Int64 = 3

    public init(registeredAt: Instant, expiresAt: Instant, lastKeepalive: Instant? = nil, keepaliveIntervalMs: Int64 = 60_000) {
        self.registeredAt = registeredAt; self.expiresAt = expiresAt; self.lastKeepalive = lastKeepalive
        self.keepaliveIntervalMs = keepaliveIntervalMs
    }

    /// nil while online; else why not.
    public func offlineReason(at now: Instant) -> String? {
        if now >= expiresAt { return "registration expired" }
        let last = lastKeepalive ?? registeredAt
        if now.ms - last.ms > Self.missedKeepalives * keepaliveIntervalMs {
            return "\(Self.missedKeepalives) keepalives missed (none for \((now.ms - last.ms) / 1000) s)"
        }
        return nil
    }
}

/// A device or lower platform as the registry keeps it.
public struct GBDevice: Sendable, Hashable {
    public var id: String
    /// Where its requests came from (host:port, UDP): where queries to it go.
    public var address: String
    public var presence: GBPresence
    public var online: Bool
    public var since: Instant
    public var reason: String?
    public var catalogAt: Instant?
    /// SumNum of its last catalog, and how many items came.
    public var catalogExpected: Int?
    public var catalogReceived: Int?
    /// Its clock (DeviceStatus' DeviceTime) minus camindex's when it answered, and when (校时).
    public var clockOffsetMs: Int64?
    public var clockAt: Instant?

    public init(id: String, address: String, presence: GBPresence, online: Bool, since: Instant, reason: String? = nil,
                catalogAt: Instant? = nil, catalogExpected: Int? = nil, catalogReceived: Int? = nil,
                clockOffsetMs: Int64? = nil, clockAt: Instant? = nil) {
        self.id = id; self.address = address; self.presence = presence; self.online = online; self.since = since
        self.reason = reason; self.catalogAt = catalogAt; self.catalogExpected = catalogExpected; self.catalogReceived = catalogReceived
        self.clockOffsetMs = clockOffsetMs; self.clockAt = clockAt
    }
}

/// A camera a GB/T 28181 catalog lists: what the catalog said, and the device's presence.
public struct GBChannelState: Sendable, Hashable {
    public var deviceID: String
    public var device: GBDevice?
    /// The catalog's name, position (WGS84, converted when the platform sends GCJ-02) and the
    /// region its CivilCode gave: beside the registry's, which an inventory may set otherwise.
    public var name: String?
    public var latitude: Double?
    public var longitude: Double?
    public var regionCode: String?
    public var parentID: String?
    public var manufacturer: String?
    public var model: String?
    public var civilCode: String?
    /// ON/OFF as the last catalog said, and when that was.
    public var status: String?
    public var placed: Bool
    public var updatedAt: Instant

    public init(deviceID: String, device: GBDevice?, parentID: String?, manufacturer: String?, model: String?, civilCode: String?,
                status: String?, placed: Bool, updatedAt: Instant,
                name: String? = nil, latitude: Double? = nil, longitude: Double? = nil, regionCode: String? = nil) {
        self.name = name; self.latitude = latitude; self.longitude = longitude; self.regionCode = regionCode
        self.deviceID = deviceID; self.device = device; self.parentID = parentID; self.manufacturer = manufacturer; self.model = model
        self.civilCode = civilCode; self.status = status; self.placed = placed; self.updatedAt = updatedAt
    }

    /// Online as GB/T 28181 sees it: the device registered and keeping alive, the channel ON.
    public var online: Bool { (device?.online ?? false) && (GBCatalogItem.isOn(status: status) ?? true) }

    /// Where the registry's camera and this catalog disagree (an inventory's fields won).
    public func differences(from camera: Camera) -> [GBCatalogDifference] {
        var out: [GBCatalogDifference] = []
        func add(_ field: String, _ registry: String?, _ catalog: String?) {
            if registry != catalog { out.append(.init(cameraID: camera.id, field: field, registry: registry, catalog: catalog)) }
        }
        if let name, !name.isEmpty { add("name", camera.name, name) }
        if let regionCode { add("region", camera.regionCode, regionCode) }
        // Positions agree within a metre or so (1e-5 degrees).
        func coordinate(_ v: Double?) -> String? { v.map { String(format: "%.5f", $0) } }
        if latitude != nil || longitude != nil {
            add("lat", coordinate(camera.lat), coordinate(latitude))
            add("lon", coordinate(camera.lon), coordinate(longitude))
        }
        return out
    }
}

/// RFC 2617's digest pieces a platform keeps and checks with.
public enum GBDigest {
    /// HA1, what stands for a device's password: MD5 of `user:realm:password`.
    public static func ha1(user: String, realm: String, password: String) -> String { md5("\(user):\(realm):\(password)") }

    public static func md5(_ s: String) -> String {
        let digits = Array("0123456789abcdef")
        return String(Insecure.MD5.hash(data: Array(s.utf8)).flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 0xF)]] })
    }
}

/// A GB/T 28181 channel's live facts for health and KPIs: online now (device registered and
/// keeping alive, channel ON), since when, and the device's online time within a period.
public struct GBLiveFacts: Sendable, Hashable {
    public var online: Bool
    public var since: Instant?
    public var windows: [Interval]
    /// The device's clock offset (DeviceStatus), for a channel no probe measured.
    public var clockOffsetS: Double?
    /// The device keeps footage of it (RecordInfo listed some): it counts in 录像完整率.
    public var recordsOnDevice: Bool

    public init(online: Bool, since: Instant?, windows: [Interval], clockOffsetS: Double? = nil, recordsOnDevice: Bool = false) {
        self.online = online; self.since = since; self.windows = windows
        self.clockOffsetS = clockOffsetS; self.recordsOnDevice = recordsOnDevice
    }
}

/// A field on which the registry and a device's catalog disagree (`gb catalog --diff`).
public struct GBCatalogDifference: Sendable, Hashable, Codable {
    public var cameraID: String
    public var field: String
    public var registry: String?
    public var catalog: String?

    public init(cameraID: String, field: String, registry: String?, catalog: String?) {
        self.cameraID = cameraID; self.field = field; self.registry = registry; self.catalog = catalog
    }
}

/// What a catalog asked for on demand (`gb catalog DEVICE`) brought, as the daemon records it.
public struct GBCatalogOutcome: Sendable, Hashable, Codable {
    public var expected: Int
    public var received: Int
    public var channels: Int
    public var changes: [InventoryChange]
    public var unplaced: [String]
    /// The catalog's time ran out before SumNum items came (what came was applied).
    public var timedOut: Bool
    /// Why no catalog was applied (the device is not registered, it did not answer, …), and
    /// the error code to say it with.
    public var error: String?
    public var errorCode: String?

    public init(expected: Int = 0, received: Int = 0, channels: Int = 0, changes: [InventoryChange] = [], unplaced: [String] = [],
                timedOut: Bool = false, error: String? = nil, errorCode: String? = nil) {
        self.expected = expected; self.received = received; self.channels = channels; self.changes = changes
        self.unplaced = unplaced; self.timedOut = timedOut; self.error = error; self.errorCode = errorCode
    }
}

/// A request a shell left for the daemon's SIP side (a catalog now), and its outcome once done.
public struct GBRequest: Sendable, Hashable {
    public var id: Int64
    public var device: String
    public var askedBy: String
    public var askedAt: Instant
    public var takenAt: Instant?
    public var doneAt: Instant?
    public var outcome: GBCatalogOutcome?

    public init(id: Int64, device: String, askedBy: String, askedAt: Instant, takenAt: Instant? = nil, doneAt: Instant? = nil,
                outcome: GBCatalogOutcome? = nil) {
        self.id = id; self.device = device; self.askedBy = askedBy; self.askedAt = askedAt
        self.takenAt = takenAt; self.doneAt = doneAt; self.outcome = outcome
    }
}

/// The datum a platform's catalog positions are in: WGS84 as the standard says, or GCJ-02 as
/// platforms drawn on 高德/腾讯 maps often send (converted to WGS84 on the way in).
public enum GBDatum: String, Sendable, CaseIterable {
    case wgs84, gcj02

    public func wgs84(lat: Double?, lon: Double?) -> (lat: Double?, lon: Double?) {
        guard self == .gcj02, let lat, let lon else { return (lat, lon) }
        let w = GCJ02.toWGS84(lat: lat, lon: lon)
        return (w.lat, w.lon)
    }
}
