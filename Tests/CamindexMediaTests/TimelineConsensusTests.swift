@testable import CamindexMedia
import Testing

/// The consensus rules on packet times made up in place: 25 fps (40 ms), decode order.
@Suite struct TimelineConsensusTests {
    static let f: Int64 = 40_000

    /// `count` packets from `from` µs, a keyframe every 50.
    func packets(_ count: Int, from: Int64 = 0, first: Int = 0) -> [PacketTimes] {
        (0..<count).map { i in
            let t = from + Int64(i) * Self.f
            return PacketTimes(dts: t, pts: t, duration: Self.f, keyframe: (first + i) % 50 == 0)
        }
    }

    func resolve(_ p: [PacketTimes]) -> Timeline {
        TimelineConsensus(packets: p, nominalFrameUs: nil).resolve(p)
    }

    @Test func cleanPacketsMakeOneRun() {
        let t = resolve(packets(200))
        #expect(t.runs.map { [$0.0, $0.1] } == [[0, 8_000_000]])
        #expect(t.keyframes == [0, 2_000_000, 4_000_000, 6_000_000])
        #expect(t.bad == 0 && t.good == 200)
    }

    @Test func framesDurationIsThePacketsNotTheHeaders() {
        #expect(TimelineConsensus(packets: packets(200), nominalFrameUs: 1_000_000_000).frameUs == Self.f)
        #expect(TimelineConsensus(packets: packets(1), nominalFrameUs: 33_367).frameUs == 33_367)
        // A muxer's one-tick clamps are not frame steps.
        var clamped = packets(3)
        for k in 0..<197 { clamped.append(PacketTimes(dts: 83_500_000_000 + Int64(k) * 11, pts: 83_500_000_000 + Int64(k) * 11, duration: 0, keyframe: false)) }
        #expect(TimelineConsensus(packets: clamped, nominalFrameUs: nil).frameUs == Self.f)
        // Two good packets, an I and the P three frames later, before the rest went bad: the
        // header's frame bounds what so few steps say; with no step at all, at most 40 ms.
        let reordered = [PacketTimes(dts: 0, pts: 0, duration: 0, keyframe: true), PacketTimes(dts: 3 * Self.f, pts: 3 * Self.f, duration: 0, keyframe: false)]
        #expect(TimelineConsensus(packets: reordered, nominalFrameUs: Self.f).frameUs == Self.f)
        #expect(TimelineConsensus(packets: [reordered[0]], nominalFrameUs: 2_900_000).frameUs == Self.f)
    }

    @Test func onePacketFarAwayIsDroppedWhereverItIs() {
        for at in [0, 1, 50, 100, 198, 199] {
            for shift in [83_500_000_000, -83_500_000_000, 5_000_000] as [Int64] {
                var p = packets(200)
                p[at].dts += shift
                p[at].pts += shift
                let t = resolve(p)
                #expect(t.bad == 1, "at \(at) by \(shift)")
                #expect(t.runs.count == 1, "at \(at) by \(shift): \(t.runs)")
                let run = t.runs[0]
                // A first packet dropped takes its frame with it; elsewhere the run keeps it.
                #expect(run.0 == (at == 0 ? Self.f : 0) && run.1 == 8_000_000, "at \(at) by \(shift): \(run)")
                #expect(t.badKeyframes == (at % 50 == 0 ? 1 : 0))
            }
        }
    }

    @Test func presentationFarFromDecodeIsNotBelieved() {
        var p = packets(200)
        p[2].pts += 83_514_000_000
        let t = resolve(p)
        #expect(t.bad == 1 && t.runs.map { [$0.0, $0.1] } == [[0, 8_000_000]])
        // A keyframe's, too: its decode time holds its place, its presentation time is dropped.
        p = packets(200)
        p[50].pts -= 7_000_000
        let k = resolve(p)
        #expect(k.bad == 1 && k.badKeyframes == 1 && k.keyframes == [0, 4_000_000, 6_000_000])
        // Without reordering, "far" is a few frames: the last packet 0.3 s late does not
        // lengthen the run.
        p = packets(200)
        p[199].pts += 300_000
        let late = resolve(p)
        #expect(late.bad == 1 && late.runs.map(\.1) == [8_000_000])
    }

    @Test func aJumpTheNextPacketsFollowIsAGap() {
        // Forward 10 s, and back again 1 h later: both confirmed by the packets after them.
        let p = packets(100) + packets(100, from: 14_000_000, first: 100) + packets(50, from: -3_600_000_000, first: 200)
        let t = resolve(p)
        #expect(t.bad == 0)
        #expect(t.runs.map { [$0.0, $0.1] } == [[0, 4_000_000], [14_000_000, 18_000_000], [-3_600_000_000, -3_598_000_000]])
    }

    @Test func clampedTimesAfterABadDTSKeepTheirLengthNotTheirPlace() {
        // The third packet 83,500 s late, the rest clamped a tick after it (what ffmpeg writes).
        var p = packets(2)
        for k in 0..<198 { p.append(PacketTimes(dts: 83_500_080_000 + Int64(k) * 11, pts: 83_500_080_000 + Int64(k) * 11, duration: Self.f, keyframe: k % 50 == 48)) }
        let t = resolve(p)
        #expect(t.bad == 198)
        #expect(t.runs.map { [$0.0, $0.1] } == [[0, 8_000_000]])
        #expect(t.keyframes == [0])
    }

    @Test func aStepUnderASecondNeedsConfirmationToo() {
        // Frames the camera skipped (0.2 s, then on as before): the same run, nothing dropped.
        var skipped = packets(100) + packets(100, from: 4_200_000, first: 100)
        var t = resolve(skipped)
        #expect(t.bad == 0 && t.runs.map { [$0.0, $0.1] } == [[0, 8_200_000]])
        // Near the end, one packet 0.94 s late and the rest clamped after it (what ffmpeg
        // writes): they do not lengthen the file.
        skipped = packets(193)
        for k in 0..<7 {
            let t = 7_720_000 + 940_000 + Int64(k) * 11
            skipped.append(PacketTimes(dts: t, pts: t, duration: Self.f, keyframe: false))
        }
        t = resolve(skipped)
        #expect(t.bad == 7 && t.runs.map { [$0.0, $0.1] } == [[0, 8_000_000]])
    }

    @Test func presentationOffsetsAreJudgedAmongPacketsWhoseDecodeTimesHold() {
        // Two reordered packets (PTS 2 and 4 frames after DTS), then 198 clamped to one time
        // with PTS = DTS: the clamped majority does not make the good two's offsets look bad.
        var p = [PacketTimes(dts: 0, pts: 2 * Self.f, duration: Self.f, keyframe: true),
                 PacketTimes(dts: Self.f, pts: 5 * Self.f, duration: Self.f, keyframe: false)]
        for _ in 0..<198 { p.append(PacketTimes(dts: 1_023_048_515_000, pts: 1_023_048_515_000, duration: Self.f, keyframe: false)) }
        let t = resolve(p)
        #expect(t.good == 2 && t.bad == 198 && t.keyframes == [2 * Self.f])
        #expect(t.runs.count == 1 && t.runs[0].0 == 2 * Self.f && t.runs[0].1 <= 2 * Self.f + 200 * Self.f)
    }

    @Test func outliersAmongFollowersDoNotVetoARealJump() {
        var p = packets(100) + packets(100, from: 60_000_000, first: 100)
        p[101].pts += 9_000_000_000
        p[101].dts += 9_000_000_000
        let t = resolve(p)
        #expect(t.bad == 1)
        #expect(t.runs.map { [$0.0, $0.1] } == [[0, 4_000_000], [60_000_000, 64_000_000]])
    }

    @Test func hugeDurationsAreNotBelieved() {
        var p = packets(200)
        p[199].duration = 86_400_000_000
        #expect(resolve(p).runs.map(\.1) == [8_000_000])
    }

    @Test func reorderedPresentationTimesStayBelieved() {
        // I P B B, presentation = decode + 2 frames for I and P, B-frames in between.
        var p: [PacketTimes] = []
        for g in 0..<50 {
            let base = Int64(g) * 4 * Self.f
            for (d, s) in [(0, 2), (1, 5), (2, 3), (3, 4)] {
                p.append(PacketTimes(dts: base + Int64(d) * Self.f, pts: base + Int64(s) * Self.f, duration: Self.f, keyframe: g % 12 == 0 && d == 0))
            }
        }
        let t = resolve(p)
        #expect(t.bad == 0 && t.runs.count == 1)
        #expect(t.runs[0].0 == 2 * Self.f && t.runs[0].1 == 202 * Self.f)
    }

    /// I P B B with two frames of reordering delay: the fuzz bench's ways of stretching such a
    /// file by a frame or two, each with the ffmpeg CLI's rewrite of the mutated packet.
    func reordered() -> [PacketTimes] {
        var p: [PacketTimes] = []
        for g in 0..<50 {
            let base = Int64(g) * 4 * Self.f
            for (d, s) in [(0, 2), (1, 5), (2, 3), (3, 4)] {
                p.append(PacketTimes(dts: base + Int64(d) * Self.f, pts: base + Int64(s) * Self.f, duration: Self.f, keyframe: g % 12 == 0 && d == 0))
            }
        }
        return p
    }

    @Test func nothingIsPresentedBeforeTheFirstKeyframe() {
        // The P after the first I moved back: the CLI sets its PTS to its DTS, before the I's.
        var p = reordered()
        p[1].pts = p[1].dts
        #expect(resolve(p).runs.map { [$0.0, $0.1] } == [[2 * Self.f, 202 * Self.f]])
    }

    @Test func nothingIsPresentedAfterTheLastDecodeTimePlusTheDelay() {
        // A late P's presentation moved within the file's reordering tolerance, past the end.
        var p = reordered()
        p[197].pts += 3 * Self.f + Self.f / 8
        #expect(resolve(p).runs.map { [$0.0, $0.1] } == [[2 * Self.f, 202 * Self.f]])
    }

    @Test func stalledTimesAreRetimedOnTheDecodeClock() {
        // A forward DTS jump after packet 101 (a P presented 4 frames after its decode): the
        // muxer clamps the rest one tick apart. Re-timed on the decode clock and presented
        // after the 2-frame delay, they end where the source does, not 2 frames past it.
        var p = reordered()
        for i in 102..<200 { p[i].dts = p[101].dts + Int64(i - 101); p[i].pts = p[i].dts }
        let t = resolve(p)
        #expect(t.stalled == 98)
        #expect(t.runs.map { [$0.0, $0.1] } == [[2 * Self.f, 202 * Self.f]])
    }
}
