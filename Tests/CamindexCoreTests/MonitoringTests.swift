import CamindexCore
import Testing

@Suite struct ThresholdRangeTests {
    @Test(arguments: [
        ("10", [-1.0: true, 0: false, 10: false, 10.5: true]),
        ("10:", [9.99: true, 10: false, 1000: false]),
        ("~:10", [-1000: false, 10: false, 10.01: true]),
        ("10:20", [9: true, 10: false, 20: false, 21: true]),
        ("@10:20", [9: false, 10: true, 15: true, 20: true, 21: false]),
        ("98:", [97.9: true, 98: false, 100: false]),
        ("0", [0: false, 1: true]),
    ])
    func alerts(range: String, cases: [Double: Bool]) throws {
        let r = try ThresholdRange(range)
        for (value, alert) in cases { #expect(r.alerts(value) == alert, "\(range) at \(value)") }
    }

    @Test(arguments: ["", "abc", "10:5", "@", "1:2:3", "x:10"])
    func invalid(_ text: String) {
        #expect(throws: CamindexError.self) { try ThresholdRange(text) }
    }

    @Test func statusPrefersCritical() throws {
        let w = try ThresholdRange("98:"), c = try ThresholdRange("95:")
        #expect(status(of: 99, warning: w, critical: c) == .ok)
        #expect(status(of: 96, warning: w, critical: c) == .warning)
        #expect(status(of: 91.2, warning: w, critical: c) == .critical)
        #expect([PluginStatus.ok, .unknown, .critical, .warning].max() == .critical)
        #expect([PluginStatus.ok, .unknown].max() == .unknown)
    }
}

@Suite struct PerfdataTests {
    @Test func format() throws {
        #expect(Perfdata("online", 91.2, unit: "%", warning: try ThresholdRange("98:"), critical: try ThresholdRange("95:"), min: 0, max: 100)
            .formatted == "'online'=91.2%;98:;95:;0;100")
        #expect(Perfdata("offline_24h", 3, warning: try ThresholdRange("0"), critical: try ThresholdRange("10"), min: 0).formatted
            == "'offline_24h'=3;0;10;0")
        #expect(Perfdata("it's", 1).formatted == "'it''s'=1")
        #expect(Perfdata("age", 12, unit: "s", critical: try ThresholdRange("600")).formatted == "'age'=12s;;600")
    }
}
