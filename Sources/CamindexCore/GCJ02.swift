import Foundation

/// China's GCJ-02 datum (火星坐标, what 高德 and many platforms' maps use) and WGS84: the
/// published obfuscation on the Krasovsky ellipsoid; outside China both are the same.
public enum GCJ02 {
    static let a = 6378245.0
    static let ee = 0.00669342162296594323

    public static func inChina(lat: Double, lon: Double) -> Bool {
        (72.004...137.8347).contains(lon) && (0.8293...55.8271).contains(lat)
    }

    /// A WGS84 point as GCJ-02 shows it.
    public static func fromWGS84(lat: Double, lon: Double) -> (lat: Double, lon: Double) {
        guard inChina(lat: lat, lon: lon) else { return (lat, lon) }
        let (dLat, dLon) = delta(lat: lat, lon: lon)
        return (lat + dLat, lon + dLon)
    }

    /// A GCJ-02 point in WGS84: the forward shift inverted by iteration, to well under a
    /// centimetre (1e-9 degrees).
    public static func toWGS84(lat: Double, lon: Double) -> (lat: Double, lon: Double) {
        guard inChina(lat: lat, lon: lon) else { return (lat, lon) }
        var w = (lat: lat, lon: lon)
        for _ in 0..<30 {
            let g = fromWGS84(lat: w.lat, lon: w.lon)
            let e = (lat: lat - g.lat, lon: lon - g.lon)
            w = (w.lat + e.lat, w.lon + e.lon)
            if abs(e.lat) < 1e-9 && abs(e.lon) < 1e-9 { break }
        }
        return w
    }

    static func delta(lat: Double, lon: Double) -> (Double, Double) {
        let x = lon - 105.0, y = lat - 35.0
        let common = (20.0 * sin(6.0 * x * .pi) + 20.0 * sin(2.0 * x * .pi)) * 2.0 / 3.0
        var dLat = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * sqrt(abs(x)) + common
        dLat += (20.0 * sin(y * .pi) + 40.0 * sin(y / 3.0 * .pi)) * 2.0 / 3.0
        dLat += (160.0 * sin(y / 12.0 * .pi) + 320.0 * sin(y * .pi / 30.0)) * 2.0 / 3.0
        var dLon = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * sqrt(abs(x)) + common
        dLon += (20.0 * sin(x * .pi) + 40.0 * sin(x / 3.0 * .pi)) * 2.0 / 3.0
        dLon += (150.0 * sin(x / 12.0 * .pi) + 300.0 * sin(x / 30.0 * .pi)) * 2.0 / 3.0
        let rad = lat / 180.0 * .pi
        var magic = sin(rad)
        magic = 1 - ee * magic * magic
        let sqrtMagic = sqrt(magic)
        return (dLat * 180.0 / ((a * (1 - ee)) / (magic * sqrtMagic) * .pi),
                dLon * 180.0 / (a / sqrtMagic * cos(rad) * .pi))
    }
}
