import ArgumentParser
import CamindexCore
import CamindexService
import Foundation

struct PublishCommand: ParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract: "Push this county's index into a province's PostgreSQL (one pass).",
        discussion: """
            Sends what changed since the province last took this county's rows: regions, cameras \
            (URLs without passwords), segments and their keyframes, footage and online windows, \
            camera states, probes, index errors and the daemon's heartbeat. Each batch is applied \
            with the county's sequence mark in one transaction, so an interrupted publish resumes \
            where it stopped, nothing lost and nothing doubled.

            The province URL is postgresql://user[:password]@host[:port]/database[?sslmode=...], \
            from --to, --to-file (its first line) or $CAMINDEX_PUBLISH_URL; the password is never \
            printed. Read commands take the same URL as --db. A statement waits at most \
            lock_timeout for a lock another transaction holds (default 5s) and runs at most \
            statement_timeout (default 30s): add ?lock_timeout=10s&statement_timeout=2min to \
            the URL to change them.

              camindex publish --to-file /etc/camindex/province-url
              export CAMINDEX_PUBLISH_URL='postgresql://county@pg.province.example/camindex'
              camindex publish --format json
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("The province's PostgreSQL URL.", valueName: "url")) var to: String?
    @Option(name: .customLong("to-file"), help: ArgumentHelp("A file whose first line is the province's URL.", valueName: "file")) var toFile: String?
    @Option(name: .customLong("batch-size"), help: "Changes per transaction.") var batchSize: Int = 2000
    @Option(help: "table or json.") var format: TableOrJSON = .table

    func validate() throws {
        guard batchSize > 0 else { throw ValidationError("--batch-size must be at least 1") }
        if to != nil && toFile != nil { throw ValidationError("give --to or --to-file, not both") }
    }

    func run() throws {
        let r = try global.service(.write).publish(to: try PublishTarget.resolve(to: to, toFile: toFile), batchSize: batchSize)
        if format == .json {
            struct Out: Encodable { var county, province: String; var from_seq, to_seq: Int64; var changes, batches: Int }
            try Output.json(Out(county: r.county, province: r.province, from_seq: r.fromSeq, to_seq: r.toSeq, changes: r.changes, batches: r.batches))
            return
        }
        print("county \(r.county) → \(r.province): \(r.changes) changes in \(r.batches) batches (seq \(r.fromSeq) → \(r.toSeq))")
    }
}

/// Where the province is: --to, --to-file, then $CAMINDEX_PUBLISH_URL.
enum PublishTarget {
    static func resolve(to: String?, toFile: String?) throws -> String {
        if let to, !to.isEmpty { return to }
        if let toFile {
            guard let text = try? String(contentsOfFile: toFile, encoding: .utf8) else {
                throw CamindexError.usage("cannot read --to-file \(toFile)", code: .invalidArgument, value: toFile)
            }
            guard let line = text.split(whereSeparator: \.isNewline).first.map({ $0.trimmingCharacters(in: .whitespaces) }), !line.isEmpty else {
                throw CamindexError.usage("--to-file \(toFile) is empty: its first line must be the province's URL", code: .invalidArgument, value: toFile)
            }
            return line
        }
        if let env = ProcessInfo.processInfo.environment["CAMINDEX_PUBLISH_URL"], !env.isEmpty { return env }
        throw CamindexError.usage("no province: give --to URL, --to-file FILE or set CAMINDEX_PUBLISH_URL", code: .invalidArgument)
    }
}
