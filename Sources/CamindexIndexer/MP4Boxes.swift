import Foundation

/// The top-level boxes of an ISO base media file (MP4, MOV), read from their headers only:
/// enough to tell an MP4 whose recorder never wrote its `moov` (still writing, or killed)
/// from a file that is not media at all.
enum MP4Boxes {
    /// Box types that may stand at the top level of an MP4/MOV.
    static let topLevel: Set<String> = ["ftyp", "moov", "mdat", "free", "skip", "wide", "uuid", "moof", "mfra", "styp", "sidx", "pdin", "meta", "prfl"]

    /// True when `path` starts like an MP4 (known top-level boxes) but has no `moov` box;
    /// false when it has one; nil when it does not look like an MP4.
    static func lacksMoov(_ path: String) -> Bool? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard let end = try? handle.seekToEnd() else { return nil }
        var offset: UInt64 = 0
        var boxes = 0
        while offset + 8 <= end, boxes < 10_000 {
            guard (try? handle.seek(toOffset: offset)) != nil,
                  let header = try? handle.read(upToCount: 16), header.count >= 8 else { break }
            let bytes = [UInt8](header)
            var size = UInt64(bytes[0]) << 24 | UInt64(bytes[1]) << 16 | UInt64(bytes[2]) << 8 | UInt64(bytes[3])
            let type = String(decoding: bytes[4..<8], as: UTF8.self)
            guard topLevel.contains(type) else { return boxes == 0 ? nil : true }
            if type == "moov" { return false }
            boxes += 1
            if size == 1 {
                guard bytes.count >= 16 else { break }
                size = bytes[8..<16].reduce(0) { $0 << 8 | UInt64($1) }
            } else if size == 0 {
                break  // to the end of the file: a recorder still writing its mdat
            }
            guard size >= 8 else { break }
            offset += size
        }
        return boxes == 0 ? nil : true
    }
}
