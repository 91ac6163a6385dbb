import CamindexCore
import CamindexProvince
import CamindexService
import CamindexStore
import CamindexTestSupport
import Foundation
import Testing

/// One county in its own SQLite store and published to a province: every read the two stores
/// answer, asked in process of both, gives the same values field by field (the province's
/// camera URLs are published without their passwords, and it adds the levels above the
/// county). The read policy over their fetches is written once; this keeps the fetches honest.
@Suite struct ReaderConformanceTests {
    let dir = TempDir("conformance")

    @Test func bothStoresAnswerEveryReadAlike() throws {
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let fixture = try CountyFixture.make(code: "620723", name: "临泽县", latShift: 0, footage: try CountyFixture.sharedFootage(), in: dir)
        try CountyFixture.check(["--db", fixture.db, "publish", "--to", url])
        let county: any IndexReader = try Store.open(path: fixture.db, create: false)
        let province: any IndexReader = try ProvinceReader(url: ProvinceURL(url))

        func same<T: Equatable>(_ what: String, _ read: (any IndexReader) throws -> T, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let a = try read(county), b = try read(province)
            #expect(a == b, "\(what): county \(a)\nprovince \(b)", sourceLocation: sourceLocation)
        }
        func sameError(_ what: String, _ read: (any IndexReader) throws -> Void, sourceLocation: SourceLocation = #_sourceLocation) {
            func code(_ r: any IndexReader) -> CamindexError? {
                do { try read(r); return nil } catch { return error as? CamindexError }
            }
            let a = code(county), b = code(province)
            #expect(a != nil && a == b && a?.message == b?.message && a?.value == b?.value, "\(what): \(String(describing: a)) / \(String(describing: b))",
                    sourceLocation: sourceLocation)
        }
        /// The province names each county's city as its parent.
        func parentless(_ r: Region) -> Region { var r = r; if r.level == 6 { r.parentCode = nil }; return r }
        /// As published: URLs without their passwords.
        func published(_ cameras: [Camera]) -> [Camera] { cameras.map { var c = $0; c.url = c.redactedURL; return c } }

        let root = try county.resolveRegion("620723")
        let township = try county.resolveRegion("沙河镇")
        try same("region by code") { parentless(try $0.resolveRegion("620723")) }
        try same("region by name") { try $0.resolveRegion("沙河镇") }
        try same("region") { try $0.region(code: township.code) }
        sameError("unknown code") { _ = try $0.resolveRegion("620723999") }
        sameError("unknown name") { _ = try $0.resolveRegion("没有这个镇") }
        try same("tree under the county") { try $0.regionTree(under: root).map { RegionSummary(region: parentless($0.region), ownCameras: $0.ownCameras, totalCameras: $0.totalCameras) } }
        try same("tree under a township") { try $0.regionTree(under: township) }
        try same("cameras") { published(try $0.cameras(in: root, includeDisabled: true)) }
        try same("cameras of a township") { published(try $0.cameras(in: township, includeDisabled: false)) }
        let cameras = try county.cameras(in: root, includeDisabled: true)
        let located = try #require(cameras.first { $0.coordinate != nil }?.coordinate)
        let box = located.boundingBox(radiusM: 2000)
        try same("cameras in a box") { published(try $0.cameras(inBox: box.lat, box.lon, includeDisabled: false)) }
        try same("region paths") { try $0.regionPaths(for: cameras).mapValues(parentless) }
        try same("a camera") { published([try #require(try $0.camera(id: fixture.recorded[0]))]) }

        let zone = try Zones.named("Asia/Shanghai")
        let range = Interval(try TimeFormat.parse("2026-11-20 13:59", zone: zone), try TimeFormat.parse("2026-11-20 14:02", zone: zone))
        let ids = cameras.map(\.id)
        for gap in [Int64(0), 1000, 2000, 60_000] {
            try same("windows, holes up to \(gap) ms bridged") { try $0.windows(cameraIDs: ids, range: range, maxGapMs: gap) }
        }
        try same("time quality") { try $0.timeQuality(ids, range: range) }
        for id in fixture.recorded {
            try same("summary \(id)") { try $0.footageSummary(cameraID: id) }
            try same("errors \(id)") { try $0.segmentErrors(cameraID: id) }
            try same("probes \(id)") { try $0.probeHistory(cameraID: id, limit: 10) }
            for at in ["2026-11-20 13:59:59", "2026-11-20 14:00:00", "2026-11-20 14:00:06", "2026-11-20 14:00:10.5", "2026-11-20 14:00:14", "2026-11-20 14:00:25"] {
                let moment = try TimeFormat.parse(at, zone: zone)
                try same("keyframes \(id) at \(at)") { try $0.keyframes(cameraID: id, at: moment) }
            }
        }
        try same("all errors") { try $0.segmentErrors(cameraID: nil) }
        try same("failed files") { try $0.failedFileCounts() }
        try same("stalled files") { try $0.stalledFileCounts() }
        try same("latest mtimes") { try $0.latestMtimes(after: Instant(ms: 0)) }
        try same("totals") { try $0.indexTotals() }
        try same("live states") { try $0.liveStates(cameraIDs: nil) }
        try same("live states of two") { try $0.liveStates(cameraIDs: fixture.recorded) }
        try same("standings") { try $0.standings(in: root) }
        try same("standings of a township") { try $0.standings(in: township) }
        try same("live windows") { try $0.liveWindows(cameraIDs: ids, range: range) }
        try same("heartbeat") { try $0.lastHeartbeat() }

        // The read use cases over both, as the commands ask them.
        let queries = (Queries(reader: county, clock: SystemClock()), Queries(reader: province, clock: SystemClock()))
        var question = FootageQuery(selector: .region("沙河镇"), from: "2026-11-20 13:59", to: "2026-11-20 14:02")
        question.live = true
        let answers = (try queries.0.footage(question), try queries.1.footage(question))
        #expect(answers.0.cameras.map(\.windows) == answers.1.cameras.map(\.windows))
        #expect(answers.0.cameras.map(\.gaps) == answers.1.cameras.map(\.gaps))
        #expect(answers.0.regions.mapValues(parentless) == answers.1.regions.mapValues(parentless) && answers.0.title == answers.1.title)
    }

    /// A read inside a transaction is part of it: an inner snapshot never commits what the
    /// outer transaction has not.
    @Test func anInnerSnapshotDoesNotCommitTheOuterTransaction() throws {
        let server = try PostgresTestServer.shared()
        let db = try ProvinceDatabase(url: ProvinceURL(try server.createDatabase()))
        try db.execute("CREATE TABLE t (x bigint)")
        struct Abandon: Error {}
        #expect(throws: Abandon.self) {
            try db.transaction {
                try db.execute("INSERT INTO t VALUES (1)")
                _ = try db.snapshot { try db.query("SELECT count(*) FROM t") }
                throw Abandon()
            }
        }
        #expect(try db.query("SELECT count(*)::bigint FROM t").first?.decode(Int64.self) == 0)
    }

    /// Reads asked of the province leave rows in its own hash-chained trail, as a county's do.
    @Test func provinceReadsAreAudited() throws {
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let fixture = try CountyFixture.make(code: "620723", name: "临泽县", latShift: 0, footage: try CountyFixture.sharedFootage(), in: dir)
        try CountyFixture.check(["--db", fixture.db, "publish", "--to", url])
        let query = try CountyFixture.check(["--db", url, "query", "--camera", fixture.recorded[0], "--from", "2026-11-20 13:59", "--to", "2026-11-20 14:02", "--reason", "案件 2026-118"])
        #expect(!query.stderr.contains("not recorded"), "\(query.stderr)")
        try CountyFixture.check(["--db", url, "keyframe", "--camera", fixture.recorded[0], "--at", "2026-11-20 14:00:06"])
        try CountyFixture.check(["--db", url, "camera", "show", fixture.recorded[1]])
        let rows = try #require(try CLI.json(try CountyFixture.check(["--db", url, "audit", "--format", "json"]).stdout) as? [[String: Any]])
        #expect(rows.map { $0["command"] as? String } == ["query", "keyframe", "camera show"])
        #expect(rows[0]["reason"] as? String == "案件 2026-118" && rows[0]["cameras"] as? [String] == [fixture.recorded[0]])
        #expect(rows.allSatisfy { ($0["user"] as? String)?.isEmpty == false })
        #expect(try CountyFixture.check(["--db", url, "audit", "verify"]).stdout.contains("intact: 3 rows"))
        // The county's own trail is untouched by the province's reads.
        #expect((try CLI.json(try CountyFixture.check(["--db", fixture.db, "audit", "--format", "json"]).stdout) as? [Any])?.isEmpty == true)

        // Append-only there too; a row changed behind camindex's back is found.
        #expect(throws: (any Error).self) { try server.psql(url, "UPDATE audit SET reason = 'x' WHERE id = 2") }
        _ = try server.psql(url, "ALTER TABLE audit DISABLE TRIGGER audit_no_update; UPDATE audit SET \"user\" = 'someone' WHERE id = 2")
        let broken = try CLI.run(["--db", url, "audit", "verify"])
        #expect(broken.status == 1 && broken.stderr.contains("error[audit.broken]") && broken.stderr.contains("row 2"), "\(broken.all)")
        // Put back, then the newest row removed: the head kept beside the table finds it.
        _ = try server.psql(url, "UPDATE audit SET \"user\" = '\(rows[1]["user"] as! String)' WHERE id = 2")
        #expect(try CountyFixture.check(["--db", url, "audit", "verify"]).stdout.contains("intact: 3 rows; head sha256 "))
        _ = try server.psql(url, "DELETE FROM audit WHERE id = 3")
        let short = try CLI.run(["--db", url, "audit", "verify"])
        #expect(short.status == 1 && short.stderr.contains("rows 3–3 are missing"), "\(short.all)")
    }
}
