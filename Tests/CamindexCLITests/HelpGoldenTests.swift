import CamindexTestSupport
import Foundation
import Testing

/// `--help` of the root and two subcommands against golden text, at 80 columns. After a
/// deliberate change of help text, regenerate with CAMINDEX_UPDATE_GOLDEN=1 and read the diff.
@Suite struct HelpGoldenTests {
    static let golden = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    @Test(arguments: [([String](), "root"), (["query"], "query"), (["health"], "health")])
    func helpMatchesGolden(_ args: [String], _ name: String) throws {
        let r = try CLI.run(args + ["--help"], env: ["COLUMNS": "80"])
        #expect(r.status == 0)
        let file = Self.golden.appendingPathComponent("\(name)-help.txt")
        if ProcessInfo.processInfo.environment["CAMINDEX_UPDATE_GOLDEN"] == "1" {
            try r.stdout.write(to: file, atomically: true, encoding: .utf8)
        }
        let expected = try String(contentsOf: file, encoding: .utf8)
        #expect(r.stdout == expected, "camindex \((args + ["--help"]).joined(separator: " ")) differs from \(file.path)")
    }
}
