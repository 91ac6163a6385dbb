import Foundation

/// What a user of the HTTP API may do: police read footage and export it, technicians keep
/// the cameras and the index working, township officers watch their cameras' health and
/// reports, admins keep the users and read the audit trail.
public enum Role: String, Sendable, Hashable, CaseIterable, Codable {
    case police, technician, officer, admin

    public var permissions: Set<Permission> {
        switch self {
        case .police: [.regions, .cameras, .footage, .keyframes, .thumbnails, .exports]
        case .technician: [.regions, .cameras, .footage, .keyframes, .thumbnails, .health, .status, .checks, .probes]
        case .officer: [.regions, .cameras, .health, .reports]
        case .admin: [.users, .audit]
        }
    }

    public static func parse(_ text: String) throws(CamindexError) -> Role {
        guard let role = Role(rawValue: text.lowercased()) else {
            throw .usage("unknown role '\(Names.printable(text))': one of \(allCases.map(\.rawValue).joined(separator: ", "))",
                         code: .userInvalid, value: Names.printable(text))
        }
        return role
    }
}

/// One kind of thing a role may see or do.
public enum Permission: String, Sendable, Hashable, CaseIterable {
    case regions, cameras, footage, keyframes, thumbnails, exports, health, status, checks, probes, reports, users, audit
}

/// A user of the HTTP API, as the store keeps them (the password only as its hash).
public struct UserAccount: Sendable, Hashable {
    public var name: String
    public var role: Role
    /// The region codes the user is limited to, cameras under them; empty: the whole store.
    public var regions: [String]
    public var disabled: Bool
    public var createdAt: Instant
    public var passwordChangedAt: Instant

    public init(name: String, role: Role, regions: [String], disabled: Bool, createdAt: Instant, passwordChangedAt: Instant) {
        self.name = name; self.role = role; self.regions = regions; self.disabled = disabled
        self.createdAt = createdAt; self.passwordChangedAt = passwordChangedAt
    }

    public func may(_ permission: Permission) -> Bool { role.permissions.contains(permission) }

    /// Whether a camera or region with this code is within the user's regions: the code is
    /// one of them or under one.
    public func sees(regionCode: String) -> Bool {
        regions.isEmpty || regions.contains { regionCode == $0 || (regionCode.hasPrefix($0) && regionCode.count > $0.count) }
    }
}

/// A bearer token issued to a user (the token itself is shown once and kept only as its hash).
public struct UserToken: Sendable, Hashable {
    public var id: String
    public var user: String
    public var createdAt: Instant
    public var expiresAt: Instant?

    public init(id: String, user: String, createdAt: Instant, expiresAt: Instant?) {
        self.id = id; self.user = user; self.createdAt = createdAt; self.expiresAt = expiresAt
    }
}

/// User names and passwords as they are accepted.
public enum UserNames {
    public static let maxLength = 64

    /// Letters (any script: a police number, a name in pinyin or in characters), digits and
    /// `.`, `_`, `-`, `@`; at most 64 characters.
    public static func validate(_ name: String) throws(CamindexError) -> String {
        let allowed = CharacterSet.letters.union(.decimalDigits).union(CharacterSet(charactersIn: "._-@"))
        guard !name.isEmpty, name.count <= maxLength, name.unicodeScalars.allSatisfy(allowed.contains) else {
            throw .usage("invalid user name '\(Names.printable(name))': 1 to \(maxLength) letters, digits, '.', '_', '-' or '@'",
                         code: .userInvalid, value: Names.printable(name))
        }
        return name
    }

    public static let minPasswordLength = 10

    /// A password of at least 10 characters, not all blank, one line, at most 1,024 bytes. Its
    /// text is never part of the message.
    public static func validatePassword(_ password: String) throws(CamindexError) {
        guard password.count >= minPasswordLength, !password.allSatisfy(\.isWhitespace) else {
            throw .usage("the password is too short: at least \(minPasswordLength) characters", code: .passwordInvalid)
        }
        guard password.utf8.count <= 1024, !password.unicodeScalars.contains(where: Names.isControl) else {
            throw .usage("the password must be one line of at most 1,024 bytes", code: .passwordInvalid)
        }
    }
}
