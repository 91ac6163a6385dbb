import CamindexTestSupport
import Crypto
import Foundation
import Testing

/// `camindex serve` end to end: a real server on a port of its own, footage made with ffmpeg,
/// users from `camindex user`, answers compared with the CLI's, every route tried anonymous,
/// out of scope and by every role, an export job from request to downloaded clip.
@Suite(.serialized) struct HTTPAPITests {
    let dir = TempDir("http-api")
    var db: String { dir.file("store.sqlite") }
    static let cam1 = "62072300001320000001", cam2 = "62072300001320000002", cam3 = "62072300001320000003"

    @discardableResult
    func ci(_ args: [String], status: Int32? = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        try CLI.expecting(args, db: db, status: status, sourceLocation: sourceLocation)
    }

    /// Two townships: 沙河镇 with cameras 1 (footage 08:00:00–08:00:30 and 08:00:40–08:00:50 on
    /// 2026-11-20) and 2, 蓼泉镇 with camera 3 (footage 08:00:00–08:00:20).
    func seed() throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        try ci(["region", "add", "620723101", "蓼泉镇"])
        for name in ["20261120_080000", "20261120_080010", "20261120_080020", "20261120_080040"] {
            try Footage.make(dir.file("rec/1/\(name).mp4"), .init(seconds: 10, fps: 25, gop: 25))
        }
        for name in ["20261120_080000", "20261120_080010"] {
            try Footage.make(dir.file("rec/3/\(name).mp4"), .init(seconds: 10, fps: 25, gop: 25))
        }
        try ci(["camera", "add", Self.cam1, "--name", "东门", "--region", "沙河镇", "--recordings", dir.file("rec/1"),
                "--url", "rtsp://admin:hunter2@10.0.0.1/ch1", "--lat", "39.1412", "--lon", "100.1646"])
        try ci(["camera", "add", Self.cam2, "--name", "西门", "--region", "沙河镇", "--lat", "39.1420", "--lon", "100.1650"])
        try ci(["camera", "add", Self.cam3, "--name", "蓼泉路口", "--region", "蓼泉镇", "--recordings", dir.file("rec/3"),
                "--lat", "39.1415", "--lon", "100.1648"])
        try ci(["index", "--settle", "0"])
    }

    func user(_ name: String, role: String, regions: [String] = [], password: String = "a-long-password") throws {
        let file = dir.file("\(name).pw")
        try (password + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        try ci(["user", "add", name, "--role", role, "--password-file", file] + regions.flatMap { ["--region", $0] })
    }

    func token(_ name: String) throws -> String {
        try ci(["user", "token", name]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func serve(_ arguments: [String] = []) throws -> ServedAPI { try ServedAPI(db: db, arguments: arguments, logDir: dir.path) }

    static let range = "from=\(ServedAPI.q("2026-11-20T08:00:00+08:00"))&to=\(ServedAPI.q("2026-11-20T08:01:00+08:00"))"

    func auditRows() throws -> [[String: Any]] {
        try #require(try CLI.json(try ci(["audit", "--format", "json"]).stdout) as? [[String: Any]])
    }

    @Test func answersAreTheCLIsJSONAndEveryRequestIsAuditedWithWhoAsked() throws {
        try seed()
        try user("zhang", role: "police")
        try user("wang", role: "technician")
        try user("li", role: "officer")
        let (police, technician, officer) = (try token("zhang"), try token("wang"), try token("li"))
        let api = try serve()
        defer { api.stop() }

        let same: [(path: String, token: String, cli: [String])] = [
            ("/api/v1/footage?camera=\(Self.cam1)&camera=\(Self.cam3)&\(Self.range)", police,
             ["query", "--camera", Self.cam1, "--camera", Self.cam3, "--from", "2026-11-20T08:00:00+08:00", "--to", "2026-11-20T08:01:00+08:00", "--format", "json"]),
            ("/api/v1/footage?region=\(ServedAPI.q("沙河镇"))&from=08:00&to=08:01&date=2026-11-20&max_gap=0&live=1", police,
             ["query", "--region", "沙河镇", "--from", "08:00", "--to", "08:01", "--date", "2026-11-20", "--max-gap", "0", "--live", "--format", "json"]),
            ("/api/v1/footage?near=39.1412,100.1646&radius=200&\(Self.range)", police,
             ["query", "--near", "39.1412,100.1646", "--radius", "200", "--from", "2026-11-20T08:00:00+08:00", "--to", "2026-11-20T08:01:00+08:00", "--format", "json"]),
            ("/api/v1/keyframe?camera=\(Self.cam1)&at=\(ServedAPI.q("2026-11-20 08:00:12.5"))", police,
             ["keyframe", "--camera", Self.cam1, "--at", "2026-11-20 08:00:12.5", "--format", "json"]),
            ("/api/v1/regions", police, ["region", "list", "--format", "json"]),
            ("/api/v1/regions?under=620723101", police, ["region", "list", "--under", "620723101", "--format", "json"]),
            ("/api/v1/cameras?region=\(ServedAPI.q("沙河镇"))", police, ["camera", "list", "--region", "沙河镇", "--format", "json"]),
            ("/api/v1/cameras/\(Self.cam1)", technician, ["camera", "show", Self.cam1, "--format", "json"]),
            ("/api/v1/report?period=day&date=2026-11-20", officer, ["report", "--day", "2026-11-20", "--format", "json"]),
            ("/api/v1/report?day=2026-11-20", officer, ["report", "--day", "2026-11-20", "--format", "json"]),
            ("/api/v1/report?period=2026-11-20", officer, ["report", "--day", "2026-11-20", "--format", "json"]),
            ("/api/v1/report?period=week&date=2026-11-20", officer, ["report", "--week", "2026-11-20", "--format", "json"]),
            ("/api/v1/report?from=\(ServedAPI.q("2026-11-20 00:00"))&to=\(ServedAPI.q("2026-11-21 00:00"))&region=620723100", officer,
             ["report", "--from", "2026-11-20 00:00", "--to", "2026-11-21 00:00", "--region", "620723100", "--format", "json"]),
        ]
        for (path, token, cli) in same {
            let answer = try api.get(path, token: token)
            #expect(answer.status == 200, "\(path): \(answer.text)")
            #expect(answer.header("Content-Type") == "application/json; charset=utf-8")
            // The same values field for field (the API's JSON is compact, the CLI's pretty-printed).
            let printed = try CLI.json(try ci(cli).stdout) as? NSObject
            #expect(try answer.json() as? NSObject == printed && printed != nil,
                    "\(path) answers otherwise than camindex \(cli.joined(separator: " ")):\n\(answer.text)")
        }
        // The footage itself, exactly: camera 1 has its hole 08:00:30–08:00:40.
        let footage = try #require(try api.get(same[0].path, token: police).json() as? [String: Any])
        let cameras = try #require(footage["cameras"] as? [[String: Any]])
        #expect(cameras.map { $0["id"] as? String } == [Self.cam1, Self.cam3])
        let gaps = try #require(cameras[0]["gaps"] as? [[String: Any]])
        #expect(gaps.map { "\($0["start"]!)/\($0["end"]!)" } == ["2026-11-20T08:00:30+08:00/2026-11-20T08:00:40+08:00", "2026-11-20T08:00:50+08:00/2026-11-20T08:01:00+08:00"])
        // Health and status as the CLI's shapes (their ages move with the clock).
        let health = try #require(try api.get("/api/v1/health?check=index&check=clock", token: technician).json() as? [String: Any])
        let cliHealth = try #require(try CLI.json(try ci(["health", "--check", "index", "--check", "clock", "--format", "json"], status: nil).stdout) as? [String: Any])
        #expect(Set(health.keys) == Set(cliHealth.keys) && "\(health["status"]!)" == "\(cliHealth["status"]!)")
        let status = try #require(try api.get("/api/v1/status", token: technician).json() as? [String: Any])
        #expect((status["cameras"] as? [String: Any])?["enabled"] as? Int == 3, "\(status)")

        // A reason by header (percent-encoded Chinese) or parameter; the row names the user,
        // the role, the address and what was returned.
        _ = try api.get("/api/v1/footage?camera=\(Self.cam1)&\(Self.range)", token: police, headers: ["X-Camindex-Reason": ServedAPI.q("案件 2026-118")])
        _ = try api.get("/api/v1/cameras/\(Self.cam1)/thumbnail?reason=\(ServedAPI.q("核查"))", token: police)
        let rows = try auditRows()
        let query = try #require(rows.last { $0["command"] as? String == "query" })
        #expect(query["user"] as? String == "zhang" && query["reason"] as? String == "案件 2026-118")
        let arguments = try #require(query["arguments"] as? [String])
        #expect(arguments.contains("role police") && arguments.contains("from 127.0.0.1") && arguments[0].hasPrefix("GET /api/v1/footage?camera="), "\(arguments)")
        #expect((query["result"] as? String)?.hasPrefix("1 cameras, 1 with footage, 40.0 s of footage") == true, "\(query)")
        #expect(query["cameras"] as? [String] == [Self.cam1])
        let thumb = try #require(rows.last { $0["command"] as? String == "thumbnail" })
        #expect(thumb["reason"] as? String == "核查" && (thumb["result"] as? String)?.contains("thumbnail.none") == true, "\(thumb)")
        for command in ["keyframe", "camera show", "report"] {
            #expect(rows.contains { $0["command"] as? String == command && ($0["arguments"] as? [String])?.contains("from 127.0.0.1") == true }, "\(command)")
        }
        // The URL's password never leaves the server.
        let listing = try api.get("/api/v1/cameras", token: police)
        #expect(listing.text.contains("rtsp://admin:***@10.0.0.1/ch1") && !listing.text.contains("hunter2"), "\(listing.text)")
    }

    @Test func everyRouteRefusesAnAnonymousRequestAndABadToken() throws {
        try seed()
        try user("root", role: "admin")
        let admin = try token("root")
        let api = try serve()
        defer { api.stop() }
        let document = try #require(try api.get("/api/v1/openapi.json", token: admin).json() as? [String: Any])
        let paths = try #require(document["paths"] as? [String: [String: Any]])
        #expect(paths.count >= 15)
        var tried = 0
        for (path, operations) in paths {
            let concrete = path.replacingOccurrences(of: "{id}", with: Self.cam1).replacingOccurrences(of: "{name}", with: "manifest.json")
            for method in operations.keys.map({ $0.uppercased() }) where !(path == "/api/v1/session" && method == "POST") {
                let body = method == "POST" ? Data("{}".utf8) : nil
                let anonymous = try api.request(method, concrete, headers: ["Content-Type": "application/json"], body: body)
                #expect(anonymous.status == 401 && anonymous.errorCode == "auth.required", "\(method) \(path) anonymous → \(anonymous.status) \(anonymous.text)")
                #expect(anonymous.header("WWW-Authenticate") == "Bearer realm=\"camindex\"")
                let forged = try api.request(method, concrete, headers: ["Authorization": "Bearer cmx_forged", "Content-Type": "application/json"], body: body)
                #expect(forged.status == 401 && forged.errorCode == "auth.failed", "\(method) \(path) forged token → \(forged.status)")
                let expired = try api.request(method, concrete, headers: ["Cookie": "camindex_session=cmx_ended", "Content-Type": "application/json"], body: body)
                #expect(expired.status == 401, "\(method) \(path) unknown session → \(expired.status)")
                tried += 1
            }
        }
        #expect(tried >= 18)
        // Security headers on every answer, errors too; no CORS.
        for answer in [try api.get("/api/v1/regions"), try api.get("/api/v1/audit", token: admin), try api.get("/api/v1/nowhere", token: admin)] {
            #expect(answer.header("Content-Security-Policy")?.contains("frame-ancestors 'none'") == true)
            #expect(answer.header("Content-Security-Policy")?.contains("default-src 'self'") == true)
            #expect(answer.header("X-Content-Type-Options") == "nosniff" && answer.header("Access-Control-Allow-Origin") == nil)
        }
        let unknown = try api.get("/api/v1/nowhere", token: admin)
        #expect(unknown.status == 404 && unknown.errorCode == "route.unknown")
    }

    @Test func aUserLimitedToATownshipFindsNothingElseByAnyRoute() throws {
        try seed()
        try user("zhao", role: "police", regions: ["沙河镇"])
        try user("qian", role: "technician", regions: ["620723100"])
        let (police, technician) = (try token("zhao"), try token("qian"))
        let api = try serve()
        defer { api.stop() }
        let outside: [(String, String, String)] = [
            ("/api/v1/cameras/\(Self.cam3)", police, "camera.unknown"),
            ("/api/v1/cameras/\(Self.cam3)/thumbnail", police, "camera.unknown"),
            ("/api/v1/footage?camera=\(Self.cam3)&\(Self.range)", police, "camera.unknown"),
            ("/api/v1/footage?region=\(ServedAPI.q("蓼泉镇"))&\(Self.range)", police, "region.unknown"),
            ("/api/v1/footage?region=620723101&\(Self.range)", police, "region.unknown"),
            ("/api/v1/keyframe?camera=\(Self.cam3)&at=\(ServedAPI.q("2026-11-20 08:00:05"))", police, "camera.unknown"),
            ("/api/v1/cameras?region=620723101", police, "region.unknown"),
            ("/api/v1/regions?under=620723101", police, "region.unknown"),
            ("/api/v1/health?region=620723101", technician, "region.unknown"),
            // The county above the scope is not a region this user can ask for either.
            ("/api/v1/footage?region=620723&\(Self.range)", police, "region.unknown"),
        ]
        for (path, token, code) in outside {
            let answer = try api.get(path, token: token)
            #expect(answer.status == 404 && answer.errorCode == code, "\(path) → \(answer.status) \(answer.text)")
            if !path.contains("%E8%93%BC") { #expect(!answer.text.contains("蓼泉"), "\(path) names the region outside the scope: \(answer.text)") }
        }
        let export = try api.post("/api/v1/exports", json: ["cameras": [Self.cam3], "from": "2026-11-20 08:00", "to": "2026-11-20 08:01", "dry_run": true], token: police)
        #expect(export.status == 404 && export.errorCode == "camera.unknown", "\(export.text)")
        // Lists, trees and near-searches leave the other township out.
        for (path, token) in [("/api/v1/cameras", police), ("/api/v1/regions", police), ("/api/v1/footage?region=620723100&\(Self.range)", police),
                              ("/api/v1/footage?near=39.1412,100.1646&radius=5000&\(Self.range)", police), ("/api/v1/health", technician),
                              ("/api/v1/cameras/\(Self.cam1)", technician)] {
            let answer = try api.get(path, token: token)
            #expect(answer.status == 200, "\(path): \(answer.text)")
            #expect(!answer.text.contains(Self.cam3) && !answer.text.contains("蓼泉") && !answer.text.contains("620723101"), "\(path) shows what is outside: \(answer.text)")
        }
        let near = try #require(try api.get("/api/v1/footage?near=39.1412,100.1646&radius=5000&\(Self.range)", token: police).json() as? [String: Any])
        #expect((near["cameras"] as? [[String: Any]])?.map { $0["id"] as? String } == [Self.cam1, Self.cam2])
    }

    @Test func eachRoleReachesItsOwnRoutesOnly() throws {
        try seed()
        for (name, role) in [("p", "police"), ("t", "technician"), ("o", "officer"), ("a", "admin")] { try user(name, role: role) }
        let tokens = ["police": try token("p"), "technician": try token("t"), "officer": try token("o"), "admin": try token("a")]
        let api = try serve()
        defer { api.stop() }
        let routes: [(String, Set<String>)] = [
            ("/api/v1/regions", ["police", "technician", "officer"]),
            ("/api/v1/cameras", ["police", "technician", "officer"]),
            ("/api/v1/cameras/\(Self.cam1)", ["police", "technician", "officer"]),
            ("/api/v1/footage?camera=\(Self.cam1)&\(Self.range)", ["police", "technician"]),
            ("/api/v1/keyframe?camera=\(Self.cam1)&at=\(ServedAPI.q("2026-11-20 08:00:05"))", ["police", "technician"]),
            ("/api/v1/status", ["technician"]),
            ("/api/v1/health", ["technician", "officer"]),
            ("/api/v1/report?date=2026-11-20", ["officer"]),
            ("/api/v1/audit", ["admin"]),
            ("/api/v1/audit/verify", ["admin"]),
            ("/api/v1/session", ["police", "technician", "officer", "admin"]),
            ("/api/v1/exports", ["police", "technician", "officer", "admin"]),
        ]
        for (path, allowed) in routes {
            for (role, token) in tokens {
                let answer = try api.get(path, token: token)
                if allowed.contains(role) {
                    #expect(answer.status == 200, "\(role) GET \(path) → \(answer.status) \(answer.text)")
                } else {
                    #expect(answer.status == 403 && answer.errorCode == "auth.forbidden", "\(role) GET \(path) → \(answer.status) \(answer.text)")
                }
            }
        }
        for (role, token) in tokens {
            let dry = try api.post("/api/v1/exports", json: ["cameras": [Self.cam1], "from": "2026-11-20 08:00", "to": "2026-11-20 08:01", "dry_run": true], token: token)
            #expect(dry.status == (role == "police" ? 200 : 403), "\(role) export → \(dry.status) \(dry.text)")
        }
        let verify = try #require(try api.get("/api/v1/audit/verify", token: tokens["admin"]!).json() as? [String: Any])
        #expect(verify["intact"] as? Bool == true && (verify["rows"] as? Int ?? 0) > 10)
        // A refusal is an audit row too, with the role that asked.
        let rows = try auditRows()
        #expect(rows.contains { $0["command"] as? String == "query" && $0["user"] as? String == "o" && ($0["result"] as? String)?.hasPrefix("refused: auth.forbidden") == true })
        #expect(rows.contains { $0["command"] as? String == "export" && $0["user"] as? String == "t" && ($0["result"] as? String)?.hasPrefix("refused: auth.forbidden") == true })
    }

    @Test func sessionsLockoutCSRFAndTokens() throws {
        try seed()
        try user("zhou", role: "police", password: "the-right-password")
        try user("wu", role: "police")
        let api = try serve()
        defer { api.stop() }
        let signIn = try api.post("/api/v1/session", json: ["user": "zhou", "password": "the-right-password"])
        #expect(signIn.status == 200, "\(signIn.text)")
        let cookie = try #require(signIn.header("Set-Cookie"))
        #expect(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/") && !cookie.contains("Secure"), "\(cookie)")
        let session = try #require(cookie.firstMatch(of: /camindex_session=([^;]+)/).map { String($0.output.1) })
        let body = try #require(try signIn.json() as? [String: Any])
        let csrf = try #require(body["csrf_token"] as? String)
        #expect(body["role"] as? String == "police" && !signIn.text.contains(session), "the session token is only in the cookie")
        let jar = ["Cookie": "camindex_session=\(session)"]
        #expect(try api.get("/api/v1/cameras", headers: jar).status == 200)

        // Changes on a session need its CSRF token, and come from the server's own origin.
        let exportBody = try JSONSerialization.data(withJSONObject: ["cameras": [Self.cam1], "from": "2026-11-20 08:00", "to": "2026-11-20 08:01", "dry_run": true])
        let noToken = try api.request("POST", "/api/v1/exports", headers: jar.merging(["Content-Type": "application/json"]) { a, _ in a }, body: exportBody)
        #expect(noToken.status == 403 && noToken.errorCode == "auth.csrf", "\(noToken.text)")
        let withToken = try api.request("POST", "/api/v1/exports", headers: jar.merging(["Content-Type": "application/json", "X-CSRF-Token": csrf]) { a, _ in a }, body: exportBody)
        #expect(withToken.status == 200, "\(withToken.text)")
        let crossSite = try api.request("POST", "/api/v1/exports", headers: jar.merging(["Content-Type": "application/json", "X-CSRF-Token": csrf,
                                                                                           "Origin": "http://evil.example"]) { a, _ in a }, body: exportBody)
        #expect(crossSite.status == 403 && crossSite.errorCode == "auth.csrf")
        let ownOrigin = try api.request("POST", "/api/v1/exports", headers: jar.merging(["Content-Type": "application/json", "X-CSRF-Token": csrf,
                                                                                           "Origin": api.base]) { a, _ in a }, body: exportBody)
        #expect(ownOrigin.status == 200, "\(ownOrigin.text)")
        let forgedLogin = try api.request("POST", "/api/v1/session", headers: ["Content-Type": "application/json", "Origin": "http://evil.example"],
                                          body: try JSONSerialization.data(withJSONObject: ["user": "zhou", "password": "the-right-password"]))
        #expect(forgedLogin.status == 403 && forgedLogin.errorCode == "auth.csrf")
        #expect(try api.request("DELETE", "/api/v1/session", headers: jar).status == 403)
        let out = try api.request("DELETE", "/api/v1/session", headers: jar.merging(["X-CSRF-Token": csrf]) { a, _ in a })
        #expect(out.status == 204 && out.header("Set-Cookie")?.contains("Max-Age=0") == true, "\(out.status) \(out.headers)")
        #expect(try api.get("/api/v1/cameras", headers: jar).status == 401, "signed out")

        // Five wrong passwords lock the name (429) for the right one too; a wrong name reads as
        // a wrong password.
        let wrongName = try api.post("/api/v1/session", json: ["user": "nobody", "password": "x"])
        let wrong = try api.post("/api/v1/session", json: ["user": "wu", "password": "wrong"])
        #expect(wrongName.status == 401 && wrong.status == 401 && wrongName.text == wrong.text)
        for _ in 0..<4 { #expect(try api.post("/api/v1/session", json: ["user": "wu", "password": "wrong"]).status == 401) }
        let locked = try api.post("/api/v1/session", json: ["user": "wu", "password": "a-long-password"])
        #expect(locked.status == 429 && locked.errorCode == "auth.locked", "\(locked.text)")
        #expect(try api.post("/api/v1/session", json: ["user": "zhou", "password": "the-right-password"]).status == 200, "another name is not locked")
        let bad = try api.request("POST", "/api/v1/session", headers: ["Content-Type": "application/json"], body: Data("{\"user\":".utf8))
        #expect(bad.status == 400 && !bad.text.contains("password\":"), "\(bad.text)")
        let failures = try auditRows().filter { $0["command"] as? String == "sign in" && $0["user"] as? String == "wu" }
        #expect(failures.count == 6 && (failures.last?["result"] as? String)?.hasPrefix("failed: auth.locked: too many failed sign-ins") == true, "\(failures)")

        // Bearer tokens: no CSRF (browsers do not send them on their own); expired or of a
        // disabled user, refused.
        let bearer = try token("zhou")
        #expect(try api.post("/api/v1/exports", json: ["cameras": [Self.cam1], "from": "2026-11-20 08:00", "to": "2026-11-20 08:01", "dry_run": true], token: bearer).status == 200)
        let digest = SHA256.hash(data: Data(bearer.utf8)).map { String(format: "%02x", $0) }.joined()
        _ = try Footage.run("sqlite3", [db, "UPDATE app_token SET expires_at_ms = 1000 WHERE token_sha256 = '\(digest)'"])
        let expired = try api.get("/api/v1/cameras", token: bearer)
        #expect(expired.status == 401 && expired.errorCode == "auth.failed", "\(expired.text)")
        let other = try token("wu")
        try ci(["user", "disable", "wu"])
        #expect(try api.get("/api/v1/cameras", token: other).status == 401)
        let log = api.logText
        for secret in ["the-right-password", "a-long-password", session, bearer, other] { #expect(!log.contains(secret), "the log holds a secret") }
    }

    @Test func anExportJobFromRequestToDownloadedClip() throws {
        try seed()
        try user("sun", role: "police")
        try user("zheng", role: "police")
        try user("root", role: "admin")
        let (police, other, admin) = (try token("sun"), try token("zheng"), try token("root"))
        let api = try serve(["--require-reason"])
        defer { api.stop() }
        let asked: [String: Any] = ["cameras": [Self.cam1], "from": "2026-11-20 08:00:05", "to": "2026-11-20 08:00:45"]
        let noReason = try api.post("/api/v1/exports", json: asked, token: police)
        #expect(noReason.status == 400 && noReason.errorCode == "audit.reason_required", "\(noReason.text)")
        let footageNoReason = try api.get("/api/v1/footage?camera=\(Self.cam1)&\(Self.range)", token: police)
        #expect(footageNoReason.status == 400 && footageNoReason.errorCode == "audit.reason_required")
        #expect(try api.get("/api/v1/footage?camera=\(Self.cam1)&\(Self.range)&reason=x", token: police).status == 200)

        var withReason = asked
        withReason["reason"] = "案件 2026-118"
        let dry = try #require(try api.post("/api/v1/exports", json: withReason.merging(["dry_run": true]) { a, _ in a }, token: police).json() as? [String: Any])
        let planned = try #require((dry["manifest"] as? [String: Any])?["cameras"] as? [[String: Any]])
        #expect((planned.first?["clips"] as? [Any])?.count == 2, "\(dry)")

        // One camera as a string (the CLI's --camera) plans the same; a field it does not take is named.
        let single = try #require(try api.post("/api/v1/exports", json: ["camera": Self.cam1, "from": "2026-11-20 08:00:05", "to": "2026-11-20 08:00:45",
                                                                         "reason": "x", "dry_run": true], token: police).json() as? [String: Any])
        #expect(((single["manifest"] as? [String: Any])?["cameras"] as? [[String: Any]])?.first?["id"] as? String == Self.cam1, "\(single)")
        let misspelt = try api.post("/api/v1/exports", json: ["cams": [Self.cam1], "from": "08:00", "to": "08:01", "reason": "x"], token: police)
        #expect(misspelt.status == 400 && misspelt.text.contains("cams"), "\(misspelt.text)")
        let created = try api.post("/api/v1/exports", json: withReason, token: police)
        #expect(created.status == 202, "\(created.text)")
        let job = try #require(try created.json() as? [String: Any])
        let id = try #require(job["id"] as? String)
        #expect(created.header("Location") == "/api/v1/exports/\(id)" && job["state"] as? String == "queued")
        var state: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(60)
        repeat {
            state = try #require(try api.get("/api/v1/exports/\(id)", token: police).json() as? [String: Any])
            if ["done", "failed", "interrupted"].contains(state["state"] as? String ?? "") { break }
            usleep(100_000)
        } while Date() < deadline
        #expect(state["state"] as? String == "done", "\(state)")
        let manifest = try #require(state["manifest"] as? [String: Any])
        #expect(manifest["reason"] as? String == "案件 2026-118" && manifest["user"] as? String == "sun")
        let files = try #require(manifest["files"] as? [[String: Any]])
        #expect(files.count == 2, "a hole 08:00:30–08:00:40 makes two parts")
        #expect((state["progress"] as? [String])?.isEmpty == false)

        for file in files {
            let name = try #require(file["file"] as? String)
            let whole = try api.get("/api/v1/exports/\(id)/files/\(ServedAPI.q(name))", token: police)
            #expect(whole.status == 200 && whole.header("Content-Type") == "video/mp4" && whole.header("Accept-Ranges") == "bytes")
            let sha = SHA256.hash(data: whole.body).map { String(format: "%02x", $0) }.joined()
            #expect(sha == file["sha256"] as? String && whole.body.count == file["bytes"] as? Int, "\(name): the download is the clip the manifest lists")
            #expect(whole.header("ETag") == "\"\(sha)\"")
            // Resumed downloads: a middle, a tail, a suffix; past the end is 416.
            let middle = try api.get("/api/v1/exports/\(id)/files/\(ServedAPI.q(name))", token: police, headers: ["Range": "bytes=100-1099"])
            #expect(middle.status == 206 && middle.body == whole.body.subdata(in: 100..<1100) && middle.header("Content-Range") == "bytes 100-1099/\(whole.body.count)")
            let tail = try api.get("/api/v1/exports/\(id)/files/\(ServedAPI.q(name))", token: police, headers: ["Range": "bytes=1000-", "If-Range": "\"\(sha)\""])
            #expect(tail.status == 206 && whole.body.subdata(in: 0..<1000) + tail.body == whole.body, "resumed from byte 1000")
            let suffix = try api.get("/api/v1/exports/\(id)/files/\(ServedAPI.q(name))", token: police, headers: ["Range": "bytes=-64"])
            #expect(suffix.status == 206 && suffix.body == whole.body.suffix(64))
            let changed = try api.get("/api/v1/exports/\(id)/files/\(ServedAPI.q(name))", token: police, headers: ["Range": "bytes=1000-", "If-Range": "\"other\""])
            #expect(changed.status == 200 && changed.body == whole.body, "If-Range with another ETag gets the whole file")
            let beyond = try api.get("/api/v1/exports/\(id)/files/\(ServedAPI.q(name))", token: police, headers: ["Range": "bytes=\(whole.body.count)-"])
            #expect(beyond.status == 416 && beyond.errorCode == "range.unsatisfiable")
        }
        let served = try api.get("/api/v1/exports/\(id)/files/manifest.json", token: police)
        let onDisk = try Data(contentsOf: URL(fileURLWithPath: db + ".exports/\(id)/manifest.json"))
        #expect(served.status == 200 && served.body == onDisk)
        #expect(try CLI.run(["export", "verify", db + ".exports/\(id)"]).status == 0)
        // Only the files the job lists, only to its owner (and an admin).
        for name in ["..%2Fstore.sqlite", "store.sqlite", "%2E%2E"] {
            let answer = try api.get("/api/v1/exports/\(id)/files/\(name)", token: police)
            #expect(answer.status == 404, "\(name) → \(answer.status)")
        }
        let stranger = try api.get("/api/v1/exports/\(id)", token: other)
        #expect(stranger.status == 404 && stranger.errorCode == "export.unknown")
        #expect(try api.get("/api/v1/exports/\(id)/files/manifest.json", token: other).status == 404)
        #expect((try api.get("/api/v1/exports", token: other).json() as? [Any])?.isEmpty == true)
        #expect(try api.get("/api/v1/exports/\(id)", token: admin).status == 200)
        // The export's audit row names the user, the role and the address.
        let row = try #require(try auditRows().last { $0["command"] as? String == "export" && ($0["result"] as? String)?.contains("sha256") == true })
        #expect(row["user"] as? String == "sun" && (row["arguments"] as? [String])?.contains("role police") == true && row["reason"] as? String == "案件 2026-118")
    }

    @Test func httpsOnACertificateMadeNowAndOtherAddressesOnlyWhenSaid() throws {
        try seed()
        try user("feng", role: "police")
        let (cert, key) = (dir.file("cert.pem"), dir.file("key.pem"))
        _ = try Footage.run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
                                        "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"])
        let refused = try CLI.run(["--db", db, "serve", "--listen", "0.0.0.0:0"])
        #expect(refused.status == 2 && refused.stderr.contains("--tls-cert") && refused.stderr.contains("--insecure-http"), "\(refused.stderr)")
        #expect(try CLI.run(["--db", db, "serve", "--listen", "nowhere"]).stderr.contains("HOST:PORT"))
        #expect(try CLI.run(["--db", db, "serve", "--tls-cert", cert]).stderr.contains("--tls-key"))
        // A store that is not there fails at start, not at every request.
        let missing = try CLI.run(["--db", dir.file("nowhere.sqlite"), "serve", "--listen", "127.0.0.1:0"])
        #expect(missing.status == 1 && missing.stderr.contains("store.missing"), "\(missing.all)")

        let api = try serve(["--tls-cert", cert, "--tls-key", key])
        defer { api.stop() }
        #expect(api.base.hasPrefix("https://127.0.0.1:"))
        let curl = try Footage.run("curl", ["-s", "-i", "--cacert", cert, "-H", "Content-Type: application/json",
                                            "-d", #"{"user":"feng","password":"a-long-password"}"#, api.base + "/api/v1/session"])
        #expect(curl.contains("HTTP/1.1 200") && curl.contains("Secure") && curl.contains("HttpOnly") && curl.contains("Strict-Transport-Security"), "\(curl)")
        // Plain HTTP to the TLS port gets nothing.
        #expect(try Footage.runStatus("curl", ["-s", "--max-time", "5", "-o", "/dev/null", api.base.replacingOccurrences(of: "https", with: "http") + "/api/v1/regions"]) != 0)

        let insecure = try serve(["--listen", "0.0.0.0:0", "--insecure-http"])
        defer { insecure.stop() }
        #expect(insecure.logText.contains("--insecure-http") && insecure.logText.contains("in clear"), "\(insecure.logText)")
    }

    @Test func sigtermStopsTheServerWithRequestsAndAnExportInFlight() throws {
        try seed()
        // A longer recording, so that the export is still running when the signal comes.
        for minute in 0..<6 {
            try Footage.make(dir.file("rec/2/20261120_09\(String(format: "%02d", minute))00.mp4"), .init(seconds: 60, fps: 25, gop: 25))
        }
        try ci(["camera", "update", Self.cam2, "--recordings", dir.file("rec/2")])
        try ci(["index", "--settle", "0"])
        try user("chen", role: "police")
        let police = try token("chen")
        let api = try serve()
        let created = try api.post("/api/v1/exports", json: ["cameras": [Self.cam2], "from": "2026-11-20 09:00", "to": "2026-11-20 09:06"], token: police)
        #expect(created.status == 202, "\(created.text)")
        let id = try #require((try created.json() as? [String: Any])?["id"] as? String)
        // Requests keep coming while the signal is sent.
        let load = Thread {
            for _ in 0..<200 { _ = try? api.get("/api/v1/footage?camera=\(Self.cam1)&\(Self.range)", token: police) }
        }
        load.start()
        usleep(150_000)
        let (status, seconds) = api.stop()
        #expect(status == 0 && seconds < 10, "exit \(status) after \(seconds) s\n\(api.logText)")
        // The job is done or stopped, never left running; what it wrote is whole and listed.
        let record = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: db + ".exports/\(id).job.json"))) as? [String: Any])
        let state = try #require(record["state"] as? String)
        #expect(["done", "interrupted"].contains(state), "\(record)")
        if FileManager.default.fileExists(atPath: db + ".exports/\(id)/manifest.json") {
            #expect(try CLI.run(["export", "verify", db + ".exports/\(id)"]).status == 0)
        }
        // A new server lists the job and serves what it wrote.
        let again = try serve()
        defer { again.stop() }
        let job = try #require(try again.get("/api/v1/exports/\(id)", token: police).json() as? [String: Any])
        #expect(job["state"] as? String == state)
        if let files = job["files"] as? [String], let first = files.first {
            #expect(try again.get("/api/v1/exports/\(id)/files/\(ServedAPI.q(first))", token: police).status == 200)
        }
        #expect(!api.logText.contains("error"), "\(api.logText)")
    }

    /// Schemathesis (from PyPI, installed by `Scripts/setup --test`) sends requests generated
    /// from the OpenAPI document, as a police officer and as a technician: no answer may be a
    /// server error, none may take more than 5 s, and the server must still be up.
    @Test func fuzzedFromItsOpenAPIDocumentNoServerErrorNoHang() throws {
        try seed()
        try user("fuzz.p", role: "police")
        try user("fuzz.t", role: "technician")
        let api = try serve()
        defer { api.stop() }
        let schema = dir.file("openapi.json")
        try api.get("/api/v1/openapi.json", token: try token("fuzz.p")).body.write(to: URL(fileURLWithPath: schema))
        for user in ["fuzz.p", "fuzz.t"] {
            let run = Process()
            run.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            run.arguments = ["schemathesis", "run", schema, "--url", api.base, "-H", "Authorization: Bearer \(try token(user))",
                             "--checks", "not_a_server_error", "--max-examples", "40", "--max-response-time", "5", "--request-timeout", "20",
                             "--no-color"]
            run.environment = ProcessInfo.processInfo.environment.merging(["SCHEMATHESIS_HOOKS": "", "PYTHONUNBUFFERED": "1"]) { _, b in b }
            // Its cache of found failures goes to the test's directory, not the checkout.
            run.currentDirectoryURL = URL(fileURLWithPath: dir.path)
            let result = try run.runCollectingOutput()
            #expect(result.status == 0, "schemathesis as \(user): \(result.stdout.suffix(4000))\n\(result.stderr.suffix(2000))")
            #expect(result.stdout.contains("passed") && !result.stdout.contains("Server Unavailable"), "\(result.stdout.suffix(2000))")
        }
        #expect(try api.get("/api/v1/cameras", token: try token("fuzz.p")).status == 200, "the server still answers")
        #expect(!api.logText.contains("Fatal error"), "\(api.logText.suffix(3000))")
    }

    /// `daemon --http`: the daemon indexes a file closed while it runs, and its HTTP API answers
    /// with that footage; SIGTERM stops both within seconds.
    @Test func theDaemonServesTheAPIBesideItsWork() throws {
        try seed()
        try user("he", role: "police")
        let police = try token("he")
        let daemon = try ServedAPI(db: db, command: "daemon", arguments: ["--scan-interval", "120", "--settle", "0"], logDir: dir.path)
        let path = "/api/v1/footage?camera=\(Self.cam3)&from=\(ServedAPI.q("2026-11-20 08:00"))&to=\(ServedAPI.q("2026-11-20 08:01"))"
        let before = try #require(try daemon.get(path, token: police).json() as? [String: Any])
        #expect(((before["cameras"] as? [[String: Any]])?.first?["covered_seconds"] as? Double) == 20, "\(before)")
        try Footage.make(dir.file("rec/3/20261120_080020.mp4"), .init(seconds: 10, fps: 25, gop: 25))
        var covered = 0.0
        let deadline = Date().addingTimeInterval(20)
        while covered < 30 && Date() < deadline {
            usleep(200_000)
            let now = try #require(try daemon.get(path, token: police).json() as? [String: Any])
            covered = (now["cameras"] as? [[String: Any]])?.first?["covered_seconds"] as? Double ?? 0
        }
        #expect(covered == 30, "the file closed while the daemon runs is footage the API answers")
        #expect(try daemon.get("/api/v1/status", token: police).status == 403)
        let (status, seconds) = daemon.stop()
        #expect(status == 0 && seconds < 10, "exit \(status) after \(seconds) s\n\(daemon.logText)")
        #expect(daemon.logText.contains("daemon stopped"), "\(daemon.logText)")
    }
}
