import CamindexTestSupport
import Foundation
import Testing

/// Exactly once: a publish interrupted at any point (kill -9 of the publisher, PostgreSQL
/// stopped mid-way) and then resumed leaves the province with exactly the rows of an
/// uninterrupted publish; later changes (a camera edited, a file deleted) follow.
@Suite struct PublishInterruptionTests {
    let dir = TempDir("publish-interrupted")

    @Test func interruptedPublishesResumeToTheRowsOfAnUninterruptedOne() throws {
        // A server of its own: this test stops and starts it.
        let server = try PostgresTestServer()
        let county = try CountyFixture.make(code: "620723", name: "临泽县", latShift: 0, footage: try CountyFixture.sharedFootage(), in: dir)
        let reference = try server.createDatabase()
        let head = try publish(county.db, to: reference)
        #expect(head > 100, "enough changes to interrupt: \(head)")

        // kill -9 while batches of one commit, until one lands mid-way.
        let interrupted = try server.createDatabase()
        var killedMidway = false
        for _ in 0..<5 where !killedMidway {
            let p = try start(["--db", county.db, "publish", "--to", interrupted, "--batch-size", "1"])
            var mark: Int64 = 0
            for _ in 0..<2000 {
                mark = try lastSeq(server, interrupted)
                if mark > 0 || !p.isRunning { break }
                usleep(5_000)
            }
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let after = try lastSeq(server, interrupted)
            killedMidway = p.terminationReason == .uncaughtSignal && after > 0 && after < head
        }
        #expect(killedMidway)

        // PostgreSQL stopped under a publisher (its connection lost), then started again.
        let p = try start(["--db", county.db, "publish", "--to", interrupted, "--batch-size", "1"])
        let before = try lastSeq(server, interrupted)
        for _ in 0..<2000 where try lastSeq(server, interrupted) < before + 5 && p.isRunning { usleep(5_000) }
        try server.stop()
        p.waitUntilExit()
        #expect(p.terminationStatus == 1 || p.terminationStatus == 0)
        try server.start()

        // Resumed: the same rows as the uninterrupted run.
        #expect(try publish(county.db, to: interrupted) == head)
        #expect(try dump(server, interrupted) == (try dump(server, reference)))
        // Nothing left to send.
        let again = try CountyFixture.check(["--db", county.db, "publish", "--to", interrupted, "--format", "json"])
        #expect((try CLI.json(again.stdout) as? [String: Any])?["changes"] as? Int == 0)

        // Changes after a publish follow: an edited camera, a deleted file, a removed camera.
        let id = county.recorded[0]
        try CountyFixture.check(["--db", county.db, "camera", "update", id, "--name", "改名路口"])
        let file = dir.file("620723/rec/\(id)/2026-11-20/2026-11-20-14-00-11-0.mp4")
        try FileManager.default.removeItem(atPath: file)
        try CountyFixture.check(["--db", county.db, "index", "--settle", "0", "--allow-failures"])
        try CountyFixture.check(["--db", county.db, "camera", "remove", county.recorded[1]])
        let fresh = try server.createDatabase()
        _ = try publish(county.db, to: fresh)
        _ = try publish(county.db, to: interrupted)
        #expect(try dump(server, interrupted) == (try dump(server, fresh)))
        #expect(try server.psql(interrupted, "SELECT name FROM camera WHERE id = '\(id)'") == "改名路口\n")
        #expect(try server.psql(interrupted, "SELECT count(*) FROM segment WHERE camera_id = '\(id)'") == "1\n")
        #expect(try server.psql(interrupted, "SELECT count(*) FROM segment WHERE camera_id = '\(county.recorded[1])'") == "0\n")
    }

    /// Publishes to the end; the province's mark for the county.
    private func publish(_ db: String, to url: String) throws -> Int64 {
        let r = try CountyFixture.check(["--db", db, "publish", "--to", url, "--format", "json"])
        return try #require((try CLI.json(r.stdout) as? [String: Any])?["to_seq"] as? Int).int64
    }

    private func lastSeq(_ server: PostgresTestServer, _ url: String) throws -> Int64 {
        // Before the first publish has made the schema there is no mark: 0.
        let out = try? server.psql(url, "SELECT last_seq FROM county_publish WHERE county = '620723'")
        return Int64((out ?? "").trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    private func start(_ args: [String]) throws -> Process {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CLI.binary)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        return p
    }

    /// Every province row (publish times left out), sorted, as text.
    private func dump(_ server: PostgresTestServer, _ url: String) throws -> String {
        var out = try server.psql(url, "SELECT county, last_seq, max_run_ms, max_segment_ms FROM county_publish ORDER BY county")
        for table in ["region", "camera", "segment", "footage_run", "footage_window", "live_window", "camera_state", "probe", "daemon_cycle"] {
            out += table + ":\n" + (try server.psql(url, "SELECT x::text FROM \(table) x ORDER BY 1"))
        }
        return out
    }
}

private extension Int {
    var int64: Int64 { Int64(self) }
}
