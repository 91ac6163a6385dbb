import CamindexCore
import CamindexProvince
import CamindexStore
import Foundation

/// The users of the HTTP API, kept in the county store it serves: added, changed and removed
/// at the index machine's shell (`camindex user …`), each change an audit row. Passwords and
/// tokens are taken, hashed and forgotten: no use case returns or logs one, but a new token,
/// returned once to be shown once.
extension IndexService {
    /// Where the users are: the county store, or the province (its schema brought up to date
    /// when opened for the shell's user commands).
    func userDirectory() throws -> any UserDirectory & IndexReader {
        switch backend {
        case let .county(county): return try county.store()
        case let .province(reader, _): return reader
        case let .provinceRegistry(url):
            let reader = try ProvinceReader(url: url)
            try reader.migrate()
            return reader
        }
    }

    /// Readies the store for a server: a county store is opened (a missing one fails at start,
    /// not at every request), a province gets the tables of its users (migration p6).
    public func prepareForServing() throws {
        switch backend {
        case let .county(county): _ = try county.store()
        case let .province(reader, _): try reader.migrate()
        case let .provinceRegistry(url): throw Self.provinceReadOnly(url)
        }
    }

    public func addUser(name: String, role: String, regions: [String], password: String) throws -> UserAccount {
        try audited("user add", reason: nil, cameras: []) { _ in
            try require(.users)
            let store = try userDirectory()
            let name = try UserNames.validate(name)
            let role = try Role.parse(role)
            try UserNames.validatePassword(password)
            // Each region by code or exact name, as every command takes them; kept as codes.
            var codes: [String] = []
            for region in regions {
                let code = try store.resolveRegion(region).code
                if !codes.contains(code) { codes.append(code) }
            }
            let now = clock.now()
            let user = UserAccount(name: name, role: role, regions: codes, disabled: false, createdAt: now, passwordChangedAt: now)
            try store.addUser(user, passwordHash: try PasswordHash.make(password))
            return (user, [], "user \(name) added: role \(role.rawValue), regions \(codes.isEmpty ? "all" : codes.joined(separator: " "))")
        }
    }

    public func users() throws -> [UserAccount] {
        try require(.users)
        return try userDirectory().users()
    }

    public func setPassword(user name: String, password: String) throws {
        try audited("user passwd", reason: nil, cameras: []) { _ in
            try require(.users)
            try UserNames.validatePassword(password)
            let store = try userDirectory()
            try store.setPasswordHash(user: name, try PasswordHash.make(password))
            try store.endSessions(user: name)
            return ((), [], "password of \(name) changed, its sessions ended")
        }
    }

    public func setUserDisabled(_ name: String, _ disabled: Bool) throws {
        try audited(disabled ? "user disable" : "user enable", reason: nil, cameras: []) { _ in
            try require(.users)
            try userDirectory().setUserDisabled(name, disabled)
            return ((), [], "user \(name) \(disabled ? "disabled, its tokens revoked" : "enabled")")
        }
    }

    public func removeUser(_ name: String) throws {
        try audited("user remove", reason: nil, cameras: []) { _ in
            try require(.users)
            try userDirectory().removeUser(name)
            return ((), [], "user \(name) removed, with its tokens")
        }
    }

    /// A new bearer token for `name`, valid `days` days (nil: until the user is disabled or
    /// removed). The token is in the answer and nowhere else: the store keeps its SHA-256.
    public func issueToken(user name: String, days: Int?) throws -> (token: String, info: UserToken) {
        try audited("user token", reason: nil, cameras: []) { _ in
            try require(.users)
            if let days, days < 1 || days > 3650 {
                throw CamindexError.usage("--expires \(days): a number of days from 1 to 3650", code: .invalidArgument, value: "\(days)")
            }
            let store = try userDirectory()
            guard let user = try store.user(named: name)?.account else {
                throw CamindexError.usage("no user '\(name)': see 'camindex user list'", code: .userUnknown, value: name)
            }
            guard !user.disabled else {
                throw CamindexError.usage("user '\(name)' is disabled: enable it first with 'camindex user enable \(name)'", code: .userInvalid, value: name)
            }
            let token = PasswordHash.newToken()
            let now = clock.now()
            let info = UserToken(id: String(PasswordHash.tokenDigest(token).prefix(12)), user: name, createdAt: now,
                                 expiresAt: days.map { now + Int64($0) * 86_400_000 })
            try store.addToken(info, digest: PasswordHash.tokenDigest(token))
            let until = info.expiresAt.map { "until \(TimeFormat.rfc3339($0, in: TimeZone(identifier: Zones.defaultIdentifier)!))" } ?? "without expiry"
            return ((token, info), [], "token \(info.id) issued to \(name), \(until)")
        }
    }

    /// The account a name and password open: nil for an unknown name, a wrong password or a
    /// disabled account alike (a caller learns nothing of which).
    public func authenticate(user name: String, password: String) throws -> UserAccount? {
        guard let (account, hash) = try userDirectory().user(named: name) else {
            // As long as a real check, so that timing does not tell names apart.
            _ = PasswordHash.verify(password, against: Self.decoyHash)
            return nil
        }
        return PasswordHash.verify(password, against: hash) && !account.disabled ? account : nil
    }

    /// The account a bearer token opens: nil when unknown, expired, or its user disabled.
    public func authenticate(token: String) throws -> UserAccount? {
        guard let (info, account) = try userDirectory().token(digest: PasswordHash.tokenDigest(token)) else { return nil }
        if let expires = info.expiresAt, expires <= clock.now() { return nil }
        return account.disabled ? nil : account
    }

    static let decoyHash = (try? PasswordHash.make("camindex decoy password")) ?? ""

    /// How sign-ins are limited: after `lockoutFailures` failures for one name within
    /// `lockoutWindowMs`, that name is refused until `lockoutWindowMs` after the last of them.
    public static let lockoutFailures = 5, lockoutWindowMs: Int64 = 15 * 60_000
    /// A session unused this long has ended (configurable by the server).
    public static let defaultIdleMs: Int64 = 8 * 3_600_000

    /// Signs `name` in with `password` from `remote` (an address, for the audit row): a new
    /// session token (shown once; kept as SHA-256) and the account. A wrong name or password
    /// is `auth.failed`, the same words for both; the sixth failure for a name within 15
    /// minutes and every try after it until 15 minutes have passed is `auth.locked`. Every
    /// attempt is an audit row under the name given.
    public func signIn(user name: String, password: String, remote: String) throws -> (token: String, account: UserAccount) {
        let store = try userDirectory()
        let asked = acting(as: Caller(name: Names.printable(String(name.prefix(UserNames.maxLength))), invocation: ["sign in", "from \(remote)"]))
        return try asked.audited("sign in", reason: nil, cameras: []) { _ in
            let now = clock.now()
            if let until = Self.lockedUntil(try store.loginFailures(user: name, since: now - 2 * Self.lockoutWindowMs), now: now) {
                let shown = TimeFormat.rfc3339(until, in: TimeZone(identifier: Zones.defaultIdentifier)!)
                throw CamindexError.runtime("too many failed sign-ins for this name: try again after \(shown)", code: .authLocked, value: shown)
            }
            guard let account = try authenticate(user: name, password: password) else {
                try store.recordLoginFailure(user: name, at: now)
                throw CamindexError.runtime("wrong user name or password", code: .authFailed)
            }
            try store.clearLoginFailures(user: name)
            let token = PasswordHash.newToken()
            try store.addSession(digest: PasswordHash.tokenDigest(token), user: account.name, at: now)
            return ((token, account), [], "signed in from \(remote) as \(account.role.rawValue)")
        }
    }

    /// Until when a name is refused: `lockoutFailures` failures within `lockoutWindowMs` lock it
    /// for `lockoutWindowMs` from the last of them (tries while locked are not failures).
    static func lockedUntil(_ failures: [Instant], now: Instant) -> Instant? {
        guard failures.count >= lockoutFailures, let last = failures.last else { return nil }
        let first = failures[failures.count - lockoutFailures]
        guard last.ms - first.ms <= lockoutWindowMs, now.ms < last.ms + lockoutWindowMs else { return nil }
        return last + lockoutWindowMs
    }

    /// The account a session token opens, nil when unknown, idle longer than `idleMs`, or its
    /// user disabled; using it keeps it alive (noted at most once a minute).
    public func session(token: String, idleMs: Int64 = IndexService.defaultIdleMs) throws -> UserAccount? {
        let store = try userDirectory()
        let digest = PasswordHash.tokenDigest(token)
        guard let (account, lastSeen) = try store.session(digest: digest) else { return nil }
        let now = clock.now()
        guard now.ms - lastSeen.ms <= idleMs else {
            _ = try store.endSession(digest: digest)
            return nil
        }
        guard !account.disabled else { return nil }
        if now.ms - lastSeen.ms >= 60_000 { try store.touchSession(digest: digest, at: now) }
        return account
    }

    /// Ends the session `token` opened (signing out), audited as the caller.
    public func signOut(token: String) throws {
        try audited("sign out", reason: nil, cameras: []) { _ in
            guard try userDirectory().endSession(digest: PasswordHash.tokenDigest(token)) else {
                throw CamindexError.runtime("no such session (signed out already, or expired)", code: .authFailed)
            }
            return ((), [], "signed out")
        }
    }
}
