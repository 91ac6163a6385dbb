import CamindexCore
import Foundation
import PostgresNIO

/// The HTTP API's users on a province (migration p6), as the county store keeps them.
extension ProvinceReader: UserDirectory {
    private static let userColumns = "name, role, regions, disabled, created_at_ms, password_changed_at_ms"

    private static func user(_ c: inout Cells) throws -> UserAccount {
        let name = try c.next(String.self), role = try c.next(String.self), regions = try c.next(String.self)
        let disabled = try c.next(Bool.self), created = try c.next(Int64.self), changed = try c.next(Int64.self)
        return UserAccount(name: name, role: Role(rawValue: role) ?? .police, regions: regions.split(separator: " ").map(String.init),
                           disabled: disabled, createdAt: Instant(ms: created), passwordChangedAt: Instant(ms: changed))
    }

    public func addUser(_ user: UserAccount, passwordHash: String) throws {
        try db.transaction {
            guard try db.query("SELECT 1 FROM app_user WHERE name = \(user.name)").isEmpty else { throw Self.userExists(user.name) }
            try db.query("""
                INSERT INTO app_user (name, role, regions, password_hash, disabled, created_at_ms, password_changed_at_ms)
                VALUES (\(user.name), \(user.role.rawValue), \(user.regions.joined(separator: " ")), \(passwordHash), \(user.disabled),
                        \(user.createdAt.ms), \(user.passwordChangedAt.ms))
                """)
        }
    }

    public func users() throws -> [UserAccount] {
        try db.query("SELECT \(unescaped: Self.userColumns) FROM app_user ORDER BY name").map { row in
            var c = row.cells
            return try Self.user(&c)
        }
    }

    public func user(named name: String) throws -> (account: UserAccount, passwordHash: String)? {
        try db.query("SELECT \(unescaped: Self.userColumns), password_hash FROM app_user WHERE name = \(name)").first.map { row in
            var c = row.cells
            return (try Self.user(&c), try c.next(String.self))
        }
    }

    public func setPasswordHash(user name: String, _ hash: String) throws {
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        try changeUser(name, "UPDATE app_user SET password_hash = \(hash), password_changed_at_ms = \(now) WHERE name = \(name) RETURNING name")
    }

    public func setUserDisabled(_ name: String, _ disabled: Bool) throws {
        try db.transaction {
            try changeUser(name, "UPDATE app_user SET disabled = \(disabled) WHERE name = \(name) RETURNING name")
            if disabled {
                try db.query("DELETE FROM app_token WHERE user_name = \(name)")
                try db.query("DELETE FROM app_session WHERE user_name = \(name)")
            }
        }
    }

    public func removeUser(_ name: String) throws {
        // Tokens and sessions go with the user (ON DELETE CASCADE).
        try changeUser(name, "DELETE FROM app_user WHERE name = \(name) RETURNING name")
    }

    public func endSessions(user name: String) throws {
        try db.query("DELETE FROM app_session WHERE user_name = \(name)")
    }

    public func loginFailures(user name: String, since: Instant) throws -> [Instant] {
        try db.transaction {
            try db.query("DELETE FROM app_login_failure WHERE at_ms < \(since.ms)")
            return try db.query("SELECT at_ms FROM app_login_failure WHERE user_name = \(name) ORDER BY at_ms").map { Instant(ms: try $0.decode(Int64.self)) }
        }
    }

    public func recordLoginFailure(user name: String, at: Instant) throws {
        try db.query("INSERT INTO app_login_failure (user_name, at_ms) VALUES (\(name), \(at.ms))")
    }

    public func clearLoginFailures(user name: String) throws {
        try db.query("DELETE FROM app_login_failure WHERE user_name = \(name)")
    }

    public func addSession(digest: String, user name: String, at: Instant) throws {
        try db.query("INSERT INTO app_session (token_sha256, user_name, created_at_ms, last_seen_ms) VALUES (\(digest), \(name), \(at.ms), \(at.ms))")
    }

    public func session(digest: String) throws -> (user: UserAccount, lastSeen: Instant)? {
        try db.query("""
            SELECT \(unescaped: Self.userColumns.split(separator: ",").map { "u." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", ")), s.last_seen_ms
            FROM app_session s JOIN app_user u ON u.name = s.user_name WHERE s.token_sha256 = \(digest)
            """).first.map { row in
            var c = row.cells
            return (try Self.user(&c), Instant(ms: try c.next(Int64.self)))
        }
    }

    public func touchSession(digest: String, at: Instant) throws {
        try db.query("UPDATE app_session SET last_seen_ms = \(at.ms) WHERE token_sha256 = \(digest)")
    }

    public func endSession(digest: String) throws -> Bool {
        !(try db.query("DELETE FROM app_session WHERE token_sha256 = \(digest) RETURNING token_sha256").isEmpty)
    }

    public func addToken(_ token: UserToken, digest: String) throws {
        try db.query("""
            INSERT INTO app_token (id, user_name, token_sha256, created_at_ms, expires_at_ms)
            VALUES (\(token.id), \(token.user), \(digest), \(token.createdAt.ms), \(token.expiresAt?.ms))
            """)
    }

    public func token(digest: String) throws -> (token: UserToken, user: UserAccount)? {
        try db.query("""
            SELECT t.id, t.user_name, t.created_at_ms, t.expires_at_ms,
                   \(unescaped: Self.userColumns.split(separator: ",").map { "u." + $0.trimmingCharacters(in: .whitespaces) }.joined(separator: ", "))
            FROM app_token t JOIN app_user u ON u.name = t.user_name WHERE t.token_sha256 = \(digest)
            """).first.map { row in
            var c = row.cells
            let token = UserToken(id: try c.next(String.self), user: try c.next(String.self), createdAt: Instant(ms: try c.next(Int64.self)),
                                  expiresAt: try c.next(Int64?.self).map(Instant.init(ms:)))
            return (token, try Self.user(&c))
        }
    }

    private func changeUser(_ name: String, _ query: PostgresQuery) throws {
        guard !(try db.query(query).isEmpty) else { throw Self.userUnknown(name) }
    }
}

extension ProvinceReader {
    /// Brings the province's schema up to date (as publishing does): a server and the user
    /// commands need the users' tables.
    public func migrate() throws { try db.migrate() }
}
