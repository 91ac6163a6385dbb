import Testing
@testable import CamindexCore

/// Per-camera picture-quality thresholds: by name, checked, from the command line and the inventory.
@Suite struct PictureThresholdTests {
    @Test func overridesByName() throws {
        let t = try PictureThresholds(overrides: ["black_luma": 12, "occlusion_share": 0.8])
        #expect(t.blackLuma == 12 && t.occlusionShare == 0.8 && t.whiteLuma == 232)
        for name in PictureThresholds.names { #expect(t.value(name) != nil, "\(name)") }
        let parsed = try PictureThresholds.parseOverride(" noise = 55 ")
        #expect(parsed.name == "noise" && parsed.value == 55)
    }

    @Test func badOverridesNameWhatIsWrong() throws {
        let unknown = try expectError { try PictureThresholds.parseOverride("darkness=3") }
        #expect(unknown.code == .qualityThresholdInvalid && unknown.value == "darkness")
        #expect(unknown.message.contains("unknown quality threshold 'darkness'") && unknown.message.contains("black_luma"))
        let share = try expectError { try PictureThresholds.parseOverride("occlusion_share=2") }
        #expect(share.message.contains("occlusion_share=2.0: must be between 0 and 1"))
        let form = try expectError { try PictureThresholds.parseOverride("black_luma") }
        #expect(form.message.contains("expected NAME=VALUE"))
    }

    /// Colour bars whose edges fall on block boundaries: flat blocks only, nothing to judge
    /// sharpness by, and nothing wrong (as GStreamer's smpte pattern can be, downscaled).
    @Test func barsWithoutTexturedBlocksAreNotBlur() {
        let luma: [UInt8] = (0..<(64 * 36)).map { (i: Int) -> UInt8 in
            let bar: Int = (i % 64) / 8
            return UInt8(40 + bar * 24)
        }
        let stats = PictureStats(PictureSample(width: 64, height: 36, luma: luma, meanCb: 128, meanCr: 128))
        #expect(stats.sharpness == 0)
        #expect(PictureThresholds().verdicts(stats).isEmpty, "\(PictureThresholds().verdicts(stats))")
    }

    @Test func frozenAgainstThePreviousSignature() {
        let sample = PictureSample(width: 64, height: 36, luma: (0..<(64 * 36)).map { UInt8(($0 * 7) % 251) }, meanCb: 128, meanCr: 128)
        let stats = PictureStats(sample)
        let t = PictureThresholds()
        #expect(t.verdicts(stats, previousSignature: stats.signature).map(\.fault).contains(.frozen))
        #expect(!t.verdicts(stats, previousSignature: stats.signature.map { $0 &+ 9 }).map(\.fault).contains(.frozen))
        #expect(!t.verdicts(stats, previousSignature: nil).map(\.fault).contains(.frozen))
    }

    @Test func verdictText() {
        #expect(PictureVerdict(fault: .black, measured: 3.254, threshold: 24).text == "black 3.25 (< 24.0)")
        #expect(PictureVerdict(fault: .noise, measured: 61.27, threshold: 40).text == "noise 61.3 (> 40.0)")
        #expect(PictureVerdict.summary([]) == "in good order")
    }

    @Test func inventoryField() throws {
        let text = """
            cameras:
              - {id: cam-1, name: One, region: "620723100", quality_thresholds: {black_luma: 12, noise: 55}}
              - {id: cam-2, name: Two, region: "620723100"}
            """
        let file = try InventoryFile.parse(text, path: "x.yaml")
        #expect(file.cameras[0].qualityThresholds == ["black_luma": 12, "noise": 55])
        #expect(file.cameras[1].qualityThresholds.isEmpty)
        let bad = try expectError { try InventoryFile.parse("cameras:\n  - {id: c, name: C, region: \"620723100\", quality_thresholds: {blackness: 1}}\n", path: "x.yaml") }
        #expect(bad.message.contains("x.yaml:2") && bad.message.contains("unknown field 'blackness'"))
        let range = try expectError { try InventoryFile.parse("cameras:\n  - {id: c, name: C, region: \"620723100\", quality_thresholds: {colour_cast: -1}}\n", path: "x.yaml") }
        #expect(range.message.contains("colour_cast=-1.0: must be between 0 and 255"))
    }
}
