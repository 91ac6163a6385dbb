import CamindexCore
import Foundation

/// Records what people did with the index. A row that cannot be written (a read-only copy of
/// the store handed over as evidence) must not stop the read it describes: the caller is told
/// and says so.
public struct AuditRecorder: Sendable {
    public let trail: any AuditTrail
    public let clock: any WallClock

    public init(trail: any AuditTrail, clock: any WallClock = SystemClock()) {
        self.trail = trail
        self.clock = clock
    }

    /// The OS user running this process.
    public static var currentUser: String {
        if let pw = getpwuid(geteuid()), let name = pw.pointee.pw_name { return String(cString: name) }
        return ProcessInfo.processInfo.environment["USER"] ?? "uid \(geteuid())"
    }

    @discardableResult
    public func record(command: String, arguments: [String], reason: String?, cameras: [String], result: String) throws -> AuditRecord {
        try trail.appendAudit(AuditEntry(at: clock.now(), user: Self.currentUser, command: command, arguments: arguments,
                                         reason: reason, cameras: cameras, result: result))
    }
}
