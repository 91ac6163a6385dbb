import CamindexTestSupport
import Foundation
import Testing

/// Three county stores built from generated footage, published to a real PostgreSQL: every
/// read command on the province answers the union of the counties' answers.
@Suite struct ProvinceTests {
    let dir = TempDir("province")

    @Test func readCommandsAnswerTheUnionOfTheCounties() throws {
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let counties = try CountyFixture.three(in: dir)
        for c in counties {
            let r = try CLI.run(["--db", c.db, "publish", "--to", url, "--format", "json"])
            try #require(r.status == 0, "\(r.all)")
        }
        func json(_ db: String, _ args: [String]) throws -> Any {
            let r = try CLI.run(["--db", db] + args + ["--format", "json"])
            try #require(r.status == 0, "\(args): \(r.all)")
            return try CLI.json(r.stdout)
        }
        func sortedUnion(_ args: [String], by key: String) throws -> NSArray {
            let all = try counties.flatMap { try #require(try json($0.db, args) as? [[String: Any]]) }
            return all.sorted { ($0[key] as! String) < ($1[key] as! String) } as NSArray
        }

        // camera list and region list: the union, in the same order (by ID, by code).
        let cameras = try #require(try json(url, ["camera", "list"]) as? NSArray)
        #expect(cameras.count == counties.reduce(0) { $0 + $1.cameras })
        #expect(cameras == (try sortedUnion(["camera", "list"], by: "id")))
        // The province adds the levels above the counties (ProvinceRegionTests), and gives each
        // county its city as parent; the rest is the union.
        let regions = try #require(try json(url, ["region", "list"]) as? [[String: Any]]).filter { ($0["code"] as! String).count >= 6 }
            .map { r in var r = r; if (r["code"] as! String).count == 6 { r["parent"] = nil }; return r }
        #expect(regions as NSArray == (try sortedUnion(["region", "list"], by: "code")))

        // Per county: query, camera show and keyframe answer as on the county's own store.
        let range = ["--from", "2026-11-20 13:59", "--to", "2026-11-20 14:02"]
        for c in counties {
            let args = ["query", "--region", c.code] + range
            #expect(try json(url, args) as? NSDictionary == (try json(c.db, args) as? NSDictionary), "query \(c.code)")
            let live = args + ["--live", "--max-gap", "1"]
            #expect(try json(url, live) as? NSDictionary == (try json(c.db, live) as? NSDictionary), "query --live --max-gap 1 \(c.code)")
            // A county's region reads its whole partitions; a few of its cameras are joined by ID.
            let few = ["query", "--camera", c.recorded[0], "--camera", c.recorded[1], "--live"] + range
            #expect(c.recorded.count * 2 < c.cameras)
            #expect(try json(url, few) as? NSDictionary == (try json(c.db, few) as? NSDictionary), "\(few)")
            #expect(try json(url, few + ["--max-gap", "1"]) as? NSDictionary == (try json(c.db, few + ["--max-gap", "1"]) as? NSDictionary))
            // Most of a county's cameras, one with footage left out: its whole partitions are read,
            // and the left-out camera's rows must not show.
            let ids = try #require(try json(c.db, ["camera", "list"]) as? [[String: Any]]).map { $0["id"] as! String }
            let most = ["query", "--live"] + ids.filter { $0 != c.recorded[1] }.flatMap { ["--camera", $0] } + range
            let mostAnswer = try #require(try json(url, most) as? NSDictionary)
            #expect(mostAnswer == (try json(c.db, most) as? NSDictionary), "most cameras of \(c.code)")
            #expect(!"\(mostAnswer)".contains(c.recorded[1]))
            for id in c.recorded {
                #expect(try json(url, ["camera", "show", id]) as? NSDictionary == (try json(c.db, ["camera", "show", id]) as? NSDictionary))
                for at in ["2026-11-20 14:00:06", "2026-11-20 14:00:10.5", "2026-11-20 14:00:14"] {
                    let k = ["keyframe", "--camera", id, "--at", at]
                    #expect(try json(url, k) as? NSDictionary == (try json(c.db, k) as? NSDictionary), "\(k)")
                }
            }
        }

        // A radius query across two counties' cameras (one point between them).
        let near = ["query", "--near", "39.10,100.10", "--radius", "30000"] + range
        let province = try #require(try json(url, near) as? [String: Any])
        let found = try #require(province["cameras"] as? [[String: Any]]).map { $0["id"] as! String }
        let expected = try counties.flatMap { c in
            try #require((try json(c.db, near) as? [String: Any])?["cameras"] as? [[String: Any]])
        }.sorted { ($0["distance_m"] as! Double) < ($1["distance_m"] as! Double) }.map { $0["id"] as! String }
        #expect(found == expected)
        #expect(Set(found.map { $0.prefix(6) }).count == 2, "the circle reaches two counties: \(found)")

        // status and report: index totals and KPIs over every county.
        let status = try #require(try json(url, ["status"]) as? [String: Any])
        let index = try #require(status["index"] as? [String: Int])
        let sums = try counties.map { try #require((try json($0.db, ["status"]) as? [String: Any])?["index"] as? [String: Int]) }
        for key in ["segments", "failed", "unverified"] { #expect(index[key] == sums.reduce(0) { $0 + $1[key]! }, "\(key)") }
        let report = try CLI.run(["--db", url, "report", "--region", counties[1].code, "--day", "2026-11-20", "--format", "json"])
        let countyReport = try CLI.run(["--db", counties[1].db, "report", "--region", counties[1].code, "--day", "2026-11-20", "--format", "json"])
        #expect(report.status == 0 && report.stdout == countyReport.stdout, "\(report.all)")
        let health = try CLI.run(["--db", url, "health", "--check", "index"])
        #expect(health.stdout.hasPrefix("CAMINDEX"), "\(health.all)")
        #expect(health.stdout.contains("index"), "\(health.all)")

        // Passwords never leave the counties; the province refuses writes.
        #expect(try server.psql(url, "SELECT count(*) FROM camera WHERE url LIKE '%Lz2026%' OR url LIKE '%secret%'") == "0\n")
        #expect(try server.psql(url, "SELECT count(*) FROM camera WHERE url LIKE '%:***@%'") != "0\n")
        let add = try CLI.run(["--db", url, "camera", "add", "cam-x", "--name", "x", "--region", "620723100"])
        #expect(add.status == 2 && add.stderr.contains("province") && add.stderr.contains("camindex publish"), "\(add.all)")
        // Partitions by county.
        #expect(try server.psql(url, "SELECT count(*) FROM pg_inherits WHERE inhparent = 'segment'::regclass") == "3\n")
    }

    @Test func provinceURLErrorsNameItWithoutThePassword() throws {
        let store = dir.file("c.sqlite")
        #expect(try CLI.run(["--db", store, "region", "add", "620723", "临泽县"]).status == 0)
        let closed = try CLI.run(["--db", store, "publish", "--to", "postgresql://u:hunter2@127.0.0.1:1/x?sslmode=disable"])
        #expect(closed.status == 1 && closed.stderr.contains("at 127.0.0.1:1: connection refused") && !closed.all.contains("hunter2"), "\(closed.all)")
        let file = dir.file("province-url")
        try "postgresql://u:hunter2@127.0.0.1:1/x?sslmode=nonsense\n".write(toFile: file, atomically: true, encoding: .utf8)
        let bad = try CLI.run(["--db", store, "publish", "--to-file", file])
        #expect(bad.status == 2 && bad.stderr.contains("sslmode") && !bad.all.contains("hunter2"), "\(bad.all)")
        let env = try CLI.run(["--db", store, "publish"], env: ["CAMINDEX_PUBLISH_URL": "postgresql://u:hunter2@127.0.0.1:1/x?sslmode=disable"])
        #expect(env.status == 1 && env.stderr.contains("127.0.0.1:1") && !env.all.contains("hunter2"), "\(env.all)")
        let read = try CLI.run(["--db", "postgresql://u:hunter2@127.0.0.1:1/x?sslmode=disable", "camera", "list"])
        #expect(read.status == 1 && read.stderr.contains("cannot connect") && !read.all.contains("hunter2"), "\(read.all)")
    }
}

/// A county store made through the CLI: an inventory (the sample county 临泽县, or a copy of it
/// under another county code), footage for two cameras, one file that is not video, indexed.
struct CountyFixture {
    var code: String
    var db: String
    var cameras: Int
    /// Cameras with footage.
    var recorded: [String]

    static let sample = CLI.packageRoot + "/Cameras/620723-linze"

    /// 临泽县 (620723, city 6207) as shipped, and two copies under 城关区 (620102, city 6201) and
    /// 高台县 (620724, city 6207), the first one's cameras moved by a tenth of a degree so that a
    /// radius can reach two counties.
    static func three(in dir: TempDir) throws -> [CountyFixture] {
        let footage = try sharedFootage()
        return try [("620723", "临泽县", 0.0), ("620102", "城关区", 0.1), ("620724", "高台县", 2.0)].map { code, name, shift in
            try make(code: code, name: name, latShift: shift, footage: footage, in: dir)
        }
    }

    static func make(code: String, name: String, latShift: Double, footage: [String], in dir: TempDir) throws -> CountyFixture {
        let inventory = dir.file("\(code)/inventory")
        try FileManager.default.createDirectory(atPath: inventory, withIntermediateDirectories: true)
        var cameras = 0
        for file in try FileManager.default.contentsOfDirectory(atPath: sample) where file.hasSuffix(".yaml") {
            var text = try String(contentsOfFile: sample + "/" + file, encoding: .utf8)
                .replacingOccurrences(of: "620723", with: code).replacingOccurrences(of: "临泽县", with: name)
            if latShift != 0 {
                text = text.replacing(#/lat: (\d+\.\d+)/#) { m in "lat: \(String(format: "%.5f", Double(m.output.1)! - latShift))" }
            }
            cameras += text.components(separatedBy: "\n  - id:").count - 1
            try text.write(toFile: inventory + "/" + file, atomically: true, encoding: .utf8)
        }
        let db = dir.file("\(code)/store.sqlite")
        let recordings = dir.file("\(code)/rec")
        try check(["--db", db, "import", inventory, "--recordings-root", recordings])
        let recorded = ["\(code)00001320000001", "\(code)00001320000002"]
        // cam 1: 14:00:00–14:00:10 and 14:00:11–14:00:21 (a hole the windows bridge); cam 2: one file, and one that is not video.
        let names = [["2026-11-20-14-00-00-0.mp4", "2026-11-20-14-00-11-0.mp4"], ["2026-11-20-14-00-05-0.mp4"]]
        for (id, files) in zip(recorded, names) {
            for (i, f) in files.enumerated() {
                let to = "\(recordings)/\(id)/2026-11-20/\(f)"
                try FileManager.default.createDirectory(atPath: (to as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try FileManager.default.copyItem(atPath: footage[i], toPath: to)
            }
        }
        try Footage.randomBytes("\(recordings)/\(recorded[1])/2026-11-20/2026-11-20-14-01-00-0.mp4", count: 20_000)
        try check(["--db", db, "index", "--settle", "0", "--allow-failures"])
        return CountyFixture(code: code, db: db, cameras: cameras, recorded: recorded)
    }

    @discardableResult
    static func check(_ args: [String]) throws -> CLI.Result {
        let r = try CLI.run(args)
        guard r.status == 0 else { throw FootageError("camindex \(args.joined(separator: " ")) → \(r.status)\n\(r.all)") }
        return r
    }

    /// Two 10 s files made once per test process and copied where needed.
    static func sharedFootage() throws -> [String] {
        try footageLock.withLock {
            if let made = footage { return made }
            let paths = [footageDir.file("a.mp4"), footageDir.file("b.mp4")]
            for (i, p) in paths.enumerated() {
                var spec = Footage.Spec(seconds: 10, fps: 10, gop: 20)
                spec.patternOffset = Double(i * 10)
                try Footage.make(p, spec)
            }
            footage = paths
            return paths
        }
    }

    private static let footageLock = NSLock()
    nonisolated(unsafe) private static var footage: [String]?
    private static let footageDir = TempDir("province-footage")
}
