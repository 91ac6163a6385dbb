import Foundation

public struct Coordinate: Hashable, Sendable {
    public var lat: Double
    public var lon: Double

    public init(lat: Double, lon: Double) throws(CamindexError) {
        guard (-90...90).contains(lat) else { throw .usage("latitude \(lat) is outside -90...90", code: .coordinateInvalid) }
        guard (-180...180).contains(lon) else { throw .usage("longitude \(lon) is outside -180...180", code: .coordinateInvalid) }
        self.lat = lat
        self.lon = lon
    }

    /// Parses `LAT,LON` as given to `--near`.
    public init(parsing text: String) throws(CamindexError) {
        let parts = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard parts.count == 2, let lat = Double(parts[0]), let lon = Double(parts[1]) else {
            throw .usage("invalid coordinate '\(text)': expected LAT,LON in decimal degrees, e.g. 39.14,100.16", code: .coordinateInvalid)
        }
        try self.init(lat: lat, lon: lon)
    }

    /// Great-circle distance in metres (haversine, mean Earth radius).
    public func distance(to other: Coordinate) -> Double {
        let r = 6_371_008.8
        let φ1 = lat * .pi / 180, φ2 = other.lat * .pi / 180
        let dφ = (other.lat - lat) * .pi / 180, dλ = (other.lon - lon) * .pi / 180
        let a = sin(dφ / 2) * sin(dφ / 2) + cos(φ1) * cos(φ2) * sin(dλ / 2) * sin(dλ / 2)
        return 2 * r * asin(min(1, sqrt(a)))
    }

    /// Latitude and longitude ranges holding every point within `radiusM` metres (a little
    /// more, never less): a box an index can scan before the exact distance is checked.
    /// Near a pole, or when the box would cross ±180°, every longitude.
    public func boundingBox(radiusM: Double) -> (lat: ClosedRange<Double>, lon: ClosedRange<Double>) {
        let r = 6_371_008.8
        let dLat = radiusM / r * 180 / .pi * 1.001
        let lat = max(-90, self.lat - dLat)...min(90, self.lat + dLat)
        let cosLat = cos(max(abs(lat.lowerBound), abs(lat.upperBound)) * .pi / 180)
        guard cosLat > 1e-6 else { return (lat, -180...180) }
        let dLon = dLat / cosLat
        guard lon - dLon >= -180, lon + dLon <= 180 else { return (lat, -180...180) }
        return (lat, (lon - dLon)...(lon + dLon))
    }
}
