import CamindexTestSupport
import Foundation
import Testing

/// `camindex user …`: the HTTP API's accounts kept at the shell, every change audited, no
/// password or token in clear anywhere in the store.
@Suite(.serialized) struct UserCommandTests {
    let dir = TempDir("users")
    var db: String { dir.file("store.sqlite") }

    @discardableResult
    func ci(_ args: [String], status: Int32 = 0, sourceLocation: SourceLocation = #_sourceLocation) throws -> CLI.Result {
        try CLI.expecting(args, db: db, status: status, sourceLocation: sourceLocation)
    }

    func password(_ name: String, _ text: String) throws -> String {
        let file = dir.file(name)
        try (text + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        return file
    }

    @Test func accountsFromAddToRemove() throws {
        try ci(["region", "add", "620723", "临泽县"])
        try ci(["region", "add", "620723100", "沙河镇"])
        let secret = "Zq7-correct-horse"
        let file = try password("zhang.pw", secret)
        let added = try ci(["user", "add", "zhang.wei", "--role", "police", "--region", "沙河镇", "--password-file", file])
        #expect(added.stdout.contains("added user zhang.wei: police, regions 620723100"), "\(added.stdout)")
        // From standard input, as a script pipes it.
        let piped = Process()
        piped.executableURL = URL(fileURLWithPath: CLI.binary)
        piped.arguments = ["--db", db, "user", "add", "admin", "--role", "admin", "--password-stdin"]
        let input = Pipe()
        piped.standardInput = input
        piped.standardOutput = FileHandle.nullDevice
        try piped.run()
        input.fileHandleForWriting.write(Data("another-long-one\n".utf8))
        try input.fileHandleForWriting.close()
        piped.waitUntilExit()
        #expect(piped.terminationStatus == 0)

        // Refused: an account that exists, a role or region not known, a short password, no
        // password source, a password given on the command line.
        #expect(try ci(["user", "add", "zhang.wei", "--role", "police", "--password-file", file], status: 2).stderr.contains("error[user.exists]"))
        #expect(try ci(["user", "add", "li", "--role", "chief", "--password-file", file], status: 2).stderr.contains("unknown role 'chief'"))
        #expect(try ci(["user", "add", "li", "--role", "police", "--region", "蓼泉镇", "--password-file", file], status: 2).stderr.contains("region.unknown"))
        let short = try ci(["user", "add", "li", "--role", "police", "--password-file", try password("short.pw", "short")], status: 2)
        #expect(short.stderr.contains("error[password.invalid]") && !short.stderr.contains("short\n"), "\(short.stderr)")
        try ci(["user", "add", "li", "--role", "police"], status: 2)
        try ci(["user", "add", "li", "--role", "police", "--password", secret], status: 2)

        let listed = try #require(try CLI.json(try ci(["user", "list", "--format", "json"]).stdout) as? [[String: Any]])
        #expect(listed.map { $0["name"] as? String } == ["admin", "zhang.wei"])
        #expect(listed[1]["role"] as? String == "police" && listed[1]["regions"] as? [String] == ["620723100"] && listed[1]["disabled"] as? Bool == false)
        #expect(try ci(["user", "list"]).stdout.contains("zhang.wei  police"))

        // A token, shown once; the store keeps neither it nor the password.
        let issued = try ci(["user", "token", "zhang.wei", "--expires", "30"])
        let token = issued.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.hasPrefix("cmx_") && issued.stderr.contains("shown once"), "\(issued.all)")
        try ci(["user", "token", "zhang.wei", "--expires", "0"], status: 2)
        try ci(["user", "passwd", "zhang.wei", "--password-file", try password("new.pw", "a-new-long-password")])
        try ci(["user", "disable", "zhang.wei"])
        let disabled = try #require(try CLI.json(try ci(["user", "list", "--format", "json"]).stdout) as? [[String: Any]])
        #expect(disabled[1]["disabled"] as? Bool == true)
        try ci(["user", "token", "zhang.wei"], status: 2)
        try ci(["user", "enable", "zhang.wei"])
        try ci(["user", "remove", "zhang.wei"])
        #expect(try ci(["user", "remove", "zhang.wei"], status: 2).stderr.contains("error[user.unknown]"))
        for file in [db, db + "-wal"] where FileManager.default.fileExists(atPath: file) {
            let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
            for clear in [secret, "a-new-long-password", "another-long-one", token] {
                #expect(bytes.range(of: Data(clear.utf8)) == nil, "\(clear) in \(file)")
            }
        }

        // Every change an audit row, attempts refused too; no password in any of them.
        let audit = try #require(try CLI.json(try ci(["audit", "--format", "json"]).stdout) as? [[String: Any]])
        let commands = audit.compactMap { $0["command"] as? String }
        for command in ["user add", "user token", "user passwd", "user disable", "user enable", "user remove"] {
            #expect(commands.contains(command), "\(command): \(commands)")
        }
        #expect(audit.contains { ($0["result"] as? String)?.hasPrefix("refused: user.exists") == true })
        let text = String(decoding: try JSONSerialization.data(withJSONObject: audit), as: UTF8.self)
        #expect(!text.contains(secret) && !text.contains(token))
        try ci(["audit", "verify"])
    }
}
