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
            files, re-reads changed and unindexed ones, and rebuilds windows that disagree. Files \
            modified within --settle seconds are still being written: left alone. MP4s whose \
            recorder died before writing their index (no moov) and whose pictures were recovered \
            from their media data are listed. Exit status 1 when problems remain.

              camindex check
              camindex check --camera 62072300001320000001 --repair
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Only this camera.", valueName: "id")) var camera: String?
    @Flag(help: "Fix what is found.") var repair = false
    @Option(parsing: .unconditional, help: ArgumentHelp("A file modified within this many seconds is still being written: not reported, not read.", valueName: "seconds"))
    var settle: Double = 15
    @Option(help: "table or json.") var format: TableOrJSON = .table

    func validate() throws {
        try Durations.check(settle, "--settle", zero: true, max: 7 * 86_400)
    }

    func run() throws {
        let result = try global.service(.write).check(cameraID: camera, repair: repair, settleMs: Int64((settle * 1000).rounded()))
        let problems = result.problems
        if format == .json {
            struct Result: Encodable {
                var ok: Bool; var problems: [IndexCheck.Problem]; var warnings: [IndexCheck.Warning]; var bad_timestamps: [IndexCheck.TimestampNote]
                var recovered: [IndexCheck.RecoveredFile]
            }
            try Output.json(Result(ok: result.ok, problems: problems, warnings: result.warnings, bad_timestamps: result.badTimestamps,
                                   recovered: result.recovered))
        } else if problems.isEmpty {
            print("ok: store sound, \(result.cameras) camera\(result.cameras == 1 ? "" : "s") checked, index matches the files")
        } else {
            print(Output.table(header: ["PROBLEM", "CAMERA", "FILE", "DETAIL"], rows: problems.map {
                [$0.kind.rawValue + ($0.repaired ? " (repaired)" : ""), $0.camera ?? "-", $0.path ?? "-", $0.detail]
            }))
        }
        if format != .json { for w in result.warnings { print("warning: \(w.camera): \(Names.printable(w.detail))") } }
        if format != .json, !result.badTimestamps.isEmpty {
            print("\nfiles with timestamps not believed (left out of their footage; see camindex camera show):")
            for n in result.badTimestamps { print("  \(n.camera) \(Names.printable(n.path)): \(n.bad_timestamps)") }
        }
        if format != .json, !result.recovered.isEmpty {
            print("\nunfinished MP4s (no moov) recovered from their media data (timed from the frame rate):")
            for r in result.recovered { print("  \(r.camera) \(Names.printable(r.path))") }
        }
        if !result.ok { throw ExitCode(1) }
    }
}
