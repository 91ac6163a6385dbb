import CamindexCore
@testable import CamindexService
import Testing

/// Parts, holes and start keyframes planned from stored segments, without FFmpeg.
@Suite struct ExportPlanTests {
    /// A file of `seconds` starting at `start` s, keyframes every 2 s, timestamps from `pts0` ms.
    func segment(_ name: String, start: Int64, seconds: Int64, codec: String = "h264", width: Int = 640, pts0: Int64 = 0,
                 runs: [Interval]? = nil) -> StoredSegment {
        StoredSegment(path: "/r/\(name)", size: seconds * 1000, mtimeMs: (start + seconds) * 1000, startMs: start * 1000,
                      endMs: (start + seconds) * 1000, codec: codec, width: width, height: 360, fps: 25, firstPtsMs: pts0,
                      keyframeOffsetsMs: Array(stride(from: 0, to: seconds * 1000, by: 2000)), truncated: false, damagedKeyframes: 0,
                      runs: runs ?? [Interval(startMs: start * 1000, endMs: (start + seconds) * 1000)])
    }

    func s(_ a: Int64, _ b: Int64) -> Interval { Interval(startMs: a * 1000, endMs: b * 1000) }

    @Test func oneWindowAcrossFilesIsOnePartFromTheKeyframeAtOrBefore() {
        let plan = ExportPlan(segments: [segment("a", start: 0, seconds: 60, pts0: 1400), segment("b", start: 60, seconds: 60)],
                              range: s(33, 90))
        #expect(plan.holes.isEmpty)
        #expect(plan.parts.count == 1)
        let p = plan.parts[0]
        #expect(p.start == Instant(ms: 32_000))
        #expect(p.sources.map(\.fromPtsMs) == [1400 + 32_000, 0])
        #expect(p.sources.map(\.toPtsMs) == [nil, 30_000])
        #expect(p.estimatedBytes == 28_000 + 30_000)
    }

    @Test func theStartKeyframeMayLieFarBeforeTheRange() {
        // Keyframes every 10 s: the range starts 5 s after one, 8 s into the window.
        var a = segment("a", start: 0, seconds: 60)
        a.keyframeOffsetsMs = [0, 10_000, 20_000, 30_000, 40_000, 50_000]
        let plan = ExportPlan(segments: [a], range: s(15, 30))
        #expect(plan.holes.isEmpty && plan.parts.count == 1)
        #expect(plan.parts[0].start == Instant(ms: 10_000) && plan.parts[0].sources[0].fromPtsMs == 10_000)
    }

    @Test func overlappingFilesAreTakenOnceTheLaterTakingOverAtItsKeyframe() {
        // b starts 30 s into a's minute; c lies wholly inside b.
        let plan = ExportPlan(segments: [segment("a", start: 0, seconds: 60), segment("b", start: 30, seconds: 60),
                                         segment("c", start: 40, seconds: 10)], range: s(0, 90))
        #expect(plan.parts.count == 1 && plan.holes.isEmpty)
        let p = plan.parts[0]
        #expect(p.sources.map(\.segment.path) == ["/r/a", "/r/b"])
        // a ends one frame (40 ms at 25 fps) before b's first keyframe, at 30 s; b runs to its end.
        #expect(p.sources.map(\.fromPtsMs) == [0, 0] && p.sources.map(\.toPtsMs) == [30_000 - 40, nil])
        #expect(p.estimatedBytes == 30_000 + 60_000)
    }

    @Test func aHoleSplitsPartsAndIsListed() {
        let plan = ExportPlan(segments: [segment("a", start: 0, seconds: 60), segment("b", start: 100, seconds: 60)], range: s(30, 130))
        #expect(plan.holes == [s(60, 100)])
        #expect(plan.parts.map(\.number) == [1, 2])
        #expect(plan.parts.map(\.start) == [Instant(ms: 30_000), Instant(ms: 100_000)])
        #expect(plan.parts[0].sources.map(\.segment.path) == ["/r/a"] && plan.parts[0].sources[0].toPtsMs == nil)
        #expect(plan.parts[1].sources.map(\.segment.path) == ["/r/b"] && plan.parts[1].sources[0].toPtsMs == 30_000)
    }

    @Test func aBridgedFileBoundaryIsNotAHole() {
        // 40 ms between files: continuous footage.
        let a = segment("a", start: 0, seconds: 60)
        var b = segment("b", start: 60, seconds: 60)
        b.startMs += 40
        b.runs = [Interval(startMs: 60_040, endMs: 120_000)]
        let plan = ExportPlan(segments: [a, b], range: s(10, 70))
        #expect(plan.parts.count == 1 && plan.parts[0].sources.count == 2 && plan.holes.isEmpty)
    }

    @Test func aCodecOrResolutionChangeStartsANewPart() {
        let plan = ExportPlan(segments: [segment("a", start: 0, seconds: 60), segment("b", start: 60, seconds: 60, width: 1920),
                                         segment("c", start: 120, seconds: 60, codec: "hevc", width: 1920)],
                              range: s(50, 130))
        #expect(plan.parts.map { $0.sources.map(\.segment.path) } == [["/r/a"], ["/r/b"], ["/r/c"]])
        #expect(plan.parts.map(\.start) == [Instant(ms: 50_000), Instant(ms: 60_000), Instant(ms: 120_000)])
        #expect(plan.parts[0].end == Instant(ms: 60_000) && plan.parts[1].end == Instant(ms: 120_000))
        #expect(plan.holes.isEmpty)
    }

    @Test func noFootageNoParts() {
        let plan = ExportPlan(segments: [], range: s(0, 60))
        #expect(plan.parts.isEmpty && plan.holes == [s(0, 60)])
    }
}

/// Nothing is written outside `--output`, whatever a name holds.
@Suite struct ExportPathTests {
    @Test func namesLeadingOutsideTheOutputAreRefused() throws {
        #expect(try Exporter.inside("/srv/out", "cam-1_20261120T080000.mp4") == "/srv/out/cam-1_20261120T080000.mp4")
        for name in ["../cam.mp4", "../../etc/passwd", "sub/cam.mp4", "/etc/passwd", ".."] {
            #expect(throws: CamindexError(.runtime, "", code: .exportPathEscape)) { try Exporter.inside("/srv/out", name) }
        }
    }
}
