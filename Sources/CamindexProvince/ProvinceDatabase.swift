import CamindexCore
import Foundation
import Logging
import PostgresNIO

/// One connection to a province's PostgreSQL, used from synchronous code: each call blocks
/// its thread until the server answers (the work runs on the connection's own event loop,
/// never on the caller's, so a blocked caller cannot stall it). Errors leave as
/// `CamindexError` naming the URL without its password.
public final class ProvinceDatabase: @unchecked Sendable {
    public let url: ProvinceURL
    private let connection: PostgresConnection
    private let logger: Logger
    /// Transactions open on the connection: an inner `transaction` or snapshot runs inside the
    /// outer one instead of committing it early.
    private let depth = NSLock()
    private var openTransactions = 0
    /// Held for a statement, or for a whole transaction by the thread that opened it (the HTTP
    /// server calls from several threads; nested statements are the same thread's).
    private let inUse = NSRecursiveLock()

    /// Connects; nothing is created or migrated.
    public init(url: ProvinceURL) throws {
        self.url = url
        var logger = Logger(label: "camindex.province")
        logger.logLevel = .warning
        self.logger = logger
        do {
            connection = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.any(), configuration: try url.configuration(),
                                                        id: 1, logger: logger).wait()
        } catch let error as CamindexError {
            throw error
        } catch {
            throw Self.connectFailure(error, url: url)
        }
    }

    /// Why a connection failed, as a coded error naming host and port (never the password):
    /// `province.unreachable` (refused, timed out, no route, unknown host), `province.auth_failed`
    /// (user or password refused), `province.tls` (TLS not offered, certificate not trusted),
    /// else `province.failed` with PostgreSQL's own message.
    static func connectFailure(_ error: any Error, url: ProvinceURL) -> CamindexError {
        let at = "the province database at \(url.host):\(url.port)"
        func unreachable(_ why: String) -> CamindexError {
            .runtime("cannot connect to \(at): \(why)", code: .provinceUnreachable, value: "\(url.host):\(url.port)")
        }
        func auth(_ why: String) -> CamindexError {
            .runtime("\(at) refused user '\(url.user)': \(why)", code: .provinceAuthFailed, value: url.user)
        }
        func tls(_ why: String) -> CamindexError {
            .runtime("TLS with \(at) failed (sslmode=\(url.sslmode)): \(why)", code: .provinceTLS, value: url.sslmode)
        }
        switch error {
        case let e as PSQLError:
            switch e.code {
            case .connectionError, .failedToAddSSLHandler:
                if let underlying = e.underlying { return connectFailure(underlying, url: url) }
            case .server:
                let message = e.serverInfo?[.message] ?? "refused"
                // invalid_authorization_specification (pg_hba refused) and invalid_password.
                if let state = e.serverInfo?[.sqlState], ["28000", "28P01"].contains(state) { return auth(message) }
                return .runtime("\(at): \(message)", code: .provinceFailed, value: url.description)
            case .sslUnsupported:
                return tls("the server does not offer TLS")
            case .authMechanismRequiresPassword:
                return auth("the server asks for a password and the URL gives none")
            case .unsupportedAuthMechanism, .saslError:
                return auth(describe(e))
            default:
                break
            }
        case let e as NIOConnectionError:
            if let first = e.connectionErrors.first { return connectFailure(first.error, url: url) }
            return unreachable("cannot resolve host '\(url.host)'")
        case let e as IOError:
            return unreachable(String(cString: strerror(e.errnoCode)).lowercased())
        case ChannelError.connectTimeout:
            return unreachable("timed out")
        case let e as NIOSSLExtraError where e == .failedToValidateHostname:
            return tls("the server's certificate is not for host \(url.host)")
        case is NIOSSLError, is NIOSSLExtraError, is BoringSSLError:
            let text = "\(error)"
            if text.contains("CERTIFICATE_VERIFY_FAILED") {
                return tls("the server's certificate is not trusted (give its authority with sslrootcert=FILE, or use sslmode=require)")
            }
            return tls(text)
        default:
            break
        }
        return .runtime("cannot connect to \(at): \(describe(error))", code: .provinceFailed, value: url.description)
    }

    deinit { try? connection.close().wait() }

    /// Runs one statement and returns its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> [PostgresRow] {
        // One connection: a statement of another thread must not land inside this one's transaction.
        inUse.lock()
        defer { inUse.unlock() }
        do {
            return Array(try connection.query(query, logger: logger).wait().rows)
        } catch let error as PSQLError where ["55P03", "57014"].contains(error.serverInfo?[.sqlState]) {
            // lock_not_available (lock_timeout), query_canceled (statement_timeout).
            let what = Self.statementName(query.sql)
            let message = error.serverInfo?[.sqlState] == "55P03"
                ? "province \(url): \(what) waited longer than lock_timeout (\(url.lockTimeout)) for a lock another transaction holds (another publish, or a session left open on the province); nothing was changed, try again later or raise ?lock_timeout= in the URL"
                : "province \(url): \(what) ran longer than statement_timeout (\(url.statementTimeout)) and was stopped; nothing was changed, try again later or raise ?statement_timeout= in the URL"
            throw CamindexError.runtime(message, code: .provinceTimeout, value: url.description)
        } catch {
            throw CamindexError.runtime("province \(url): \(Self.describe(error))", code: .provinceFailed, value: url.description)
        }
    }

    /// Runs `sql` (any number of statements, no parameters).
    public func execute(_ sql: String) throws {
        try query(PostgresQuery(unsafeSQL: sql))
    }

    /// Runs `body` in one transaction: all of it commits, or none. Inside another transaction
    /// (or snapshot) it is part of that one.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try within("BEGIN", body)
    }

    /// Runs `body` reading from one repeatable-read snapshot; inside a transaction, in that one.
    public func snapshot<T>(_ body: () throws -> T) throws -> T {
        try within("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", body)
    }

    private func within<T>(_ begin: String, _ body: () throws -> T) throws -> T {
        inUse.lock()
        defer { inUse.unlock() }
        let outermost = depth.withLock { openTransactions += 1; return openTransactions == 1 }
        defer { depth.withLock { openTransactions -= 1 } }
        guard outermost else { return try body() }
        try execute(begin)
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
    }

    /// A statement as messages name it: its first words, up to the table it reads or writes.
    static func statementName(_ sql: String) -> String {
        let words = sql.split(whereSeparator: \.isWhitespace)
        let table = words.firstIndex { ["FROM", "INTO", "UPDATE", "TABLE"].contains($0.uppercased()) }
        let shown = table.map { words[...min($0 + 1, words.count - 1)] } ?? words.prefix(6)
        return "'" + shown.joined(separator: " ") + (shown.count < words.count ? " …'" : "'")
    }

    /// PostgreSQL's own message when there is one (PSQLError's description hides it).
    static func describe(_ error: any Error) -> String {
        if let e = error as? PSQLError {
            if let message = e.serverInfo?[.message] { return message }
            return "\(e.code)" + (e.underlying.map { ": \($0)" } ?? "")
        }
        return "\(error)"
    }
}
