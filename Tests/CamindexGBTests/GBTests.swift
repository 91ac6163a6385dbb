import CamindexCore
import Foundation
import Testing
@testable import CamindexGB

/// The GB/T 28181 pieces that need no network: SIP parsing (libosip2), digest, MANSCDP bodies,
/// where a catalog's channels go, when a device counts as offline.
struct GBTests {
    static let register = """
        REGISTER sip:62072300002000000001@6207230000 SIP/2.0\r
        Via: SIP/2.0/UDP 10.1.2.3:5060;rport;branch=z9hG4bK1234\r
        From: <sip:62072300001180000001@6207230000>;tag=abc\r
        To: <sip:62072300001180000001@6207230000>\r
        Call-ID: 42@10.1.2.3\r
        CSeq: 2 REGISTER\r
        Contact: <sip:62072300001180000001@10.1.2.3:5060>\r
        Authorization: Digest username="62072300001180000001", realm="6207230000", nonce="n0nce", uri="sip:62072300002000000001@6207230000", response="\(String(repeating: "0", count: 32))", algorithm=MD5\r
        Expires: 3600\r
        Max-Forwards: 70\r
        Content-Length: 0\r
        \r

        """

    @Test func parsesARegisterAndAnswersIt() throws {
        let m = try SIPMessage.parse(Array(Self.register.utf8))
        #expect(m.method == "REGISTER")
        #expect(m.fromUser == "62072300001180000001")
        #expect(m.expires == 3600)
        #expect(m.cseqNumber == 2 && m.cseqMethod == "REGISTER")
        #expect(m.vias.count == 1 && m.vias[0].contains("branch=z9hG4bK1234"))
        let auth = try #require(m.authorization)
        #expect(auth.username == "62072300001180000001" && auth.realm == "6207230000" && auth.nonce == "n0nce")
        #expect(auth.uri == "sip:62072300002000000001@6207230000")
        // The answer carries the request's Via, From, Call-ID and CSeq, and a To tag.
        let answer = try SIPMessage.parse(m.response(200, "OK", toTag: "t1", headers: [("Expires", "3600")]))
        #expect(answer.status == 200 && answer.callID == "42@10.1.2.3" && answer.toTag == "t1" && answer.cseq == m.cseq)
        #expect(answer.vias == m.vias)
    }

    @Test func anUnregisterGivenInTheContact() throws {
        let text = Self.register.replacingOccurrences(of: "Expires: 3600\r\n", with: "")
            .replacingOccurrences(of: "10.1.2.3:5060>", with: "10.1.2.3:5060>;expires=0")
        #expect(try SIPMessage.parse(Array(text.utf8)).expires == 0)
    }

    @Test func refusesWhatIsNotSIP() {
        #expect(throws: CamindexError.self) { try SIPMessage.parse(Array("GET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)) }
        #expect(throws: CamindexError.self) { try SIPMessage.parse([0xFF, 0x00, 0x13]) }
    }

    /// RFC 2617's own example (qop=auth), and the plain form GB/T 28181 devices mostly send.
    @Test func digestResponses() {
        let rfc = DigestCredentials(username: "Mufasa", realm: "testrealm@host.com", nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
                                    uri: "/dir/index.html", response: "6629fae49393a05397450978507c4ef1",
                                    qop: "auth", nc: "00000001", cnonce: "0a4f113b")
        #expect(rfc.verifies(method: "GET", password: "Circle Of Life"))
        #expect(!rfc.verifies(method: "GET", password: "circle of life"))
        var plain = DigestCredentials(username: "u", realm: "6207230000", nonce: "n", uri: "sip:p@6207230000", response: "")
        plain.response = DigestCredentials.md5("\(DigestCredentials.md5("u:6207230000:pw")):n:\(DigestCredentials.md5("REGISTER:sip:p@6207230000"))")
        #expect(plain.verifies(method: "REGISTER", password: "pw"))
        plain.algorithm = "SHA-256"
        #expect(!plain.verifies(method: "REGISTER", password: "pw"))
    }

    @Test func catalogInGB2312() throws {
        // 东门路口 in GB2312.
        let name: [UInt8] = [0xB6, 0xAB, 0xC3, 0xC5, 0xC2, 0xB7, 0xBF, 0xDA]
        let body = Array("""
            <?xml version="1.0" encoding="GB2312"?>
            <Response><CmdType>Catalog</CmdType><SN>7</SN><DeviceID>62072300001180000001</DeviceID><SumNum>2</SumNum>
            <DeviceList Num="2"><Item><DeviceID>62072300001320000011</DeviceID><Name>
            """.utf8) + name + Array("""
            </Name><CivilCode>620723100201</CivilCode><Longitude>100.1646</Longitude><Latitude>0</Latitude><Status>ON</Status></Item>
            <Item><DeviceID>62072300002150000001</DeviceID><Name>g</Name></Item></DeviceList></Response>
            """.utf8)
        let m = try MANSCDP.parse(body)
        #expect(m.cmdType == "Catalog" && m.sn == 7 && m.sumNum == 2 && m.deviceID == "62072300001180000001")
        let items = m.catalogItems
        #expect(items.map(\.id) == ["62072300001320000011", "62072300002150000001"])
        #expect(items[0].name == "东门路口")
        #expect(items[0].longitude == 100.1646 && items[0].latitude == nil, "0 is no position")
        #expect(items[0].isVideoChannel && !items[1].isVideoChannel)
        #expect(items[0].statusOn == true)
    }

    @Test func badBodiesAreRefusedWithTheirReason() {
        #expect(throws: CamindexError.self) { try MANSCDP.parse(Array("<?xml version=\"1.0\"?><Notify><CmdType>Keepalive</Notify>".utf8)) }
        // Declared UTF-8 but GB2312 bytes.
        #expect(throws: CamindexError.self) { try MANSCDP.parse(Array("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a>".utf8) + [0xB6, 0xAB] + Array("</a>".utf8)) }
        #expect(throws: CamindexError.self) { try MANSCDP.parse(Array("<?xml version=\"1.0\" encoding=\"KOI8-R\"?><a/>".utf8)) }
    }

    @Test func channelsArePlacedByCivilCodeThenByTheirParents() {
        let known: Set<String> = ["620723", "620723100", "620723100201"]
        let group = GBCatalogItem(id: "62072300002150000001", name: "g", civilCode: "620723100")
        let items = [
            GBCatalogItem(id: "62072300001320000011", name: "a", civilCode: "620723100201"),
            GBCatalogItem(id: "62072300001320000012", name: "b", civilCode: "620723", parentID: group.id),
            GBCatalogItem(id: "62072300001320000013", name: "c", civilCode: "620723"),
            // A village the store does not have: its township.
            GBCatalogItem(id: "62072300001320000014", name: "d", civilCode: "620723100299"),
            // Another county's code: not believed.
            GBCatalogItem(id: "62072300001320000015", name: "e", civilCode: "620702100201"),
            group,
        ]
        let byID = Dictionary(uniqueKeysWithValues: items.map { ($0.id, $0) })
        let placed = items.dropLast().map { GBPlacement.region(of: $0, in: byID, county: "620723", known: known.contains) }
        #expect(placed.map(\.code) == ["620723100201", "620723100", "620723", "620723100", "620723"])
        #expect(placed.map(\.placed) == [true, true, false, true, false])
    }

    @Test func offlineAfterThreeMissedKeepalivesOrAtExpiry() {
        let p = GBPresence(registeredAt: Instant(ms: 0), expiresAt: Instant(ms: 3_600_000), lastKeepalive: Instant(ms: 10_000), keepaliveIntervalMs: 60_000)
        #expect(p.offlineReason(at: Instant(ms: 190_000)) == nil)
        #expect(p.offlineReason(at: Instant(ms: 190_001))?.contains("3 keepalives missed") == true)
        var fresh = p
        fresh.lastKeepalive = Instant(ms: 3_599_000)
        #expect(fresh.offlineReason(at: Instant(ms: 3_600_000)) == "registration expired")
    }

    /// Device footage fills only where no file has footage, merged among itself, never into a file's window.
    @Test func deviceFootageFillsWhereFilesHaveNone() {
        let range = Interval(startMs: 0, endMs: 100_000)
        let files = [FootageSpan(Interval(startMs: 10_000, endMs: 20_000), verified: true)]
        let device = [Interval(startMs: 5_000, endMs: 30_000), Interval(startMs: 31_000, endMs: 40_000), Interval(startMs: 90_000, endMs: 120_000)]
        let out = Windows.addingDeviceFootage(files, device: device, in: range, maxGapMs: 2_000)
        #expect(out.map { [$0.interval.start.ms, $0.interval.end.ms] } == [[5_000, 10_000], [10_000, 20_000], [20_000, 40_000], [90_000, 100_000]])
        #expect(out.map(\.onDevice) == [true, false, true, true])
        #expect(Windows.addingDeviceFootage(files, device: [], in: range, maxGapMs: 0) == files)
    }

    @Test func recordInfoAsksLocalDaysThenHours() throws {
        let zone = try #require(TimeZone(identifier: "Asia/Shanghai"))
        // 2026-11-21 10:30 in Shanghai.
        let now = try #require(GBRecordPlan.time("2026-11-21T10:30:00", zone: zone))
        let days = GBRecordPlan.days(back: 2, now: now, zone: zone)
        #expect(days.map { GBRecordPlan.text($0.start, zone: zone) } == ["2026-11-21T00:00:00", "2026-11-20T00:00:00"])
        #expect(days.map { GBRecordPlan.text($0.end, zone: zone) } == ["2026-11-21T10:30:00", "2026-11-21T00:00:00"])
        #expect(GBRecordPlan.hours(of: days[0]).count == 11)
        #expect(GBRecordPlan.time("2026-11-20 08:00:00", zone: zone) == GBRecordPlan.time("2026-11-20T08:00:00", zone: zone))
        #expect(GBRecordPlan.time("yesterday", zone: zone) == nil)
        let body = Array("""
            <?xml version="1.0" encoding="GB2312"?><Response><CmdType>RecordInfo</CmdType><SN>3</SN><SumNum>3</SumNum>
            <RecordList Num="3"><Item><StartTime>2026-11-20T08:00:00</StartTime><EndTime>2026-11-20T09:00:00</EndTime></Item>
            <Item><StartTime>2026-11-20T10:00:00</StartTime><EndTime>2026-11-20T09:00:00</EndTime></Item>
            <Item><StartTime>bad</StartTime><EndTime>2026-11-20T09:00:00</EndTime></Item></RecordList></Response>
            """.utf8)
        let spans = try MANSCDP.parse(body).recordSpans(zone: zone)
        #expect(spans.map { GBRecordPlan.text($0.start, zone: zone) } == ["2026-11-20T08:00:00"], "end before start, or unreadable: no span")
        let query = String(decoding: MANSCDP.recordInfoQuery(sn: 9, channel: "62072300001320000011", range: days[1], zone: zone), as: UTF8.self)
        #expect(query.contains("<StartTime>2026-11-20T00:00:00</StartTime>") && query.contains("<EndTime>2026-11-21T00:00:00</EndTime>") && query.contains("<Type>all</Type>"))
    }
}
