import CamindexCore
import Foundation
import GRDB

// SHA-256 of recorded files as exports computed them (migration v16), kept while each file
// is the one hashed: a second export of the same hour does not read its sources again.
extension Store {
    /// The hash kept for `path`, if it was taken of the file with this identity.
    public func keptSourceHash(path: String, identity: FileIdentity) throws -> (sha256: String, hashedAt: Instant)? {
        try read { db in
            try Row.fetchOne(db.cachedStatement(sql: """
                SELECT sha256, hashed_at_ms FROM source_hash WHERE path = ? AND size = ? AND mtime_ns = ? AND inode = ?
                """), arguments: [path, identity.size, identity.mtimeNs, identity.inode]).map { ($0[0], Instant(ms: $0[1])) }
        }
    }

    public func keepSourceHash(path: String, identity: FileIdentity, sha256: String, hashedAt: Instant) throws {
        try write { db in
            try db.execute(sql: """
                INSERT INTO source_hash (path, size, mtime_ns, inode, sha256, hashed_at_ms) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns, inode = excluded.inode,
                    sha256 = excluded.sha256, hashed_at_ms = excluded.hashed_at_ms
                """, arguments: [path, identity.size, identity.mtimeNs, identity.inode, sha256, hashedAt.ms])
        }
    }
}
