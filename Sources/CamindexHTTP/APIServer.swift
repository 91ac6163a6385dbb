import CamindexCore
import CamindexService
import Foundation
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// The HTTP API of camindex (`camindex serve`, `camindex daemon --http`): a second front end
/// beside the CLI over the same `IndexService`, for the signed-in users of the county's
/// platform. It parses a request, makes one service call as the user, and renders the
/// service's JSON shapes; every use case, its role check, region scope and audit row stay in
/// the service.
public struct APIServer: Sendable {
    public struct Config: Sendable {
        public var listen = Listen(host: "127.0.0.1", port: 8080)
        /// PEM files; with both the server speaks only HTTPS.
        public var tlsCertificate: String?
        public var tlsKey: String?
        /// Plain HTTP on an address other than loopback, said out loud.
        public var insecureHTTP = false
        /// A session unused this long has ended.
        public var idleMs = IndexService.defaultIdleMs
        /// Where export jobs write their clips: one directory per job; nil: no exports (a province).
        public var exportsDirectory: String?
        /// Threads for the service calls (SQLite and PostgreSQL block).
        public var threads = 4
        /// Bound on one request's service call; an export job runs beside, unbound by it.
        public var requestTimeout: Duration = .seconds(60)
        /// The page's basemap.
        public var page = try! PageSettings()

        public init(exportsDirectory: String?) { self.exportsDirectory = exportsDirectory }
    }

    /// A `host:port` to listen on (`[::1]:8080` for IPv6; port 0 takes a free one).
    public struct Listen: Sendable, Hashable, CustomStringConvertible {
        public var host: String
        public var port: Int

        public init(host: String, port: Int) { self.host = host; self.port = port }

        public init(parsing text: String) throws {
            let host: Substring, port: Substring
            if text.hasPrefix("["), let close = text.firstIndex(of: "]") {
                host = text[text.index(after: text.startIndex)..<close]
                port = text[close...].dropFirst().drop { $0 == ":" }
            } else if let colon = text.lastIndex(of: ":") {
                host = text[..<colon]
                port = text[text.index(after: colon)...]
            } else {
                throw CamindexError.usage("--listen \(Names.printable(text)): give HOST:PORT, as 127.0.0.1:8080 or [::1]:8080", value: text)
            }
            guard !host.isEmpty, let number = Int(port), (0...65_535).contains(number) else {
                throw CamindexError.usage("--listen \(Names.printable(text)): give HOST:PORT with a port from 0 to 65535, as 127.0.0.1:8080", value: text)
            }
            self.host = String(host)
            self.port = number
        }

        /// Whether only this machine can reach the address.
        public var isLoopback: Bool {
            host == "localhost" || host == "::1" || host.hasPrefix("127.")
        }

        public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    public let service: IndexService
    public let config: Config
    public let logger: Logger

    /// Refuses a configuration that would put passwords on the wire in clear without being told
    /// to; returns the warnings to log.
    public init(service: IndexService, config: Config, logger: Logger) throws {
        if (config.tlsCertificate == nil) != (config.tlsKey == nil) {
            throw CamindexError.usage("--tls-cert and --tls-key go together")
        }
        if !config.listen.isLoopback && config.tlsCertificate == nil && !config.insecureHTTP {
            throw CamindexError.usage("--listen \(config.listen): an address other than loopback carries passwords and footage over the network; give --tls-cert and --tls-key, or say --insecure-http",
                                      value: config.listen.description)
        }
        guard (1...64).contains(config.threads) else { throw CamindexError.usage("--threads must be from 1 to 64") }
        self.service = service
        self.config = config
        self.logger = logger
    }

    public var warnings: [String] {
        config.insecureHTTP && config.tlsCertificate == nil && !config.listen.isLoopback
            ? ["serving plain HTTP on \(config.listen) (--insecure-http): passwords, session cookies and footage cross the network in clear"]
            : []
    }

    /// The server as a service of a ServiceGroup: it stops on graceful shutdown, after the
    /// requests in flight, and stops the running export jobs (their whole clips kept, listed
    /// in a manifest marked incomplete). `onListening` gets the address bound (with the port
    /// taken when 0 was asked).
    public func makeService(onListening: @escaping @Sendable (String) -> Void = { _ in }) throws -> some Service {
        let pool = BlockingPool(threads: config.threads, name: "camindex.http")
        let jobs = try ExportJobs(directory: config.exportsDirectory, service: service, logger: logger)
        let api = API(service: service, pool: pool, jobs: jobs, idleMs: config.idleMs, secure: config.tlsCertificate != nil,
                      timeout: config.requestTimeout, page: config.page, logger: logger)
        let router = api.router()
        // A connection that sends nothing for 30 s is closed: a stalled client holds no socket for good.
        let http1 = HTTPServerBuilder.http1(configuration: .init(idleTimeout: .seconds(30)))
        let server: HTTPServerBuilder
        if let cert = config.tlsCertificate, let key = config.tlsKey {
            server = try .tls(http1, tlsConfiguration: try Self.tls(certificate: cert, key: key))
        } else {
            server = http1
        }
        let scheme = config.tlsCertificate == nil ? "http" : "https"
        let app = Application(
            router: router, server: server,
            configuration: .init(address: .hostname(config.listen.host, port: config.listen.port), serverName: nil),
            onServerRunning: { channel in
                let port = channel.localAddress?.port ?? 0
                onListening("\(scheme)://\(Listen(host: config.listen.host, port: port))")
            },
            logger: logger)
        return APIService(app: app, jobs: jobs, pool: pool)
    }

    static func tls(certificate: String, key: String) throws -> TLSConfiguration {
        let chain: [NIOSSLCertificate], privateKey: NIOSSLPrivateKey
        do { chain = try NIOSSLCertificate.fromPEMFile(certificate) } catch {
            throw CamindexError.usage("--tls-cert \(certificate): not a PEM certificate file (\(ErrorText.of(error)))", code: .fileUnreadable, value: certificate)
        }
        do { privateKey = try NIOSSLPrivateKey(file: key, format: .pem) } catch {
            throw CamindexError.usage("--tls-key \(key): not a PEM private key file (\(ErrorText.of(error)))", code: .fileUnreadable, value: key)
        }
        var tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(privateKey))
        tls.minimumTLSVersion = .tlsv12
        return tls
    }
}

/// The Hummingbird application and the export jobs as one service.
struct APIService: Service {
    let app: Application<RouterResponder<APIContext>>
    let jobs: ExportJobs
    let pool: BlockingPool

    func run() async throws {
        defer { pool.shutdown() }
        try await withGracefulShutdownHandler {
            try await app.run()
        } onGracefulShutdown: {
            jobs.stopAll()
        }
        await jobs.waitUntilIdle()
    }
}

extension APIServer {
    /// Runs the server alone (`camindex serve`) until SIGTERM or SIGINT.
    public func run(logger: Logger) async throws {
        let service = try makeService(onListening: { url in logger.notice("listening on \(url)") })
        let group = ServiceGroup(configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.notice("server stopped")
    }
}
