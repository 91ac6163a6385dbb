import Foundation

/// Who asks for a use case, as the audit trail records it: today the OS user at a shell or
/// the daemon's, next the signed-in user of the HTTP API.
public struct Caller: Sendable, Hashable {
    /// The name the audit trail and export manifests show.
    public var name: String
    /// What was asked, as the front end received it (a command line, an HTTP request line),
    /// kept in the audit row with passwords masked.
    public var invocation: [String]
    /// The signed-in user of the HTTP API: their role says which use cases they may ask for,
    /// their regions which cameras exist for them. Nil for the shell and the daemon at the
    /// index machine, which may do everything.
    public var account: UserAccount?

    public init(name: String, invocation: [String] = [], account: UserAccount? = nil) {
        self.name = name
        self.invocation = invocation
        self.account = account
    }

    /// A signed-in user as the audit trail names them.
    public static func user(_ account: UserAccount, invocation: [String]) -> Caller {
        Caller(name: account.name, invocation: invocation, account: account)
    }

    /// The OS user running this process.
    public static func osUser(invocation: [String] = []) -> Caller {
        Caller(name: osUserName, invocation: invocation)
    }

    public static var osUserName: String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid \(geteuid())"
    }
}
