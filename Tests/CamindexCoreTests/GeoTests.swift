import Testing
@testable import CamindexCore

@Suite struct CoordinateTests {
    @Test func parsesLatLon() throws {
        let c = try Coordinate(parsing: "39.1412,100.1646")
        #expect(c.lat == 39.1412)
        #expect(c.lon == 100.1646)
        #expect(try Coordinate(parsing: " 39.1412 , 100.1646 ") == c)
        #expect(try Coordinate(parsing: "-33.8688,-151.2093") == Coordinate(lat: -33.8688, lon: -151.2093))
        #expect(try Coordinate(parsing: "90,180") == Coordinate(lat: 90, lon: 180))
        #expect(try Coordinate(parsing: "-90,-180") == Coordinate(lat: -90, lon: -180))
    }

    @Test(arguments: [
        ("91,0", "latitude 91.0 is outside -90...90"),
        ("-90.5,0", "latitude -90.5 is outside -90...90"),
        ("0,181", "longitude 181.0 is outside -180...180"),
        ("0,-180.01", "longitude -180.01 is outside -180...180"),
    ])
    func rejectsOutOfRange(_ text: String, _ message: String) throws {
        let e = try expectError { try Coordinate(parsing: text) }
        #expect(e.kind == .usage)
        #expect(e.message == message)
    }

    @Test(arguments: ["abc", "", "39.14", "39.14,100.16,5", "39.14;100.16", "39.14,", ",100.16", "39°N,100°E"])
    func rejectsMalformed(_ text: String) throws {
        let e = try expectError { try Coordinate(parsing: text) }
        #expect(e.kind == .usage)
        #expect(e.message == "invalid coordinate '\(text)': expected LAT,LON in decimal degrees, e.g. 39.14,100.16")
    }

    @Test func rejectsNaN() throws {
        let e = try expectError { try Coordinate(lat: .nan, lon: 0) }
        #expect(e.kind == .usage)
        #expect(e.message.hasPrefix("latitude nan"))
    }

    @Test func distances() throws {
        let a = try Coordinate(lat: 39.0, lon: 100.0)
        let b = try Coordinate(lat: 39.01, lon: 100.0)
        // 0.01° of latitude on a sphere of radius 6 371 008.8 m.
        #expect(abs(a.distance(to: b) - 1111.9508) < 0.001)
        #expect(a.distance(to: b) == b.distance(to: a))
        #expect(a.distance(to: a) == 0)

        let equator0 = try Coordinate(lat: 0, lon: 0)
        let equator1 = try Coordinate(lat: 0, lon: 1)
        #expect(abs(equator0.distance(to: equator1) - 111_195.08) < 0.01)
        // Antipodes: half the circumference.
        let antipode = try Coordinate(lat: 0, lon: 180)
        #expect(abs(equator0.distance(to: antipode) - 20_015_114.44) < 0.01)
        // A degree of longitude at 60° N is half as long as at the equator.
        let n60a = try Coordinate(lat: 60, lon: 10)
        let n60b = try Coordinate(lat: 60, lon: 10.001)
        #expect(abs(n60a.distance(to: n60b) - 55.597) < 0.01)
    }
}

/// GCJ-02 against the published pairs (eviltransform's test points) and back.
@Suite struct GCJ02Tests {
    static let pairs: [(wgs: (Double, Double), gcj: (Double, Double))] = [
        ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  // Shanghai
        ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  // Shenzhen
        ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  // Beijing
    ]

    @Test func forwardMatchesThePublishedPoints() {
        for (wgs, gcj) in Self.pairs {
            let g = GCJ02.fromWGS84(lat: wgs.0, lon: wgs.1)
            #expect(abs(g.lat - gcj.0) < 1e-9 && abs(g.lon - gcj.1) < 1e-9, "\(wgs) → \(g), published \(gcj)")
        }
    }

    @Test func inverseComesBackToWGS84() {
        for (wgs, gcj) in Self.pairs {
            let w = GCJ02.toWGS84(lat: gcj.0, lon: gcj.1)
            #expect(abs(w.lat - wgs.0) < 1e-8 && abs(w.lon - wgs.1) < 1e-8, "\(gcj) → \(w), WGS84 \(wgs)")
        }
        // 临泽县: GCJ-02 is a few hundred metres off there too.
        let w = GCJ02.toWGS84(lat: 39.1412, lon: 100.1646)
        #expect(abs(w.lat - 39.1412) > 1e-4 && abs(w.lon - 100.1646) > 1e-3)
    }

    @Test func outsideChinaNothingMoves() {
        #expect(GCJ02.toWGS84(lat: 48.8566, lon: 2.3522) == (48.8566, 2.3522))
        #expect(GCJ02.fromWGS84(lat: -33.8688, lon: 151.2093) == (-33.8688, 151.2093))
    }
}
