import Testing
@testable import CamindexCore

@Suite struct KeyframeBlobTests {
    @Test func knownEncodings() {
        #expect(KeyframeBlob.encode([]) == [])
        #expect(KeyframeBlob.encode([0]) == [0x00])
        #expect(KeyframeBlob.encode([-1]) == [0x01])
        #expect(KeyframeBlob.encode([1]) == [0x02])
        #expect(KeyframeBlob.encode([-64]) == [0x7F])
        #expect(KeyframeBlob.encode([64]) == [0x80, 0x01])
        // Deltas of 2000 → zig-zag 4000 = 0b11111_0100000.
        #expect(KeyframeBlob.encode([0, 2000, 4000]) == [0x00, 0xA0, 0x1F, 0xA0, 0x1F])
        #expect(KeyframeBlob.encode([Int64.max]).count == 10)
    }

    static let roundTripCases: [[Int64]] = [
        [],
        [0],
        [0, 2000, 4000],
        [-5, -3000, 10, -1],
        [1 << 40, (1 << 40) + 2000, (1 << 40) + 4040],
        [(1 << 40) - 1, 3, 1 << 40],
        [5000, 0, 3000, 1000, 1000],
        [Int64.max, Int64.min, 0, Int64.min, Int64.max, -1],
    ]

    @Test(arguments: roundTripCases)
    func roundTrip(_ offsets: [Int64]) throws {
        let bytes = KeyframeBlob.encode(offsets)
        #expect(try KeyframeBlob.decode(bytes) == offsets)
    }

    @Test func aboutTwoBytesPerKeyframe() throws {
        let offsets = (0..<1000).map { Int64($0) * 2000 }
        let bytes = KeyframeBlob.encode(offsets)
        // The first (0) takes one byte, each delta of 2000 two.
        #expect(bytes.count == 1999)
        #expect(try KeyframeBlob.decode(bytes) == offsets)

        let oneSecond = (0..<1000).map { Int64($0) * 40 }
        #expect(KeyframeBlob.encode(oneSecond).count == 1000)
    }

    @Test func decodesAnySequence() throws {
        let bytes = KeyframeBlob.encode([0, 2000, 4000])
        #expect(try KeyframeBlob.decode(bytes[...]) == [0, 2000, 4000])
        #expect(try KeyframeBlob.decode(bytes.dropFirst()) == [2000, 4000])
    }

    @Test func truncatedVarintThrows() throws {
        let e = try expectError { try KeyframeBlob.decode([0x80]) }
        #expect(e.kind == .runtime)
        #expect(e.message == "corrupt keyframe index: truncated varint")

        let cut = Array(KeyframeBlob.encode([0, 2000]).dropLast())
        #expect(cut == [0x00, 0xA0])
        let e2 = try expectError { try KeyframeBlob.decode(cut) }
        #expect(e2.message == "corrupt keyframe index: truncated varint")
    }

    @Test func overlongVarintThrows() throws {
        let e = try expectError { try KeyframeBlob.decode([UInt8](repeating: 0x80, count: 10) + [0x01]) }
        #expect(e.kind == .runtime)
        #expect(e.message == "corrupt keyframe index: varint too long")
    }
}
