import CamindexCore
import CamindexStore
import Foundation
import Testing
@testable import CamindexService

/// The footage answer's hand-written JSON is byte for byte what JSONEncoder writes (sorted keys,
/// slashes unescaped, compact): the HTTP API sends the one, the CLI's JSON is the other.
@Suite struct CompactJSONTests {
    static let t0 = Instant(ms: 1_795_132_800_000)
    let clock = FixedClock(Instant(ms: 1_795_132_800_000 + 86_400_000))

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    @Test func footageAnswersAsJSONEncoderWritesThem() throws {
        let store = try Store.inMemory(clock: clock)
        _ = try store.addRegion(code: RegionCode("620723"), name: "临泽县")
        _ = try store.addRegion(code: RegionCode("620723100"), name: "沙河镇 \"东\" /区\\")
        let names = ["东门 \"正\" 1/2 \\ 😀", "plain", "西门"]
        for (i, name) in names.enumerated() {
            try store.addCamera(Camera(id: "cam-\(i)", name: name, regionCode: "620723100", recordings: "/srv/cam-\(i)",
                                       lat: 39.14 + Double(i) * 0.001, lon: 100.16, at: clock.now()))
        }
        // Windows of odd lengths (fractions of seconds), a hole, one camera without footage.
        for (camera, start, length): (String, Int64, Int64) in [("cam-0", Self.t0.ms, 600_123), ("cam-0", Self.t0.ms + 1_200_000, 333), ("cam-1", Self.t0.ms + 7, 59_993)] {
            try store.saveSegment(cameraID: camera, SegmentRecord(
                path: "/srv/\(camera)/\(start).mp4", size: 1000, mtimeMs: start + length, startMs: start, endMs: start + length, startSource: .path,
                container: "mov", codec: "h264", width: 640, height: 360, fps: 25, firstPtsMs: 0,
                keyframeOffsetsMs: [0], method: "scan", verified: start % 2 == 0,
                truncated: false, damagedKeyframes: 0, runs: [Interval(startMs: start, endMs: start + length)]))
        }
        let service = IndexService(store: store, caller: Caller(name: "test"))
        let queries: [FootageQuery] = [
            FootageQuery(selector: .region("620723"), from: "2026-11-20 07:59", to: "2026-11-20 08:31"),
            FootageQuery(selector: .near(try Coordinate(lat: 39.14, lon: 100.16), radiusM: 5000), from: "2026-11-20T08:00:00.5+08:00", to: "2026-11-20 09:00"),
            {
                var q = FootageQuery(selector: .cameras(["cam-1", "cam-0"]), from: "2026-11-20 08:00", to: "2026-11-21 08:00")
                q.live = true
                q.maxGapMs = 0
                return q
            }(),
        ]
        for query in queries {
            let json = FootageJSON(try service.footage(query))
            let expected = try Self.encoder.encode(json)
            #expect(json.compactJSON() == expected, "\(String(decoding: json.compactJSON(), as: UTF8.self))\n≠\n\(String(decoding: expected, as: UTF8.self))")
        }
    }

    @Test func stringsAndNumbersAsJSONEncoderWritesThem() throws {
        let strings = ["", "a/b", "\"q\"", "back\\slash", "tab\tnl\ncr\rbs\u{08}ff\u{0C}", "\u{01}\u{1F}\u{7F}", "中文 😀 é"]
        for s in strings {
            var w = CompactJSONWriter()
            w.string(s)
            #expect(Data(w.bytes) == (try Self.encoder.encode(s)), "\(s.debugDescription)")
        }
        let numbers: [Double] = [0, 1, 40, 0.6667, 37.6, 0.001, 1234567.891, 86400, 0.0001, 59.993, 600.123, -2.5, 1e15, 1.5e16]
        for n in numbers {
            var w = CompactJSONWriter()
            w.number(n)
            let expected = try Self.encoder.encode(n)
            #expect(Data(w.bytes) == expected, "\(n): \(String(decoding: w.bytes, as: UTF8.self)) ≠ \(String(decoding: expected, as: UTF8.self))")
        }
    }
}
