#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// H.264/H.265 byte streams (ITU-T H.264 Annex B): NAL units separated by `00 00 01` start
/// codes, and the bits inside them.
enum AnnexB {
    /// Calls `body` with each NAL unit's range in `data` (start code and the zero bytes before
    /// the next one excluded), in order, until it returns false. Start codes are found with
    /// `memchr` on their `01` byte: the scan runs over every byte of every packet, so it must
    /// cost far less than FFmpeg's parser does.
    static func forEachUnit(_ data: UnsafeBufferPointer<UInt8>, _ body: (Range<Int>) -> Bool) {
        guard let base = data.baseAddress else { return }
        var start: Int?
        var i = 2
        while i < data.count {
            guard let hit = memchr(base + i, 1, data.count - i) else { break }
            let p = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if data[p - 1] == 0, data[p - 2] == 0 {
                if let s = start {
                    var end = p - 2
                    while end > s, data[end - 1] == 0 { end -= 1 }
                    if !body(s..<end) { return }
                }
                start = p + 1
                i = p + 3
            } else {
                i = p + 1
            }
        }
        if let s = start, s < data.count {
            var end = data.count
            while end > s, data[end - 1] == 0 { end -= 1 }
            _ = body(s..<end)
        }
    }

    /// The unit's payload with emulation-prevention bytes (`00 00 03`) removed, at most
    /// `limit` bytes of the unit read.
    static func rbsp(_ unit: Slice<UnsafeBufferPointer<UInt8>>, limit: Int = .max) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(min(unit.count, limit))
        var zeros = 0
        for b in unit.prefix(limit) {
            if zeros >= 2, b == 3 {
                zeros = 0
                continue
            }
            zeros = b == 0 ? zeros + 1 : 0
            out.append(b)
        }
        return out
    }
}

/// Reads bits most significant first, with H.264/H.265's Exp-Golomb codes. Running past the
/// end throws: a header that does not fit its unit cannot be classified.
struct BitReader {
    struct End: Error {}

    let bytes: [UInt8]
    private(set) var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var bitsLeft: Int { bytes.count * 8 - position }

    mutating func bit() throws(End) -> UInt64 { try bits(1) }

    mutating func flag() throws(End) -> Bool { try bits(1) == 1 }

    mutating func bits(_ n: Int) throws(End) -> UInt64 {
        guard n <= bitsLeft else { throw End() }
        var v: UInt64 = 0
        for _ in 0..<n {
            v = v << 1 | UInt64(bytes[position >> 3] >> (7 - UInt8(position & 7)) & 1)
            position += 1
        }
        return v
    }

    mutating func skip(_ n: Int) throws(End) {
        guard n <= bitsLeft else { throw End() }
        position += n
    }

    /// ue(v); more than 31 leading zeros is not a value any header here holds.
    mutating func ue() throws(End) -> UInt64 {
        var zeros = 0
        while try bit() == 0 {
            zeros += 1
            guard zeros <= 31 else { throw End() }
        }
        let rest = try bits(zeros)
        return (UInt64(1) << zeros) - 1 + rest
    }

    mutating func se() throws(End) -> Int64 {
        let k = try ue()
        return k & 1 == 1 ? Int64((k + 1) / 2) : -Int64(k / 2)
    }

    /// The next whole byte (the reader is byte-aligned where SEI messages are read).
    mutating func byte() throws(End) -> UInt64 { try bits(8) }

    func peekByte() -> UInt8? {
        guard bitsLeft >= 8, position & 7 == 0 else { return nil }
        return bytes[position >> 3]
    }
}
