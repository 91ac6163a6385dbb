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

    @Test func acceptsProvinceAndCityCodes() throws {
        let province = try RegionCode("62")
        #expect(province.level == .province && province.isAboveCounty)
        let city = try RegionCode("6207")
        #expect(city.level == .city && city.isAboveCounty)
        #expect(try !RegionCode("620723").isAboveCounty)
        #expect(try !RegionCode("620723100").isAboveCounty)
    }

    @Test func levelLabels() {
        #expect(RegionCode.Level.province.label == "province")
        #expect(RegionCode.Level.city.label == "city")
        #expect(RegionCode.Level.county.label == "county")
        #expect(RegionCode.Level.township.label == "township")
        #expect(RegionCode.Level.village.label == "village")
        #expect(RegionCode.Level.allCases.map(\.rawValue) == [2, 4, 6, 9, 12])
    }

    @Test func parentChainEndsAtProvince() throws {
        let village = try RegionCode("620723100201")
        let township = try #require(village.parent)
        #expect(township.rawValue == "620723100")
        #expect(township.level == .township)
        let county = try #require(township.parent)
        #expect(county.rawValue == "620723")
        #expect(county.level == .county)
        let city = try #require(county.parent)
        #expect(city.rawValue == "6207" && city.level == .city)
        let province = try #require(city.parent)
        #expect(province.rawValue == "62" && province.level == .province)
        #expect(province.parent == nil)
    }

    @Test func ancestorsFromTheProvinceDown() throws {
        #expect(try RegionCode("620723100201").ancestors.map(\.rawValue) == ["62", "6207", "620723", "620723100"])
        #expect(try RegionCode("6207").ancestors.map(\.rawValue) == ["62"])
        #expect(try RegionCode("62").ancestors.isEmpty)
        #expect(RegionCode.ancestors(of: "620723100") == ["62", "6207", "620723"])
        #expect(RegionCode.ancestors(of: "62") == [])
    }

    @Test func regionDepthAndDisplayName() throws {
        #expect(Region(code: try RegionCode("62"), name: "").depth == 0)
        #expect(Region(code: try RegionCode("620723"), name: "临泽县").depth == Region.countyDepth)
        #expect(Region.countyDepth == 2)
        #expect(Region(code: try RegionCode("620723100201"), name: "西关村").depth == 4)
        #expect(Region(code: try RegionCode("6207"), name: "").displayName == "6207")
        #expect(Region(code: try RegionCode("6207"), name: "张掖市").displayName == "张掖市")
        #expect(Region(code: try RegionCode("6207"), name: "").parentCode == "62")
    }

    @Test(arguments: ["1234567", "12345", "123", "1", "1234567890123", "6207231002"])
    func rejectsWrongDigitCounts(_ text: String) throws {
        let e = try expectError { try RegionCode(text) }
        #expect(e.kind == .usage)
        #expect(e.message.contains("'\(text)'"))
        #expect(e.message.contains("\(text.count) digits"))
        #expect(e.message.hasSuffix("a code has 2 (province), 4 (city), 6 (county), 9 (township) or 12 (village)"))
        #expect(e.code == .regionInvalid)
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

    @Test(arguments: ["00", "0012", "000000", "001234567", "001234567890"])
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
        #expect(try RegionCode("62").contains(village) && RegionCode("6207").contains(county))
        #expect(try !RegionCode("6201").contains(county))
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
