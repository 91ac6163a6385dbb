/// Keyframe offsets (milliseconds from a segment's first packet), stored compactly.
///
/// Cameras run a fixed GOP, so nearly every delta between keyframes is the same: the format
/// stores that delta once and then runs of it, so a steady camera's hour costs a few bytes
/// instead of ~2 a keyframe.
///
///     version (1 byte, 0x01)
///     base delta, first offset     zig-zag varints; the base is the most frequent delta
///     tokens                       unsigned varints, one per run or exception:
///         t = 2n (1 ≤ n ≤ 2^16)    n deltas equal to the base (longer runs are split)
///         t = 2z + 1               one delta of base + r, z = zig-zag(r) < 2^63
///         t = 0, then varint z     one delta of base + r, any r (z ≥ 2^63)
///
/// Arithmetic wraps, so any `Int64` series round-trips. An empty list is an empty blob.
/// Blobs written before store migration v9 were bare zig-zag varint deltas (`decodeLegacy`).
public enum KeyframeBlob {
    public static let version: UInt8 = 1
    /// The longest run one token holds: a bound the decoder checks, so damage cannot ask it for
    /// billions of keyframes.
    static let maxRun = 1 << 16

    public static func encode(_ offsets: [Int64]) -> [UInt8] {
        guard let first = offsets.first else { return [] }
        var deltas: [Int64] = []
        deltas.reserveCapacity(offsets.count - 1)
        for i in offsets.indices.dropFirst() { deltas.append(offsets[i] &- offsets[i - 1]) }
        let base = mostFrequent(deltas)

        var out: [UInt8] = [version]
        appendVarint(zigzag(base), to: &out)
        appendVarint(zigzag(first), to: &out)
        var i = 0
        while i < deltas.count {
            var n = 0
            while i + n < deltas.count, n < maxRun, deltas[i + n] == base { n += 1 }
            if n > 0 {
                appendVarint(UInt64(n) << 1, to: &out)
                i += n
                continue
            }
            let z = zigzag(deltas[i] &- base)
            if z < 1 << 63 {
                appendVarint(z << 1 | 1, to: &out)
            } else {
                out.append(0)
                appendVarint(z, to: &out)
            }
            i += 1
        }
        return out
    }

    public static func decode(_ bytes: some Sequence<UInt8>) throws(CamindexError) -> [Int64] {
        var reader = VarintReader(bytes.makeIterator())
        guard let v = reader.byte() else { return [] }
        guard v == version else { throw .runtime("corrupt keyframe index: unknown format \(v)", code: .storeDamaged) }
        guard let base = try reader.next().map(unzigzag), let first = try reader.next().map(unzigzag) else {
            throw .runtime("corrupt keyframe index: truncated header", code: .storeDamaged)
        }
        var out: [Int64] = [first]
        var previous = first
        while let t = try reader.next() {
            if t == 0 {
                guard let z = try reader.next() else { throw .runtime("corrupt keyframe index: truncated varint", code: .storeDamaged) }
                previous = previous &+ (base &+ unzigzag(z))
                out.append(previous)
            } else if t & 1 == 1 {
                previous = previous &+ (base &+ unzigzag(t >> 1))
                out.append(previous)
            } else {
                let n = t >> 1
                guard n <= maxRun else { throw .runtime("corrupt keyframe index: run of \(n)", code: .storeDamaged) }
                for _ in 0..<n {
                    previous = previous &+ base
                    out.append(previous)
                }
            }
        }
        return out
    }

    /// The format before store migration v9: one zig-zag varint delta per keyframe.
    public static func decodeLegacy(_ bytes: some Sequence<UInt8>) throws(CamindexError) -> [Int64] {
        var reader = VarintReader(bytes.makeIterator())
        var out: [Int64] = []
        var previous: Int64 = 0
        while let z = try reader.next() {
            previous = previous &+ unzigzag(z)
            out.append(previous)
        }
        return out
    }

    /// The most frequent value (the smallest of those tied), 0 for none.
    static func mostFrequent(_ values: [Int64]) -> Int64 {
        var counts: [Int64: Int] = [:]
        for v in values { counts[v, default: 0] += 1 }
        return counts.max { a, b in a.value < b.value || (a.value == b.value && a.key > b.key) }?.key ?? 0
    }

    static func zigzag(_ v: Int64) -> UInt64 { UInt64(bitPattern: (v << 1) ^ (v >> 63)) }
    static func unzigzag(_ z: UInt64) -> Int64 { Int64(bitPattern: z >> 1) ^ -Int64(bitPattern: z & 1) }

    static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }
}

/// Unsigned LEB128 varints from a byte iterator.
private struct VarintReader<I: IteratorProtocol<UInt8>> {
    var bytes: I
    init(_ bytes: I) { self.bytes = bytes }

    mutating func byte() -> UInt8? { bytes.next() }

    /// The next varint, nil at the end of the bytes.
    mutating func next() throws(CamindexError) -> UInt64? {
        var accumulator: UInt64 = 0
        var shift: UInt64 = 0
        guard var byte = bytes.next() else { return nil }
        while true {
            guard shift < 64 else { throw .runtime("corrupt keyframe index: varint too long", code: .storeDamaged) }
            accumulator |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 { return accumulator }
            shift += 7
            guard let b = bytes.next() else { throw .runtime("corrupt keyframe index: truncated varint", code: .storeDamaged) }
            byte = b
        }
    }
}
