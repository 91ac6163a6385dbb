import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct CheckCommand: ParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify the index against the files on disk; --repair fixes what it finds.",
        discussion: """
            Checks SQLite's integrity, then every indexed file: missing (deleted since), changed \
            (size or mtime differ), and each camera's windows against its runs; and lists segment \
            files in recording directories that are not indexed. --repair drops the rows of missing \
            files, re-reads changed and unindexed ones, and rebuilds windows that disagree. Exit \
            status 1 when problems remain.
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Only this camera.", valueName: "id")) var camera: String?
    @Flag(help: "Fix what is found.") var repair = false
    @Option(help: "table or json.") var format: OutputFormat = .table

    func run() throws {
        let result = try IndexCheck(store: try global.openExisting()).run(cameraID: camera, repair: repair)
        let problems = result.problems
        if format == .json {
            struct Result: Encodable {
                var ok: Bool; var problems: [IndexCheck.Problem]; var warnings: [IndexCheck.Warning]; var bad_timestamps: [IndexCheck.TimestampNote]
            }
            try Output.json(Result(ok: result.ok, problems: problems, warnings: result.warnings, bad_timestamps: result.badTimestamps))
        } else if problems.isEmpty {
            print("ok: store sound, \(result.cameras) cameras checked, index matches the files")
        } else {
            print(Output.table(header: ["PROBLEM", "CAMERA", "FILE", "DETAIL"], rows: problems.map {
                [$0.kind.rawValue + ($0.repaired ? " (repaired)" : ""), $0.camera ?? "-", $0.path ?? "-", $0.detail]
            }))
        }
        if format != .json { for w in result.warnings { print("warning: \(w.camera): \(w.detail)") } }
        if format != .json, !result.badTimestamps.isEmpty {
            print("\nfiles with timestamps not believed (left out of their footage; see camindex camera show):")
            for n in result.badTimestamps { print("  \(n.camera) \(n.path): \(n.bad_timestamps)") }
        }
        if !result.ok { throw ExitCode(1) }
    }
}
