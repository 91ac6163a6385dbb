import CamindexCore
import Foundation
import GRDB

// The HTTP API's users and their bearer tokens: hashes only, never a password or a token.
extension Store: UserDirectory {
    public func addUser(_ user: UserAccount, passwordHash: String) throws {
        try write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM app_user WHERE name = ?", arguments: [user.name]) == nil else {
                throw Self.userExists(user.name)
            }
            try db.execute(sql: """
                INSERT INTO app_user (name, role, regions, password_hash, disabled, created_at_ms, password_changed_at_ms)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [user.name, user.role.rawValue, user.regions.joined(separator: " "), passwordHash, user.disabled,
                                 user.createdAt.ms, user.passwordChangedAt.ms])
        }
    }

    public func users() throws -> [UserAccount] {
        try read { db in try Row.fetchAll(db, sql: "SELECT \(Self.userColumns) FROM app_user ORDER BY name").map(Self.user) }
    }

    /// The user and their password hash, nil when there is none of that name.
    public func user(named name: String) throws -> (account: UserAccount, passwordHash: String)? {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT \(Self.userColumns), password_hash FROM app_user WHERE name = ?", arguments: [name])
                .map { (Self.user($0), $0["password_hash"]) }
        }
    }

    public func setPasswordHash(user name: String, _ hash: String) throws {
        try changeUser(name, sql: "UPDATE app_user SET password_hash = ?, password_changed_at_ms = ? WHERE name = ?",
                       arguments: [hash, clock.now().ms, name])
    }

    /// Disabling also ends the user's tokens and sessions: a disabled account opens nothing.
    public func setUserDisabled(_ name: String, _ disabled: Bool) throws {
        try changeUser(name, sql: "UPDATE app_user SET disabled = ? WHERE name = ?", arguments: [disabled, name]) { db in
            if disabled {
                try db.execute(sql: "DELETE FROM app_token WHERE user_name = ?", arguments: [name])
                try db.execute(sql: "DELETE FROM app_session WHERE user_name = ?", arguments: [name])
            }
        }
    }

    public func removeUser(_ name: String) throws {
        try changeUser(name, sql: "DELETE FROM app_user WHERE name = ?", arguments: [name]) { db in
            try db.execute(sql: "DELETE FROM app_token WHERE user_name = ?", arguments: [name])
            try db.execute(sql: "DELETE FROM app_session WHERE user_name = ?", arguments: [name])
        }
    }

    /// A new password ends the user's sessions: whoever knew the old one is signed out.
    public func endSessions(user name: String) throws {
        try write { db in try db.execute(sql: "DELETE FROM app_session WHERE user_name = ?", arguments: [name]) }
    }

    // Sign-ins

    /// When `name`'s sign-ins failed since `since`, oldest first; older ones are forgotten on the way.
    public func loginFailures(user name: String, since: Instant) throws -> [Instant] {
        try write { db in
            try db.execute(sql: "DELETE FROM app_login_failure WHERE at_ms < ?", arguments: [since.ms])
            return try Int64.fetchAll(db, sql: "SELECT at_ms FROM app_login_failure WHERE user_name = ? ORDER BY at_ms", arguments: [name])
                .map(Instant.init(ms:))
        }
    }

    public func recordLoginFailure(user name: String, at: Instant) throws {
        try write { db in try db.execute(sql: "INSERT INTO app_login_failure (user_name, at_ms) VALUES (?, ?)", arguments: [name, at.ms]) }
    }

    public func clearLoginFailures(user name: String) throws {
        try write { db in try db.execute(sql: "DELETE FROM app_login_failure WHERE user_name = ?", arguments: [name]) }
    }

    public func addSession(digest: String, user name: String, at: Instant) throws {
        try write { db in
            try db.execute(sql: "INSERT INTO app_session (token_sha256, user_name, created_at_ms, last_seen_ms) VALUES (?, ?, ?, ?)",
                           arguments: [digest, name, at.ms, at.ms])
        }
    }

    /// The session's user and when it was last used, nil when there is none.
    public func session(digest: String) throws -> (user: UserAccount, lastSeen: Instant)? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT user_name, last_seen_ms FROM app_session WHERE token_sha256 = ?", arguments: [digest]),
                  let user = try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM app_user WHERE name = ?", arguments: [row[0] as String])
            else { return nil }
            return (Self.user(user), Instant(ms: row[1]))
        }
    }

    public func touchSession(digest: String, at: Instant) throws {
        try write { db in try db.execute(sql: "UPDATE app_session SET last_seen_ms = ? WHERE token_sha256 = ?", arguments: [at.ms, digest]) }
    }

    public func endSession(digest: String) throws -> Bool {
        try write { db in
            try db.execute(sql: "DELETE FROM app_session WHERE token_sha256 = ?", arguments: [digest])
            return db.changesCount > 0
        }
    }

    public func addToken(_ token: UserToken, digest: String) throws {
        try write { db in
            try db.execute(sql: "INSERT INTO app_token (id, user_name, token_sha256, created_at_ms, expires_at_ms) VALUES (?, ?, ?, ?, ?)",
                           arguments: [token.id, token.user, digest, token.createdAt.ms, token.expiresAt?.ms])
        }
    }

    /// The token with this digest and its user, nil when there is none.
    public func token(digest: String) throws -> (token: UserToken, user: UserAccount)? {
        try read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT id, user_name, created_at_ms, expires_at_ms FROM app_token WHERE token_sha256 = ?",
                                             arguments: [digest]),
                  let user = try Row.fetchOne(db, sql: "SELECT \(Self.userColumns) FROM app_user WHERE name = ?", arguments: [row[1] as String])
            else { return nil }
            return (UserToken(id: row[0], user: row[1], createdAt: Instant(ms: row[2]), expiresAt: (row[3] as Int64?).map(Instant.init(ms:))),
                    Self.user(user))
        }
    }

    private func changeUser(_ name: String, sql: String, arguments: StatementArguments, also: ((Database) throws -> Void)? = nil) throws {
        try write { db in
            if let also { try also(db) }
            try db.execute(sql: sql, arguments: arguments)
            guard db.changesCount > 0 else {
                throw Self.userUnknown(name)
            }
        }
    }

    static let userColumns = "name, role, regions, disabled, created_at_ms, password_changed_at_ms"

    static func user(_ row: Row) -> UserAccount {
        UserAccount(name: row[0], role: Role(rawValue: row[1]) ?? .police, regions: (row[2] as String).split(separator: " ").map(String.init),
                    disabled: row[3], createdAt: Instant(ms: row[4]), passwordChangedAt: Instant(ms: row[5]))
    }
}
