import Testing
@testable import CamindexCore

@Suite struct KeyframeBlobTests {
    @Test func knownEncodings() {
        #expect(KeyframeBlob.encode([]) == [])
        // Version, base delta 0, first offset 0, no tokens.
        #expect(KeyframeBlob.encode([0]) == [0x01, 0x00, 0x00])
        #expect(KeyframeBlob.encode([-1]) == [0x01, 0x00, 0x01])
        #expect(KeyframeBlob.encode([64]) == [0x01, 0x00, 0x80, 0x01])
        // Base 2000 (zig-zag 4000 = 0xA0 0x1F), first 0, one run of two (token 4).
        #expect(KeyframeBlob.encode([0, 2000, 4000]) == [0x01, 0xA0, 0x1F, 0x00, 0x04])
        // Jitter around the base: run of 1 (2), base - 1 (zig-zag 1 → 3), base + 1 (zig-zag 2 → 5), run of 1.
        #expect(KeyframeBlob.encode([0, 2000, 3999, 6000, 8000]) == [0x01, 0xA0, 0x1F, 0x00, 0x02, 0x03, 0x05, 0x02])
        // A residual whose zig-zag needs all 64 bits is escaped: token 0, then the full varint.
        let escaped = KeyframeBlob.encode([0, 0, 0, Int64.min])
        #expect(escaped.prefix(5) == [0x01, 0x00, 0x00, 0x04, 0x00])
        #expect(escaped.count == 5 + 10)
    }

    @Test func baseIsTheMostFrequentDeltaSmallestOnTies() {
        #expect(KeyframeBlob.mostFrequent([]) == 0)
        #expect(KeyframeBlob.mostFrequent([5, 7, 7, 5, 7]) == 7)
        #expect(KeyframeBlob.mostFrequent([9, -3, 9, -3]) == -3)
    }

    static let roundTripCases: [[Int64]] = [
        [],
        [0],
        [12_345],
        [-40],
        [0, 2000, 4000],
        [0, 0, 0],
        [-5, -3000, 10, -1],
        [1 << 40, (1 << 40) + 2000, (1 << 40) + 4040],
        [(1 << 40) - 1, 3, 1 << 40],
        [5000, 0, 3000, 1000, 1000],
        [Int64.max, Int64.min, 0, Int64.min, Int64.max, -1],
        [0, 0, 0, Int64.min, Int64.max, Int64.max],
        // 29.97 fps at a 15-frame GOP: 500.5 ms, rounded to alternating 500 and 501.
        (0..<100).map { Int64((Double($0) * 500.5).rounded()) },
    ]

    @Test(arguments: roundTripCases)
    func roundTrip(_ offsets: [Int64]) throws {
        let bytes = KeyframeBlob.encode(offsets)
        #expect(try KeyframeBlob.decode(bytes) == offsets)
    }

    @Test(arguments: 1...20 as ClosedRange<UInt64>)
    func randomSeriesRoundTrip(seed: UInt64) throws {
        var rng = Mix(state: seed)
        let count = Int(rng.next() % 3000)
        let gop = Int64(rng.next() % 5000)
        var value = Int64(bitPattern: rng.next()) >> Int(rng.next() % 64)
        var offsets: [Int64] = []
        for _ in 0..<count {
            offsets.append(value)
            switch rng.next() % 10 {
            case 0: value &+= Int64(bitPattern: rng.next()) >> Int(rng.next() % 64)  // anything, wrapping
            case 1: value -= Int64(rng.next() % 3)  // backwards or still
            case 2, 3: value += gop + Int64(rng.next() % 5) - 2  // jitter
            default: value += gop
            }
        }
        let bytes = KeyframeBlob.encode(offsets)
        #expect(try KeyframeBlob.decode(bytes) == offsets, "seed \(seed)")
    }

    @Test func steadyCameraHourCostsAFewBytes() throws {
        let hour = (0..<1800).map { Int64($0) * 2000 }  // 2 s GOP
        let bytes = KeyframeBlob.encode(hour)
        // Version 1 + base 2 + first 1 + one run of 1,799 (token 3,598: 2 bytes).
        #expect(bytes.count == 6)
        #expect(try KeyframeBlob.decode(bytes) == hour)

        // A keyframe lost in the middle (one delta of 4000) costs two more tokens.
        var lost = hour
        lost.remove(at: 900)
        #expect(KeyframeBlob.encode(lost).count == 6 + 4)
        #expect(try KeyframeBlob.decode(KeyframeBlob.encode(lost)) == lost)
    }

    @Test func runsLongerThanOneTokenAreSplit() throws {
        let offsets = (0..<Int64(KeyframeBlob.maxRun + 3)).map { $0 * 40 }
        let bytes = KeyframeBlob.encode(offsets)
        #expect(try KeyframeBlob.decode(bytes) == offsets)
        // The first token holds maxRun deltas, the second the last two.
        #expect(bytes.suffix(1) == [0x04])
    }

    @Test func legacyBlobsStillRead() throws {
        #expect(try KeyframeBlob.decodeLegacy([]) == [])
        #expect(try KeyframeBlob.decodeLegacy([0x00]) == [0])
        #expect(try KeyframeBlob.decodeLegacy([0x01]) == [-1])
        #expect(try KeyframeBlob.decodeLegacy([0x00, 0xA0, 0x1F, 0xA0, 0x1F]) == [0, 2000, 4000])
        for offsets in Self.roundTripCases {
            #expect(try KeyframeBlob.decodeLegacy(LegacyBlob.encode(offsets)) == offsets)
        }
        let e = try expectError { try KeyframeBlob.decodeLegacy([0x00, 0xA0]) }
        #expect(e.message == "corrupt keyframe index: truncated varint")
    }

    @Test func decodesAnySequence() throws {
        let bytes = KeyframeBlob.encode([0, 2000, 4000])
        #expect(try KeyframeBlob.decode(bytes[...]) == [0, 2000, 4000])
        #expect(try KeyframeBlob.decode(bytes.lazy.map { $0 }) == [0, 2000, 4000])
    }

    @Test func damagedBlobsThrow() throws {
        let unknown = try expectError { try KeyframeBlob.decode([0x02, 0x00, 0x00]) }
        #expect(unknown.kind == .runtime)
        #expect(unknown.message == "corrupt keyframe index: unknown format 2")

        let header = try expectError { try KeyframeBlob.decode([0x01, 0xA0, 0x1F]) }
        #expect(header.message == "corrupt keyframe index: truncated header")

        let cut = Array(KeyframeBlob.encode([0, 2000, 3000]).dropLast())
        let truncated = try expectError { try KeyframeBlob.decode(cut + [0x80]) }
        #expect(truncated.message == "corrupt keyframe index: truncated varint")
        let escape = try expectError { try KeyframeBlob.decode([0x01, 0x00, 0x00, 0x00]) }
        #expect(escape.message == "corrupt keyframe index: truncated varint")

        let long = try expectError { try KeyframeBlob.decode([0x01, 0x00] + [UInt8](repeating: 0x80, count: 10) + [0x01]) }
        #expect(long.message == "corrupt keyframe index: varint too long")

        var huge: [UInt8] = [0x01, 0x00, 0x00]
        KeyframeBlob.appendVarint(UInt64(KeyframeBlob.maxRun + 1) << 1, to: &huge)
        let run = try expectError { try KeyframeBlob.decode(huge) }
        #expect(run.message == "corrupt keyframe index: run of \(KeyframeBlob.maxRun + 1)")
    }
}

/// The format before store migration v9, written here as camindex wrote it then.
enum LegacyBlob {
    static func encode(_ offsets: [Int64]) -> [UInt8] {
        var out: [UInt8] = []
        var previous: Int64 = 0
        for value in offsets {
            KeyframeBlob.appendVarint(KeyframeBlob.zigzag(value &- previous), to: &out)
            previous = value
        }
        return out
    }
}

private struct Mix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
