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
    public var statusOn: Bool? {
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

    public init(id: String, address: String, presence: GBPresence, online: Bool, since: Instant, reason: String? = nil,
                catalogAt: Instant? = nil, catalogExpected: Int? = nil, catalogReceived: Int? = nil) {
        self.id = id; self.address = address; self.presence = presence; self.online = online; self.since = since
        self.reason = reason; self.catalogAt = catalogAt; self.catalogExpected = catalogExpected; self.catalogReceived = catalogReceived
    }
}

/// A camera a GB/T 28181 catalog lists: what the catalog said, and the device's presence.
public struct GBChannelState: Sendable, Hashable {
    public var deviceID: String
    public var device: GBDevice?
    public var parentID: String?
    public var manufacturer: String?
    public var model: String?
    public var civilCode: String?
    /// ON/OFF as the last catalog said, and when that was.
    public var status: String?
    public var placed: Bool
    public var updatedAt: Instant

    public init(deviceID: String, device: GBDevice?, parentID: String?, manufacturer: String?, model: String?, civilCode: String?,
                status: String?, placed: Bool, updatedAt: Instant) {
        self.deviceID = deviceID; self.device = device; self.parentID = parentID; self.manufacturer = manufacturer; self.model = model
        self.civilCode = civilCode; self.status = status; self.placed = placed; self.updatedAt = updatedAt
    }

    /// Online as GB/T 28181 sees it: the device registered and keeping alive, the channel ON.
    public var online: Bool { (device?.online ?? false) && (GBCatalogItem(id: deviceID, name: "", status: status).statusOn ?? true) }
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

    public init(online: Bool, since: Instant?, windows: [Interval]) {
        self.online = online; self.since = since; self.windows = windows
    }
}
