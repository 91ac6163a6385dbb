import ArgumentParser
import CamindexCore
import CamindexService
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
            PublishCommand.self, UserCommand.self, ServeCommand.self, GBCommand.self,
        ]
    )

    @OptionGroup public var global: GlobalOptions

    public init() {}

    /// Parses, runs, and maps every failure to its code, a message and an exit status: 2 for
    /// usage, 1 for runtime failures. Passwords in any message are masked.
    public static func execute(arguments: [String]? = nil) async -> Never {
        // The store, its WAL, exports and manifests are evidence: no access for other users.
        umask(0o027)
        let given = arguments ?? Array(CommandLine.arguments.dropFirst())
        let json = ErrorReport.wantsJSON(given)
        // `export --help` and `audit --help` also show the options of their default subcommand,
        // which is what 'camindex export …' runs.
        if let (group, fallback) = ErrorReport.groupHelp(given) {
            print(helpMessage(for: group) + "\n\n" + helpMessage(for: fallback))
            Foundation.exit(0)
        }
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            // --help and --version end here too, with status 0.
            if exitCode(for: error) == .success { exit(withError: error) }
            var message = fullMessage(for: error)
            if message.hasPrefix("Error: ") { message.removeFirst(7) }
            // Monitoring systems read a bad health invocation as UNKNOWN (3).
            if ErrorReport.subcommand(given) == HealthCommand.configuration.commandName {
                print("CAMINDEX UNKNOWN - \(Redaction.redactSecrets(message.split(separator: "\n").first.map(String.init) ?? message))")
                Foundation.exit(3)
            }
            ErrorReport(code: .invalidArgument, message: message, value: nil).emit(json: json)
            Foundation.exit(2)
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
            if !(error is CamindexError), exitCode(for: error) == .success { exit(withError: error) }
            let (report, status) = failure(error)
            report.emit(json: json)
            Foundation.exit(status)
        }
    }

    /// Every error's code, message and exit status, in one place: bad input (code of kind
    /// usage) 2, anything else 1.
    static func failure(_ error: any Error) -> (report: ErrorReport, status: Int32) {
        switch error {
        case let e as CamindexError: (ErrorReport(code: e.code, message: e.message, value: e.value), e.kind == .usage ? 2 : 1)
        case let e as any CamindexErrorConvertible: failure(e.camindexError)
        case let e as ValidationError: (ErrorReport(code: .invalidArgument, message: e.message, value: nil), 2)
        default: (ErrorReport(code: .failed, message: ErrorText.of(error), value: nil), 1)
        }
    }
}

/// How a failure reaches stderr: `camindex: error[CODE]: message` for people, or with
/// `--format json` one JSON object `{"error": {"code", "message", "value"}}` for programs.
struct ErrorReport: Encodable {
    var code: CamindexError.Code
    var message: String
    var value: String?

    init(code: CamindexError.Code, message: String, value: String?) {
        self.code = code
        self.message = Redaction.redactSecrets(message)
        self.value = value.map(Redaction.redactSecrets)
    }

    func emit(json: Bool) {
        var stderr = StandardError()
        if json {
            struct Wrapper: Encodable { var error: ErrorReport }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            if let data = try? encoder.encode(Wrapper(error: self)) {
                print(String(decoding: data, as: UTF8.self), to: &stderr)
                return
            }
        }
        print("camindex: error[\(code.rawValue)]: \(message)", to: &stderr)
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(code.rawValue, forKey: .code)
        try c.encode(message, forKey: .message)
        try c.encode(value, forKey: .value)
    }

    private enum Keys: String, CodingKey { case code, message, value }

    /// `--format json` (or `--format=json`) anywhere among the arguments.
    static func wantsJSON(_ arguments: [String]) -> Bool {
        zip(arguments, arguments.dropFirst()).contains { $0 == "--format" && $1 == "json" } || arguments.contains("--format=json")
    }

    /// `[group] --help` for a command group that runs a default subcommand: the group and it.
    static func groupHelp(_ arguments: [String]) -> (any ParsableCommand.Type, any ParsableCommand.Type)? {
        let words = arguments.filter { $0 != "-v" && $0 != "-vv" && $0 != "--verbose" }
        guard words.count == 2, ["--help", "-h"].contains(words[1]) else { return nil }
        switch words[0] {
        case ExportCommand.configuration.commandName: return (ExportCommand.self, ExportCommand.Create.self)
        case AuditCommand.configuration.commandName: return (AuditCommand.self, AuditCommand.List.self)
        default: return nil
        }
    }

    /// The first word that is neither an option nor the value of the global `--db`.
    static func subcommand(_ arguments: [String]) -> String? {
        var rest = arguments[...]
        while let word = rest.popFirst() {
            if word == "--db" { _ = rest.popFirst(); continue }
            if word.hasPrefix("-") { continue }
            return word
        }
        return nil
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

    /// The service over the store, for this run's OS user; its notes and warnings go to stderr.
    /// Read commands take a county's SQLite file or a province's postgresql:// URL; `.write`
    /// needs an existing county store, `.create` makes one on first use.
    func service(_ access: IndexService.Access) throws -> IndexService {
        try IndexService.open(databasePath, access: access, caller: .osUser(invocation: Array(CommandLine.arguments.dropFirst())),
                              notice: { line in
                                  var stderr = StandardError()
                                  print("camindex: \(line)", to: &stderr)
                              })
    }

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
        MediaLogging.install(logger: Logger(label: "ffmpeg"), verbose: verbose > 1)
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
