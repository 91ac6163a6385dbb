import Testing
@testable import CamindexCore

private func span(_ start: Int64, _ end: Int64, _ verified: Bool = true) -> FootageSpan {
    FootageSpan(Interval(startMs: start, endMs: end), verified: verified)
}

private func iv(_ start: Int64, _ end: Int64) -> Interval { Interval(startMs: start, endMs: end) }

@Suite struct WindowsMergeTests {
    @Test func constants() {
        #expect(Windows.defaultMaxGapMs == 2_000)
        #expect(Windows.maxStoredWindowMs == 86_400_000)
    }

    @Test func emptyInput() {
        #expect(Windows.merge([], maxGapMs: 2000) == [])
    }

    @Test func overlappingSpansMerge() {
        #expect(Windows.merge([span(0, 1000), span(500, 2000)], maxGapMs: 0) == [span(0, 2000)])
    }

    @Test func containedSpanDoesNotShortenWindow() {
        #expect(Windows.merge([span(0, 10_000), span(2000, 3000)], maxGapMs: 0) == [span(0, 10_000)])
    }

    @Test func touchingSpansMergeEvenWithoutTolerance() {
        #expect(Windows.merge([span(0, 1000), span(1000, 2000)], maxGapMs: 0) == [span(0, 2000)])
    }

    @Test func oneMillisecondHoleWithoutToleranceIsKept() {
        #expect(Windows.merge([span(0, 1000), span(1001, 2000)], maxGapMs: 0) == [span(0, 1000), span(1001, 2000)])
    }

    @Test func holeOfExactlyTheToleranceIsBridged() {
        #expect(Windows.merge([span(0, 1000), span(3000, 4000)], maxGapMs: 2000) == [span(0, 4000)])
        #expect(Windows.merge([span(0, 1000), span(3000, 4000)], maxGapMs: Windows.defaultMaxGapMs) == [span(0, 4000)])
    }

    @Test func holeOneMillisecondOverTheToleranceIsKept() {
        #expect(Windows.merge([span(0, 1000), span(3001, 4000)], maxGapMs: 2000) == [span(0, 1000), span(3001, 4000)])
    }

    @Test func unsortedInput() {
        let merged = Windows.merge([span(5000, 6000), span(1500, 2000), span(0, 1000)], maxGapMs: 2000)
        #expect(merged == [span(0, 2000), span(5000, 6000)])
    }

    @Test func chainOfSmallHolesBridgesIntoOneWindow() {
        let spans = (0..<10).map { i in span(Int64(i) * 10_000, Int64(i) * 10_000 + 9_000) }
        #expect(Windows.merge(spans, maxGapMs: 1000) == [span(0, 99_000)])
        #expect(Windows.merge(spans, maxGapMs: 999).count == 10)
    }

    @Test func verifiedIsTheAndOfMergedSpans() {
        let merged = Windows.merge([
            span(0, 1000, true), span(1000, 2000, false), span(2500, 3000, true),
            span(10_000, 11_000, true), span(11_500, 12_000, true),
        ], maxGapMs: 2000)
        #expect(merged == [span(0, 3000, false), span(10_000, 12_000, true)])
    }

    @Test func unverifiedFirstSpanTaintsWindow() {
        #expect(Windows.merge([span(0, 1000, false), span(500, 1500, true)], maxGapMs: 0) == [span(0, 1500, false)])
    }

    @Test func emptyIntervalsAreDroppedAndDoNotBridge() {
        // Were the empty spans kept, 0-1000, 2500, 4500-5000 would chain into one window.
        let merged = Windows.merge([span(0, 1000), span(2500, 2500), span(3000, 2900), span(4500, 5000)], maxGapMs: 2000)
        #expect(merged == [span(0, 1000), span(4500, 5000)])
        #expect(Windows.merge([span(7, 7), span(9, 3)], maxGapMs: 2000) == [])
    }
}

@Suite struct WindowsGapsTests {
    let range = iv(0, 10_000)

    @Test func leadingMiddleAndTrailingGaps() {
        let gaps = Windows.gaps([iv(2000, 3000), iv(5000, 6000)], in: range)
        #expect(gaps == [iv(0, 2000), iv(3000, 5000), iv(6000, 10_000)])
    }

    @Test func windowsExtendingBeyondTheRange() {
        #expect(Windows.gaps([iv(-1000, 1000), iv(9000, 12_000)], in: range) == [iv(1000, 9000)])
        #expect(Windows.gaps([iv(-5000, 20_000)], in: range) == [])
    }

    @Test func noWindowsIsOneGapOfTheWholeRange() {
        #expect(Windows.gaps([], in: range) == [range])
    }

    @Test func windowsOutsideTheRangeAreIgnored() {
        #expect(Windows.gaps([iv(-3000, -1000), iv(10_000, 12_000)], in: range) == [range])
    }

    @Test func adjacentWindowsLeaveNoGap() {
        #expect(Windows.gaps([iv(0, 5000), iv(5000, 10_000)], in: range) == [])
    }

    @Test func gapsAndWindowsCoverTheRange() {
        let windows = [iv(1000, 2000), iv(2500, 2600), iv(7000, 9999)]
        let gaps = Windows.gaps(windows, in: range)
        #expect(gaps == [iv(0, 1000), iv(2000, 2500), iv(2600, 7000), iv(9999, 10_000)])
        #expect(Windows.coveredMs(gaps) + Windows.coveredMs(windows) == range.durationMs)
    }
}

@Suite struct WindowsOtherTests {
    @Test func clip() {
        let clipped = Windows.clip([
            span(-1000, 1000, true), span(2000, 3000, false), span(9000, 12_000, true),
            span(10_000, 11_000, true), span(-500, 0, false),
        ], to: iv(0, 10_000))
        #expect(clipped == [span(0, 1000, true), span(2000, 3000, false), span(9000, 10_000, true)])
        #expect(Windows.clip([], to: iv(0, 10)) == [])
    }

    @Test func coveredMs() {
        #expect(Windows.coveredMs([]) == 0)
        #expect(Windows.coveredMs([iv(0, 1000), iv(2000, 2500)]) == 1500)
        #expect(Windows.coveredMs([iv(1_795_118_400_000, 1_795_233_600_000)]) == 115_200_000)
    }

    @Test func chunkedByDayCutsAtUTCMidnights() {
        // 2026-11-19T20:00Z → 2026-11-21T04:00Z.
        let chunks = Windows.chunkedByDay([span(1_795_118_400_000, 1_795_233_600_000, false)])
        #expect(chunks == [
            span(1_795_118_400_000, 1_795_132_800_000, false), // → 2026-11-20T00:00Z
            span(1_795_132_800_000, 1_795_219_200_000, false), // → 2026-11-21T00:00Z
            span(1_795_219_200_000, 1_795_233_600_000, false),
        ])
        for c in chunks {
            #expect(c.interval.durationMs <= Windows.maxStoredWindowMs)
            #expect(c.interval.durationMs > 0)
        }
    }

    @Test func chunkedByDayKeepsWindowsWithinOneDay() {
        let w = [span(1_795_132_800_000, 1_795_219_200_000, true), span(1_795_220_000_000, 1_795_230_000_000, false)]
        #expect(Windows.chunkedByDay(w) == w)
    }

    @Test func chunkedByDayBeforeTheEpoch() {
        #expect(Windows.chunkedByDay([span(-3_600_000, 3_600_000)]) == [span(-3_600_000, 0), span(0, 3_600_000)])
        #expect(Windows.chunkedByDay([span(-86_400_001, -86_399_999)]) == [span(-86_400_001, -86_400_000), span(-86_400_000, -86_399_999)])
    }

    @Test func chunkedByDayLongWindow() {
        let start: Int64 = 1_795_132_800_000 + 1
        let chunks = Windows.chunkedByDay([span(start, start + 10 * 86_400_000)])
        #expect(chunks.count == 11)
        #expect(chunks.first == span(start, 1_795_219_200_000))
        #expect(chunks.last == span(start + 10 * 86_400_000 - 1, start + 10 * 86_400_000))
        #expect(Windows.coveredMs(chunks.map(\.interval)) == 10 * 86_400_000)
        for (a, b) in zip(chunks, chunks.dropFirst()) { #expect(a.interval.end == b.interval.start) }
        for c in chunks { #expect(c.interval.durationMs <= Windows.maxStoredWindowMs) }
    }

    @Test func chunkedByDayDropsEmptyWindows() {
        #expect(Windows.chunkedByDay([span(5, 5)]) == [])
    }

    @Test func floorDivision() {
        #expect(floorDiv(7, 2) == 3)
        #expect(floorDiv(-7, 2) == -4)
        #expect(floorDiv(-8, 2) == -4)
        #expect(floorDiv(7, -2) == -4)
        #expect(floorDiv(0, 5) == 0)
    }
}

@Suite struct WindowReadTests {
    let range = Interval(startMs: 100_000_000, endMs: 100_600_000)

    @Test func storedTolerancePlansStoredWindowsBoundedByADay() {
        let plan = WindowRead(range: range, maxGapMs: 2_000)
        #expect(plan.source == .windows)
        let b = plan.bounds { Issue.record("the longest run is not read for stored windows"); return 0 }
        #expect(b.startFrom == 100_000_000 - 2_000 - Windows.maxStoredWindowMs)
        #expect(b.startBefore == 100_602_000)
        #expect(b.endAfter == 99_998_000)
    }

    @Test func smallerTolerancePlansRunsBoundedByTheLongest() {
        let plan = WindowRead(range: range, maxGapMs: 500)
        #expect(plan.source == .runs)
        let b = plan.bounds { 7_200_000 }
        #expect(b.startFrom == 100_000_000 - 500 - 7_200_000)
        #expect(b.startBefore == 100_600_500)
        #expect(b.endAfter == 99_999_500)
        // A negative tolerance is none.
        #expect(WindowRead(range: range, maxGapMs: -5).gapMs == 0)
    }

    @Test func finishMergesOverTheToleranceClipsAndListsEveryCamera() {
        let plan = WindowRead(range: range, maxGapMs: 2_000)
        let rows = ["a": [span(100_300_000, 100_700_000), span(99_000_000, 100_298_500, false)]]
        let out = plan.finish(rows, cameraIDs: ["a", "b"])
        #expect(out["a"] == [span(100_000_000, 100_600_000, false)])
        #expect(out["b"] == [])
    }
}
