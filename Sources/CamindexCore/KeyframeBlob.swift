/// Keyframe offsets (milliseconds from a segment's first packet) stored as zig-zag varint
/// deltas, about one or two bytes a keyframe, as Moonfire NVR stores its frame index.
public enum KeyframeBlob {
    public static func encode(_ offsets: [Int64]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(offsets.count * 2)
        var previous: Int64 = 0
        for value in offsets {
            let delta = value &- previous
            previous = value
            var zigzag = UInt64(bitPattern: (delta << 1) ^ (delta >> 63))
            while zigzag >= 0x80 {
                out.append(UInt8(zigzag & 0x7F) | 0x80)
                zigzag >>= 7
            }
            out.append(UInt8(zigzag))
        }
        return out
    }

    public static func decode(_ bytes: some Sequence<UInt8>) throws(CamindexError) -> [Int64] {
        var out: [Int64] = []
        var previous: Int64 = 0
        var accumulator: UInt64 = 0
        var shift: UInt64 = 0
        for byte in bytes {
            guard shift < 64 else { throw .runtime("corrupt keyframe index: varint too long") }
            accumulator |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 != 0 {
                shift += 7
                continue
            }
            let delta = Int64(bitPattern: accumulator >> 1) ^ -Int64(bitPattern: accumulator & 1)
            previous = previous &+ delta
            out.append(previous)
            accumulator = 0
            shift = 0
        }
        guard shift == 0 else { throw .runtime("corrupt keyframe index: truncated varint") }
        return out
    }
}
