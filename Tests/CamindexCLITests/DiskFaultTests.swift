import CamindexCore
import CamindexTestSupport
import Foundation
import Testing

/// Faults a county meets on its disks: a store on a full disk, exports at the edge of a full
/// disk, two exports into one directory, a store reached through a symbolic link. Each made to
/// happen: tmpfs disks filled on purpose, a second process.
@Suite(.serialized) struct DiskFaultTests {
    let dir = TempDir("disk-fault")
    var db: String { dir.file("store.sqlite") }

    @discardableResult
    func ci(_ args: [String], db: String? = nil, status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        try CLI.expecting(args, db: db ?? self.db, status: status, sourceLocation: sourceLocation)
    }

    /// One camera with `files` path-dated 10 s files from 08:00:00 on 2026-11-20.
    func seed(db: String? = nil, files: Int = 3, size: String = "160x120") throws {
        try ci(["region", "add", "620723", "临泽县"], db: db)
        try ci(["region", "add", "620723100", "沙河镇"], db: db)
        let rec = dir.file("rec/cam-1")
        for i in 0..<files {
            var spec = Footage.Spec(seconds: 10, fps: 10, gop: 10)
            spec.size = size
            try Footage.make("\(rec)/20261120_08\(String(format: "%02d%02d", i * 10 / 60, i * 10 % 60)).mp4", spec)
        }
        try ci(["camera", "add", "cam-1", "--name", "镇政府", "--region", "沙河镇", "--recordings", rec], db: db)
        try ci(["index"], db: db)
    }

    @Test(.enabled(if: SmallDisk.available)) func aClosedStoreOnAFullDiskIsStillRead() throws {
        let disk = try SmallDisk(bytes: 4 << 20)
        let store = disk.file("store.sqlite")
        try seed(db: store)
        let before = try ci(["query", "--camera", "cam-1", "--from", "2026-11-20T08:00", "--to", "2026-11-20T09:00", "--format", "json"], db: store).stdout
        try disk.fill()
        #expect(!FileManager.default.fileExists(atPath: store + "-shm"), "the store is closed: SQLite removed its shared-memory file")
        // Reads answer as before; the audit row that cannot be written is said, naming the cause.
        let r = try ci(["query", "--camera", "cam-1", "--from", "2026-11-20T08:00", "--to", "2026-11-20T09:00", "--format", "json"], db: store)
        #expect(r.stdout == before)
        #expect(r.stderr.contains("no space left on the device holding"), "\(r.stderr)")
        try ci(["camera", "show", "cam-1"], db: store)
        // A write says why it cannot be done, with its code.
        let w = try ci(["region", "add", "620723101", "蓼泉镇"], db: store, status: 1)
        #expect(w.stderr.contains("error[store.no_space]") && w.stderr.contains("no space left on the device holding"), "\(w.stderr)")
        #expect(!w.stderr.contains("disk I/O error"), "\(w.stderr)")
        // Room again: the same store takes writes.
        disk.empty()
        try ci(["region", "add", "620723101", "蓼泉镇"], db: store)
    }

    /// Every state an export can end in at the edge of a full disk is one of two: its clips
    /// with both manifests (each clip listed and whole, `export verify` ok), or no clip at all;
    /// and each attempt is an audit row.
    @Test(.enabled(if: SmallDisk.available)) func anExportAtTheEdgeOfAFullDiskIsOneUnit() throws {
        try seed(files: 3, size: "320x240")
        try ci(["export", "--camera", "cam-1", "--from", "2026-11-20T08:00:00", "--to", "2026-11-20T08:00:30", "--output", dir.file("sized")])
        let clip = try #require(try FileManager.default.contentsOfDirectory(atPath: dir.file("sized")).first { $0.hasSuffix(".mp4") })
        let clipBytes = Int(try Footage.size(dir.file("sized/\(clip)")))
        let disk = try SmallDisk(bytes: clipBytes * 3)
        var outcomes: [String: Int] = [:]
        // From too little for the clip, through the clip just fitting, to room for all.
        for leaving in stride(from: clipBytes - 16 << 10, through: clipBytes + 160 << 10, by: 12 << 10) {
            disk.empty()
            try disk.fill(leaving: leaving)
            let out = disk.file("out")
            let audited = try auditRows()
            let r = try CLI.run(["--db", db, "export", "--camera", "cam-1", "--from", "2026-11-20T08:00:00", "--to", "2026-11-20T08:00:30", "--output", out])
            #expect(!r.all.contains("NSCocoaErrorDomain") && !r.all.contains("Code=640"), "\(r.all)")
            #expect(try auditRows() == audited + 1, "the attempt is an audit row (free \(leaving))\n\(r.all)")
            let names = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
            let clips = names.filter { $0.hasSuffix(".mp4") }
            #expect(!names.contains { $0.hasSuffix(".partial") }, "no temporary file left: \(names)")
            if FileManager.default.fileExists(atPath: out + "/manifest.json") {
                #expect(names.contains("manifest.txt"), "both manifests or neither: \(names)")
                let v = try CLI.run(["export", "verify", out])
                #expect(v.status == 0, "\(v.all)")
                if clips.isEmpty {
                    // The camera failed on the full disk, said in the manifest and by the exit.
                    #expect(r.status == 1 && r.stderr.contains("No space left on device"), "\(r.all)")
                    outcomes["manifest, camera failed", default: 0] += 1
                } else {
                    #expect(r.status == 0, "\(r.all)")
                    outcomes["whole", default: 0] += 1
                }
            } else {
                #expect(clips.isEmpty && r.status == 1, "clips without a manifest: \(names)\n\(r.all)")
                #expect(r.stderr.contains("no space left on the device holding"), "\(r.all)")
                outcomes["nothing", default: 0] += 1
            }
            disk.empty()
            try? FileManager.default.removeItem(atPath: out)
        }
        #expect(outcomes["whole"] ?? 0 > 0 && outcomes.count >= 2, "the range crossed the edge: \(outcomes)")
    }

    func auditRows() throws -> Int {
        try #require(try CLI.json(try ci(["audit", "--format", "json"]).stdout) as? [Any]).count
    }

    @Test func twoExportsIntoOneOutputAtOnce() throws {
        try seed(files: 30)
        let range = ["--camera", "cam-1", "--from", "2026-11-20T08:00:00", "--to", "2026-11-20T08:05:00"]
        // The first export is caught while it holds the directory and stopped there (SIGSTOP),
        // so that the second surely meets it.
        var caught = false
        for attempt in 0..<8 where !caught {
            let out = dir.file("out-\(attempt)")
            let first = Process()
            first.executableURL = URL(fileURLWithPath: CLI.binary)
            first.arguments = ["--db", db, "export"] + range + ["--output", out]
            first.standardOutput = FileHandle.nullDevice
            first.standardError = FileHandle.nullDevice
            try first.run()
            while first.isRunning, FileLock.holder(path: out + "/.camindex-export.lock") == nil { usleep(500) }
            guard first.isRunning else { first.waitUntilExit(); continue }
            kill(first.processIdentifier, SIGSTOP)
            caught = true
            let second = try ci(["export"] + range + ["--output", out], status: 1)
            #expect(second.stderr.contains("error[export.busy]") && second.stderr.contains("pid \(first.processIdentifier)"), "\(second.all)")
            // --force does not take it either, nor a dry run.
            try ci(["export"] + range + ["--output", out, "--force"], status: 1)
            let dry = try ci(["export"] + range + ["--output", out, "--dry-run"], status: 1)
            #expect(dry.stderr.contains("export.busy"), "\(dry.all)")
            kill(first.processIdentifier, SIGCONT)
            first.waitUntilExit()
            #expect(first.terminationStatus == 0)
            // The first export is whole: every clip listed, each hash the file's.
            let v = try CLI.run(["export", "verify", out])
            #expect(v.status == 0 && !v.all.contains("does not list"), "\(v.all)")
            // Its lock went with it: the next export is refused only for its manifest.
            let again = try ci(["export"] + range + ["--output", out], status: 1)
            #expect(again.stderr.contains("error[export.exists]"), "\(again.all)")
        }
        #expect(caught, "the first export was never seen holding its output")
    }

    @Test func oneDaemonPerStoreWhicheverLinkItIsReachedBy() throws {
        try seed(files: 1)
        let link = dir.file("link.sqlite")
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: db)
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: CLI.binary)
        daemon.arguments = ["--db", db, "daemon", "--interval", "60"]
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = FileHandle.nullDevice
        try daemon.run()
        defer {
            kill(daemon.processIdentifier, SIGTERM)
            daemon.waitUntilExit()
        }
        let deadline = Date().addingTimeInterval(20)
        while !FileManager.default.fileExists(atPath: db + ".daemon.lock"), Date() < deadline { usleep(20_000) }
        usleep(200_000)
        // A second daemon through the link is refused at once (one that ran would be stopped).
        let second = Process()
        second.executableURL = URL(fileURLWithPath: CLI.binary)
        second.arguments = ["--db", link, "daemon", "--interval", "60"]
        let err = Pipe()
        second.standardOutput = FileHandle.nullDevice
        second.standardError = err
        try second.run()
        let refused = Date().addingTimeInterval(10)
        while second.isRunning, Date() < refused { usleep(20_000) }
        if second.isRunning { kill(second.processIdentifier, SIGTERM) }
        second.waitUntilExit()
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(second.terminationStatus == 1 && text.contains("error[daemon.running]") && text.contains("pid \(daemon.processIdentifier)"), "\(text)")
        #expect(!FileManager.default.fileExists(atPath: link + ".daemon.lock"))
    }

    /// A damaged page of the segment table's unique index: every command that meets it says
    /// `store.damaged` and names `check`; no write command writes into the file after that;
    /// the daemon's quick check finds it at start, stops writing and health goes CRITICAL.
    @Test func aDamagedStoreIsNeverWrittenTo() async throws {
        try seed(files: 1)
        let rec = dir.file("rec/cam-1")
        let first = try #require(try FileManager.default.contentsOfDirectory(atPath: rec).first)
        for i in 1..<300 {
            try FileManager.default.copyItem(atPath: "\(rec)/\(first)", toPath: String(format: "\(rec)/20261121_%02d%02d%02d.mp4", i / 3600, i / 60 % 60, i % 60))
        }
        try ci(["index"])
        let page = try Footage.run("sqlite3", [db, "SELECT pageno FROM dbstat WHERE name = 'sqlite_autoindex_segment_1' AND pagetype = 'leaf' LIMIT 1 OFFSET 1"])
        let pageNumber = try #require(UInt64(page.trimmingCharacters(in: .whitespacesAndNewlines)))
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: db))
        try handle.seek(toOffset: (pageNumber - 1) * 4096)
        try handle.write(contentsOf: Data([0, 0, 0]))
        try handle.close()
        for i in 0..<10 {
            try FileManager.default.copyItem(atPath: "\(rec)/\(first)", toPath: String(format: "\(rec)/20261122_0000%02d.mp4", i * 2))
        }
        func bytes() throws -> Data {
            #expect(((try? Footage.size(db + "-wal")) ?? 0) == 0, "no WAL left with writes in it")
            return try Data(contentsOf: URL(fileURLWithPath: db))
        }
        func rows(_ sql: String) throws -> String { try Footage.run("sqlite3", [db, sql]).trimmingCharacters(in: .whitespacesAndNewlines) }
        let index = try ci(["index"], status: 1)
        #expect(index.stderr.contains("error[store.damaged]") && index.stderr.contains("run 'camindex check'"), "\(index.all)")
        #expect(try rows("SELECT count(*) FROM segment NOT INDEXED") == "300", "index wrote no segment into the damaged store")
        // From here on the damage is known (the mark beside the store): not a byte changes.
        #expect(FileManager.default.fileExists(atPath: db + ".damaged"))
        let damaged = try bytes()
        let check = try ci(["check", "--repair"], status: 1)
        #expect(check.stdout.contains("integrity"), "\(check.all)")
        #expect(try bytes() == damaged, "check --repair wrote into the damaged store")
        try ci(["camera", "update", "cam-1", "--name", "改名"], status: 1)
        #expect(try bytes() == damaged)

        // The daemon finds it by itself (no mark left by the commands before).
        try FileManager.default.removeItem(atPath: db + ".damaged")
        let daemon = Process()
        daemon.executableURL = URL(fileURLWithPath: CLI.binary)
        daemon.arguments = ["--db", db, "daemon", "--interval", "1", "--scan-interval", "0.5"]
        let log = dir.file("daemon.log")
        FileManager.default.createFile(atPath: log, contents: nil)
        daemon.standardOutput = FileHandle.nullDevice
        daemon.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        try daemon.run()
        defer { if daemon.isRunning { kill(daemon.processIdentifier, SIGKILL) } }
        var found = false
        for _ in 0..<100 where !found {
            try await Task.sleep(for: .milliseconds(100))
            found = FileManager.default.fileExists(atPath: db + ".damaged")
        }
        #expect(found, "\((try? String(contentsOfFile: log, encoding: .utf8)) ?? "")")
        let health = try ci(["health"], status: 2)
        #expect(health.stdout.hasPrefix("CAMINDEX CRITICAL") && health.stdout.contains("store damaged"), "\(health.all)")
        try await Task.sleep(for: .seconds(2))
        kill(daemon.processIdentifier, SIGTERM)
        daemon.waitUntilExit()
        #expect(try rows("SELECT count(*) FROM segment NOT INDEXED") == "300", "the daemon wrote no segment into the damaged store")
        #expect(try rows("SELECT count(*) FROM daemon_cycle") == "0", "nor a heartbeat")
        let logged = try String(contentsOfFile: log, encoding: .utf8)
        #expect(logged.contains("store.damaged") || logged.contains("store damaged"), "\(logged)")
    }
}
