import CamindexCore
import Foundation
import PostgresNIO

/// A province's PostgreSQL address, `postgresql://user:password@host:port/database?sslmode=…`
/// (libpq's URL form; `postgres://` too). `sslmode` is honoured: `disable`; `allow` and `prefer`
/// (TLS when the server offers it, unverified); `require` (TLS, unverified); `verify-ca` and
/// `verify-full` (TLS, certificate checked, and the host name for verify-full). The default,
/// as libpq's, is `prefer`. `sslrootcert=FILE` (PEM) is the certificate authority to trust
/// instead of the system's, as libpq's. `lock_timeout` and `statement_timeout` (PostgreSQL's
/// units: `500ms`, `5s`, `2min`; defaults 5 s and 30 s) bound how long a statement of
/// camindex's waits for a lock another transaction holds, and runs: nothing waits forever.
/// `description` never holds the password.
public struct ProvinceURL: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var user: String
    public var password: String?
    public var database: String
    public var sslmode: String
    public var sslrootcert: String?
    public var lockTimeout = "5s"
    public var statementTimeout = "30s"

    public static func isProvince(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    public init(_ text: String) throws {
        let redacted = Redaction.redactURL(text)
        guard Self.isProvince(text), let url = URLComponents(string: text), let host = url.host, !host.isEmpty else {
            throw CamindexError.usage("invalid province URL '\(redacted)': expected postgresql://user:password@host:port/database?sslmode=MODE (password, port and sslmode optional)",
                                      code: .urlInvalid, value: redacted)
        }
        self.host = host
        port = url.port ?? 5432
        user = url.user.flatMap { $0.removingPercentEncoding } ?? NSUserName()
        password = url.password.flatMap { $0.removingPercentEncoding }
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        database = path.isEmpty ? user : (path.removingPercentEncoding ?? path)
        sslmode = url.queryItems?.first(where: { $0.name == "sslmode" })?.value ?? "prefer"
        sslrootcert = url.queryItems?.first(where: { $0.name == "sslrootcert" })?.value.flatMap { $0.isEmpty ? nil : $0 }
        for (name, value) in (url.queryItems ?? []).compactMap({ item in item.value.map { (item.name, $0) } })
        where name == "lock_timeout" || name == "statement_timeout" {
            guard value.wholeMatch(of: /[1-9][0-9]*(ms|s|min|h)?/) != nil else {
                throw CamindexError.usage("invalid \(name) '\(value)' in \(redacted): a positive duration as PostgreSQL writes it, e.g. 500ms, 5s, 2min",
                                          code: .urlInvalid, value: value)
            }
            if name == "lock_timeout" { lockTimeout = value } else { statementTimeout = value }
        }
        guard ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"].contains(sslmode) else {
            throw CamindexError.usage("invalid sslmode '\(sslmode)' in \(redacted): one of disable, allow, prefer, require, verify-ca, verify-full",
                                      code: .urlInvalid, value: sslmode)
        }
    }

    public var description: String { "postgresql://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)" }

    func configuration() throws -> PostgresConnection.Configuration {
        let tls: PostgresConnection.Configuration.TLS
        switch sslmode {
        case "disable":
            tls = .disable
        default:
            var config = TLSConfiguration.makeClientConfiguration()
            switch sslmode {
            case "verify-full": config.certificateVerification = .fullVerification
            case "verify-ca": config.certificateVerification = .noHostnameVerification
            default: config.certificateVerification = .none
            }
            if let sslrootcert {
                guard FileManager.default.isReadableFile(atPath: sslrootcert) else {
                    throw CamindexError.usage("sslrootcert '\(sslrootcert)' in \(self): no readable file there", code: .urlInvalid, value: sslrootcert)
                }
                config.trustRoots = .file(sslrootcert)
            }
            let context: NIOSSLContext
            do { context = try NIOSSLContext(configuration: config) } catch {
                throw CamindexError.runtime("cannot set up TLS for \(self): \(error)", code: .provinceTLS, value: description)
            }
            tls = ["allow", "prefer"].contains(sslmode) ? .prefer(context) : .require(context)
        }
        var c = PostgresConnection.Configuration(host: host, port: port, username: user, password: password, database: database, tls: tls)
        c.options.connectTimeout = .seconds(10)
        // A province's statements are short, but its row counts push their plans' costs past
        // jit_above_cost: compiling them took ~3 s of a 4 s health check, so no JIT. Every table
        // is partitioned by county and every join is on county: joined partition by partition,
        // the planner uses each county's statistics (autovacuum never analyzes a partitioned
        // parent) and joins a county's 2,300 states to its own probes, not the province's
        // 50,000 to 1.5 million (0.26 s for health's camera statement instead of 1.3 s).
        c.options.additionalStartupParameters = [("jit", "off"), ("enable_partitionwise_join", "on"),
                                                 ("lock_timeout", lockTimeout), ("statement_timeout", statementTimeout)]
        // verify-full checks the host name PostgresNIO gives TLS: the host, or for an IP
        // address (not allowed as a TLS server name) the peer's address against the certificate's.
        return c
    }
}
