import CamindexCore
import CamindexStore
import Foundation
import Testing

@Suite struct WindowStoreTests {
    let store: Store
    let day: Int64 = 1_795_132_800_000  // 2026-11-20T00:00:00Z

    init() throws {
        store = try Store.inMemory()
        _ = try store.addRegion(code: RegionCode("620723"), name: "临泽县")
        _ = try store.addRegion(code: RegionCode("620723100"), name: "沙河镇")
        try store.addCamera(Camera(id: "cam", name: "镇政府", regionCode: "620723100", at: Instant(ms: 0)))
    }

    func windows(_ from: Int64, _ to: Int64, gap: Int64 = 2000) throws -> [Interval] {
        try store.windows(cameraID: "cam", range: Interval(startMs: from, endMs: to), maxGapMs: gap).map(\.interval)
    }

    @Test func segmentsMergeWithinTolerance() throws {
        // Three minute-long files, 2 s then 3 s apart.
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/a", start: day, end: day + 60_000))
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/b", start: day + 62_000, end: day + 122_000))
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/c", start: day + 125_000, end: day + 185_000))
        #expect(try windows(day, day + 200_000) == [Interval(startMs: day, endMs: day + 122_000), Interval(startMs: day + 125_000, endMs: day + 185_000)])
        #expect(try windows(day, day + 200_000, gap: 3000) == [Interval(startMs: day, endMs: day + 185_000)])
        #expect(try windows(day, day + 200_000, gap: 0).count == 3)
        // Clipped to the range.
        #expect(try windows(day + 30_000, day + 90_000) == [Interval(startMs: day + 30_000, endMs: day + 90_000)])
    }

    /// A day of many short contiguous files: each new file grows the window around it (not a
    /// rebuild of its day), and the stored windows still equal a merge from scratch, flags
    /// included, in any order of arrival and with a file read again.
    @Test func aDayOfManyFilesKeepsExactWindows() throws {
        var order = Array(0..<600)
        var rng = SystemRandomNumberGenerator()
        order.shuffle(using: &rng)
        for i in order {
            try store.saveSegment(cameraID: "cam", Fixtures.segment("/d/\(i)", start: day + 3_600_000 + Int64(i) * 2000,
                                                                   end: day + 3_600_000 + Int64(i + 1) * 2000, verified: i % 197 != 0))
        }
        #expect(try store.windowsMatchRuns(cameraID: "cam"))
        #expect(try windows(day, day + 86_400_000) == [Interval(startMs: day + 3_600_000, endMs: day + 3_600_000 + 1_200_000)])
        #expect(try store.windows(cameraID: "cam", range: Interval(startMs: day, endMs: day + 86_400_000)).map(\.verified) == [false])
        // One file read again, now verified, another one gone: the day is rebuilt exactly.
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/d/0", start: day + 3_600_000, end: day + 3_602_000, verified: true))
        try store.deleteSegments(cameraID: "cam", paths: ["/d/300", "/d/301"])
        #expect(try store.windowsMatchRuns(cameraID: "cam"))
        #expect(try windows(day, day + 86_400_000).count == 2)
    }

    /// The same across a UTC midnight (08:00 in Beijing: every day of a camera that records
    /// around the clock), files arriving in any order, one unverified late: the flag of the
    /// window on both sides of midnight follows.
    @Test func filesAcrossMidnightKeepExactWindowsAndFlags() throws {
        var order = Array(0..<200)
        var rng = SystemRandomNumberGenerator()
        order.shuffle(using: &rng)
        let start = day - 100 * 2000
        for (n, i) in order.enumerated() {
            try store.saveSegment(cameraID: "cam", Fixtures.segment("/m/\(i)", start: start + Int64(i) * 2000, end: start + Int64(i + 1) * 2000,
                                                                   verified: i != 150))
            if n % 10 == 0 || i == 150 { #expect(try store.windowsMatchRuns(cameraID: "cam"), "after file \(i)") }
        }
        #expect(try store.windowsMatchRuns(cameraID: "cam"))
        let whole = Interval(startMs: start, endMs: start + 400_000)
        #expect(try store.windows(cameraID: "cam", range: whole).map(\.verified) == [false])
        #expect(try store.windows(cameraID: "cam", range: Interval(startMs: start, endMs: day)).map(\.verified) == [false], "the day before too")
    }

    @Test func reindexingAFileDoesNotDouble() throws {
        for _ in 0..<3 { try store.saveSegment(cameraID: "cam", Fixtures.segment("/a", start: day, end: day + 60_000)) }
        #expect(try store.segmentStates(cameraID: "cam").count == 1)
        #expect(try store.footageSummary(cameraID: "cam").coveredMs == 60_000)
    }

    @Test func deletedFileBecomesAGap() throws {
        for i in 0..<3 { try store.saveSegment(cameraID: "cam", Fixtures.segment("/\(i)", start: day + Int64(i) * 60_000, end: day + Int64(i + 1) * 60_000)) }
        #expect(try windows(day, day + 180_000) == [Interval(startMs: day, endMs: day + 180_000)])
        try store.deleteSegments(cameraID: "cam", paths: ["/1"])
        #expect(try windows(day, day + 180_000) == [Interval(startMs: day, endMs: day + 60_000), Interval(startMs: day + 120_000, endMs: day + 180_000)])
    }

    @Test func windowsAcrossMidnightAreOneWindowToQueries() throws {
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/night", start: day - 3_600_000, end: day + 3_600_000))
        #expect(try windows(day - 7_200_000, day + 7_200_000) == [Interval(startMs: day - 3_600_000, endMs: day + 3_600_000)])
    }

    @Test func unverifiedFlagFollowsTheRuns() throws {
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/a", start: day, end: day + 60_000, verified: true))
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/b", start: day + 60_000, end: day + 120_000, verified: false))
        let w = try store.windows(cameraID: "cam", range: Interval(startMs: day, endMs: day + 120_000))
        #expect(w.count == 1 && w[0].verified == false)
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/b", start: day + 60_000, end: day + 120_000, verified: true))
        #expect(try store.windows(cameraID: "cam", range: Interval(startMs: day, endMs: day + 120_000)).allSatisfy(\.verified))
    }

    /// Random files added, replaced and deleted in random order: the stored windows always
    /// equal a fresh merge of the runs that remain.
    @Test(arguments: 1...12) func storedWindowsMatchAFreshMerge(seed: UInt64) throws {
        var rng = SplitMix(seed: seed)
        var live: [String: [Interval]] = [:]
        for step in 0..<150 {
            let name = "/f\(rng.next() % 40)"
            if rng.next() % 4 == 0, live[name] != nil {
                try store.deleteSegments(cameraID: "cam", paths: [name])
                live[name] = nil
            } else {
                // Spread over three days so windows cross UTC midnights.
                let start = day - 86_400_000 + Int64(rng.next() % 8640) * 30_000 + Int64(rng.next() % 3000)
                let length = Int64(5_000 + rng.next() % (rng.next() % 4 == 0 ? 30_000_000 : 120_000))
                var runs = [Interval(startMs: start, endMs: start + length)]
                if rng.next() % 5 == 0 {  // a timestamp jump inside the file
                    let jump = start + length + Int64(rng.next() % 10_000)
                    runs.append(Interval(startMs: jump, endMs: jump + 20_000))
                }
                // Some files only rest on the container's index: a window is verified only
                // if all its runs are, across every midnight it crosses.
                let verified = rng.next() % 4 != 0
                try store.saveSegment(cameraID: "cam", Fixtures.segment(name, start: start, end: runs.last!.end.ms, runs: runs,
                                                                         verified: verified))
                live[name] = runs
            }
            if step % 10 == 9 {
                let all = live.values.flatMap { $0 }.map { FootageSpan($0, verified: true) }
                let range = Interval(startMs: day - 90_000_000, endMs: day + 260_000_000)
                for gap: Int64 in [0, 2000, 5000] {
                    let expected = Windows.clip(Windows.merge(all, maxGapMs: gap), to: range).map(\.interval)
                    #expect(try windows(range.start.ms, range.end.ms, gap: gap) == expected, "step \(step) gap \(gap)")
                }
                // The stored pieces themselves equal a rebuild from scratch.
                #expect(try store.windowsMatchRuns(cameraID: "cam"), "step \(step)")
            }
        }
    }

    /// Days of footage without a gap: a file's verified flag reaches every chunk of its
    /// window, across every midnight, and a deleted file splits the window's flag in two.
    @Test func verifiedFlagSpansTheWholeGaplessWindow() throws {
        let hour: Int64 = 3_600_000
        for h in 0..<(5 * 24) {
            try store.saveSegment(cameraID: "cam", Fixtures.segment("/h\(h)", start: day + Int64(h) * hour, end: day + Int64(h + 1) * hour - 500))
        }
        func flags() throws -> [Bool] {
            try store.windows(cameraID: "cam", range: Interval(startMs: day, endMs: day + 120 * hour), maxGapMs: 2000).map(\.verified)
        }
        #expect(try flags() == [true] && store.windowsMatchRuns(cameraID: "cam"))
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/h119", start: day + 119 * hour, end: day + 120 * hour - 500, verified: false))
        #expect(try flags() == [false] && store.windowsMatchRuns(cameraID: "cam"))
        // A window that only ends later than a query's range still carries the flag.
        #expect(try store.windows(cameraID: "cam", range: Interval(startMs: day, endMs: day + hour)).map(\.verified) == [false])
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/h60", start: day + 60 * hour, end: day + 61 * hour - 500, verified: false))
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/h119", start: day + 119 * hour, end: day + 120 * hour - 500))
        #expect(try flags() == [false] && store.windowsMatchRuns(cameraID: "cam"))
        try store.deleteSegments(cameraID: "cam", paths: ["/h30"])
        #expect(try flags() == [true, false] && store.windowsMatchRuns(cameraID: "cam"))
        try store.deleteSegments(cameraID: "cam", paths: ["/h90"])
        #expect(try flags() == [true, false, true] && store.windowsMatchRuns(cameraID: "cam"))
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/h60", start: day + 60 * hour, end: day + 61 * hour - 500))
        #expect(try flags() == [true, true, true] && store.windowsMatchRuns(cameraID: "cam"))
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/h30", start: day + 30 * hour, end: day + 31 * hour - 500, verified: false))
        #expect(try flags() == [false, true] && store.windowsMatchRuns(cameraID: "cam"))
    }

    /// Long files laid end to end over five days, a few unverified, replaced and deleted at
    /// random: the stored pieces equal a rebuild from scratch after every change.
    @Test(arguments: 1...8) func denseHistoryMatchesAFreshMerge(seed: UInt64) throws {
        var rng = SplitMix(seed: seed)
        let slot: Int64 = 2 * 3_600_000
        for step in 0..<120 {
            let i = Int64(rng.next() % 60)
            if rng.next() % 6 == 0 {
                try store.deleteSegments(cameraID: "cam", paths: ["/d\(i)"])
            } else {
                // Mostly back to back (holes under the tolerance), now and then a real hole or
                // a file running past the next one's start.
                let start = day + i * slot - Int64(rng.next() % 3_000)
                let end = start + slot + (rng.next() % 8 == 0 ? -Int64(rng.next() % 600_000) : Int64(rng.next() % 1_500))
                try store.saveSegment(cameraID: "cam", Fixtures.segment("/d\(i)", start: start, end: end, verified: rng.next() % 5 != 0))
            }
            #expect(try store.windowsMatchRuns(cameraID: "cam"), "seed \(seed) step \(step)")
        }
    }

    @Test func keyframeAtOrBefore() throws {
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/a", start: day, end: day + 10_000, keyframes: [0, 4000, 8000]))
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/b", start: day + 10_000, end: day + 20_000, keyframes: [0, 4000, 8000]))
        let k = try store.keyframes(cameraID: "cam", at: Instant(ms: day + 5_000))
        #expect(k.atOrBefore?.time.ms == day + 4_000 && k.atOrBefore?.path == "/a" && k.atOrBefore?.offsetMs == 4_000)
        #expect(k.next?.time.ms == day + 8_000)
        let edge = try store.keyframes(cameraID: "cam", at: Instant(ms: day + 9_000))
        #expect(edge.atOrBefore?.time.ms == day + 8_000 && edge.next?.path == "/b" && edge.next?.time.ms == day + 10_000)
        let exact = try store.keyframes(cameraID: "cam", at: Instant(ms: day + 14_000))
        #expect(exact.atOrBefore?.time.ms == day + 14_000 && exact.atOrBefore?.path == "/b")
        #expect(try store.keyframes(cameraID: "cam", at: Instant(ms: day + 30_000)).atOrBefore == nil)
    }

    @Test func keyframeInsideABridgedHoleIsThePreviousFilesLast() throws {
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/a", start: day, end: day + 10_000, keyframes: [0, 4000, 8000]))
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/b", start: day + 11_500, end: day + 20_000, keyframes: [0, 4000]))
        try store.saveSegment(cameraID: "cam", Fixtures.segment("/c", start: day + 23_000, end: day + 30_000, keyframes: [0]))
        let k = try store.keyframes(cameraID: "cam", at: Instant(ms: day + 10_700))
        #expect(k.atOrBefore?.path == "/a" && k.atOrBefore?.time.ms == day + 8_000)
        #expect(k.next?.path == "/b" && k.next?.time.ms == day + 11_500)
        #expect(k.bridgedHoleMs == 1_500)
        #expect(try store.keyframes(cameraID: "cam", at: Instant(ms: day + 10_000)).bridgedHoleMs == 1_500, "the hole starts at the end")
        #expect(try store.keyframes(cameraID: "cam", at: Instant(ms: day + 5_000)).bridgedHoleMs == nil)
        // A 3 s hole is a gap, not bridged.
        #expect(try store.keyframes(cameraID: "cam", at: Instant(ms: day + 21_000)).atOrBefore == nil)
    }
}

struct SplitMix {
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

/// The windows and flags of many cameras read at once (one statement per batch of cameras)
/// equal each camera's own.
@Suite struct ManyCameraReadTests {
    @Test func batchedReadsEqualPerCameraReads() throws {
        let store = try Store.inMemory()
        let day: Int64 = 1_795_132_800_000
        _ = try store.addRegion(code: RegionCode("620723"), name: "临泽县")
        _ = try store.addRegion(code: RegionCode("620723100"), name: "沙河镇")
        var ids: [String] = []
        var rng = SplitMix(seed: 7)
        for c in 0..<1_100 {  // more than two batches
            let id = String(format: "620723000013200%05d", c)
            ids.append(id)
            try store.addCamera(Camera(id: id, name: "c\(c)", regionCode: "620723100", at: Instant(ms: 0)))
            guard c % 3 != 0 else { continue }  // some without footage
            for f in 0..<Int(rng.next() % 4) {
                let start = day + Int64(f) * 600_000 + Int64(rng.next() % 4_000)
                var record = Fixtures.segment("/\(id)/\(f)", start: start, end: start + 590_000 + Int64(rng.next() % 8_000),
                                              verified: rng.next() % 3 != 0)
                if rng.next() % 5 == 0 { record.startSource = .mtime }
                try store.saveSegment(cameraID: id, record)
            }
        }
        let range = Interval(startMs: day + 300_000, endMs: day + 2_000_000)
        for gap: Int64 in [0, 2_000, 10_000] {
            let all = try store.windows(cameraIDs: ids, range: range, maxGapMs: gap)
            #expect(Set(all.keys) == Set(ids))
            for id in ids.prefix(40) + ids.suffix(40) {
                #expect(all[id] == (try store.windows(cameraIDs: [id], range: range, maxGapMs: gap)[id]), "\(id) gap \(gap)")
            }
        }
        let quality = try store.timeQuality(ids, range: range)
        for id in ids {
            #expect(quality[id] == (try store.timeQuality([id], range: range)[id]))
        }
        #expect(quality.values.contains { $0.lowConfidence })
    }
}
