import CamindexCore
import Foundation

/// One row of `audit --format json` and `GET /api/v1/audit`.
public struct AuditRowJSON: Encodable, Sendable {
    var id: Int64
    var at, user, command: String
    var arguments: [String]
    var reason: String?
    var cameras: [String]
    var result, previous_hash, hash: String

    public init(_ row: AuditRecord, zone: TimeZone) {
        id = row.id
        at = TimeFormat.rfc3339(row.entry.at, in: zone)
        user = row.entry.user
        command = row.entry.command
        arguments = row.entry.arguments
        reason = row.entry.reason
        cameras = row.entry.cameras
        result = row.entry.result
        previous_hash = row.previousHash
        hash = row.hash
    }
}

/// `GET /api/v1/audit/verify`: whether the trail's hash chain holds, and its head.
public struct AuditVerificationJSON: Encodable, Sendable {
    var intact: Bool
    var rows: Int
    var head: String
    var first_broken: Int64?
    var problem: String?

    public init(_ v: AuditVerification) {
        intact = v.problem == nil
        rows = v.rows
        head = v.head
        first_broken = v.firstBroken
        problem = v.problem
    }
}
