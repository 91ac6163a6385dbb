import Testing
@testable import CamindexCore

@Suite struct RegionCodeTests {
    @Test func acceptsCountyTownshipAndVillageCodes() throws {
        let county = try RegionCode("620723")
        #expect(county.level == .county)
        #expect(county.rawValue == "620723")
        #expect(county.description == "620723")

        let township = try RegionCode("620723100")
        #expect(township.level == .township)

        let village = try RegionCode("620723100201")
        #expect(village.level == .village)
    }

    @Test func levelLabels() {
        #expect(RegionCode.Level.county.label == "county")
        #expect(RegionCode.Level.township.label == "township")
        #expect(RegionCode.Level.village.label == "village")
        #expect(RegionCode.Level.allCases.map(\.rawValue) == [6, 9, 12])
    }

    @Test func parentChainEndsAtCounty() throws {
        let village = try RegionCode("620723100201")
        let township = try #require(village.parent)
        #expect(township.rawValue == "620723100")
        #expect(township.level == .township)
        let county = try #require(township.parent)
        #expect(county.rawValue == "620723")
        #expect(county.level == .county)
        #expect(county.parent == nil)
    }

    @Test(arguments: ["1234567", "12345", "1234567890123", "6207231002"])
    func rejectsWrongDigitCounts(_ text: String) throws {
        let e = try expectError { try RegionCode(text) }
        #expect(e.kind == .usage)
        #expect(e.message.contains("'\(text)'"))
        #expect(e.message.contains("\(text.count) digits"))
    }

    @Test(arguments: ["62072a", "abcdef", "620 723", "６２０７２３", "-62072"])
    func rejectsNonDigits(_ text: String) throws {
        let e = try expectError { try RegionCode(text) }
        #expect(e.kind == .usage)
        #expect(e.message.contains("'\(text)'"))
        #expect(e.message.contains("digits only"))
    }

    @Test func rejectsEmpty() throws {
        let e = try expectError { try RegionCode("") }
        #expect(e.kind == .usage)
        #expect(e.message.hasPrefix("invalid region code ''"))
    }

    @Test(arguments: ["000000", "001234567", "001234567890"])
    func rejectsProvinceZeroZero(_ text: String) throws {
        let e = try expectError { try RegionCode(text) }
        #expect(e.kind == .usage)
        #expect(e.message == "invalid region code '\(text)': no province has code 00")
    }

    @Test func containsItselfAndDescendantsOnly() throws {
        let county = try RegionCode("620723")
        let township = try RegionCode("620723100")
        let village = try RegionCode("620723100201")
        let otherTownship = try RegionCode("620723101")
        let otherCounty = try RegionCode("620724")

        #expect(county.contains(county))
        #expect(county.contains(township))
        #expect(county.contains(village))
        #expect(township.contains(village))
        #expect(!township.contains(county))
        #expect(!village.contains(township))
        #expect(!otherTownship.contains(village))
        #expect(!county.contains(otherCounty))
        #expect(!otherCounty.contains(village))
    }

    @Test func looksLikeCode() {
        #expect(RegionCode.looksLikeCode("620723"))
        #expect(RegionCode.looksLikeCode("1"))
        #expect(!RegionCode.looksLikeCode(""))
        #expect(!RegionCode.looksLikeCode("临泽县"))
        #expect(!RegionCode.looksLikeCode("620723 "))
    }

    @Test func ordersByRawValue() throws {
        let codes = try ["620723101", "620723", "620723100201", "620723100"].map { text throws(CamindexError) in try RegionCode(text) }
        #expect(codes.sorted().map(\.rawValue) == ["620723", "620723100", "620723100201", "620723101"])
    }
}
