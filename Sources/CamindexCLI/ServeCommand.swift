import ArgumentParser
import CamindexCore
import CamindexHTTP
import CamindexService
import Foundation
import Logging

/// The HTTP API's options, for `serve` and `daemon --http`.
struct HTTPOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Certificate chain (PEM) for HTTPS.", valueName: "file")) var tlsCert: String?
    @Option(help: ArgumentHelp("Private key (PEM) of --tls-cert.", valueName: "file")) var tlsKey: String?
    @Flag(help: "Serve plain HTTP on an address other than loopback (passwords and footage cross the network in clear).") var insecureHttp = false
    @Option(help: ArgumentHelp("Where export jobs write their clips (default: beside the store, STORE.exports).", valueName: "dir")) var exports: String?
    @Option(parsing: .unconditional, help: ArgumentHelp("A session unused this long has ended.", valueName: "hours")) var sessionIdle: Double = 8
    @Option(parsing: .unconditional, help: ArgumentHelp("Threads for the requests' store calls.", valueName: "n")) var httpThreads: Int = 4
    @Option(help: ArgumentHelp("The page's basemap: a tile URL with {z}, {x} and {y} on the county's own map server (e.g. its PGIS). Without it the page draws the cameras on a coordinate grid.", valueName: "url")) var tiles: String?
    @Option(help: ArgumentHelp("How --tiles places coordinates: wgs84, or gcj02 (the offset datum of most Chinese map services).", valueName: "datum")) var tilesDatum = "wgs84"
    @Option(help: ArgumentHelp("The basemap's credit line shown on the map.", valueName: "text")) var tilesAttribution: String?

    func validate() throws {
        guard sessionIdle > 0, sessionIdle <= 24 * 30, sessionIdle.isFinite else { throw CamindexError.usage("--session-idle must be from a few minutes to 720 hours") }
    }

    func config(listen: String, store: String) throws -> APIServer.Config {
        // A province has no exports: they are cut from a county's files.
        let isProvince = store.hasPrefix("postgres://") || store.hasPrefix("postgresql://")
        var config = APIServer.Config(exportsDirectory: exports ?? (isProvince ? nil : store + ".exports"))
        config.listen = try APIServer.Listen(parsing: listen)
        config.tlsCertificate = tlsCert
        config.tlsKey = tlsKey
        config.insecureHTTP = insecureHttp
        config.idleMs = Int64((sessionIdle * 3_600_000).rounded())
        config.threads = httpThreads
        guard let datum = PageSettings.Datum(rawValue: tilesDatum.lowercased()) else {
            throw CamindexError.usage("--tiles-datum \(Names.printable(tilesDatum)): wgs84 or gcj02", value: tilesDatum)
        }
        config.page = try PageSettings(tiles: tiles, datum: datum, attribution: tilesAttribution)
        return config
    }
}

struct ServeCommand: AsyncParsableCommand, GlobalConfigurable {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the HTTP API (/api/v1) to the county platform's users: footage, cameras, health, reports, exports.",
        discussion: """
            The page is at / (the same address): a map of the cameras, one timeline band per \
            camera for a place and time, health and KPIs, exports with their extraction record. \
            Users sign in with the accounts of 'camindex user' (POST /api/v1/session; a browser \
            keeps the session cookie) or send a bearer token from 'camindex user token'. Each \
            user's role and regions decide what they see, and every footage, keyframe, camera, \
            thumbnail, report and export request is an audit row naming the user, their role and \
            address. The API's document is GET /api/v1/openapi.json.

            Loopback by default. Any other address needs --tls-cert and --tls-key, or \
            --insecure-http said out loud. Runs until SIGTERM or SIGINT: requests in flight are \
            answered, running exports stop with their whole clips listed in a manifest marked \
            incomplete. A province's postgresql:// URL is served read-only (no exports).

              camindex serve --db /var/lib/camindex/camindex.sqlite
              camindex serve --tiles 'http://10.12.0.9/pgis/{z}/{x}/{y}.png' --tiles-datum gcj02
              camindex serve --listen 10.12.0.5:8443 --tls-cert /etc/camindex/cert.pem --tls-key /etc/camindex/key.pem
              curl -H "Authorization: Bearer $TOKEN" 'http://127.0.0.1:8080/api/v1/footage?region=沙河镇&from=14:00&to=15:10&date=yesterday'
            """
    )

    @OptionGroup var global: GlobalOptions
    @Option(help: ArgumentHelp("Address and port to listen on.", valueName: "host:port")) var listen = "127.0.0.1:8080"
    @OptionGroup var http: HTTPOptions
    @Flag(help: "Footage and export requests must give a reason (the county's policy; kept in the store).") var requireReason = false

    var defaultLogLevel: Logger.Level { .info }

    func run() async throws {
        let logger = Logger(label: "camindex.serve")
        let service = try global.service(.read)
        try service.prepareForServing()
        let server = try APIServer(service: service, config: try http.config(listen: listen, store: global.databasePath), logger: logger)
        for warning in server.warnings { logger.warning("\(warning)") }
        if requireReason { try service.setRequiresReason(true) }
        try await server.run(logger: logger)
    }
}
