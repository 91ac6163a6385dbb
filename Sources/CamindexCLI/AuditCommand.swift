import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

/// `--reason`, which the read commands and export record in the audit trail.
struct AuditOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Why this is being looked up (case number, request); kept in the audit trail.", valueName: "text"))
    var reason: String?
}

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Who queried, looked up, showed, reported or exported what, and when; verify the trail.",
        discussion: """
            Every query, keyframe, export, camera show and report run is recorded in the store \
            with the time, the OS user, --reason, the arguments (passwords masked) and what came \
            of it. Rows cannot be changed or deleted through camindex or SQL (triggers refuse it), \
            and each carries the SHA-256 of its content and of the row before it: 'camindex audit \
            verify' finds a row changed or removed behind camindex's back.

              camindex audit --from 2026-11-20 --to 2026-11-21 --command export
              camindex audit verify
            """,
        subcommands: [List.self, Verify.self],
        defaultSubcommand: List.self
    )

    struct List: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "List audit rows, oldest first.",
            discussion: """
                  camindex audit --from 2026-11-20 --to 2026-11-21 --command export
                  camindex audit list --camera 62072300001320000001 --format csv
                """)

        @OptionGroup var global: GlobalOptions
        @Option(help: ArgumentHelp("Rows at or after this time.", valueName: "time")) var from: String?
        @Option(help: ArgumentHelp("Rows before this time.", valueName: "time")) var to: String?
        @Option(help: ArgumentHelp("Only this OS user.", valueName: "user")) var user: String?
        @Option(help: ArgumentHelp("Only rows about this camera.", valueName: "id")) var camera: String?
        @Option(help: ArgumentHelp("Only this command (query, keyframe, export, camera show, report).", valueName: "name")) var command: String?
        @Option(help: ArgumentHelp("Zone for times without an offset (default Asia/Shanghai).", valueName: "tz")) var timezone: String?
        @Option(help: "table, json or csv.") var format: OutputFormat = .table

        func run() throws {
            let zone = try Zones.named(timezone ?? Zones.defaultIdentifier)
            let service = try global.service(.read)
            let start = try from.map { try TimeFormat.parse($0, zone: zone, option: "--from") } ?? Instant(ms: Int64.min / 2)
            let end = try to.map { try TimeFormat.parse($0, zone: zone, option: "--to") } ?? Instant(ms: Int64.max / 2)
            let rows = try service.auditRows(AuditFilter(range: Interval(start, end), user: user, camera: camera, command: command))
            switch format {
            case .json:
                try Output.json(rows.map { AuditRowJSON($0, zone: zone) })
            case .csv:
                Output.csv(header: ["id", "at", "user", "command", "arguments", "reason", "cameras", "result", "hash"], rows: rows.map {
                    ["\($0.id)", TimeFormat.rfc3339($0.entry.at, in: zone), $0.entry.user, $0.entry.command, $0.entry.arguments.joined(separator: " "),
                     $0.entry.reason ?? "", $0.entry.cameras.joined(separator: " "), $0.entry.result, $0.hash]
                })
            case .table:
                if rows.isEmpty { print("no audit rows"); return }
                print(Output.table(header: ["ID", "AT", "USER", "COMMAND", "REASON", "CAMERAS", "RESULT"], rows: rows.map {
                    ["\($0.id)", TimeFormat.rfc3339($0.entry.at, in: zone), $0.entry.user, $0.entry.command, $0.entry.reason ?? "-",
                     $0.entry.cameras.count > 3 ? "\($0.entry.cameras.count) cameras" : $0.entry.cameras.joined(separator: " "), $0.entry.result]
                }, rightAligned: [0]))
            }
        }
    }

    struct Verify: ParsableCommand, GlobalConfigurable {
        static let configuration = CommandConfiguration(
            abstract: "Walk the hash chain; exit 0 when intact, 1 naming the first broken row.",
            discussion: """
                Prints the trail's head (its row count and last hash): keep it elsewhere, and a \
                later verify shows whether rows were removed from the end.

                  camindex audit verify
                """)

        @OptionGroup var global: GlobalOptions

        func run() throws {
            let v = try global.service(.read).verifyAudit()
            if let problem = v.problem {
                throw CamindexError.runtime("audit trail broken at row \(v.firstBroken.map(String.init) ?? "?"): \(problem)",
                                            code: .auditBroken, value: v.firstBroken.map(String.init))
            }
            // The head, to be kept elsewhere: a later verify shows whether the trail still ends there.
            print("audit trail intact: \(v.rows) row\(v.rows == 1 ? "" : "s")" + (v.head.isEmpty ? "" : "; head sha256 \(v.head)"))
        }
    }
}
