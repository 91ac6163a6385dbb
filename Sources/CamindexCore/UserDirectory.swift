/// Where the HTTP API's users, tokens, sessions and failed sign-ins live: the county store
/// (migrations v13, v14) or the province (migration p6), so that a server reads its users
/// from the store it serves. Hashes only: never a password or a token in clear.
public protocol UserDirectory: Sendable {
    func addUser(_ user: UserAccount, passwordHash: String) throws
    func users() throws -> [UserAccount]
    /// The user and their password hash, nil when there is none of that name.
    func user(named name: String) throws -> (account: UserAccount, passwordHash: String)?
    func setPasswordHash(user name: String, _ hash: String) throws
    /// Disabling also ends the user's tokens and sessions.
    func setUserDisabled(_ name: String, _ disabled: Bool) throws
    func removeUser(_ name: String) throws
    func endSessions(user name: String) throws

    /// When `name`'s sign-ins failed since `since`, oldest first; older ones are forgotten.
    func loginFailures(user name: String, since: Instant) throws -> [Instant]
    func recordLoginFailure(user name: String, at: Instant) throws
    func clearLoginFailures(user name: String) throws

    func addSession(digest: String, user name: String, at: Instant) throws
    /// The session's user and when it was last used, nil when there is none.
    func session(digest: String) throws -> (user: UserAccount, lastSeen: Instant)?
    func touchSession(digest: String, at: Instant) throws
    func endSession(digest: String) throws -> Bool

    func addToken(_ token: UserToken, digest: String) throws
    /// The token with this digest and its user, nil when there is none.
    func token(digest: String) throws -> (token: UserToken, user: UserAccount)?
}

extension UserDirectory {
    public static func userExists(_ name: String) -> CamindexError {
        .usage("user '\(name)' exists: change it with 'camindex user passwd', 'user disable' or 'user remove'", code: .userExists, value: name)
    }

    public static func userUnknown(_ name: String) -> CamindexError {
        .usage("no user '\(name)': see 'camindex user list'", code: .userUnknown, value: name)
    }
}
