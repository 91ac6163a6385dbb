import ArgumentParser
import CamindexCore
import CamindexDaemon
import CamindexHTTP
import CamindexService
import Logging

struct DaemonCommand: AsyncParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "daemon",
        abstract: "Probe every camera and index every recording directory, continuously.",
        discussion: """
            Runs in the foreground until SIGTERM or SIGINT (in-flight probes are cancelled, the \
            current file's transaction finishes, exit status 0). SIGHUP re-reads the --inventory \
            files. Logs one line per event to stderr (the journal under systemd).

            Each enabled camera with a live URL gets a light probe every --interval seconds \
            (open the stream, read the first video packet), spread over the interval, and a full \
            probe every --full-interval seconds and at once after it goes online or offline. \
            Failing cameras are retried after 1, 2, 4, … intervals, at most 10 minutes apart. \
            A recorded file is indexed as soon as its writer closes it or renames it into place \
            (inotify); recording directories are also scanned every --scan-interval seconds, \
            where files modified within --settle seconds are still being written and wait. A \
            heartbeat row is written every interval: see 'camindex status'.

            With --http the daemon also serves the HTTP API (see 'camindex serve --help').

              camindex daemon --inventory Cameras/ --db /var/lib/camindex/camindex.sqlite
              camindex daemon --inventory Cameras/ --http 127.0.0.1:8080
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds between light probes of a camera.", valueName: "seconds")) var interval: Double = 60
    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds between full probes of a camera.", valueName: "seconds")) var fullInterval: Double = 900
    @Option(parsing: .unconditional, help: ArgumentHelp("Probes at once.", valueName: "n")) var concurrency: Int = 32
    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds one probe may take, all told.", valueName: "seconds")) var deadline: Double = 10
    @Option(help: "RTSP transport: tcp or udp.") var transport: StreamTransport = .tcp
    @Option(parsing: .unconditional, help: ArgumentHelp("Seconds between scans of the recording directories.", valueName: "seconds")) var scanInterval: Double = 60
    @Option(parsing: .unconditional, help: ArgumentHelp("A file modified within this many seconds is still being written.", valueName: "seconds")) var settle: Double = 15
    @Option(parsing: .unconditional, help: ArgumentHelp("A segment claiming more than this is clipped, with a warning (a corrupt timestamp, not a recording).",
                                                        valueName: "hours"))
    var maxSegmentHours: Double = 6
    @Option(parsing: .unconditional, help: ArgumentHelp("Drop index rows, probes and online windows older than this.", valueName: "days")) var retainDays: Int?
    @Flag(help: "Do not verify container-index windows by a packet scan.") var noVerify = false
    @Flag(help: "Do not watch recording directories (inotify); rely on the periodic scan.") var noWatch = false
    @Flag(help: "Exports from this store must give --reason (the county's policy; kept in the store).") var requireReason = false
    @Option(parsing: .upToNextOption, help: ArgumentHelp("Inventory files to import at start and on SIGHUP.", valueName: "path"))
    var inventory: [String] = []
    @Option(help: ArgumentHelp("With --inventory: where relative 'recordings' paths point.", valueName: "dir")) var recordingsRoot: String?

    @Option(help: ArgumentHelp("After each interval, publish to this province (postgresql://...; or $CAMINDEX_PUBLISH_URL with --publish-env).", valueName: "url"))
    var publish: String?
    @Option(name: .customLong("publish-file"), help: ArgumentHelp("As --publish, the URL read from this file's first line.", valueName: "file"))
    var publishFile: String?
    @Flag(name: .customLong("publish-env"), help: "As --publish, the URL taken from $CAMINDEX_PUBLISH_URL.") var publishEnv = false

    @Option(help: ArgumentHelp("Also serve the HTTP API on this address (as 'camindex serve').", valueName: "host:port")) var http: String?
    @OptionGroup var server: HTTPOptions

    var defaultLogLevel: Logger.Level { .info }

    func validate() throws {
        for (name, value) in [("--interval", interval), ("--full-interval", fullInterval), ("--deadline", deadline),
                              ("--scan-interval", scanInterval)] {
            try Durations.check(value, name, max: 7 * 86_400)
        }
        try Durations.check(settle, "--settle", zero: true, max: 7 * 86_400)
        try Durations.check(maxSegmentHours, "--max-segment-hours", unit: "hours", max: 31 * 24)
        guard (1...1024).contains(concurrency) else { throw CamindexError.usage("--concurrency must be between 1 and 1024") }
        if [publish != nil, publishFile != nil, publishEnv].filter({ $0 }).count > 1 {
            throw CamindexError.usage("give one of --publish, --publish-file, --publish-env")
        }
        if let retainDays, retainDays < 1 { throw CamindexError.usage("--retain-days must be at least 1") }
    }

    func run() async throws {
        let logger = Logger(label: "camindex.daemon")
        let service = try IndexService.open(global.databasePath, access: .create, caller: .osUser(invocation: Array(CommandLine.arguments.dropFirst())),
                                            notice: { logger.warning("\($0)") })
        var config = Daemon.Config()
        config.probe.schedule = ProbeSchedule.Config(intervalMs: ms(interval), fullIntervalMs: ms(fullInterval),
                                                     backoffCapMs: max(600_000, ms(interval)))
        config.probe.concurrency = concurrency
        config.probe.refreshMs = min(30_000, ms(interval))
        config.deadline = .milliseconds(ms(deadline))
        config.transport = transport
        config.recordings.scanIntervalMs = ms(scanInterval)
        config.recordings.settleMs = ms(settle)
        config.recordings.maxSegmentMs = Int64((maxSegmentHours * 3_600_000).rounded())
        config.recordings.verify = !noVerify
        config.recordings.watch = !noWatch
        config.recordings.retainDays = retainDays
        config.requireReason = requireReason
        if publish != nil || publishFile != nil || publishEnv {
            let url = try PublishTarget.resolve(to: publish, toFile: publishFile)
            // A bad URL is refused at start, not at the first interval.
            _ = try IndexService.provinceLocation(url)
            config.publish = { [service] stopping in
                let r = try service.publish(to: url, stopping: stopping)
                return "county \(r.county) → \(r.province): \(r.changes) changes (seq \(r.fromSeq) → \(r.toSeq))"
            }
        }
        config.inventory = inventory
        config.recordingsRoot = recordingsRoot
        if let http {
            let api = try APIServer(service: service, config: try server.config(listen: http, store: global.databasePath), logger: logger)
            for warning in api.warnings { logger.warning("\(warning)") }
            config.services.append(try api.makeService(onListening: { url in logger.notice("listening on \(url)") }))
        }
        try await Daemon(service: service, config: config, logger: logger).run()
    }

    private func ms(_ seconds: Double) -> Int64 { Int64((seconds * 1000).rounded()) }
}
