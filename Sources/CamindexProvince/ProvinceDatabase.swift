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
            throw CamindexError.runtime("cannot connect to the province \(url): \(Self.describe(error))", code: .provinceFailed, value: url.description)
        }
    }

    deinit { try? connection.close().wait() }

    /// Runs one statement and returns its rows.
    @discardableResult
    public func query(_ query: PostgresQuery) throws -> [PostgresRow] {
        do {
            return Array(try connection.query(query, logger: logger).wait().rows)
        } catch {
            throw CamindexError.runtime("province \(url): \(Self.describe(error))", code: .provinceFailed, value: url.description)
        }
    }

    /// Runs `sql` (any number of statements, no parameters).
    public func execute(_ sql: String) throws {
        try query(PostgresQuery(unsafeSQL: sql))
    }

    /// Runs `body` in one transaction: all of it commits, or none.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try execute("BEGIN")
        do {
            let result = try body()
            try execute("COMMIT")
            return result
        } catch {
            try? execute("ROLLBACK")
            throw error
        }
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
