import CamindexTestSupport
import Foundation
import Testing

/// `camindex serve` on a province's PostgreSQL: users kept in the province (migration p6),
/// answers equal to the CLI's on the same URL, scopes, and the audit rows in the province's trail.
@Suite(.serialized) struct ProvinceHTTPTests {
    let dir = TempDir("province-http")

    @Test func aProvinceServesItsUsersTheCLIsAnswers() throws {
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let county = try CountyFixture.make(code: "620723", name: "临泽县", latShift: 0, footage: try CountyFixture.sharedFootage(), in: dir)
        let published = try CLI.run(["--db", county.db, "publish", "--to", url])
        try #require(published.status == 0, "\(published.all)")
        let township = try #require(try CLI.json(try CLI.run(["--db", url, "region", "list", "--format", "json"]).stdout) as? [[String: Any]])
            .first { ($0["code"] as? String)?.count == 9 && ($0["cameras"] as? Int ?? 0) > 0 }?["code"] as? String
        let scope = try #require(township)

        let password = dir.file("pw")
        try "a-long-password\n".write(toFile: password, atomically: true, encoding: .utf8)
        for (name, role, regions) in [("police", "police", [String]()), ("scoped", "police", [scope]), ("tech", "technician", [])] {
            let r = try CLI.run(["--db", url, "user", "add", name, "--role", role, "--password-file", password] + regions.flatMap { ["--region", $0] })
            try #require(r.status == 0, "\(r.all)")
        }
        let listed = try #require(try CLI.json(try CLI.run(["--db", url, "user", "list", "--format", "json"]).stdout) as? [[String: Any]])
        #expect(listed.map { $0["name"] as? String } == ["police", "scoped", "tech"])
        #expect(try server.psql(url, "SELECT count(*) FROM app_user WHERE password_hash LIKE '%a-long-password%'") == "0\n")
        let token = try CLI.run(["--db", url, "user", "token", "police"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let scopedToken = try CLI.run(["--db", url, "user", "token", "scoped"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let api = try ServedAPI(db: url, logDir: dir.path)
        defer { api.stop() }
        let range = "from=\(ServedAPI.q("2026-11-20 13:59"))&to=\(ServedAPI.q("2026-11-20 14:02"))"
        let same: [(String, [String])] = [
            ("/api/v1/footage?region=620723&\(range)", ["query", "--region", "620723", "--from", "2026-11-20 13:59", "--to", "2026-11-20 14:02", "--format", "json"]),
            ("/api/v1/footage?camera=\(county.recorded[0])&\(range)&live=1",
             ["query", "--camera", county.recorded[0], "--from", "2026-11-20 13:59", "--to", "2026-11-20 14:02", "--live", "--format", "json"]),
            ("/api/v1/cameras/\(county.recorded[1])", ["camera", "show", county.recorded[1], "--format", "json"]),
            ("/api/v1/keyframe?camera=\(county.recorded[0])&at=\(ServedAPI.q("2026-11-20 14:00:06"))",
             ["keyframe", "--camera", county.recorded[0], "--at", "2026-11-20 14:00:06", "--format", "json"]),
            ("/api/v1/regions", ["region", "list", "--format", "json"]),
            ("/api/v1/cameras", ["camera", "list", "--format", "json"]),
        ]
        for (path, cli) in same {
            let answer = try api.get(path, token: token)
            #expect(answer.status == 200, "\(path): \(answer.text)")
            let printed = try CLI.json(try CLI.run(["--db", url] + cli).stdout) as? NSObject
            #expect(try answer.json() as? NSObject == printed && printed != nil, "\(path) differs from camindex \(cli.joined(separator: " "))")
        }
        // Sessions on the province, and a scope.
        let signIn = try api.post("/api/v1/session", json: ["user": "tech", "password": "a-long-password"])
        #expect(signIn.status == 200, "\(signIn.text)")
        let session = try #require(signIn.header("Set-Cookie")?.firstMatch(of: /camindex_session=([^;]+)/).map { String($0.output.1) })
        #expect(try api.get("/api/v1/health", headers: ["Cookie": "camindex_session=\(session)"]).status == 200)
        let inScope = try #require(try api.get("/api/v1/cameras", token: scopedToken).json() as? [[String: Any]])
        #expect(!inScope.isEmpty && inScope.allSatisfy { ($0["region_path"] as? [[String: Any]])?.contains { $0["code"] as? String == scope } == true }, "\(inScope)")
        let outside = try #require(try CLI.json(try CLI.run(["--db", url, "camera", "list", "--format", "json"]).stdout) as? [[String: Any]])
            .first { ($0["region_path"] as? [[String: Any]])?.contains { $0["code"] as? String == scope } == false }?["id"] as? String
        let hidden = try api.get("/api/v1/cameras/\(try #require(outside))", token: scopedToken)
        #expect(hidden.status == 404 && hidden.errorCode == "camera.unknown")
        // Exports are a county's.
        let export = try api.post("/api/v1/exports", json: ["cameras": [county.recorded[0]], "from": "2026-11-20 14:00", "to": "2026-11-20 14:01"], token: token)
        #expect(export.status == 400, "\(export.text)")
        // The province's trail holds the requests, with the user, role and address.
        let rows = try #require(try CLI.json(try CLI.run(["--db", url, "audit", "--format", "json"]).stdout) as? [[String: Any]])
        #expect(rows.contains { $0["command"] as? String == "query" && $0["user"] as? String == "police"
            && ($0["arguments"] as? [String])?.contains("role police") == true })
        #expect(rows.contains { $0["command"] as? String == "sign in" && $0["user"] as? String == "tech" })
        #expect(rows.contains { $0["command"] as? String == "user add" })
        #expect(try CLI.run(["--db", url, "audit", "verify"]).status == 0)
    }
}
