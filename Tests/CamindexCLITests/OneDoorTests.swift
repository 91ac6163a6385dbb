import CamindexTestSupport
import Foundation
import Testing

/// The front ends are thin: they reach the store, FFmpeg, the indexer and PostgreSQL only
/// through the service layer; and every failure leaves with its code, for people and scripts.
@Suite struct OneDoorTests {
    let dir = TempDir("one-door")
    var db: String { dir.file("store.sqlite") }

    /// The modules a front end's files may import: the service layer, the core values, their
    /// libraries and the system's.
    @Test(arguments: [
        ("CamindexCLI", ["ArgumentParser", "CamindexCore", "CamindexService", "CamindexDaemon", "CamindexHTTP", "CamindexGB", "Foundation", "Logging", "Glibc"]),
        ("CamindexGB", ["COsip2", "CamindexCore", "CamindexService", "Foundation", "FoundationXML", "Logging", "NIOCore", "NIOPosix",
                        "ServiceLifecycle"]),
        ("CamindexHTTP", ["CamindexCore", "CamindexService", "CamindexWeb", "Foundation", "HTTPTypes", "Hummingbird", "HummingbirdAuth", "HummingbirdCore", "HummingbirdTLS",
                          "Logging", "NIOCore", "NIOPosix", "NIOSSL", "ServiceLifecycle", "Synchronization"]),
        ("CamindexDaemon", ["CamindexCore", "CamindexService", "Foundation", "Logging", "ServiceLifecycle", "UnixSignals", "Synchronization", "Glibc", "Darwin"]),
    ])
    func frontEndsImportOnlyTheServiceLayer(target: String, allowed: [String]) throws {
        let dir = CLI.packageRoot + "/Sources/" + target
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".swift") }
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOfFile: dir + "/" + file, encoding: .utf8)
            for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@testable import ") || line.hasPrefix("@_exported import ") {
                let module = String(line.split(separator: " ").last!)
                #expect(allowed.contains(module), "\(target)/\(file) imports \(module): go through CamindexService")
            }
        }
    }

    @Test func errorsCarryTheirCodeForPeopleAndForScripts() throws {
        #expect(try CLI.run(["--db", db, "region", "add", "620723", "临泽县"]).status == 0)
        let query = ["--db", db, "query", "--region", "不存在镇", "--from", "2026-11-20 14:00", "--to", "2026-11-20 15:00"]
        let text = try CLI.run(query)
        #expect(text.status == 2)
        #expect(text.stderr.hasPrefix("camindex: error[region.unknown]: unknown region '不存在镇'"), "\(text.stderr)")

        let json = try CLI.run(query + ["--format", "json"])
        #expect(json.status == 2 && json.stdout.isEmpty)
        let object = try #require(try CLI.json(json.stderr) as? [String: Any])
        let error = try #require(object["error"] as? [String: Any])
        #expect(error["code"] as? String == "region.unknown" && error["value"] as? String == "不存在镇")
        #expect((error["message"] as? String)?.hasPrefix("unknown region '不存在镇'") == true)

        // Bad usage caught by the argument parser, and a runtime failure naming the store.
        let unknownOption = try CLI.run(["--db", db, "status", "--bogus"])
        #expect(unknownOption.status == 2 && unknownOption.stderr.hasPrefix("camindex: error[argument.invalid]: "), "\(unknownOption.stderr)")
        let missing = try CLI.run(["--db", dir.file("none.sqlite"), "status", "--format", "json"])
        let missingError = try #require((try CLI.json(missing.stderr) as? [String: Any])?["error"] as? [String: Any])
        #expect(missing.status == 1 && missingError["code"] as? String == "store.missing" && missingError["value"] as? String == dir.file("none.sqlite"))
        // A password in a bad URL never reaches the message or the value.
        let url = try CLI.run(["--db", db, "camera", "add", "cam-1", "--name", "门口", "--region", "620723", "--url", "ftp://admin:Zq7Secret@host/x"])
        #expect(url.status != 0 && !url.all.contains("Zq7Secret"), "\(url.all)")
    }

    @Test func aBadHealthInvocationIsUnknownToMonitoring() throws {
        let r = try CLI.run(["--db", db, "health", "--check", "nonsense"])
        #expect(r.status == 3 && r.stdout.hasPrefix("CAMINDEX UNKNOWN - "), "\(r.all)")
        // The same option value on another command is an ordinary usage error.
        let other = try CLI.run(["--db", db, "status", "--check", "nonsense"])
        #expect(other.status == 2 && other.stderr.hasPrefix("camindex: error[argument.invalid]: "))
    }

    static let commands = ["region add", "region list", "camera add", "camera list", "camera show", "camera update", "camera remove",
                           "camera thumb", "import", "index", "query", "keyframe", "probe", "daemon", "status", "check", "health", "report",
                           "export", "export create", "export verify", "audit", "audit list", "audit verify", "diagnose", "publish", "gb devices", "gb password"]

    /// Every command's help teaches: its options and at least one example; a group that runs a
    /// default subcommand shows that one's options too.
    @Test(arguments: commands)
    func helpHasOptionsAndAnExample(_ command: String) throws {
        let r = try CLI.run(command.split(separator: " ").map(String.init) + ["--help"], env: ["COLUMNS": "200"])
        #expect(r.status == 0)
        #expect(r.stdout.contains("OPTIONS:") && r.stdout.contains("--help"), "camindex \(command) --help lists no options")
        #expect(r.stdout.split(separator: "\n").contains { $0.trimmingCharacters(in: .whitespaces).hasPrefix("camindex \(command.split(separator: " ")[0])") },
                "camindex \(command) --help has no example")
    }

    @Test func aGroupsHelpShowsItsDefaultSubcommandsOptions() throws {
        let export = try CLI.run(["export", "--help"])
        #expect(export.stdout.contains("verify") && export.stdout.contains("--output") && export.stdout.contains("--dry-run"))
        let audit = try CLI.run(["audit", "--help"])
        #expect(audit.stdout.contains("verify") && audit.stdout.contains("--command"))
    }

    @Test func csvIsRefusedWhereACommandCannotWriteIt() throws {
        #expect(try CLI.run(["--db", db, "region", "add", "620723", "临泽县"]).status == 0)
        for args in [["keyframe", "--camera", "x", "--at", "2026-11-20 08:00"], ["status"], ["camera", "show", "x"], ["check"]] {
            let r = try CLI.run(["--db", db] + args + ["--format", "csv"])
            #expect(r.status == 2 && r.stderr.contains("error[argument.invalid]") && r.stderr.contains("'table'") && r.stderr.contains("'json'"),
                    "\(args): \(r.all)")
        }
    }

    @Test func aHealthCheckThatCannotWriteItsOutputIsUnknownNamingIt() throws {
        #expect(try CLI.run(["--db", db, "region", "add", "620723", "临泽县"]).status == 0)
        for format in ["prometheus", "json", "text"] {
            let r = try CLI.run(["--db", db, "health", "--format", format, "--output", "/no/such/dir/x.prom"])
            #expect(r.status == 3 && r.stdout.hasPrefix("CAMINDEX UNKNOWN - cannot write --output /no/such/dir/x.prom: No such file or directory"),
                    "\(format): \(r.all)")
        }
    }
}
