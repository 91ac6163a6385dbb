import Crypto
import Foundation

/// One thing a person did with the index (a query, a keyframe lookup, an export, a camera
/// shown, a report), as the rules on electronic evidence want it recorded: who, when, why,
/// what was asked (passwords masked) and what came of it.
public struct AuditEntry: Sendable, Hashable {
    public var at: Instant
    /// The OS user who ran the command.
    public var user: String
    /// `query`, `keyframe`, `export`, `camera show`, `report`.
    public var command: String
    /// The command's arguments, passwords masked.
    public var arguments: [String]
    public var reason: String?
    /// Cameras the result concerned.
    public var cameras: [String]
    /// What came of it, for people: cameras matched, seconds of footage, files and hashes.
    public var result: String

    /// The use cases the trail records.
    public static let commands = ["query", "keyframe", "camera show", "thumbnail", "report", "export",
                                  "user add", "user passwd", "user disable", "user enable", "user remove", "user token",
                                  "sign in", "sign out", "gb register", "gb offline", "gb catalog", "gb password"]

    public init(at: Instant, user: String, command: String, arguments: [String], reason: String?, cameras: [String], result: String) {
        self.at = at; self.user = user; self.command = command; self.arguments = arguments.map(Redaction.redactSecrets)
        self.reason = reason; self.cameras = cameras; self.result = result
    }
}

/// A stored audit row: the entry, its sequence number and its place in the hash chain.
public struct AuditRecord: Sendable, Hashable {
    public var id: Int64
    public var entry: AuditEntry
    /// The previous row's hash ("" for the first row).
    public var previousHash: String
    /// SHA-256 of this row's content and `previousHash`, hex.
    public var hash: String

    public init(id: Int64, entry: AuditEntry, previousHash: String, hash: String) {
        self.id = id; self.entry = entry; self.previousHash = previousHash; self.hash = hash
    }

    /// The hash a row must carry: over a canonical form of every field, so that changing
    /// any of them, or the order of rows, breaks the chain.
    public static func hash(id: Int64, entry e: AuditEntry, previousHash: String) -> String {
        let unit = "\u{1F}"
        let canonical = [String(id), String(e.at.ms), e.user, e.command, e.arguments.joined(separator: "\u{1E}"),
                         e.reason ?? "\u{0}", e.cameras.joined(separator: "\u{1E}"), e.result, previousHash].joined(separator: unit)
        return SHA256Hex.of(Data(canonical.utf8))
    }

    public var isSound: Bool { hash == Self.hash(id: id, entry: entry, previousHash: previousHash) }
}

/// Which audit rows to list.
public struct AuditFilter: Sendable, Hashable {
    public var range: Interval?
    public var user: String?
    public var camera: String?
    public var command: String?

    public init(range: Interval? = nil, user: String? = nil, camera: String? = nil, command: String? = nil) {
        self.range = range; self.user = user; self.camera = camera; self.command = command
    }

    /// Whether `record` is one this filter lists (both stores apply it to the rows they read).
    public func matches(_ record: AuditRecord) -> Bool {
        let e = record.entry
        return (range.map { $0.start <= e.at && e.at < $0.end } ?? true) && (user.map { $0 == e.user } ?? true)
            && (command.map { $0 == e.command } ?? true) && (camera.map { e.cameras.contains($0) } ?? true)
    }
}

/// The outcome of walking the chain.
public struct AuditVerification: Sendable, Hashable {
    public var rows: Int
    /// The first row whose content, link or place does not match; nil when the chain is intact.
    public var firstBroken: Int64?
    public var problem: String?
    /// The last row's hash ("" for an empty trail): print it and keep it elsewhere, and a later
    /// verify shows whether the trail still ends there.
    public var head: String

    public init(rows: Int, firstBroken: Int64?, problem: String?, head: String = "") {
        self.rows = rows; self.firstBroken = firstBroken; self.problem = problem; self.head = head
    }

    public var intact: Bool { firstBroken == nil && problem == nil }
}

/// The trail's head as kept outside its table, written with every row: how many rows and the
/// last one's hash. Rows removed from the end leave the chain sound but short of it.
public struct AuditAnchor: Sendable, Hashable {
    public var rows: Int
    public var hash: String

    public init(rows: Int, hash: String) {
        self.rows = rows
        self.hash = hash
    }
}

extension AuditVerification {
    /// Walks a chain from its first row, as both stores read it: each row's hash must match
    /// its content, link to the row before, and the ids must follow one another (a removed
    /// row leaves a hole). `next` gives the rows in id order, nil after the last.
    /// `anchor` is the head kept outside the table (nil where none is kept: a store from
    /// before it was); the chain must end exactly there.
    public static func walk(anchor: AuditAnchor?, _ next: () throws -> AuditRecord?) rethrows -> AuditVerification {
        var previous = "", expectedID: Int64 = 1, count = 0
        while let r = try next() {
            count += 1
            if r.id != expectedID {
                return AuditVerification(rows: count, firstBroken: r.id, problem: "row \(expectedID) is missing (next row is \(r.id))")
            }
            if r.previousHash != previous {
                return AuditVerification(rows: count, firstBroken: r.id, problem: "row \(r.id) does not link to the row before it")
            }
            if !r.isSound {
                return AuditVerification(rows: count, firstBroken: r.id, problem: "row \(r.id) was changed after it was written")
            }
            previous = r.hash
            expectedID += 1
        }
        if let anchor, anchor.rows != count || anchor.hash != previous {
            let missing = anchor.rows > count ? " (rows \(count + 1)–\(anchor.rows) are missing from its end)" : ""
            return AuditVerification(rows: count, firstBroken: Int64(min(count, anchor.rows) + 1),
                                     problem: "the trail ends at row \(count) (hash \(previous.isEmpty ? "-" : previous)), but its head kept outside the table says \(anchor.rows) rows ending with hash \(anchor.hash.isEmpty ? "-" : anchor.hash)\(missing)",
                                     head: previous)
        }
        return AuditVerification(rows: count, firstBroken: nil, problem: nil, head: previous)
    }

    /// The row to append after `head` (nil: the chain is empty).
    /// The row after the chain's head (its sequence number and hash; nil for an empty trail).
    public static func next(after head: (id: Int64, hash: String)?, _ entry: AuditEntry) -> AuditRecord {
        let id = (head?.id ?? 0) + 1
        let previous = head?.hash ?? ""
        return AuditRecord(id: id, entry: entry, previousHash: previous, hash: AuditRecord.hash(id: id, entry: entry, previousHash: previous))
    }
}

/// An append-only, hash-chained record of what was done with the index.
public protocol AuditTrail: Sendable {
    @discardableResult
    func appendAudit(_ entry: AuditEntry) throws -> AuditRecord
    func auditRecords(_ filter: AuditFilter) throws -> [AuditRecord]
    func verifyAudit() throws -> AuditVerification
}

/// SHA-256 as lowercase hex, of bytes or of a file read in blocks.
public enum SHA256Hex {
    public static func of(_ data: Data) -> String { hex(SHA256.hash(data: data)) }

    /// Reads the file in 1 MiB blocks: memory stays flat whatever its size.
    public static func ofFile(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw CamindexError.runtime("cannot read \(path) to hash it", code: .fileUnreadable, value: path)
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while true {
            let block = try handle.read(upToCount: 1 << 20) ?? Data()
            if block.isEmpty { break }
            hasher.update(data: block)
        }
        return hex(hasher.finalize())
    }

    // Every audit row hashes: String(format:) per byte was a tenth of a request's time.
    private static func hex(_ digest: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(64)
        for byte in digest { out += [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]] }
        return String(decoding: out, as: UTF8.self)
    }

    private static let digits = Array("0123456789abcdef".utf8)
}

/// The JSON arrays of strings that both stores keep a row's arguments and cameras in. Written
/// by hand: a footage request over a township lists hundreds of cameras, once per request.
public enum AuditJSON {
    public static func encode(_ list: [String]) -> String {
        var out: [UInt8] = [UInt8(ascii: "[")]
        out.reserveCapacity(list.reduce(2) { $0 + $1.utf8.count + 3 })
        for (i, item) in list.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "\""))
            for byte in item.utf8 {
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out += [UInt8(ascii: "\\"), byte]
                case 0x0A: out += Array("\\n".utf8)
                case 0x0D: out += Array("\\r".utf8)
                case 0x09: out += Array("\\t".utf8)
                case ..<0x20: out += Array("\\u00".utf8) + [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]]
                default: out.append(byte)  // UTF-8 of other characters as it is
                }
            }
            out.append(UInt8(ascii: "\""))
        }
        out.append(UInt8(ascii: "]"))
        return String(decoding: out, as: UTF8.self)
    }

    private static let digits = Array("0123456789abcdef".utf8)

    public static func decode(_ json: String) -> [String] {
        (try? JSONDecoder().decode([String].self, from: Data(json.utf8))) ?? []
    }
}
