import CamindexCore
import CamindexStore
import Foundation

/// The users of the HTTP API, kept in the county store it serves: added, changed and removed
/// at the index machine's shell (`camindex user …`), each change an audit row. Passwords and
/// tokens are taken, hashed and forgotten: no use case returns or logs one, but a new token,
/// returned once to be shown once.
extension IndexService {
    public func addUser(name: String, role: String, regions: [String], password: String) throws -> UserAccount {
        try audited("user add", reason: nil, cameras: []) { _ in
            try require(.users)
            let store = try countyStore()
            let name = try UserNames.validate(name)
            let role = try Role.parse(role)
            try UserNames.validatePassword(password)
            // Each region by code or exact name, as every command takes them; kept as codes.
            var codes: [String] = []
            for region in regions {
                let code = try store.resolveRegion(region).code
                if !codes.contains(code) { codes.append(code) }
            }
            let now = store.clock.now()
            let user = UserAccount(name: name, role: role, regions: codes, disabled: false, createdAt: now, passwordChangedAt: now)
            try store.addUser(user, passwordHash: try PasswordHash.make(password))
            return (user, [], "user \(name) added: role \(role.rawValue), regions \(codes.isEmpty ? "all" : codes.joined(separator: " "))")
        }
    }

    public func users() throws -> [UserAccount] {
        try require(.users)
        return try countyStore().users()
    }

    public func setPassword(user name: String, password: String) throws {
        try audited("user passwd", reason: nil, cameras: []) { _ in
            try require(.users)
            try UserNames.validatePassword(password)
            try countyStore().setPasswordHash(user: name, try PasswordHash.make(password))
            return ((), [], "password of \(name) changed")
        }
    }

    public func setUserDisabled(_ name: String, _ disabled: Bool) throws {
        try audited(disabled ? "user disable" : "user enable", reason: nil, cameras: []) { _ in
            try require(.users)
            try countyStore().setUserDisabled(name, disabled)
            return ((), [], "user \(name) \(disabled ? "disabled, its tokens revoked" : "enabled")")
        }
    }

    public func removeUser(_ name: String) throws {
        try audited("user remove", reason: nil, cameras: []) { _ in
            try require(.users)
            try countyStore().removeUser(name)
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
            let store = try countyStore()
            guard let user = try store.user(named: name)?.account else {
                throw CamindexError.usage("no user '\(name)': see 'camindex user list'", code: .userUnknown, value: name)
            }
            guard !user.disabled else {
                throw CamindexError.usage("user '\(name)' is disabled: enable it first with 'camindex user enable \(name)'", code: .userInvalid, value: name)
            }
            let token = PasswordHash.newToken()
            let now = store.clock.now()
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
        guard let (account, hash) = try countyStore().user(named: name) else {
            // As long as a real check, so that timing does not tell names apart.
            _ = PasswordHash.verify(password, against: Self.decoyHash)
            return nil
        }
        return PasswordHash.verify(password, against: hash) && !account.disabled ? account : nil
    }

    /// The account a bearer token opens: nil when unknown, expired, or its user disabled.
    public func authenticate(token: String) throws -> UserAccount? {
        guard let (info, account) = try countyStore().token(digest: PasswordHash.tokenDigest(token)) else { return nil }
        if let expires = info.expiresAt, expires <= clock.now() { return nil }
        return account.disabled ? nil : account
    }

    static let decoyHash = (try? PasswordHash.make("camindex decoy password")) ?? ""
}
