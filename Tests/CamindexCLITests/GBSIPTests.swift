import CamindexCore
import CamindexTestSupport
import Foundation
import Testing

/// The daemon as a GB/T 28181 upper platform against sipp (Debian's sip-tester) acting as an
/// NVR: the scenarios in SIP/, converted to GB2312 as devices write them.
@Suite(.serialized) struct GBSIPTests {
    let dir = TempDir("gb")
    var db: String { dir.file("store.sqlite") }
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("SIP").path
    static let nvr = "62072300001180000001"
    static let password = "Sh@heZhen-2026"

    @discardableResult
    func ci(_ args: [String], status: Int32? = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        try CLI.expecting(args, db: db, status: status, sourceLocation: sourceLocation)
    }

    func seed() throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        try ci(["region", "add", "620723100201", "西关村"])
    }

    /// The daemon on a free UDP port; returns it and the port it said it listens on.
    func startDaemon(keepalive: Double = 60, catalogTimeout: Double = 30, extra: [String] = []) async throws -> (Process, Int) {
        let passwordFile = dir.file("sip-password")
        try (Self.password + "\n").write(toFile: passwordFile, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: passwordFile)
        let log = dir.file("daemon.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["daemon", "--db", db, "--sip", "127.0.0.1:0", "--sip-id", "62072300002000000001", "--sip-password-file", passwordFile,
                       "--sip-keepalive-interval", "\(keepalive)", "--sip-catalog-timeout", "\(catalogTimeout)", "--sip-record-days", "2"] + extra
        p.standardOutput = FileHandle.nullDevice
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try p.run()
        for _ in 0..<200 {
            if let text = try? String(contentsOfFile: log, encoding: .utf8),
               let r = text.range(of: #"SIP listening on 127\.0\.0\.1:([0-9]+)"#, options: .regularExpression),
               let port = Int(text[r].split(separator: ":").last ?? "") {
                return (p, port)
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        kill(p.processIdentifier, SIGKILL)
        throw CamindexError.runtime("the daemon did not say where SIP listens: \((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
    }

    func daemonLog() -> String { (try? String(contentsOfFile: dir.file("daemon.log"), encoding: .utf8)) ?? "" }

    func stop(_ p: Process) async throws -> Duration {
        let clock = ContinuousClock(), start = clock.now
        kill(p.processIdentifier, SIGTERM)
        while p.isRunning && clock.now - start < .seconds(15) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!p.isRunning, "daemon still running after SIGTERM")
        return clock.now - start
    }

    /// Runs sipp with `scenario` (and `outOfCall` for the requests camindex sends) against the
    /// daemon; returns sipp's exit status (0: every message came as the scenario says).
    func sipp(_ scenario: String, outOfCall: String? = nil, port: Int, user: String = nvr, password: String = password, tcp: Bool = false,
              stayMs: Int = 3000) throws -> Int32 {
        var args = [dir.file(scenario).replacingOccurrences(of: ".xml", with: "")]
        for name in [scenario] + (outOfCall.map { [$0] } ?? []) {
            let status = try Footage.runStatus("sh", ["-c", "iconv -f UTF-8 -t GB2312 '\(Self.scenarios)/\(name)' > '\(dir.file(name))'"])
            try #require(status == 0, "iconv of \(name)")
        }
        args = ["127.0.0.1:\(port)", "-sf", dir.file(scenario), "-m", "1", "-i", "127.0.0.1", "-p", "\(try Self.freeUDPPort())",
                "-au", user, "-ap", password, "-d", "\(stayMs)", "-timeout", "\(30 + stayMs / 1000)s", "-timeout_error", "-trace_err", "-error_file", dir.file("sipp-errors.log")]
        if let outOfCall { args += ["-oocsf", dir.file(outOfCall)] }
        if tcp { args += ["-t", "t1"] }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/sipp")
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: dir.path)
        let r = try p.runCollectingOutput()
        if r.status != 0 { Issue.record("sipp \(scenario): exit \(r.status)\n\((try? String(contentsOfFile: dir.file("sipp-errors.log"), encoding: .utf8)) ?? "")\n\(daemonLog())") }
        return r.status
    }

    static func freeUDPPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) } }
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    func show(_ id: String) throws -> [String: Any] {
        try #require(try CLI.json(try ci(["camera", "show", id, "--format", "json"]).stdout) as? [String: Any])
    }

    func devices() throws -> [[String: Any]] {
        try #require(try CLI.json(try ci(["gb", "devices", "--format", "json"]).stdout) as? [[String: Any]])
    }

    func cameras() throws -> [String: [String: Any]] {
        let list = try #require(try CLI.json(try ci(["camera", "list", "--all", "--format", "json"]).stdout) as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: list.map { ($0["id"] as! String, $0) })
    }

    func waitFor(_ what: String, seconds: Double = 15, _ done: () throws -> Bool) async throws {
        let clock = ContinuousClock(), start = clock.now
        while clock.now - start < .seconds(seconds) {
            if try done() { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("waited \(seconds) s for \(what)\n\(daemonLog())")
    }

    /// REGISTER with a 401 challenge, the catalog in three GB2312 packets placed by CivilCode,
    /// a keepalive, offline after three missed; a smaller catalog disables what it no longer
    /// lists; a catalog that never completes is applied as far as it came and disables nothing.
    @Test func registerCatalogKeepaliveOffline() async throws {
        try seed()
        let (daemon, port) = try await startDaemon(keepalive: 2, catalogTimeout: 2)
        #expect(try sipp("nvr.xml", outOfCall: "catalog.xml", port: port) == 0)
        try await waitFor("the catalog") { (try devices().first?["catalog"] as? [String: Any])?["received"] as? Int == 4 }
        var shown = try cameras()
        #expect(shown.keys.sorted() == ["62072300001320000011", "62072300001320000012", "62072300001320000013"], "the business group is no camera")
        #expect(shown["62072300001320000011"]?["name"] as? String == "东门路口")
        #expect((shown["62072300001320000011"]?["region"] as? [String: Any])?["code"] as? String == "620723100201")
        #expect(shown["62072300001320000011"]?["lat"] as? Double == 39.1412 && shown["62072300001320000011"]?["lon"] as? Double == 100.1646)
        // Placed by its business group's CivilCode; the last one only by the county's.
        #expect((shown["62072300001320000012"]?["region"] as? [String: Any])?["code"] as? String == "620723100")
        #expect((shown["62072300001320000013"]?["region"] as? [String: Any])?["code"] as? String == "620723")
        #expect(shown.values.allSatisfy { $0["source"] as? String == "gb28181:\(Self.nvr)" }, "\(shown)")
        let unplaced = try #require(try CLI.json(try ci(["camera", "list", "--unplaced", "--format", "json"]).stdout) as? [[String: Any]])
        #expect(unplaced.map { $0["id"] as? String } == ["62072300001320000013"])
        var channel = try #require(try show("62072300001320000011")["gb_channel"] as? [String: Any])
        #expect(channel["device"] as? String == Self.nvr && channel["status"] as? String == "ON" && channel["manufacturer"] as? String == "海康威视")
        #expect(channel["placed"] as? Bool == true && channel["device_online"] as? Bool == true && channel["online"] as? Bool == true)
        #expect((try show("62072300001320000013")["gb_channel"] as? [String: Any])?["online"] as? Bool == false, "its status is OFF")
        let device = try #require(try devices().first)
        #expect(device["id"] as? String == Self.nvr)
        #expect(device["online"] as? Bool == true, "\(device)")
        #expect((device["catalog"] as? [String: Any])?["sum_num"] as? Int == 4)
        let lastKeepalive = try #require(device["last_keepalive"] as? String)

        // RecordInfo of each channel for today and yesterday: yesterday's answer (two packets,
        // SumNum 2) is footage kept on the NVR, with its holes.
        let day = Self.yesterday()
        try await waitFor("yesterday's recordings") { try footage(day).windows.count == 2 }
        var (windows, gaps) = try footage(day)
        #expect(windows == [["\(day)T08:00:00+08:00", "\(day)T09:00:00+08:00", "device"], ["\(day)T09:30:00+08:00", "\(day)T10:00:00+08:00", "device"]])
        #expect(gaps == [["\(day)T07:00:00+08:00", "\(day)T08:00:00+08:00"], ["\(day)T09:00:00+08:00", "\(day)T09:30:00+08:00"],
                         ["\(day)T10:00:00+08:00", "\(day)T11:00:00+08:00"]])
        let k = try ci(["keyframe", "--camera", "62072300001320000011", "--at", "\(day) 08:30"], status: nil)
        #expect(k.status != 0 && k.stderr.contains("is on its GB/T 28181 device"), "\(k.stderr)")

        // 在线率 counts the catalog's channels: online while the NVR keeps alive, C (OFF) never.
        let iso = ISO8601DateFormatter()
        let period = ["--from", iso.string(from: Date().addingTimeInterval(-10)), "--to", iso.string(from: Date())]
        let report = try #require(try CLI.json(try ci(["report", "--format", "json"] + period).stdout) as? [String: Any])
        let county = try #require((report["regions"] as? [[String: Any]])?.first { $0["code"] as? String == "620723" })
        #expect(county["live_cameras"] as? Int == 3, "\(county)")
        #expect((county["online_rate"] as? Double ?? 0) > 0, "\(county)")
        let village = try #require((report["regions"] as? [[String: Any]])?.first { $0["code"] as? String == "620723100201" })
        #expect((village["online_rate"] as? Double ?? 0) > (county["online_rate"] as? Double ?? 1), "A is ON, C is OFF")

        // The NVR is silent now: offline once three 2 s keepalives are missed.
        try await waitFor("the NVR offline") { try devices().first?["online"] as? Bool == false }
        let offline = try #require(try devices().first)
        #expect((offline["reason"] as? String)?.hasPrefix("3 keepalives missed") == true, "\(offline)")
        let silent = try #require(Self.seconds(offline["since"] as? String)) - (try #require(Self.seconds(lastKeepalive)))
        #expect(silent > 6 && silent < 6 + 2 + 3, "offline \(silent) s after the last keepalive")
        channel = try #require(try show("62072300001320000011")["gb_channel"] as? [String: Any])
        #expect(channel["device_online"] as? Bool == false && channel["online"] as? Bool == false)
        #expect((channel["device_reason"] as? String)?.hasPrefix("3 keepalives missed") == true)

        // Registered again with a catalog of one channel: the other two are disabled, not deleted.
        #expect(try sipp("nvr.xml", outOfCall: "catalog-one.xml", port: port) == 0)
        try await waitFor("the smaller catalog") { (try devices().first?["catalog"] as? [String: Any])?["sum_num"] as? Int == 1 }
        shown = try cameras()
        #expect(shown.count == 3)
        #expect(shown["62072300001320000011"]?["enabled"] as? Bool == true)
        #expect(shown["62072300001320000012"]?["enabled"] as? Bool == false && shown["62072300001320000013"]?["enabled"] as? Bool == false)
        // The NVR now lists only 08:00–09:00: 09:30–10:00 is a hole again.
        try await waitFor("the shorter RecordInfo answer") { try footage(day).windows.count == 1 }
        (windows, gaps) = try footage(day)
        #expect(windows == [["\(day)T08:00:00+08:00", "\(day)T09:00:00+08:00", "device"]])
        #expect(gaps.count == 2)

        // SumNum 3, one item sent: after the timeout that item is back, nothing else disabled.
        #expect(try sipp("nvr.xml", outOfCall: "catalog-partial.xml", port: port) == 0)
        try await waitFor("the partial catalog") { (try devices().first?["catalog"] as? [String: Any])?["sum_num"] as? Int == 3 }
        shown = try cameras()
        #expect(shown["62072300001320000013"]?["enabled"] as? Bool == true)
        #expect(shown["62072300001320000011"]?["enabled"] as? Bool == true, "an incomplete catalog disables nothing")
        #expect((try devices().first?["catalog"] as? [String: Any])?["received"] as? Int == 1)
        #expect(daemonLog().contains("GB catalog incomplete: 1 of 3 items came; nothing disabled"))

        let took = try await stop(daemon)
        #expect(took < .seconds(5), "SIGTERM took \(took)")
        let trail = try ci(["audit", "--format", "json"]).stdout
        #expect(trail.contains("gb catalog") && trail.contains("gb offline"))
    }

    /// A wrong password gets 403 and registers nothing; a body that is not XML gets 400; the
    /// log names the device, never the password.
    @Test func wrongPasswordAndMalformedXMLAreRefused() async throws {
        try seed()
        let (daemon, port) = try await startDaemon()
        #expect(try sipp("bad.xml", port: port) == 0)
        #expect(try devices().isEmpty)
        _ = try await stop(daemon)
        let log = daemonLog()
        #expect(log.contains("bad digest") && log.contains("62072300001180000002"), "\(log)")
        #expect(log.contains("unreadable MANSCDP"), "\(log)")
        #expect(!log.contains(Self.password) && !log.contains("wrong"), "\(log)")
    }

    /// An NVR that takes RecordInfo queries but never answers: each day is asked again by the
    /// hour, and what the store had for those days stays (a silent device is not a hole).
    @Test func aDeviceThatStopsAnsweringKeepsWhatWasKnown() async throws {
        try seed()
        let (daemon, port) = try await startDaemon(extra: ["--sip-record-timeout", "1", "--sip-record-queries", "50"])
        #expect(try sipp("nvr.xml", outOfCall: "catalog.xml", port: port) == 0)
        let day = Self.yesterday()
        try await waitFor("yesterday's recordings") { try footage(day).windows.count == 2 }
        #expect(try sipp("nvr.xml", outOfCall: "catalog-mute.xml", port: port) == 0)
        func unansweredSweep() -> Substring? {
            daemonLog().split(separator: "\n").last { $0.hasSuffix("GB RecordInfo") && $0.contains("unanswered=") && !$0.contains("unanswered=0 ") }
        }
        try await waitFor("the unanswered sweep", seconds: 30) { unansweredSweep() != nil }
        _ = try await stop(daemon)
        #expect(try footage(day).windows.count == 2, "kept")
        let log = daemonLog()
        #expect(log.contains("GB RecordInfo: the answer did not all come"), "\(log)")
        // Each day once whole, then by the hour (yesterday's 24 at least).
        let sweep = try #require(unansweredSweep())
        let queries = Int(sweep.split(separator: " ").first { $0.hasPrefix("queries=") }?.dropFirst(8) ?? "") ?? 0
        #expect(queries >= 3 * (2 + 24), "\(sweep)")
    }

    /// The same NVR over TCP: registered, its catalog and RecordInfo asked over its connection.
    @Test func overTCP() async throws {
        try seed()
        let (daemon, port) = try await startDaemon()
        #expect(try sipp("nvr.xml", outOfCall: "catalog.xml", port: port, tcp: true) == 0)
        try await waitFor("yesterday's recordings") { try footage(Self.yesterday()).windows.count == 2 }
        #expect(try cameras().count == 3)
        #expect(try devices().first?["online"] as? Bool == true)
        let took = try await stop(daemon)
        #expect(took < .seconds(5), "SIGTERM took \(took)")
    }

    /// A device given its own password registers with it, not with the county's; the store
    /// keeps its HA1, not the password.
    @Test func aDeviceWithItsOwnPassword() async throws {
        try seed()
        let own = "nvr-1 的密码"
        try (own + "\n").write(toFile: dir.file("nvr.pw"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: dir.file("nvr.pw"))
        try ci(["gb", "password", Self.nvr, "--sip-id", "62072300002000000001", "--password-file", dir.file("nvr.pw")])
        let (daemon, port) = try await startDaemon()
        #expect(try sipp("nvr.xml", outOfCall: "catalog.xml", port: port, password: own) == 0)
        try await waitFor("the catalog") { try devices().first?["online"] as? Bool == true }
        _ = try await stop(daemon)
        // The county's password no longer lets it in.
        let (again, port2) = try await startDaemon()
        #expect(try sipp("nvr-refused.xml", port: port2) == 0)
        _ = try await stop(again)
        let dump = try Footage.runStatus("sh", ["-c", "sqlite3 '\(db)' .dump | grep -q -F '\(own)'"])
        #expect(dump != 0, "the password is in the store")
    }

    /// `gb catalog DEVICE` asks through the running daemon and says what the catalog did; an
    /// inventory's camera keeps its fields and `--diff` lists the catalog's; GCJ-02 positions
    /// come in as WGS84; DeviceStatus gives the NVR's clock, which the 校时 check reads; a device
    /// that never registered, and a store with no daemon, are said as such.
    @Test func aCatalogOnDemandAndItsDifferences() async throws {
        try seed()
        try ci(["camera", "add", "62072300001320000011", "--name", "东门", "--region", "620723100201", "--lat", "39.14", "--lon", "100.16"])
        let (daemon, port) = try await startDaemon(extra: ["--sip-coordinates", "gcj02"])
        // The NVR stays registered for 12 s while the shell asks.
        let nvr = Task.detached { [self] in try sipp("nvr.xml", outOfCall: "catalog.xml", port: port, stayMs: 12_000) }
        try await waitFor("the catalog at registration") { (try devices().first?["catalog"] as? [String: Any])?["received"] as? Int == 4 }
        let asked = try #require(try CLI.json(try ci(["gb", "catalog", Self.nvr, "--format", "json"]).stdout) as? [String: Any])
        #expect(asked["device"] as? String == Self.nvr && asked["sum_num"] as? Int == 4 && asked["received"] as? Int == 4, "\(asked)")
        #expect(asked["channels"] as? Int == 3 && asked["timed_out"] as? Bool == false)
        #expect((asked["changes"] as? [Any])?.isEmpty == true, "the same catalog again changes nothing: \(asked)")
        #expect(asked["unplaced"] as? [String] == ["62072300001320000013"])
        let text = try ci(["gb", "catalog", Self.nvr]).stdout
        #expect(text.contains("\(Self.nvr): 4 of 4 items, 3 channels, no changes"), "\(text)")

        // The inventory's camera kept its name and position; the catalog's, in WGS84, are beside them.
        let shown = try cameras()
        #expect(shown["62072300001320000011"]?["name"] as? String == "东门" && shown["62072300001320000011"]?["lat"] as? Double == 39.14)
        let b = GCJ02.toWGS84(lat: 39.1398, lon: 100.1623)
        let lat = try #require(shown["62072300001320000012"]?["lat"] as? Double), lon = try #require(shown["62072300001320000012"]?["lon"] as? Double)
        #expect(abs(lat - b.lat) < 1e-9 && abs(lon - b.lon) < 1e-9, "GCJ-02 \(lat),\(lon) vs \(b)")
        let a = GCJ02.toWGS84(lat: 39.1412, lon: 100.1646)
        let diff = try #require(try CLI.json(try ci(["gb", "catalog", "--diff", "--format", "json"]).stdout) as? [[String: String]])
        #expect(diff == [
            ["camera": "62072300001320000011", "field": "name", "registry": "东门", "catalog": "东门路口"],
            ["camera": "62072300001320000011", "field": "lat", "registry": "39.14000", "catalog": String(format: "%.5f", a.lat)],
            ["camera": "62072300001320000011", "field": "lon", "registry": "100.16000", "catalog": String(format: "%.5f", a.lon)],
        ], "\(diff)")
        #expect(try ci(["gb", "catalog", "62072300001180000099", "--diff"]).stdout.contains("the registry and the catalogs agree for 62072300001180000099"))

        // DeviceStatus: the NVR's clock says 2020-01-01 08:00:00.
        let clock = try #require(try devices().first?["clock_offset_seconds"] as? Double)
        let expected = 1_577_836_800 - Date().timeIntervalSince1970  // 2020-01-01T08:00:00+08:00
        #expect(abs(clock - expected) < 20, "offset \(clock) s, expected about \(expected) s")
        #expect((try show("62072300001320000012")["gb_channel"] as? [String: Any])?["device_clock_offset_seconds"] as? Double == clock)
        let health = try ci(["health", "--check", "clock"], status: 2).stdout
        #expect(health.contains("clock 62072300001320000012"), "\(health)")

        let unknown = try ci(["gb", "catalog", "62072300001180000099"], status: nil)
        #expect(unknown.status != 0 && unknown.stderr.contains("62072300001180000099 has never registered"), "\(unknown.stderr)")
        #expect(try await nvr.value == 0)
        _ = try await stop(daemon)
        let none = try ci(["gb", "catalog", Self.nvr, "--wait", "2"], status: nil)
        #expect(none.status != 0 && none.stderr.contains("no daemon with --sip took the request in 2s"), "\(none.stderr)")
        let trail = try ci(["audit", "--format", "json"]).stdout
        #expect(trail.contains("gb catalog request"))
    }

    /// A password file every user can read is refused, named.
    @Test func aPasswordFileOthersCanReadIsRefused() throws {
        try seed()
        try "secret\n".write(toFile: dir.file("open.pw"), atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: dir.file("open.pw"))
        let r = try ci(["daemon", "--sip", "127.0.0.1:0", "--sip-id", "62072300002000000001", "--sip-password-file", dir.file("open.pw")], status: nil)
        #expect(r.status != 0 && r.stderr.contains("--sip-password-file \(dir.file("open.pw")): every user can read it"), "\(r.stderr)")
        #expect(!r.stderr.contains("secret"))
    }

    /// Camera A's windows (start, end, source) and gaps (start, end) from 07:00 to 11:00 of `day`.
    func footage(_ day: String) throws -> (windows: [[String]], gaps: [[String]]) {
        let q = try ci(["query", "--camera", "62072300001320000011", "--from", "\(day) 07:00", "--to", "\(day) 11:00", "--max-gap", "0", "--format", "json"])
        let cam = try #require(((try CLI.json(q.stdout) as? [String: Any])?["cameras"] as? [[String: Any]])?.first)
        let windows = (cam["windows"] as? [[String: Any]] ?? []).map { [$0["start"] as? String ?? "", $0["end"] as? String ?? "", $0["source"] as? String ?? "file"] }
        let gaps = (cam["gaps"] as? [[String: Any]] ?? []).map { [$0["start"] as? String ?? "", $0["end"] as? String ?? ""] }
        return (windows, gaps)
    }

    static func yesterday() -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "Asia/Shanghai")
        f.dateFormat = "yyyy-MM-dd"
        return f.string(from: Date().addingTimeInterval(-86_400))
    }

    static func seconds(_ rfc3339: String?) -> Double? {
        guard let rfc3339 else { return nil }
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return (f.date(from: rfc3339) ?? ISO8601DateFormatter().date(from: rfc3339))?.timeIntervalSince1970
    }
}
