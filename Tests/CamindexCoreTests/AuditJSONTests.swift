import CamindexCore
import Foundation
import Testing

/// The audit rows' lists of arguments and cameras, written by hand: any string comes back as
/// it went in, and what is written is JSON any reader takes.
@Suite struct AuditJSONTests {
    @Test func listsComeBackAsTheyWentIn() throws {
        let lists: [[String]] = [
            [], [""], ["62072300001320000001", "62072300001320000002"],
            ["a\"b", "back\\slash", "/etc/passwd", "tab\tnl\ncr\r", "\u{01}\u{1F}\u{7F}", "沙河镇 西关村", "👮‍♀️", "reason 案由：盗窃"],
        ]
        for list in lists {
            let json = AuditJSON.encode(list)
            #expect(AuditJSON.decode(json) == list, "\(json)")
            #expect(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String] == list)
        }
        #expect(AuditJSON.encode(["a", "b\"", "\u{01}"]) == #"["a","b\"","\u0001"]"#)
    }

    @Test func digestsAreLowerCaseHex() {
        #expect(SHA256Hex.of(Data("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256Hex.of(Data()) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }
}
