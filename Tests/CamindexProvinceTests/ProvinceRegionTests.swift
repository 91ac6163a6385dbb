import CamindexTestSupport
import Foundation
import Testing

/// Regions above the county on a province: three counties in two cities (620723 临泽县 and
/// 620724 高台县 in 6207, 620102 城关区 in 6201) under province 62. The tree above the counties
/// comes from their codes; `region add` names it; reads by province or city answer the union
/// of the counties under it.
@Suite struct ProvinceRegionTests {
    let dir = TempDir("province-regions")

    @Test func provinceAndCityLevelsAnswerTheUnionOfTheirCounties() throws {
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let counties = try CountyFixture.three(in: dir)
        for c in counties { try CountyFixture.check(["--db", c.db, "publish", "--to", url]) }
        func run(_ db: String, _ args: [String]) throws -> CLI.Result {
            let r = try CLI.run(["--db", db] + args)
            try #require(r.status == 0, "\(args): \(r.all)")
            return r
        }
        func json(_ db: String, _ args: [String]) throws -> [String: Any] {
            try #require(try CLI.json(try run(db, args + ["--format", "json"]).stdout) as? [String: Any])
        }
        func list(_ db: String, _ args: [String]) throws -> [[String: Any]] {
            try #require(try CLI.json(try run(db, args + ["--format", "json"]).stdout) as? [[String: Any]])
        }
        func ids(_ items: [[String: Any]]) -> [String] { items.map { $0["id"] as! String } }
        let zhangye = counties.filter { $0.code.hasPrefix("6207") }
        #expect(zhangye.count == 2 && counties.count == 3)

        // query --region 62 / 6207: the counties' own answers, together, by camera ID.
        let range = ["--from", "2026-11-20 13:59", "--to", "2026-11-20 14:02"]
        for (region, under) in [("62", counties), ("6207", zhangye)] {
            let province = try json(url, ["query", "--region", region] + range)
            let parts = try under.map { try json($0.db, ["query", "--region", $0.code] + range) }
            let union = parts.flatMap { $0["cameras"] as! [[String: Any]] }.sorted { ($0["id"] as! String) < ($1["id"] as! String) }
            #expect(province["cameras"] as? NSArray == union as NSArray, "query --region \(region)")
            #expect(province["from"] as? String == parts[0]["from"] as? String)
            #expect(try ids(list(url, ["camera", "list", "--region", region]))
                    == (try under.flatMap { ids(try list($0.db, ["camera", "list"])) }.sorted()), "camera list --region \(region)")
        }
        let table = try run(url, ["query", "--region", "6207"] + range).stdout
        #expect(table.hasPrefix("6207: "), "\(table)")

        // region list: the province and both cities though no one named them, then the counties
        // with their city as parent; below the counties, each county's own list.
        let tree = try list(url, ["region", "list"])
        let above = tree.filter { ($0["code"] as! String).count < 6 }
        #expect(above.map { $0["code"] as! String } == ["62", "6201", "6207"])
        #expect(above.map { $0["level"] as! String } == ["province", "city", "city"])
        #expect(above.map { $0["name"] as! String } == ["", "", ""])
        #expect(above.map { $0["parent"] as? String } == [nil, "62", "62"])
        #expect(above.map { $0["cameras"] as! Int } == [counties.reduce(0) { $0 + $1.cameras }, counties[1].cameras,
                                                         zhangye.reduce(0) { $0 + $1.cameras }])
        #expect(above.allSatisfy { $0["own_cameras"] as! Int == 0 })
        for c in counties {
            let own = try list(c.db, ["region", "list"])
            var mine = tree.filter { ($0["code"] as! String).hasPrefix(c.code) }
            #expect(mine.first?["parent"] as? String == String(c.code.prefix(4)))
            #expect(own.first?["parent"] == nil, "a county store holds nothing above its county")
            mine[0]["parent"] = nil
            #expect(mine as NSArray == own as NSArray, "region list of \(c.code)")
        }
        let under = try list(url, ["region", "list", "--under", "6207"]).map { $0["code"] as! String }
        #expect(under.first == "6207" && under.filter { $0.count == 6 } == ["620723", "620724"], "\(under)")
        let plain = try run(url, ["region", "list"]).stdout.split(separator: "\n").map(String.init)
        #expect(plain[1].hasPrefix("62 ") && plain[1].contains("province"), "\(plain)")
        #expect(plain.contains { $0.hasPrefix("  6201 ") && $0.contains("city") }, "\(plain)")
        #expect(plain.contains { $0.hasPrefix("    620102 ") && $0.contains("城关区") }, "\(plain)")

        // region add names them: the one write a province takes.
        #expect(try run(url, ["region", "add", "62", "甘肃省"]).stdout == "added province 62 甘肃省\n")
        #expect(try run(url, ["region", "add", "6207", "张掖市"]).stdout == "added city 6207 张掖市\n")
        let again = try CLI.run(["--db", url, "region", "add", "6207", "张掖"])
        #expect(again.status == 2 && again.stderr.contains("region 6207 already exists (张掖市)"), "\(again.all)")
        let twin = try CLI.run(["--db", url, "region", "add", "6201", "张掖市"])
        #expect(twin.status == 2 && twin.stderr.contains("6207 under the same parent is already named '张掖市'"), "\(twin.all)")
        let county = try CLI.run(["--db", url, "region", "add", "620725", "山丹县"])
        #expect(county.status == 2 && county.stderr.contains("region 620725 is a county")
                && county.stderr.contains("camindex publish"), "\(county.all)")
        let named = try list(url, ["region", "list"]).filter { ($0["code"] as! String).count < 6 }
        #expect(named.map { $0["name"] as! String } == ["甘肃省", "", "张掖市"])
        #expect(try server.psql(url, "SELECT code || ' ' || name FROM region_above_county ORDER BY code") == "62 甘肃省\n6207 张掖市\n")
        #expect(try server.psql(url, "SELECT name FROM province_migration WHERE version = 3") == "p3: provinces and cities named by region add\n")

        // By name, and in camera paths: the names given.
        let byName = try json(url, ["query", "--region", "张掖市"] + range)
        #expect(ids(byName["cameras"] as! [[String: Any]]) == ids(try list(url, ["camera", "list", "--region", "6207"])))
        let first = try #require((byName["cameras"] as! [[String: Any]]).first)
        let path = try #require(first["region_path"] as? [[String: Any]]).map { $0["code"] as! String }
        #expect(path.prefix(3) == ["62", "6207", "620723"], "\(path)")
        let show = try run(url, ["camera", "show", counties[1].recorded[0]]).stdout
        #expect(show.contains("甘肃省 / 城关区"), "an unnamed city leaves no empty name in a path: \(show)")

        // report by city: its counties, each as in its own store.
        let report = try json(url, ["report", "--region", "6207", "--day", "2026-11-20"])
        let rows = try #require(report["regions"] as? [[String: Any]])
        #expect(rows.first?["code"] as? String == "6207" && rows.first?["name"] as? String == "张掖市")
        #expect(rows.first?["cameras"] as? Int == zhangye.reduce(0) { $0 + $1.cameras })
        #expect(!rows.contains { ($0["code"] as! String).hasPrefix("6201") })
        for c in zhangye {
            let own = try json(c.db, ["report", "--region", c.code, "--day", "2026-11-20"])["regions"] as! [[String: Any]]
            #expect(rows.filter { ($0["code"] as! String).hasPrefix(c.code) } as NSArray == own as NSArray, "report rows of \(c.code)")
        }

        // health by a city no one named: its code stands for its name.
        let health = try CLI.run(["--db", url, "health", "--region", "6201", "--check", "online"])
        #expect(health.stdout.hasPrefix("CAMINDEX CRITICAL - 6201 online 0.0%"), "no camera was ever probed: \(health.all)")
        #expect(health.stdout.contains("online 6201 (6201): 0.0% (0 of \(counties[1].cameras) cameras)"), "\(health.all)")

        // Every other write is still refused on the province.
        let write = try CLI.run(["--db", url, "camera", "remove", counties[0].recorded[0]])
        #expect(write.status == 2 && write.stderr.contains("read-only"), "\(write.all)")
    }

    @Test func aCountyStoreRefusesRegionsAboveItsCounty() throws {
        let db = dir.file("county.sqlite")
        try CountyFixture.check(["--db", db, "region", "add", "620723", "临泽县"])
        for (code, level) in [("62", "province"), ("6207", "city")] {
            let r = try CLI.run(["--db", db, "region", "add", code, "甘肃"])
            #expect(r.status == 2, "\(r.all)")
            #expect(r.stderr.contains("region \(code) is a \(level): a county store holds one county"), "\(r.all)")
        }
        let inventory = dir.file("inventory.yaml")
        try """
            regions:
              - {code: "6207", name: 张掖市}
            """.write(toFile: inventory, atomically: true, encoding: .utf8)
        let imported = try CLI.run(["--db", db, "import", inventory])
        #expect(imported.status == 2 && imported.stderr.contains("region 6207 is a city"), "\(imported.all)")
        let tree = try CLI.run(["--db", db, "region", "list", "--format", "json"])
        #expect((try CLI.json(tree.stdout) as? [[String: Any]])?.map { $0["code"] as! String } == ["620723"], "\(tree.all)")
    }
}
