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

    public init(_ d: GBDevice, zone: TimeZone) {
        func t(_ i: Instant) -> String { TimeFormat.rfc3339(i, in: zone) }
        id = d.id; address = d.address; online = d.online; since = t(d.since); reason = d.reason
        registered_at = t(d.presence.registeredAt); expires_at = t(d.presence.expiresAt)
        last_keepalive = d.presence.lastKeepalive.map(t)
        keepalive_interval_seconds = Double(d.presence.keepaliveIntervalMs) / 1000
        catalog = d.catalogAt.map { Catalog(at: t($0), sum_num: d.catalogExpected, received: d.catalogReceived) }
    }
}
