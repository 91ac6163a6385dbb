import Testing
@testable import CamindexCore

/// A `random` that fails the test when the schedule draws from it.
private func noRandom(_ n: Int64) -> Int64 {
    Issue.record("random(\(n)) was not expected here")
    return 0
}

/// A schedule holding `dues` (camera → next due), added one by one at time 0 so each new
/// camera gets exactly its own offset (`sync` leaves the cameras already scheduled alone).
private func schedule(_ dues: [(String, Int64)], config: ProbeSchedule.Config = .init()) -> ProbeSchedule {
    var s = ProbeSchedule(config: config)
    var ids: [String] = []
    for (id, due) in dues {
        ids.append(id)
        s.sync(cameraIDs: ids, nowMs: 0, random: { _ in due })
    }
    return s
}

private func ids(_ due: [(cameraID: String, depth: ProbeResult.Depth)]) -> [String] { due.map(\.cameraID) }
private func depths(_ due: [(cameraID: String, depth: ProbeResult.Depth)]) -> [ProbeResult.Depth] { due.map(\.depth) }

@Suite struct ProbeScheduleSyncTests {
    @Test func defaults() {
        let c = ProbeSchedule.Config()
        #expect(c.intervalMs == 60_000)
        #expect(c.fullIntervalMs == 900_000)
        #expect(c.backoffCapMs == 600_000)
    }

    @Test func newCamerasAreSpreadOverOneIntervalFromNow() {
        var s = ProbeSchedule(config: .init())
        var asked: [Int64] = []
        var next: Int64 = 0
        s.sync(cameraIDs: ["a", "b", "c"], nowMs: 1_000_000, random: { n in
            asked.append(n)
            defer { next += 20_000 }
            return next
        })
        // One draw per new camera, each over the whole interval.
        #expect(asked == [60_000, 60_000, 60_000])
        #expect(s.entries.count == 3)
        #expect(Set(s.entries.values.map(\.nextDueMs)) == [1_000_000, 1_020_000, 1_040_000])
        for e in s.entries.values {
            #expect(e.failures == 0)
            #expect(e.lastFullMs == nil)
            #expect(e.fullRequested == false)
            #expect(e.inFlight == false)
        }
    }

    @Test func spreadStaysBelowOneInterval() {
        var s = ProbeSchedule(config: .init(intervalMs: 10_000))
        s.sync(cameraIDs: ["a", "b"], nowMs: 500, random: { $0 - 1 })
        #expect(s.entries["a"]?.nextDueMs == 10_499)
        #expect(s.entries["b"]?.nextDueMs == 10_499)
        #expect(s.nextDueMs == 10_499)
    }

    @Test func zeroIntervalDrawsFromOne() {
        var s = ProbeSchedule(config: .init(intervalMs: 0))
        var asked: [Int64] = []
        s.sync(cameraIDs: ["a"], nowMs: 7, random: { asked.append($0); return 0 })
        #expect(asked == [1])
        #expect(s.entries["a"]?.nextDueMs == 7)
    }

    @Test func duplicateIDsScheduledOnce() {
        var s = ProbeSchedule(config: .init())
        var draws = 0
        s.sync(cameraIDs: ["a", "a", "b"], nowMs: 0, random: { _ in draws += 1; return 5 })
        #expect(draws == 2)
        #expect(s.entries.keys.sorted() == ["a", "b"])
    }

    @Test func resyncDropsGoneCamerasKeepsOthersAddsNew() {
        var s = schedule([("a", 1_000), ("b", 2_000), ("c", 3_000)])
        // Give b and c some history so "untouched" means something.
        #expect(ids(s.takeDue(nowMs: 2_000, limit: 5)) == ["a", "b"])
        s.completed(cameraID: "b", depth: .full, ok: false, nowMs: 2_500, random: noRandom)
        let b = s.entries["b"]
        let c = s.entries["c"]
        #expect(b == ProbeSchedule.Entry(nextDueMs: 62_500, failures: 1, lastFullMs: 2_500, fullRequested: false, inFlight: false))

        var draws: [Int64] = []
        s.sync(cameraIDs: ["b", "c", "d"], nowMs: 100_000, random: { draws.append($0); return 7 })
        #expect(draws == [60_000])
        #expect(s.entries.keys.sorted() == ["b", "c", "d"])
        #expect(s.entries["b"] == b)
        #expect(s.entries["c"] == c)
        #expect(s.entries["d"] == ProbeSchedule.Entry(nextDueMs: 100_007))

        // The same list again changes nothing and draws nothing.
        let before = s.entries
        s.sync(cameraIDs: ["d", "c", "b"], nowMs: 200_000, random: noRandom)
        #expect(s.entries == before)
    }

    @Test func removedInFlightCameraIsForgottenWhenItsProbeCompletes() {
        var s = schedule([("a", 0), ("b", 0)])
        #expect(ids(s.takeDue(nowMs: 0, limit: 5)) == ["a", "b"])
        s.sync(cameraIDs: ["b"], nowMs: 10, random: noRandom)
        s.completed(cameraID: "a", depth: .full, ok: true, nowMs: 20, random: noRandom)
        #expect(s.entries["a"] == nil)
        #expect(s.entries.keys.sorted() == ["b"])
    }

    @Test func emptyListClearsSchedule() {
        var s = schedule([("a", 0), ("b", 10)])
        s.sync(cameraIDs: [String](), nowMs: 0, random: noRandom)
        #expect(s.entries.isEmpty)
        #expect(s.nextDueMs == nil)
        #expect(s.takeDue(nowMs: .max, limit: 10).isEmpty)
    }
}

@Suite struct ProbeScheduleTakeDueTests {
    @Test func onlyDueCamerasEarliestFirstTiesByID() {
        var s = schedule([("d", 30_000), ("a", 5_000), ("c", 1_000), ("b", 1_000), ("e", 10_001)])
        let due = s.takeDue(nowMs: 10_000, limit: 10)
        #expect(ids(due) == ["b", "c", "a"])
        #expect(depths(due) == [.full, .full, .full])
        #expect(s.entries["a"]?.inFlight == true)
        #expect(s.entries["b"]?.inFlight == true)
        #expect(s.entries["c"]?.inFlight == true)
        #expect(s.entries["d"]?.inFlight == false)
        #expect(s.entries["e"]?.inFlight == false)
        // Taking does not move the due times.
        #expect(s.entries["b"]?.nextDueMs == 1_000)
        #expect(s.entries["a"]?.nextDueMs == 5_000)
    }

    @Test func dueExactlyAtNowIsTaken() {
        var s = schedule([("a", 5_000)])
        #expect(s.takeDue(nowMs: 4_999, limit: 1).isEmpty)
        #expect(ids(s.takeDue(nowMs: 5_000, limit: 1)) == ["a"])
    }

    @Test func atMostLimitAndInFlightNotTakenTwice() {
        var s = schedule([("a", 3_000), ("b", 2_000), ("c", 1_000), ("d", 9_000)])
        #expect(ids(s.takeDue(nowMs: 5_000, limit: 2)) == ["c", "b"])
        #expect(s.entries["a"]?.inFlight == false)
        #expect(ids(s.takeDue(nowMs: 5_000, limit: 2)) == ["a"])
        #expect(s.takeDue(nowMs: 5_000, limit: 2).isEmpty)
        #expect(s.takeDue(nowMs: 8_999, limit: 2).isEmpty)
        #expect(ids(s.takeDue(nowMs: 9_000, limit: 2)) == ["d"])
        #expect(s.takeDue(nowMs: .max, limit: 10).isEmpty)
    }

    @Test func zeroOrNegativeLimitTakesNothing() {
        var s = schedule([("a", 0), ("b", 0)])
        #expect(s.takeDue(nowMs: 1_000, limit: 0).isEmpty)
        #expect(s.takeDue(nowMs: 1_000, limit: -3).isEmpty)
        #expect(s.entries.values.allSatisfy { !$0.inFlight })
        #expect(s.nextDueMs == 0)
    }

    @Test func nextDueIgnoresInFlight() {
        var s = ProbeSchedule(config: .init())
        #expect(s.nextDueMs == nil)
        s = schedule([("a", 1_000), ("b", 4_000), ("c", 2_000)])
        #expect(s.nextDueMs == 1_000)
        #expect(ids(s.takeDue(nowMs: 1_000, limit: 10)) == ["a"])
        #expect(s.nextDueMs == 2_000)
        // Overdue but in flight: not a reason to wake.
        #expect(ids(s.takeDue(nowMs: 4_000, limit: 10)) == ["c", "b"])
        #expect(s.nextDueMs == nil)
        s.completed(cameraID: "b", depth: .full, ok: false, nowMs: 4_100, random: noRandom)
        #expect(s.nextDueMs == 64_100)
    }
}

@Suite struct ProbeScheduleDepthTests {
    let config = ProbeSchedule.Config(intervalMs: 60_000, fullIntervalMs: 900_000, backoffCapMs: 600_000)

    @Test func firstProbeFullThenLightUntilFullIntervalSinceLastFull() {
        var s = schedule([("a", 0)], config: config)
        #expect(depths(s.takeDue(nowMs: 0, limit: 1)) == [.full])
        s.completed(cameraID: "a", depth: .full, ok: true, nowMs: 400, random: { _ in 0 })
        #expect(s.entries["a"] == ProbeSchedule.Entry(nextDueMs: 57_400, failures: 0, lastFullMs: 400))

        #expect(depths(s.takeDue(nowMs: 57_400, limit: 1)) == [.light])
        s.completed(cameraID: "a", depth: .light, ok: true, nowMs: 57_400, random: { _ in 0 })
        // A light probe does not count as full.
        #expect(s.entries["a"]?.lastFullMs == 400)

        // One millisecond short of the full interval since the last full: still light.
        #expect(depths(s.takeDue(nowMs: 900_399, limit: 1)) == [.light])
        s.completed(cameraID: "a", depth: .light, ok: true, nowMs: 900_399, random: { _ in 0 })
        #expect(s.entries["a"]?.nextDueMs == 957_399)
        #expect(depths(s.takeDue(nowMs: 957_399, limit: 1)) == [.full])
        s.completed(cameraID: "a", depth: .full, ok: true, nowMs: 957_500, random: { _ in 0 })
        #expect(s.entries["a"]?.lastFullMs == 957_500)
        #expect(depths(s.takeDue(nowMs: 1_014_500, limit: 1)) == [.light])
    }

    @Test func fullExactlyWhenFullIntervalHasPassed() {
        var s = schedule([("a", 0)], config: config)
        _ = s.takeDue(nowMs: 0, limit: 1)
        s.completed(cameraID: "a", depth: .full, ok: true, nowMs: 0, random: { _ in 0 })
        #expect(depths(s.takeDue(nowMs: 900_000, limit: 1)) == [.full])
    }

    @Test func failedFullProbeCountsAsTheLastFull() {
        var s = schedule([("a", 0)], config: config)
        _ = s.takeDue(nowMs: 0, limit: 1)
        s.completed(cameraID: "a", depth: .full, ok: false, nowMs: 100, random: noRandom)
        #expect(s.entries["a"]?.lastFullMs == 100)
        #expect(depths(s.takeDue(nowMs: 60_100, limit: 1)) == [.light])
    }

    @Test func stateChangeSeenByLightProbeRequestsFullAtOnce() {
        var s = schedule([("a", 0), ("b", 0)], config: config)
        _ = s.takeDue(nowMs: 0, limit: 2)
        s.completed(cameraID: "a", depth: .full, ok: true, nowMs: 0, random: { _ in 0 })
        s.completed(cameraID: "b", depth: .full, ok: true, nowMs: 0, random: { _ in 0 })
        #expect(depths(s.takeDue(nowMs: 57_000, limit: 1)) == [.light])
        s.completed(cameraID: "a", depth: .light, ok: false, nowMs: 57_000, random: noRandom)
        #expect(s.entries["a"]?.nextDueMs == 117_000)

        s.stateChanged(cameraID: "a", by: .light, nowMs: 57_300)
        #expect(s.entries["a"] == ProbeSchedule.Entry(nextDueMs: 57_300, failures: 1, lastFullMs: 0, fullRequested: true))
        #expect(s.nextDueMs == 57_000) // b, untouched
        let due = s.takeDue(nowMs: 57_300, limit: 2)
        #expect(ids(due) == ["b", "a"])
        #expect(depths(due) == [.light, .full])
        // The full probe clears the request.
        s.completed(cameraID: "a", depth: .full, ok: false, nowMs: 57_800, random: noRandom)
        #expect(s.entries["a"] == ProbeSchedule.Entry(nextDueMs: 177_800, failures: 2, lastFullMs: 57_800, fullRequested: false))
    }

    @Test func stateChangeDoesNotPostponeAnEarlierDue() {
        var s = schedule([("a", 1_000)], config: config)
        s.stateChanged(cameraID: "a", by: .light, nowMs: 5_000)
        #expect(s.entries["a"]?.nextDueMs == 1_000)
        #expect(s.entries["a"]?.fullRequested == true)
    }

    @Test func stateChangeWhileInFlightKeepsDueButRequestsFull() {
        var s = schedule([("a", 0)], config: config)
        _ = s.takeDue(nowMs: 0, limit: 1)
        s.completed(cameraID: "a", depth: .full, ok: true, nowMs: 0, random: { _ in 0 })
        _ = s.takeDue(nowMs: 57_000, limit: 1)
        s.stateChanged(cameraID: "a", by: .light, nowMs: 57_100)
        #expect(s.entries["a"] == ProbeSchedule.Entry(nextDueMs: 57_000, failures: 0, lastFullMs: 0, fullRequested: true, inFlight: true))
        // A light completion keeps the request: the next probe is full.
        s.completed(cameraID: "a", depth: .light, ok: true, nowMs: 57_200, random: { _ in 0 })
        #expect(s.entries["a"]?.fullRequested == true)
        #expect(depths(s.takeDue(nowMs: 114_200, limit: 1)) == [.full])
    }

    @Test func stateChangeSeenByFullProbeChangesNothing() {
        var s = schedule([("a", 0)], config: config)
        _ = s.takeDue(nowMs: 0, limit: 1)
        s.completed(cameraID: "a", depth: .full, ok: true, nowMs: 0, random: { _ in 0 })
        let before = s.entries
        s.stateChanged(cameraID: "a", by: .full, nowMs: 10_000)
        #expect(s.entries == before)
        s.stateChanged(cameraID: "zz", by: .light, nowMs: 10_000)
        #expect(s.entries == before)
    }
}

/// Interval 60 s, cap 600 s: failures → wait.
private let backoffCases: [(Int, Int64)] = [
    (-1, 60_000), (0, 60_000), (1, 60_000), (2, 120_000), (3, 240_000), (4, 480_000),
    (5, 600_000), (6, 600_000), (40, 600_000), (1_000, 600_000), (Int.max, 600_000),
]

@Suite struct ProbeScheduleRescheduleTests {
    let config = ProbeSchedule.Config(intervalMs: 60_000, fullIntervalMs: 900_000, backoffCapMs: 600_000)

    @Test func successReschedulesAtIntervalWithFivePercentJitter() {
        for (draw, expected) in [(Int64(0), Int64(1_057_000)), (3_000, 1_060_000), (6_000, 1_063_000)] {
            var s = schedule([("a", 0)], config: config)
            _ = s.takeDue(nowMs: 0, limit: 1)
            var asked: [Int64] = []
            s.completed(cameraID: "a", depth: .light, ok: true, nowMs: 1_000_000, random: { asked.append($0); return draw })
            #expect(asked == [6_001])
            #expect(s.entries["a"] == ProbeSchedule.Entry(nextDueMs: expected, failures: 0, lastFullMs: nil, fullRequested: false, inFlight: false))
        }
    }

    @Test func jitterIsAWholeTwentiethOfTheInterval() {
        var s = schedule([("a", 0)], config: .init(intervalMs: 1_010))
        _ = s.takeDue(nowMs: 0, limit: 1)
        var asked: [Int64] = []
        s.completed(cameraID: "a", depth: .light, ok: true, nowMs: 0, random: { asked.append($0); return 0 })
        #expect(asked == [101])           // 2 × (1010 / 20) + 1
        #expect(s.entries["a"]?.nextDueMs == 960) // 1010 − 50
    }

    @Test func failuresBackOffToTheCapThenSuccessResets() throws {
        var s = schedule([("a", 0)], config: config)
        var now: Int64 = 0
        var waits: [Int64] = []
        var failures: [Int] = []
        for _ in 0..<6 {
            #expect(ids(s.takeDue(nowMs: now, limit: 1)) == ["a"])
            s.completed(cameraID: "a", depth: .light, ok: false, nowMs: now, random: noRandom)
            let e = try #require(s.entries["a"])
            waits.append(e.nextDueMs - now)
            failures.append(e.failures)
            now = e.nextDueMs
        }
        #expect(waits == [60_000, 120_000, 240_000, 480_000, 600_000, 600_000])
        #expect(failures == [1, 2, 3, 4, 5, 6])

        _ = s.takeDue(nowMs: now, limit: 1)
        s.completed(cameraID: "a", depth: .light, ok: true, nowMs: now, random: { _ in 3_000 })
        #expect(s.entries["a"]?.failures == 0)
        #expect(s.entries["a"]?.nextDueMs == now + 60_000)

        // The next failure starts over at one interval.
        now += 60_000
        _ = s.takeDue(nowMs: now, limit: 1)
        s.completed(cameraID: "a", depth: .light, ok: false, nowMs: now, random: noRandom)
        #expect(s.entries["a"]?.failures == 1)
        #expect(s.entries["a"]?.nextDueMs == now + 60_000)
    }

    @Test func completedForUnknownCameraIsIgnored() {
        var s = schedule([("a", 0)], config: config)
        let before = s.entries
        s.completed(cameraID: "zz", depth: .full, ok: true, nowMs: 5, random: noRandom)
        #expect(s.entries == before)
    }

    @Test(arguments: backoffCases)
    func backoffValues(failures: Int, expected: Int64) {
        #expect(ProbeSchedule(config: config).backoffMs(failures: failures) == expected)
    }

    @Test func capBetweenDoublingsIsReachedExactly() {
        let s = ProbeSchedule(config: .init(intervalMs: 60_000, backoffCapMs: 200_000))
        #expect((1...5).map { s.backoffMs(failures: $0) } == [60_000, 120_000, 200_000, 200_000, 200_000])
    }

    @Test func capBelowIntervalNeverShortensBelowInterval() {
        let s = ProbeSchedule(config: .init(intervalMs: 60_000, backoffCapMs: 30_000))
        #expect((0...8).map { s.backoffMs(failures: $0) } == Array(repeating: 60_000, count: 9))
        let equal = ProbeSchedule(config: .init(intervalMs: 60_000, backoffCapMs: 60_000))
        #expect((1...4).map { equal.backoffMs(failures: $0) } == [60_000, 60_000, 60_000, 60_000])

        var sched = schedule([("a", 0)], config: .init(intervalMs: 60_000, backoffCapMs: 30_000))
        var now: Int64 = 0
        for _ in 0..<4 {
            _ = sched.takeDue(nowMs: now, limit: 1)
            sched.completed(cameraID: "a", depth: .light, ok: false, nowMs: now, random: noRandom)
            #expect(sched.entries["a"]?.nextDueMs == now + 60_000)
            now += 60_000
        }
    }

    @Test func uncappedBackoffDoublesWithoutOverflow() {
        let s = ProbeSchedule(config: .init(intervalMs: 60_000, backoffCapMs: .max))
        #expect(s.backoffMs(failures: 10) == 60_000 << 9)
        // Doubling stops after 39 steps, far below overflow.
        #expect(s.backoffMs(failures: 40) == 60_000 << 39)
        #expect(s.backoffMs(failures: 1_000) == 60_000 << 39)
    }
}
