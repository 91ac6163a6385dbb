import CamindexCore
import Foundation
import Testing

@Suite struct UserTests {
    @Test func rolesSeeWhatTheIssueSays() throws {
        #expect(Role.police.permissions == [.regions, .cameras, .footage, .keyframes, .thumbnails, .exports])
        #expect(Role.technician.permissions == [.regions, .cameras, .footage, .keyframes, .thumbnails, .health, .status, .checks, .probes])
        #expect(!Role.technician.permissions.contains(.exports), "technicians read footage but do not export it")
        #expect(Role.officer.permissions == [.regions, .cameras, .health, .reports])
        #expect(Role.admin.permissions == [.users, .audit])
        #expect(throws: CamindexError.self) { try Role.parse("chief") }
        #expect(try Role.parse("Police") == .police)
    }

    @Test func aRegionScopeCoversItsRegionAndWhatIsUnderIt() {
        let t = Instant(ms: 0)
        let township = UserAccount(name: "a", role: .police, regions: ["620723100"], disabled: false, createdAt: t, passwordChangedAt: t)
        #expect(township.sees(regionCode: "620723100"))
        #expect(township.sees(regionCode: "620723100201"))
        #expect(!township.sees(regionCode: "620723101"))
        #expect(!township.sees(regionCode: "620723"), "not the county above it")
        let all = UserAccount(name: "b", role: .police, regions: [], disabled: false, createdAt: t, passwordChangedAt: t)
        #expect(all.sees(regionCode: "620723101"))
    }

    @Test func namesAndPasswordsAreChecked() throws {
        #expect(try UserNames.validate("zhang.wei") == "zhang.wei")
        #expect(try UserNames.validate("张伟") == "张伟")
        for bad in ["", "a b", "a\nb", String(repeating: "x", count: 65), "root;rm"] {
            #expect(throws: CamindexError.self, "\(bad)") { try UserNames.validate(bad) }
        }
        #expect(throws: CamindexError.self) { try UserNames.validatePassword("short") }
        #expect(throws: CamindexError.self) { try UserNames.validatePassword("          ") }
        #expect(throws: CamindexError.self) { try UserNames.validatePassword("line one\nline two") }
        try UserNames.validatePassword("correct horse battery")
    }

    @Test func passwordsAreKeptAsSaltedScrypt() throws {
        let a = try PasswordHash.make("correct horse battery")
        let b = try PasswordHash.make("correct horse battery")
        #expect(a.hasPrefix("scrypt$32768$8$1$") && a != b, "salted: \(a)")
        #expect(!a.contains("correct"))
        #expect(PasswordHash.verify("correct horse battery", against: a))
        #expect(!PasswordHash.verify("correct horse batterY", against: a))
        #expect(!PasswordHash.verify("correct horse battery", against: "sha256$abc"))
        #expect(!PasswordHash.verify("x", against: "scrypt$2$1$1$$"))
        let token = PasswordHash.newToken()
        #expect(token.hasPrefix("cmx_") && token.count == 47 && PasswordHash.newToken() != token)
        #expect(PasswordHash.tokenDigest(token).count == 64 && !PasswordHash.tokenDigest(token).contains(token))
    }
}
