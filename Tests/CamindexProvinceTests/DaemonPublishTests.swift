import CamindexTestSupport
import Foundation
import Testing

/// `camindex daemon --publish`: live probing against a real RTSP server reaches the province
/// (camera state, probes, online windows, heartbeat) after each interval, password masked.
@Suite struct DaemonPublishTests {
    let dir = TempDir("daemon-publish")

    @Test func theDaemonPublishesEachInterval() throws {
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let rtsp = try RTSPTestServer(mounts: 1)
        let db = dir.file("store.sqlite")
        try CountyFixture.check(["--db", db, "region", "add", "620723", "临泽县"])
        try CountyFixture.check(["--db", db, "region", "add", "620723100", "沙河镇"])
        let secure = rtsp.url("secure").replacingOccurrences(of: "rtsp://", with: "rtsp://admin:secret@")
        try CountyFixture.check(["--db", db, "camera", "add", "62072300001320000001", "--name", "路口", "--region", "沙河镇", "--url", secure])
        let urlFile = dir.file("province")
        try (url + "\n").write(toFile: urlFile, atomically: true, encoding: .utf8)

        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["daemon", "--db", db, "--interval", "1", "--full-interval", "30", "--deadline", "2", "--scan-interval", "0.5",
                       "--publish-file", urlFile]
        p.standardOutput = FileHandle.nullDevice
        let log = dir.file("daemon.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        var published = false
        for _ in 0..<300 where !published {
            usleep(100_000)
            let beats = (try? server.psql(url, "SELECT count(*) FROM daemon_cycle")) ?? ""
            let live = (try? server.psql(url, "SELECT count(*) FROM live_window")) ?? ""
            published = !["", "0\n"].contains(beats) && !["", "0\n"].contains(live)
        }
        kill(p.processIdentifier, SIGTERM)
        p.waitUntilExit()
        let logged = try String(contentsOfFile: log, encoding: .utf8)
        #expect(published, "\(logged)")
        #expect(p.terminationStatus == 0)
        #expect(logged.contains("published") && !logged.contains("secret"), "\(logged)")

        // One last pass after the daemon stopped: the province then says what the county says.
        try CountyFixture.check(["--db", db, "publish", "--to-file", urlFile])
        for args in [["camera", "show", "62072300001320000001"], ["camera", "list"]] {
            let county = try CountyFixture.check(["--db", db] + args + ["--format", "json"]).stdout
            let province = try CountyFixture.check(["--db", url] + args + ["--format", "json"]).stdout
            #expect(province == county, "\(args)")
        }
        let status = try #require(try CLI.json(try CountyFixture.check(["--db", url, "status", "--format", "json"]).stdout) as? [String: Any])
        let cameras = try #require(status["cameras"] as? [String: Int])
        #expect(cameras["online"] == 1 && status["heartbeat"] != nil, "\(status)")
        #expect(try server.psql(url, "SELECT url FROM camera").contains("admin:***@"))
        #expect(try server.psql(url, "SELECT count(*) FROM camera WHERE url LIKE '%secret%'") == "0\n")
    }

    /// With a long --interval the daemon still stops within seconds of SIGTERM: the wait between
    /// publishes ends at once (it used to sleep the whole interval and publish once more).
    @Test func sigtermStopsThePublishingDaemonWithinSeconds() async throws {
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let db = dir.file("long.sqlite")
        try CountyFixture.check(["--db", db, "region", "add", "620723", "临泽县"])
        let urlFile = dir.file("province-long")
        try (url + "\n").write(toFile: urlFile, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["daemon", "--db", db, "--interval", "600", "--publish-file", urlFile]
        p.standardOutput = FileHandle.nullDevice
        let log = dir.file("daemon-long.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        let clock = ContinuousClock()
        let started = clock.now
        while !((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").contains("daemon started") && clock.now - started < .seconds(20) {
            try await Task.sleep(for: .milliseconds(50))
        }
        try await Task.sleep(for: .milliseconds(500))
        let signalled = clock.now
        kill(p.processIdentifier, SIGTERM)
        while p.isRunning && clock.now - signalled < .seconds(20) { try await Task.sleep(for: .milliseconds(50)) }
        let took = clock.now - signalled
        let logged = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        #expect(!p.isRunning && p.terminationStatus == 0, "\(logged)")
        #expect(took < .seconds(5), "stopped after \(took)")
        #expect(!logged.contains("published"), "no publish on the way out: \(logged)")
    }

    /// A province transaction holding the county's mark (FOR UPDATE), as another publish or a
    /// session left open would: `publish` fails within its lock_timeout with a province.timeout
    /// error naming what waited, and the publishing daemon stops within seconds of SIGTERM.
    @Test func aLockHeldOnTheProvinceIsWaitedForSecondsNotForever() async throws {
        let server = try PostgresTestServer.shared()
        let url = try server.createDatabase()
        let db = dir.file("locked.sqlite")
        try CountyFixture.check(["--db", db, "region", "add", "620723", "临泽县"])
        try CountyFixture.check(["--db", db, "publish", "--to", url])
        try CountyFixture.check(["--db", db, "region", "add", "620723100", "沙河镇"])
        // psql holds the row lock in an open transaction for as long as its stdin stays open.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        holder.arguments = (getuid() == 0 ? ["runuser", "-u", server.user, "--"] : []) + ["psql", url, "-q", "-v", "ON_ERROR_STOP=1"]
        let input = Pipe()
        holder.standardInput = input
        holder.standardOutput = FileHandle.nullDevice
        try holder.run()
        defer {
            try? input.fileHandleForWriting.close()
            holder.waitUntilExit()
        }
        input.fileHandleForWriting.write(Data("BEGIN;\nSELECT last_seq FROM county_publish WHERE county = '620723' FOR UPDATE;\n".utf8))
        var held = false
        for _ in 0..<100 where !held {
            usleep(50_000)
            held = (try? server.psql(url, "SELECT count(*) FROM pg_locks l JOIN pg_stat_activity a USING (pid) WHERE a.state = 'idle in transaction' AND l.mode = 'RowShareLock'")) != "0\n"
        }
        #expect(held, "psql holds the mark")

        let clock = ContinuousClock()
        var started = clock.now
        let short = try CLI.run(["--db", db, "publish", "--to", url + "&lock_timeout=1s"])
        #expect(clock.now - started < .seconds(6), "publish waited \(clock.now - started)")
        #expect(short.status == 1 && short.stderr.contains("error[province.timeout]") && short.stderr.contains("waited longer than lock_timeout (1s)")
                && short.stderr.contains("county_publish"), "\(short.all)")
        // The default bound is seconds too.
        started = clock.now
        let plain = try CLI.run(["--db", db, "publish", "--to", url])
        #expect(plain.status == 1 && plain.stderr.contains("lock_timeout (5s)") && clock.now - started < .seconds(12), "\(plain.all)")
        let bad = try CLI.run(["--db", db, "publish", "--to", url + "&lock_timeout=forever"])
        #expect(bad.status == 2 && bad.stderr.contains("invalid lock_timeout 'forever'"), "\(bad.all)")

        // The daemon publishing into the held lock stops within seconds of SIGTERM.
        let urlFile = dir.file("province-locked")
        try (url + "\n").write(toFile: urlFile, atomically: true, encoding: .utf8)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = ["daemon", "--db", db, "--interval", "0.5", "--publish-file", urlFile]
        p.standardOutput = FileHandle.nullDevice
        let log = dir.file("daemon-locked.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        p.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL) } }
        try await Task.sleep(for: .seconds(2))
        let signalled = clock.now
        kill(p.processIdentifier, SIGTERM)
        while p.isRunning && clock.now - signalled < .seconds(30) { try await Task.sleep(for: .milliseconds(50)) }
        #expect(!p.isRunning && clock.now - signalled < .seconds(10), "stopped after \(clock.now - signalled) (it took 35 s before lock_timeout)")
    }
}
