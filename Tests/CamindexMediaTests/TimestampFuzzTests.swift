import CamindexMedia
import CamindexTestSupport
import Foundation
import Testing

/// Issue 15: one bad timestamp must not become footage. 8 s of 25 fps H.264, a keyframe every
/// 2 s (200 packets), copied into each container with one packet's timestamps rewritten by the
/// `setts` bitstream filter, as a fuzzer did.
@Suite struct TimestampFuzzTests {
    let dir = TempDir("fuzz")
    /// One frame at 25 fps.
    static let frameMs: Int64 = 40

    enum Fault: String, Sendable, CaseIterable {
        /// The third packet's PTS 83,500 s late, its DTS right (the file).
        case badPTS = "bad-pts"
        /// The third packet's DTS (and PTS) 83,500 s late: the muxer then clamps every later
        /// DTS to it, so the whole tail carries times a tick apart, 83,500 s away.
        case badDTS = "bad-dts"
        /// The second keyframe's PTS 83,500 s late: the container index (MKV cues, MP4 ctts)
        /// lists it there.
        case badIndexedKeyframe = "bad-keyframe"

        var expressions: (pts: String?, dts: String?) {
            switch self {
            case .badPTS: ("if(eq(N,2),PTS+83500/TB,PTS)", nil)
            case .badDTS: ("if(eq(N,2),PTS+83500/TB,PTS)", "if(eq(N,2),DTS+83500/TB,DTS)")
            case .badIndexedKeyframe: ("if(eq(N,50),PTS+83500/TB,PTS)", nil)
            }
        }
    }

    struct Case: CustomTestStringConvertible, Sendable {
        var container: String
        var fault: Fault
        var testDescription: String { "\(fault.rawValue).\(container)" }
    }

    static let cases: [Case] = Fault.allCases.flatMap { f in ["ts", "mkv", "mp4", "flv"].map { Case(container: $0, fault: f) } }

    func source() throws -> String {
        let path = dir.file("source.mp4")
        if !FileManager.default.fileExists(atPath: path) { try Footage.make(path, .init(seconds: 8)) }
        return path
    }

    @Test("one bad timestamp: exact span, the bad packets counted, in both modes", arguments: cases)
    func oneBadTimestamp(_ c: Case) throws {
        let path = dir.file("\(c.fault.rawValue).\(c.container)")
        let e = c.fault.expressions
        try Footage.retime(try source(), to: path, pts: e.pts, dts: e.dts)
        for mode in [SegmentReader.Mode.fast, .scan] {
            let info = try SegmentReader.read(path: path, mode: mode)
            let label = "\(c.testDescription) \(mode) \(info.method) \(info.runs)"
            #expect(info.runs.count == 1, "\(label)")
            #expect(info.runs.first.map { abs($0.startMs) <= Self.frameMs && abs($0.endMs - 8000) <= Self.frameMs } == true, "\(label)")
            #expect(info.durationMs <= 8000 + Self.frameMs, "\(label)")
            #expect(info.damagedKeyframes == 0, "\(label)")
            switch c.fault {
            case .badPTS:
                #expect(info.badTimestamps == 1, "\(label)")
                #expect(info.keyframesMs == [0, 2000, 4000, 6000], "\(label)")
            case .badDTS:
                // Every packet from the third on carries a clamped time: none is believed,
                // but each still is a frame, so the run keeps its length.
                #expect(info.badTimestamps == 198, "\(label)")
                #expect(info.keyframesMs == [0], "\(label)")
            case .badIndexedKeyframe:
                if mode == .fast && c.container == "mp4" {
                    // MP4's index holds decode times; its presentation offsets of samples that
                    // need no reordering are not read: the claim is right, nothing dropped.
                    #expect(info.method == .containerIndex, "\(label)")
                    #expect(info.badTimestamps == 0, "\(label)")
                    #expect(info.keyframesMs == [0, 2000, 4000, 6000], "\(label)")
                } else {
                    #expect(info.badTimestamps == 1, "\(label)")
                    #expect(info.keyframesMs == [0, 4000, 6000], "\(label)")
                }
            }
            // A file with bad times is never left to its index's word.
            if info.badTimestamps > 0 { #expect(info.method == .packetScan, "\(label)") }
        }
    }

    /// Files whose timestamps are rewritten at random (one to three packets, PTS alone or both,
    /// offsets from half a second to a year either way, every container, with and without
    /// B-frames): no file ever claims more than its true length plus one GOP. The seed is
    /// printed; CAMINDEX_FUZZ_SEED replays it.
    @Test func randomTimestampFaultsNeverLengthenAFile() throws {
        let seed = ProcessInfo.processInfo.environment["CAMINDEX_FUZZ_SEED"].flatMap(UInt64.init) ?? UInt64.random(in: 0...UInt64.max)
        print("randomTimestampFaultsNeverLengthenAFile: CAMINDEX_FUZZ_SEED=\(seed)")
        var rng = SplitMix64(seed: seed)
        let sources = [dir.file("plain.mp4"), dir.file("bframes.mp4")]
        try Footage.make(sources[0], .init(seconds: 8))
        try Footage.make(sources[1], .init(seconds: 8, bframes: 2))
        let gopMs: Int64 = 2000, trueMs: Int64 = 8000
        var made = 0
        for k in 0..<16 {
            let container = ["ts", "mkv", "mp4", "flv"][Int.random(in: 0..<4, using: &rng)]
            let packets = (0..<Int.random(in: 1...3, using: &rng)).map { _ in Int.random(in: 0..<200, using: &rng) }
            func offset() -> String {
                let seconds = pow(10, Double.random(in: -0.3...7.5, using: &rng)) * (Bool.random(using: &rng) ? 1 : -1)
                return String(format: "%.3f", seconds)
            }
            var pts = "PTS", dts = "DTS"
            let both = Bool.random(using: &rng)
            for n in packets {
                let o = offset()
                pts = "if(eq(N,\(n)),PTS+(\(o))/TB,\(pts))"
                if both { dts = "if(eq(N,\(n)),DTS+(\(o))/TB,\(dts))" }
            }
            let path = dir.file("random-\(k).\(container)")
            let label = "seed \(seed) #\(k) \(container) pts=\(pts)" + (both ? " dts=\(dts)" : "")
            do {
                try Footage.retime(sources[k % 2], to: path, pts: pts, dts: both ? dts : nil)
            } catch {
                // Some faults are beyond what a muxer can write (an MP4 composition offset
                // past 32 bits): not a file to read.
                continue
            }
            made += 1
            for mode in [SegmentReader.Mode.fast, .scan] {
                guard let info = try? SegmentReader.read(path: path, mode: mode) else { continue }
                let start = info.runs.map(\.startMs).min() ?? 0
                #expect(info.durationMs - start <= trueMs + gopMs, "\(label) \(mode): \(info.runs)")
                #expect(info.runs.allSatisfy { $0.endMs - $0.startMs <= trueMs + gopMs }, "\(label) \(mode): \(info.runs)")
            }
        }
        #expect(made >= 8, "most faults make a file")
    }
}

/// A small seeded generator, so that a failing random case can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
