import CamindexTestSupport
import Foundation
import Testing

/// Guards around evidence a trial found open: exports written where the indexer reads, dry runs
/// that promised what the real run refused, cameras named twice, directories that could not be
/// read taken for footage that is gone.
@Suite(.serialized) struct EvidenceGuardTests {
    let dir = TempDir("evidence-guard")
    var db: String { dir.file("store.sqlite") }
    var rec: String { dir.file("rec/cam-1") }

    @discardableResult
    func ci(_ args: [String], status: Int32 = 0, asUser: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        try CLI.expecting(args, db: db, status: status, asUser: asUser, sourceLocation: sourceLocation)
    }

    /// Two day directories of 10 s files: 2026-11-20/08:00:00–08:00:20, 2026-11-21/08:00:00–08:00:10.
    func seed() throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        for name in ["2026-11-20/20261120_080000", "2026-11-20/20261120_080010", "2026-11-21/20261121_080000"] {
            try Footage.make("\(rec)/\(name).mp4", .init(seconds: 10, fps: 10, gop: 10))
        }
        try ci(["camera", "add", "cam-1", "--name", "镇政府", "--region", "沙河镇", "--recordings", rec])
        try ci(["index", "--settle", "0"])
    }

    func segments() throws -> Int {
        let shown = try #require(try CLI.json(try ci(["camera", "show", "cam-1", "--format", "json"]).stdout) as? [String: Any])
        return (shown["footage"] as? [String: Any])?["segments"] as? Int ?? -1
    }

    let range = ["--from", "2026-11-20 08:00:00", "--to", "2026-11-20 08:00:15"]

    @Test func anExportInsideARecordingsDirectoryIsRefusedAndAnExportThereIsNeverIndexed() throws {
        try seed()
        let inside = try ci(["export", "--camera", "cam-1", "--output", "\(rec)/case-118"] + range, status: 2)
        #expect(inside.stderr.contains("error[export.output_in_recordings]") && inside.stderr.contains("cam-1"), "\(inside.stderr)")
        #expect(!FileManager.default.fileExists(atPath: "\(rec)/case-118"))
        // Through a symbolic link to it, and in a dry run: the same.
        try FileManager.default.createSymbolicLink(atPath: dir.file("alias"), withDestinationPath: rec)
        try ci(["export", "--camera", "cam-1", "--output", dir.file("alias/x"), "--dry-run"] + range, status: 2)

        // An export made elsewhere and moved in (by hand, or by an older camindex) is not footage.
        let out = dir.file("out")
        try ci(["export", "--camera", "cam-1", "--output", out] + range)
        try FileManager.default.moveItem(atPath: out, toPath: "\(rec)/2026-11-20/case-118")
        #expect(try segments() == 3)
        try ci(["index", "--settle", "0"])
        #expect(try segments() == 3, "the clips were indexed as the camera's footage")
        let check = try ci(["check"])
        #expect(!check.stdout.contains("unindexed"), "\(check.stdout)")
    }

    @Test func aDryRunRefusesWhatTheRealRunWould() throws {
        try seed()
        let out = dir.file("out")
        try ci(["export", "--camera", "cam-1", "--output", out] + range)
        let again = try ci(["export", "--camera", "cam-1", "--output", out, "--dry-run"] + range, status: 1)
        #expect(again.stderr.contains("error[export.exists]") && !again.all.contains("nothing written"), "\(again.all)")
        try ci(["export", "--camera", "cam-1", "--output", out, "--dry-run", "--force"] + range)
        // A file where the directory should be.
        FileManager.default.createFile(atPath: dir.file("plain"), contents: Data())
        try ci(["export", "--camera", "cam-1", "--output", dir.file("plain"), "--dry-run"] + range, status: 2)
        if getuid() != 0 {
            try FileManager.default.createDirectory(atPath: dir.file("ro"), withIntermediateDirectories: true, attributes: [.posixPermissions: 0o555])
            try ci(["export", "--camera", "cam-1", "--output", dir.file("ro/x"), "--dry-run"] + range, status: 1)
        }
    }

    @Test func aCameraNamedTwiceIsSelectedOnce() throws {
        try seed()
        let q = try #require(try CLI.json(try ci(["query", "--camera", "cam-1", "--camera", "cam-1", "--format", "json"] + range).stdout) as? [String: Any])
        #expect((q["cameras"] as? [Any])?.count == 1)
        let out = dir.file("out")
        try ci(["export", "--camera", "cam-1", "--camera", "cam-1", "--output", out] + range)
        let manifest = try #require(try CLI.json(String(contentsOfFile: "\(out)/manifest.json", encoding: .utf8)) as? [String: Any])
        #expect((manifest["cameras"] as? [Any])?.count == 1 && (manifest["files"] as? [Any])?.count == 1)
    }

    /// Run as an unprivileged user (root reads any directory): a day directory it cannot read
    /// is an error naming it, and its files' rows are kept, by index and by check --repair.
    @Test func anUnreadableDirectoryIsAnErrorAndKeepsItsRows() throws {
        try seed()
        let user: String? = getuid() == 0 ? "nobody" : nil
        if user != nil {
            _ = try Footage.run("chown", ["-R", "nobody", dir.path])
            chmod(dir.path, 0o755)
        }
        chmod("\(rec)/2026-11-21", 0o000)
        defer { chmod("\(rec)/2026-11-21", 0o755) }
        let index = try ci(["index", "--settle", "0"], status: 1, asUser: user)
        #expect(index.all.contains("\(rec)/2026-11-21") && index.all.contains("cannot be read"), "\(index.all)")
        let check = try ci(["check", "--repair"], status: 1, asUser: user)
        #expect(check.stdout.contains("unreadable") && !check.stdout.contains("missing"), "\(check.stdout)")
        chmod("\(rec)/2026-11-21", 0o755)
        #expect(try segments() == 3, "the rows of the unreadable directory's file are kept")
    }

    /// Rows removed from the end leave the chain sound: the head kept outside the table finds it.
    @Test func truncatingTheAuditTrailFromTheEndIsFound() throws {
        try seed()
        for _ in 0..<3 { try ci(["query", "--camera", "cam-1"] + range) }
        let intact = try ci(["audit", "verify"])
        let head = try #require(intact.stdout.split(separator: " ").last.map { $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        #expect(intact.stdout.hasPrefix("audit trail intact: 3 rows; head sha256 ") && head.count == 64, "\(intact.stdout)")
        _ = try Footage.run("sqlite3", [db, "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 3"])
        let broken = try ci(["audit", "verify"], status: 1)
        #expect(broken.stderr.contains("error[audit.broken]") && broken.stderr.contains("rows 3–3 are missing") && broken.stderr.contains(head),
                "\(broken.stderr)")
    }

    @Test func reasonsAreRealAndNothingRawReachesTheManifestText() throws {
        try seed()
        for blank in ["\n", "  ", "\t \r\n"] {
            let r = try ci(["query", "--camera", "cam-1", "--reason", blank] + range, status: 2)
            #expect(r.stderr.contains("error[reason.invalid]"), "\(r.stderr)")
        }
        try ci(["query", "--camera", "cam-1", "--reason", String(repeating: "案", count: 501)] + range, status: 2)
        // The county requires a reason: a blank one is none.
        _ = try Footage.run("sqlite3", [db, "INSERT INTO store_meta (key, value) VALUES ('require_reason', 1) ON CONFLICT (key) DO UPDATE SET value = 1"])
        try ci(["export", "--camera", "cam-1", "--output", dir.file("blank"), "--reason", " \n "] + range, status: 2)
        // A reason with a newline and an escape: kept, and escaped where it is shown.
        let out = dir.file("out")
        try ci(["export", "--camera", "cam-1", "--output", out, "--reason", "案件 118\nreason: forged\u{1B}[2J"] + range)
        let text = try String(contentsOfFile: "\(out)/manifest.txt", encoding: .utf8)
        #expect(text.contains("reason: 案件 118\\nreason: forged\\u{1B}[2J") && !text.contains("\nreason: forged"), "\(text)")
        let table = try ci(["audit"]).stdout
        #expect(!table.contains("\u{1B}") && table.contains("\\u{1B}"))
    }

    @Test func attemptsAreAuditedAndUnknownFiltersRefused() throws {
        try seed()
        // A keyframe where there is no footage, an unknown camera, an export that is refused.
        try ci(["keyframe", "--camera", "cam-1", "--at", "2026-11-20 09:00"], status: 1)
        try ci(["query", "--camera", "no-such-camera"] + range, status: 2)
        _ = try Footage.run("sqlite3", [db, "INSERT INTO store_meta (key, value) VALUES ('require_reason', 1) ON CONFLICT (key) DO UPDATE SET value = 1"])
        try ci(["export", "--camera", "cam-1", "--output", dir.file("out")] + range, status: 2)
        let rows = try #require(try CLI.json(try ci(["audit", "--format", "json"]).stdout) as? [[String: Any]])
        #expect(rows.map { $0["command"] as? String } == ["keyframe", "query", "export"])
        let results = rows.map { $0["result"] as? String ?? "" }
        #expect(results[0].hasPrefix("failed: footage.none: ") && results[1].hasPrefix("refused: camera.unknown: ")
                && results[2].hasPrefix("refused: export.reason_required: "), "\(results)")
        #expect(rows.map { $0["cameras"] as? [String] ?? [] } == [["cam-1"], ["no-such-camera"], ["cam-1"]])
        try ci(["audit", "verify"])
        let bogus = try ci(["audit", "--command", "bogus"], status: 2)
        #expect(bogus.stderr.contains("unknown --command 'bogus'") && bogus.stderr.contains("'camera show'"), "\(bogus.stderr)")
    }
}
