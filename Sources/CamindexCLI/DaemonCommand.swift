import ArgumentParser
import CamindexCore
import CamindexDaemon
import CamindexGB
import CamindexHTTP
import Foundation
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

            With --sip it is a GB/T 28181 upper platform (UDP): devices and lower platforms \
            register with digest authentication (a device's own password, set by 'camindex gb \
            password', else the county's, first line of --sip-password-file), keep alive (offline after three missed keepalives or at \
            expiry), and answer a catalog query at each registration; their channels become \
            cameras (source gb28181:DEVICE), placed by CivilCode. Each channel is then asked \
            for the recordings it keeps (RecordInfo, a day at a time, by the hour when a day's \
            answer is large or does not all come; the last day again each hour, every day each \
            night): footage 'query' shows with source "device". Its clock is asked too \
            (DeviceStatus' DeviceTime) for the 校时 check. A platform whose catalog gives GCJ-02 \
            positions (drawn on 高德 maps) is read with --sip-coordinates gcj02. See 'camindex gb \
            devices' and 'camindex gb catalog'.

              camindex daemon --inventory Cameras/ --db /var/lib/camindex/camindex.sqlite
              camindex daemon --inventory Cameras/ --http 127.0.0.1:8080
              camindex daemon --sip 0.0.0.0:5060 --sip-id 62072300002000000001 --sip-password-file /etc/camindex/sip-password
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
    @Option(help: ArgumentHelp("Be a GB/T 28181 upper platform on this UDP address.", valueName: "host:port")) var sip: String?
    @Option(name: .customLong("sip-id"), help: ArgumentHelp("With --sip: camindex's 20-digit SIP ID (type 200); the realm is its first 10 digits.", valueName: "id"))
    var sipID: String?
    @Option(name: .customLong("sip-password-file"), help: ArgumentHelp("With --sip: the file whose first line is the devices' SIP password.", valueName: "file"))
    var sipPasswordFile: String?
    @Option(name: .customLong("sip-keepalive-interval"), parsing: .unconditional,
            help: ArgumentHelp("With --sip: the devices' keepalive interval; offline after three missed.", valueName: "seconds"))
    var sipKeepaliveInterval: Double = 60
    @Option(name: .customLong("sip-catalog-timeout"), parsing: .unconditional,
            help: ArgumentHelp("With --sip: how long a catalog's packets are waited for; what came by then is applied, nothing disabled.", valueName: "seconds"))
    var sipCatalogTimeout: Double = 30
    @Option(name: .customLong("sip-record-days"), parsing: .unconditional,
            help: ArgumentHelp("With --sip: the days of recordings asked of each channel (RecordInfo); default --retain-days, else 30.", valueName: "days"))
    var sipRecordDays: Int?
    @Option(name: .customLong("sip-record-timeout"), parsing: .unconditional,
            help: ArgumentHelp("With --sip: how long one RecordInfo query's answers are waited for.", valueName: "seconds"))
    var sipRecordTimeout: Double = 15
    @Option(name: .customLong("sip-record-queries"), parsing: .unconditional,
            help: ArgumentHelp("With --sip: RecordInfo queries in flight per device (200 in all).", valueName: "n"))
    var sipRecordQueries: Int = 4
    @Option(name: .customLong("sip-coordinates"),
            help: ArgumentHelp("With --sip: the datum of the catalogs' Longitude/Latitude, converted to WGS84 (wgs84, gcj02).", valueName: "datum"))
    var sipCoordinates: GBDatum = .wgs84

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
        if sip == nil, sipID != nil || sipPasswordFile != nil { throw CamindexError.usage("--sip-id and --sip-password-file go with --sip") }
        if sip != nil, sipID == nil { throw CamindexError.usage("--sip needs --sip-id: 20 digits of type 200 (signalling server), as 62072300002000000001") }
        if sip != nil {
            guard let sipID, let gb = (try? CameraID(sipID))?.gb28181, gb.typeCode == "200" else {
                throw CamindexError.usage("--sip-id \(Names.printable(sipID ?? "")): give 20 digits of type 200 (signalling server), as 62072300002000000001", value: sipID ?? "")
            }
            do { _ = try APIServer.Listen(parsing: sip!) } catch {
                throw CamindexError.usage("--sip \(Names.printable(sip!)): give HOST:PORT, as 0.0.0.0:5060", value: sip!)
            }
        }
        try Durations.check(sipKeepaliveInterval, "--sip-keepalive-interval", max: 3_600)
        try Durations.check(sipCatalogTimeout, "--sip-catalog-timeout", max: 600)
        try Durations.check(sipRecordTimeout, "--sip-record-timeout", max: 600)
        guard (1...200).contains(sipRecordQueries) else { throw CamindexError.usage("--sip-record-queries is from 1 to 200", value: "\(sipRecordQueries)") }
        if let sipRecordDays, !(1...366).contains(sipRecordDays) { throw CamindexError.usage("--sip-record-days is from 1 to 366", value: "\(sipRecordDays)") }
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
        if let sip, let sipID {
            let listen = try APIServer.Listen(parsing: sip)
            if sipPasswordFile == nil { logger.warning("no --sip-password-file: only devices given their own password ('camindex gb password') can register") }
            var sipConfig = GBServer.Config(host: listen.host, port: listen.port, sipID: sipID, password: try sipPasswordFile.map { try Self.password($0) })
            sipConfig.keepaliveIntervalMs = ms(sipKeepaliveInterval)
            sipConfig.catalogTimeout = .milliseconds(ms(sipCatalogTimeout))
            sipConfig.recordDays = sipRecordDays ?? retainDays ?? 30
            sipConfig.recordTimeout = .milliseconds(ms(sipRecordTimeout))
            sipConfig.recordQueriesPerDevice = sipRecordQueries
            sipConfig.datum = sipCoordinates
            config.services.append(GBServer(service: service, config: sipConfig, logger: logger))
        }
        try await Daemon(service: service, config: config, logger: logger).run()
    }

    private func ms(_ seconds: Double) -> Int64 { Int64((seconds * 1000).rounded()) }

    static func password(_ path: String, option: String = "--sip-password-file") throws -> String {
        // A password every user of the machine can read is no secret.
        if let mode = (try? FileManager.default.attributesOfItem(atPath: path))?[.posixPermissions] as? Int, mode & 0o004 != 0 {
            throw CamindexError.usage("\(option) \(path): every user can read it; keep it to its owner (chmod 600 \(path))", code: .gbListen, value: path)
        }
        guard let data = FileManager.default.contents(atPath: path),
              let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first, !line.isEmpty
        else {
            throw CamindexError.usage("\(option) \(path): cannot read a password from its first line", code: .gbListen, value: path)
        }
        return String(line)
    }
}
