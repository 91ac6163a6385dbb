import ArgumentParser
import CamindexCore
import CamindexMedia
import CamindexProvince
import CamindexService
import CamindexStore
import Foundation
import Logging

/// `camindex`: the command-line entry point. Subcommands live one per file.
@available(macOS 10.15, macCatalyst 13, iOS 13, tvOS 13, watchOS 6, *)
public struct Camindex: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "camindex",
        abstract: "Index camera footage of a county video network (雪亮工程) and answer where footage is.",
        discussion: """
            Register regions and cameras (or import them from inventory files), index the \
            recorded segment files, then ask which cameras have footage for a place and time.

              camindex import Cameras/
              camindex index
              camindex query --region 沙河镇 --date yesterday --from 14:00 --to 15:10

            The store is a SQLite file: --db PATH (before or after the subcommand), else \
            $CAMINDEX_DB, else \(GlobalOptions.defaultDatabaseDescription).
            Exit status: 0 success, 1 runtime failure, 2 bad usage.
            """,
        version: CamindexVersion.current,
        subcommands: [
            RegionCommand.self, CameraCommand.self, ImportCommand.self, IndexCommand.self,
            QueryCommand.self, KeyframeCommand.self, ProbeCommand.self, DaemonCommand.self, StatusCommand.self,
            CheckCommand.self, HealthCommand.self, ReportCommand.self, ExportCommand.self, AuditCommand.self, DiagnoseCommand.self,
            PublishCommand.self,
        ]
    )

    @OptionGroup public var global: GlobalOptions

    public init() {}

    /// Parses, runs, and maps every failure to a message and an exit status: 2 for usage,
    /// 1 for runtime failures. Passwords in any message are masked.
    public static func execute(arguments: [String]? = nil) async -> Never {
        // The store, its WAL, exports and manifests are evidence: no access for other users.
        umask(0o027)
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            // --help and --version end here too, with status 0.
            if exitCode(for: error) == .success { exit(withError: error) }
            var message = fullMessage(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst(7) }
            // Monitoring systems read a bad health invocation as UNKNOWN (3). Which command the
            // error is about is ArgumentParser's knowledge: its message carries that command's usage.
            if fullMessage(for: error, columns: 100_000).contains("Usage: " + usageString(for: HealthCommand.self)) {
                print("CAMINDEX UNKNOWN - \(Redaction.redactSecrets(message.split(separator: "\n").first.map(String.init) ?? message))")
                Foundation.exit(3)
            }
            fail(message, status: 2)
        }
        if let configured = command as? any GlobalConfigurable {
            configured.global.bootstrapLogging(defaultLevel: configured.defaultLogLevel)
        }
        do {
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            Foundation.exit(0)
        } catch let error as ExitCode {
            Foundation.exit(error.rawValue)
        } catch {
            // A command group run without a subcommand asks for its help.
            if !(error is CamindexError || error is MediaError), exitCode(for: error) == .success { exit(withError: error) }
            let (message, status) = failure(error)
            fail(message, status: status)
        }
    }

    /// Every error's message and exit status, in one place: bad input (code of kind usage) 2,
    /// anything else 1.
    static func failure(_ error: any Error) -> (message: String, status: Int32) {
        switch error {
        case let e as CamindexError: (e.message, e.kind == .usage ? 2 : 1)
        case let e as MediaError: (e.message, 1)
        default: ("\(error)", 1)
        }
    }

    private static func fail(_ message: String, status: Int32) -> Never {
        var stderr = StandardError()
        print("camindex: error: \(Redaction.redactSecrets(message))", to: &stderr)
        Foundation.exit(status)
    }
}

/// Options every subcommand takes; ArgumentParser accepts them before or after the
/// subcommand name.
public struct GlobalOptions: ParsableArguments, Sendable {
    @Option(name: .long, help: ArgumentHelp("The SQLite store (read commands: or a province's postgresql:// URL).", valueName: "path"))
    public var db: String?

    @Flag(name: [.short, .long], help: "Log progress and FFmpeg's messages to stderr (-v info, -vv debug).")
    public var verbose: Int

    public init() {}

    static var defaultDatabaseDescription: String {
        "$XDG_DATA_HOME/camindex/camindex.sqlite (~/.local/share/camindex/camindex.sqlite)"
    }

    public var databasePath: String {
        if let db, !db.isEmpty { return db }
        let env = ProcessInfo.processInfo.environment
        if let path = env["CAMINDEX_DB"], !path.isEmpty { return path }
        let base = env["XDG_DATA_HOME"].flatMap { $0.isEmpty ? nil : $0 }
            ?? (NSHomeDirectory() as NSString).appendingPathComponent(".local/share")
        return (base as NSString).appendingPathComponent("camindex/camindex.sqlite")
    }

    /// For commands that write: creates the store on first use.
    public func openForWriting() throws -> Store { try Store.open(path: try countyStorePath(), create: true) }

    /// For commands that change an existing store (index, check): a missing store is an error.
    public func openExisting() throws -> Store { try Store.open(path: try countyStorePath(), create: false) }

    /// For commands that only read: a missing store is an error naming the path. A province's
    /// PostgreSQL URL (postgresql://…) reads the province, across its counties.
    public func openForReading() throws -> any IndexReader {
        let path = databasePath
        if ProvinceURL.isProvince(path) { return try ProvinceReader(url: ProvinceURL(path)) }
        return try openExisting()
    }

    /// The province given as the store, if a postgresql:// URL was.
    public func provinceURL() throws -> ProvinceURL? {
        ProvinceURL.isProvince(databasePath) ? try ProvinceURL(databasePath) : nil
    }

    /// The county's SQLite file; a province URL is refused: a province is written only by
    /// `camindex publish` from its counties.
    private func countyStorePath() throws -> String {
        let path = databasePath
        if ProvinceURL.isProvince(path) {
            let shown = Redaction.redactURL(path)
            throw CamindexError.usage("\(shown) is a province (PostgreSQL): it is read-only here, written only by 'camindex publish' from each county's store; give --db the county's SQLite file",
                                      code: .storeProvinceReadOnly, value: shown)
        }
        return path
    }

    /// The read use cases over the store.
    func queries() throws -> Queries { Queries(reader: try openForReading()) }

    func bootstrapLogging(defaultLevel: Logger.Level) {
        let level: Logger.Level = switch verbose {
        case 0: defaultLevel
        case 1: min(defaultLevel, .info)
        default: .debug
        }
        LoggingSystem.bootstrap { label in
            var handler = RedactingLogHandler(StreamLogHandler.standardError(label: label))
            handler.logLevel = level
            return handler
        }
        FFmpegLog.install(logger: Logger(label: "ffmpeg"), verbose: verbose > 1)
    }
}

protocol GlobalConfigurable {
    var global: GlobalOptions { get }
    /// Log level without -v: commands warn; the daemon tells what it does.
    var defaultLogLevel: Logger.Level { get }
}

extension GlobalConfigurable {
    var defaultLogLevel: Logger.Level { .warning }
}

extension Camindex: GlobalConfigurable {}

struct StandardError: TextOutputStream {
    mutating func write(_ string: String) { FileHandle.standardError.write(Data(string.utf8)) }
}

/// Masks credentials in every message and metadata value before it reaches the log.
struct RedactingLogHandler: LogHandler {
    var inner: any LogHandler

    init(_ inner: any LogHandler) { self.inner = inner }

    var logLevel: Logger.Level {
        get { inner.logLevel }
        set { inner.logLevel = newValue }
    }

    var metadata: Logger.Metadata {
        get { inner.metadata }
        set { inner.metadata = newValue }
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { inner[metadataKey: key] }
        set { inner[metadataKey: key] = newValue }
    }

    func log(event: LogEvent) {
        var event = event
        event.message = "\(Redaction.redactSecrets(event.message.description))"
        event.metadata = event.metadata?.mapValues { .string(Redaction.redactSecrets($0.description)) }
        inner.log(event: event)
    }
}
