import CamindexCore
import Foundation

/// A GB/T 28181 device or lower platform as `gb devices --format json` shows it.
public struct GBDeviceJSON: Encodable, Sendable {
    struct Catalog: Encodable, Sendable { var at: String; var sum_num, received: Int? }
    var id: String
    var address: String
    var online: Bool
    var since: String
    var reason: String?
    var registered_at, expires_at: String
    var last_keepalive: String?
    var keepalive_interval_seconds: Double
    var catalog: Catalog?
    /// Its clock (DeviceStatus) minus camindex's, and when that was asked.
    var clock_offset_seconds: Double?
    var clock_at: String?

    public init(_ d: GBDevice, zone: TimeZone) {
        func t(_ i: Instant) -> String { TimeFormat.rfc3339(i, in: zone) }
        id = d.id; address = d.address; online = d.online; since = t(d.since); reason = d.reason
        registered_at = t(d.presence.registeredAt); expires_at = t(d.presence.expiresAt)
        last_keepalive = d.presence.lastKeepalive.map(t)
        keepalive_interval_seconds = Double(d.presence.keepaliveIntervalMs) / 1000
        catalog = d.catalogAt.map { Catalog(at: t($0), sum_num: d.catalogExpected, received: d.catalogReceived) }
        clock_offset_seconds = d.clockOffsetMs.map { JSONValues.seconds(ms: $0) }
        clock_at = d.clockAt.map(t)
    }
}

/// What `gb catalog DEVICE` brought: the catalog asked now, as the daemon applied it.
public struct GBCatalogOutcomeJSON: Encodable, Sendable {
    var device: String
    var request: Int64
    var sum_num, received, channels: Int
    var timed_out: Bool
    var changes: [InventoryChange]
    var unplaced: [String]

    public init(_ r: GBRequest, _ o: GBCatalogOutcome) {
        device = r.device; request = r.id; sum_num = o.expected; received = o.received; channels = o.channels
        timed_out = o.timedOut; changes = o.changes; unplaced = o.unplaced
    }
}

/// One field on which the registry and a catalog disagree.
public struct GBCatalogDifferenceJSON: Encodable, Sendable {
    var camera, field: String
    var registry, catalog: String?

    public init(_ d: GBCatalogDifference) { camera = d.cameraID; field = d.field; registry = d.registry; catalog = d.catalog }
}
