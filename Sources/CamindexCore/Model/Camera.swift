import Foundation

/// A registered camera. `url` holds the password in clear: the registry is the only place it
/// is kept, and everything shown to people or programs goes through `redactedURL`.
public struct Camera: Codable, Hashable, Sendable {
    public var id: String
    public var name: String
    public var regionCode: String
    public var url: String?
    public var recordings: String?
    public var lat: Double?
    public var lon: Double?
    public var timezone: String
    public var pathPattern: String?
    public var pathTimezone: String?
    public var enabled: Bool
    /// The inventory file the camera came from; nil when added from the command line.
    public var source: String?
    /// Picture-quality thresholds that differ from the defaults, by name (`PictureThresholds.names`).
    public var qualityThresholds: [String: Double] = [:]
    public var createdAtMs: Int64
    public var updatedAtMs: Int64

    public init(id: String, name: String, regionCode: String, url: String? = nil, recordings: String? = nil,
                lat: Double? = nil, lon: Double? = nil, timezone: String = Zones.defaultIdentifier,
                pathPattern: String? = nil, pathTimezone: String? = nil, enabled: Bool = true, source: String? = nil,
                at now: Instant) {
        self.id = id
        self.name = name
        self.regionCode = regionCode
        self.url = url
        self.recordings = recordings
        self.lat = lat
        self.lon = lon
        self.timezone = timezone
        self.pathPattern = pathPattern
        self.pathTimezone = pathTimezone
        self.enabled = enabled
        self.source = source
        createdAtMs = now.ms
        updatedAtMs = now.ms
    }

    /// The thresholds its pictures are judged by. Overrides were checked when they were set.
    public var pictureThresholds: PictureThresholds { (try? PictureThresholds(overrides: qualityThresholds)) ?? PictureThresholds() }

    public var redactedURL: String? { url.map(Redaction.redactURL) }

    public var zone: TimeZone { TimeZone(identifier: timezone) ?? TimeZone(identifier: Zones.defaultIdentifier)! }

    public var coordinate: Coordinate? {
        guard let lat, let lon else { return nil }
        return try? Coordinate(lat: lat, lon: lon)
    }

    /// The fields an inventory or an update can change, for diffs.
    public func differences(from other: Camera) -> [String] {
        var out: [String] = []
        if name != other.name { out.append("name") }
        if regionCode != other.regionCode { out.append("region") }
        if url != other.url { out.append("url") }
        if recordings != other.recordings { out.append("recordings") }
        if lat != other.lat || lon != other.lon { out.append("location") }
        if timezone != other.timezone { out.append("timezone") }
        if pathPattern != other.pathPattern { out.append("path_pattern") }
        if pathTimezone != other.pathTimezone { out.append("path_timezone") }
        if enabled != other.enabled { out.append(enabled ? "enabled" : "disabled") }
        if source != other.source { out.append("source") }
        if qualityThresholds != other.qualityThresholds { out.append("quality_thresholds") }
        return out
    }
}
