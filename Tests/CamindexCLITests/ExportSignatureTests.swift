import CamindexTestSupport
import Crypto
import Foundation
import Testing

/// An export is evidence: its manifest signed with the store's Ed25519 key (checked by
/// `export verify`, by the key asked for), and its extraction record (电子数据提取固定清单)
/// naming the reason, the operator and every clip's SHA-256, values from outside escaped.
@Suite(.serialized) struct ExportSignatureTests {
    let dir = TempDir("export-signature")
    var db: String { dir.file("store.sqlite") }
    var keyFile: String { db + ".signing-key" }
    static let xss = "<img src=x onerror=alert(1)>"

    @discardableResult
    func ci(_ args: [String], status: Int32? = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        try CLI.expecting(args, db: db, status: status, sourceLocation: sourceLocation)
    }

    /// Footage 08:00:00–08:00:30 and 08:00:40–08:00:50 of a camera named like an attack.
    func seed(camera: String = "cam-1", name: String = xss) throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        let rec = dir.file("rec/\(camera)")
        for file in ["20261120_080000", "20261120_080010", "20261120_080020", "20261120_080040"] {
            try Footage.make("\(rec)/\(file).mp4", .init(seconds: 10, fps: 25, gop: 25))
        }
        try ci(["camera", "add", camera, "--name", name, "--region", "沙河镇", "--recordings", rec])
        try ci(["index", "--settle", "0"])
    }

    @discardableResult
    func export(_ out: String, status: Int32 = 0) throws -> CLI.Result {
        try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:05", "--to", "2026-11-20 08:00:45", "--output", out,
                "--reason", "案件 2026-118 <b>"], status: status)
    }

    func json(_ path: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
    }

    func sha256(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }

    func mode(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber).intValue
    }

    @Test func theManifestIsSignedWithTheStoresKeyAndVerifies() throws {
        try seed()
        #expect(!FileManager.default.fileExists(atPath: keyFile))
        let out = dir.file("out")
        try export(out)
        #expect(try mode(keyFile) == 0o600, "the key is made on first need, 0600")
        let sig = try json("\(out)/manifest.json.sig")
        #expect(sig["algorithm"] as? String == "Ed25519" && sig["signed_file"] as? String == "manifest.json")
        let publicKey = try #require(sig["public_key"] as? String)
        let raw = try #require(Data(base64Encoded: publicKey))
        #expect(sig["key_id"] as? String == String(sha256(raw).prefix(16)))
        #expect((sig["signed_at"] as? String)?.hasSuffix("+08:00") == true)
        // Checked here with swift-crypto alone, over the exact bytes of the manifest.
        let manifest = try Data(contentsOf: URL(fileURLWithPath: "\(out)/manifest.json"))
        let signatureText = try #require(sig["signature"] as? String)
        let signature = try #require(Data(base64Encoded: signatureText))
        #expect(try Curve25519.Signing.PublicKey(rawRepresentation: raw).isValidSignature(signature, for: manifest))
        // The key file's secret is in no output.
        let secret = try #require(try String(contentsOfFile: keyFile, encoding: .utf8).split(separator: "\n").last.map(String.init))
        #expect(!(try String(contentsOfFile: "\(out)/manifest.json.sig", encoding: .utf8)).contains(secret))

        let v = try ci(["export", "verify", out])
        #expect(v.stdout.contains("verifies") && v.stdout.contains(publicKey) && v.stdout.contains(sig["key_id"] as! String), "\(v.all)")
        #expect(v.stdout.contains("key: this store's") && v.stdout.contains("ok: 2 clips match"), "\(v.all)")
        #expect(!v.all.contains(secret))
        // A directory named relative to where verify runs is the same export.
        let relative = try CLI.run(["--db", db, "export", "verify", "out"], cwd: dir.path)
        #expect(relative.status == 0 && relative.stdout.contains("ok: 2 clips match"), "\(relative.all)")
        // `export key` prints the same key and never the secret; the key stays the one made.
        let key = try ci(["export", "key"])
        #expect(key.stdout.contains(publicKey) && key.stdout.contains(sig["key_id"] as! String) && !key.all.contains(secret), "\(key.all)")
        // Against the key obtained separately: given as base64, as a file of the API's JSON.
        try ci(["export", "verify", out, "--public-key", publicKey])
        let keyJSON = dir.file("county-key.json")
        try ci(["export", "key", "--format", "json"]).stdout.write(toFile: keyJSON, atomically: true, encoding: .utf8)
        #expect(try ci(["export", "verify", out, "--public-key", keyJSON]).stdout.contains("key: the key given"))
        // By another key: a failure naming both key IDs.
        let other = Curve25519.Signing.PrivateKey().publicKey.rawRepresentation
        let wrong = try ci(["export", "verify", out, "--public-key", other.base64EncodedString()], status: 1)
        #expect(wrong.stderr.contains("not by the key given") && wrong.stderr.contains(String(sha256(other).prefix(16))), "\(wrong.all)")
        // Another store (no key of its own yet) is told the signature is another key's.
        let elsewhere = try CLI.run(["--db", dir.file("other.sqlite"), "region", "add", "620724", "高台县"])
        #expect(elsewhere.status == 0)
        let foreign = try CLI.run(["--db", dir.file("other.sqlite"), "export", "verify", out])
        #expect(foreign.status == 0 && foreign.stdout.contains("verifies") && foreign.stdout.contains("another key"), "\(foreign.all)")
        // A second export signs with the same key.
        try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:05", "--to", "2026-11-20 08:00:06", "--output", dir.file("out2")])
        #expect(try json(dir.file("out2/manifest.json.sig"))["public_key"] as? String == publicKey)
    }

    @Test func oneByteChangedInTheManifestFailsVerify() throws {
        try seed()
        let out = dir.file("out")
        try export(out)
        let path = "\(out)/manifest.json"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        // One digit of the export's time: still a manifest, no clip touched.
        let at = try #require(bytes.range(of: Data("\"exported_at\" : \"2".utf8)))
        bytes[at.upperBound] = bytes[at.upperBound] == UInt8(ascii: "0") ? UInt8(ascii: "1") : UInt8(ascii: "0")
        try bytes.write(to: URL(fileURLWithPath: path))
        let r = try ci(["export", "verify", out], status: 1)
        #expect(r.stdout.contains("DOES NOT VERIFY") && r.stderr.contains("error[export.changed]")
                && r.stderr.contains("manifest.json.sig: the signature does not match the bytes of manifest.json"), "\(r.all)")
        // A signature removed is no better.
        try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:05", "--to", "2026-11-20 08:00:06", "--output", dir.file("out2")])
        try FileManager.default.removeItem(atPath: dir.file("out2/manifest.json.sig"))
        #expect(try ci(["export", "verify", dir.file("out2")], status: 1).stderr.contains("manifest.json.sig: missing"))
    }

    @Test func aSigningKeyOthersCanReadIsRefused() throws {
        try seed()
        try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:05", "--to", "2026-11-20 08:00:06", "--output", dir.file("first")])
        #expect(chmod(keyFile, 0o644) == 0)
        let out = dir.file("out")
        let r = try export(out, status: 1)
        #expect(r.stderr.contains(keyFile) && r.stderr.contains("mode 0644") && r.stderr.contains("nothing was exported"), "\(r.all)")
        #expect(!FileManager.default.fileExists(atPath: out), "nothing written")
        // A dry run refuses it too; so does `export key`; the key file is left as it is.
        #expect(try ci(["export", "--camera", "cam-1", "--from", "2026-11-20 08:00:05", "--to", "2026-11-20 08:00:06", "--output", out,
                        "--dry-run"], status: 1).stderr.contains(keyFile))
        #expect(try ci(["export", "key"], status: 1).stderr.contains("mode 0644"))
        #expect(try mode(keyFile) == 0o644)
        #expect(chmod(keyFile, 0o600) == 0)
        try export(out)
    }

    @Test func theExtractionRecordNamesTheReasonTheOperatorAndEveryClipsHash() throws {
        try seed()
        let out = dir.file("out")
        try export(out)
        let html = try String(contentsOfFile: "\(out)/extraction-record.html", encoding: .utf8)
        let manifest = try json("\(out)/manifest.json")
        let manifestBytes = try Data(contentsOf: URL(fileURLWithPath: "\(out)/manifest.json"))
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.contains("<meta charset=\"utf-8\">") && html.contains("电子数据提取固定清单"))
        #expect(html.contains("案件 2026-118 &lt;b&gt;") && !html.contains("<b>"), "the reason, escaped")
        let user = try #require(manifest["user"] as? String)
        #expect(!user.isEmpty && html.contains(user) && html.contains("操作系统用户"), "the operator: the OS user of the CLI")
        #expect(html.contains("&lt;img src=x onerror=alert(1)&gt;") && !html.contains("<img"), "the camera's name is text")
        #expect(!html.contains("<script") && !html.contains("src=\"") && !html.contains("href=") && !html.contains("url("), "nothing runs, nothing is fetched")
        #expect(html.contains("临泽县") && html.contains("沙河镇"), "the county and the camera's region")
        #expect(html.contains("stream copy, no re-encoding") && html.contains("camindex \(manifest["camindex_version"] as! String)"))
        #expect(html.contains("未知") && html.contains("unknown"), "no probe: the clock offset is unknown")
        #expect(html.contains("2026-11-20T08:00:30+08:00 → 2026-11-20T08:00:40+08:00"), "the hole")
        let files = try #require(manifest["files"] as? [[String: Any]])
        #expect(files.count == 2)
        for f in files {
            #expect(html.contains(f["sha256"] as! String) && html.contains(f["file"] as! String) && html.contains(">\(f["bytes"] as! Int)<"))
        }
        #expect(html.contains(sha256(manifestBytes)), "the manifest's own hash")
        #expect(html.contains(try json("\(out)/manifest.json.sig")["key_id"] as! String), "the signature's key ID")
        for line in ["提取人", "持有人", "见证人", "日期"] { #expect(html.contains(line)) }
        // Neither manifest lists it (it is written after them, carrying the manifest's hash).
        #expect(!(try String(contentsOfFile: "\(out)/manifest.txt", encoding: .utf8)).contains("extraction-record"))
        #expect(!String(decoding: manifestBytes, as: UTF8.self).contains("extraction-record"))
        // A record naming another manifest is said by verify.
        try html.replacingOccurrences(of: sha256(manifestBytes), with: String(repeating: "0", count: 64))
            .write(toFile: "\(out)/extraction-record.html", atomically: true, encoding: .utf8)
        let v = try ci(["export", "verify", out])
        #expect(v.stderr.contains("warning") && v.stderr.contains("extraction-record.html names manifest sha256 000"), "\(v.all)")
    }

    @Test func theRecordShowsTheClockOffsetOfTheLastProbe() throws {
        try seed()
        // As the daemon keeps a full probe's result.
        _ = try Footage.run("sqlite3", [db, """
            INSERT INTO probe (camera_id, at_ms, depth, ok, duration_ms, codec, width, height, clock_offset_s) VALUES ('cam-1', 1795651200000, 'full', 1, 100, 'h264', 160, 120, -2.5);
            INSERT INTO camera_state (camera_id, state, since_ms, last_probe_ms, last_depth, last_ok, last_duration_ms, consecutive_failures, last_full_probe_id)
                VALUES ('cam-1', 'online', 1795651200000, 1795651200000, 'full', 1, 100, 0, last_insert_rowid());
            """])
        let out = dir.file("out")
        try export(out)
        let html = try String(contentsOfFile: "\(out)/extraction-record.html", encoding: .utf8)
        #expect(html.contains("-2.500 秒") && html.contains("-2.500 s"), "\(html)")
    }

    /// Over HTTP: the signing-key route answers the key of the file, the job serves the signature
    /// and the record (text/html), and the record names the signed-in user and their role.
    @Test func theSigningKeyRouteAndAJobsSignatureAndRecord() throws {
        try seed(camera: "62072300001320000001")
        let file = dir.file("sun.pw")
        try "a-long-password\n".write(toFile: file, atomically: true, encoding: .utf8)
        try ci(["user", "add", "sun", "--role", "police", "--password-file", file])
        let token = try ci(["user", "token", "sun"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let api = try ServedAPI(db: db, logDir: dir.path)
        defer { api.stop() }
        #expect(try api.get("/api/v1/signing-key").status == 401)
        let answer = try api.get("/api/v1/signing-key", token: token)
        #expect(answer.status == 200, "\(answer.text)")
        let key = try #require(try answer.json() as? [String: Any])
        #expect(key["algorithm"] as? String == "Ed25519")
        let publicKey = try #require(key["public_key"] as? String)
        #expect(try ci(["export", "key"]).stdout.contains(publicKey), "the route answers the key of the file")
        #expect(key["key_id"] as? String == String(sha256(try #require(Data(base64Encoded: publicKey))).prefix(16)))
        #expect(try mode(keyFile) == 0o600)

        let created = try api.post("/api/v1/exports", json: ["cameras": ["62072300001320000001"], "from": "2026-11-20 08:00:05", "to": "2026-11-20 08:00:15",
                                                            "reason": "案件 2026-119"], token: token)
        #expect(created.status == 202, "\(created.text)")
        let id = try #require(try created.json() as? [String: Any])["id"] as! String
        var state: [String: Any] = [:]
        let deadline = Date().addingTimeInterval(60)
        repeat {
            state = try #require(try api.get("/api/v1/exports/\(id)", token: token).json() as? [String: Any])
            if ["done", "failed", "interrupted"].contains(state["state"] as? String ?? "") { break }
            usleep(100_000)
        } while Date() < deadline
        #expect(state["state"] as? String == "done", "\(state)")
        #expect((state["files"] as? [String])?.contains("manifest.json.sig") == true && (state["files"] as? [String])?.contains("extraction-record.html") == true)
        let sig = try api.get("/api/v1/exports/\(id)/files/manifest.json.sig", token: token)
        #expect(sig.status == 200 && sig.header("Content-Type") == "application/json; charset=utf-8")
        #expect(try #require(try sig.json() as? [String: Any])["public_key"] as? String == publicKey)
        let record = try api.get("/api/v1/exports/\(id)/files/extraction-record.html", token: token)
        #expect(record.status == 200 && record.header("Content-Type") == "text/html; charset=utf-8")
        #expect(record.text.contains("sun（police）") && record.text.contains("案件 2026-119") && record.text.contains("&lt;img"), "\(record.text)")
        let host = try Footage.run("hostname", []).trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(record.text.contains(host), "the place: the server's host name")
        #expect(try CLI.run(["--db", db, "export", "verify", db + ".exports/\(id)", "--public-key", publicKey]).status == 0)
    }
}
