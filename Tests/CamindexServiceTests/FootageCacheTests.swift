import CamindexCore
import CamindexService
import CamindexStore
import Testing

/// Footage answers kept between requests: given again while the store's counters say nothing
/// they were read from changed, read again as soon as something did — a file of that day, a
/// camera of the registry — and never given to a user of another scope.
@Suite struct FootageCacheTests {
    // 2026-11-20 08:00 +08:00 (00:00 UTC): the local day is two UTC days.
    static let t0 = Instant(ms: 1_795_132_800_000)
    static let day = FootageGenerations.dayMs
    let clock = FixedClock(Instant(ms: 1_795_132_800_000 + 2 * 86_400_000))

    func store() throws -> Store {
        let store = try Store.inMemory(clock: clock)
        _ = try store.addRegion(code: RegionCode("620723"), name: "临泽县")
        _ = try store.addRegion(code: RegionCode("620723100"), name: "沙河镇")
        _ = try store.addRegion(code: RegionCode("620723101"), name: "新华镇")
        for (id, region) in [("cam-a", "620723100"), ("cam-b", "620723100"), ("cam-c", "620723101")] {
            try store.addCamera(Camera(id: id, name: id, regionCode: region, recordings: "/srv/\(id)", lat: 39.1, lon: 100.1, at: clock.now()))
            try save(store, id, at: Self.t0.ms)
        }
        return store
    }

    func save(_ store: Store, _ camera: String, at start: Int64, minutes: Int64 = 10) throws {
        let end = start + minutes * 60_000
        try store.saveSegment(cameraID: camera, SegmentRecord(
            path: "/srv/\(camera)/\(start).mp4", size: 1000, mtimeMs: end, startMs: start, endMs: end, startSource: .path,
            container: "mov", codec: "h264", width: 640, height: 360, fps: 25, firstPtsMs: 0,
            keyframeOffsetsMs: Array(stride(from: 0, to: minutes * 60_000, by: 2000)), method: "scan", verified: true,
            truncated: false, damagedKeyframes: 0, runs: [Interval(startMs: start, endMs: end)]))
    }

    func township(_ from: String = "2026-11-20 00:00", _ to: String = "2026-11-20 23:59") -> FootageQuery {
        FootageQuery(selector: .region("620723100"), from: from, to: to)
    }

    func covered(_ answer: FootageAnswer) -> [String: Int64] {
        Dictionary(uniqueKeysWithValues: answer.cameras.map { ($0.camera.id, $0.coveredMs) })
    }

    @Test func daysAreFloorsAndReachBackByTheLongestRow() {
        #expect(FootageGenerations.day(ofMs: 0) == 0 && FootageGenerations.day(ofMs: Self.day - 1) == 0)
        #expect(FootageGenerations.day(ofMs: -1) == -1 && FootageGenerations.day(ofMs: -Self.day) == -1)
        let t = Self.t0.ms  // a UTC midnight: day 20777
        #expect(FootageGenerations.day(ofMs: t) == 20_777)
        // A range of one UTC day, rows up to a day long, a 2 s gap: from the day of its start
        // less a day and 2 s (two days before) to the day of its end (the day after).
        #expect(FootageGenerations.days(range: Interval(startMs: t, endMs: t + Self.day), gapMs: 2000, longestRowMs: Self.day) == 20_775...20_778)
        #expect(FootageGenerations.days(range: Interval(startMs: t + 3_600_000, endMs: t + 7_200_000), gapMs: 0, longestRowMs: 600_000) == 20_777...20_777)
    }

    @Test func countersMoveForTheDayChangedOnly() throws {
        let store = try store()
        let range = Interval(startMs: Self.t0.ms, endMs: Self.t0.ms + 3_600_000)
        let later = Interval(startMs: Self.t0.ms + 3 * Self.day, endMs: Self.t0.ms + 3 * Self.day + 3_600_000)
        let before = try #require(try store.footageGenerations(range: range, gapMs: 2000))
        let laterBefore = try #require(try store.footageGenerations(range: later, gapMs: 2000))
        let registry = try #require(try store.registryGeneration())
        try save(store, "cam-c", at: Self.t0.ms + 1_800_000)
        #expect(try store.footageGenerations(range: range, gapMs: 2000) != before)
        #expect(try store.footageGenerations(range: later, gapMs: 2000) == laterBefore)
        #expect(try store.registryGeneration() == registry, "a file is not the registry")
        // The next file of cam-a, adjacent: its stored window is extended (a row updated).
        var extended = try store.footageGenerations(range: range, gapMs: 2000)
        try save(store, "cam-a", at: Self.t0.ms + 600_000)
        #expect(try store.footageGenerations(range: range, gapMs: 2000) != extended, "a window extended")
        extended = try store.footageGenerations(range: range, gapMs: 2000)
        // The same file again, grown.
        try save(store, "cam-c", at: Self.t0.ms + 1_800_000, minutes: 20)
        #expect(try store.footageGenerations(range: range, gapMs: 2000) != extended, "a file grown")
        var after = try store.footageGenerations(range: range, gapMs: 2000)
        after = try store.footageGenerations(range: range, gapMs: 2000)
        try store.deleteSegments(cameraID: "cam-c", paths: ["/srv/cam-c/\(Self.t0.ms + 1_800_000).mp4"])
        #expect(try store.footageGenerations(range: range, gapMs: 2000) != after, "a file gone")
        var camera = try #require(try store.camera(id: "cam-b"))
        camera.name = "西关路口"
        try store.updateCamera(camera)
        #expect(try store.registryGeneration() != registry)
    }

    @Test func anAnswerIsKeptUntilItsFootageOrRegistryChanges() throws {
        let store = try store()
        let service = IndexService(store: store, caller: Caller(name: "shell"))
        let first = try service.footage(township())
        #expect(covered(first) == ["cam-a": 600_000, "cam-b": 600_000])
        #expect(try service.footage(township()).cameras.map(\.coveredMs) == first.cameras.map(\.coveredMs))
        #expect(service.answers.held.served == 1)
        // A file of another day (three days on): the answer stays.
        try save(store, "cam-a", at: Self.t0.ms + 3 * Self.day)
        _ = try service.footage(township())
        #expect(service.answers.held.served == 2)
        // A file of that day: read again, with it.
        try save(store, "cam-b", at: Self.t0.ms + 3_600_000)
        #expect(covered(try service.footage(township())) == ["cam-a": 600_000, "cam-b": 1_200_000])
        #expect(service.answers.held.served == 2)
        // A file of the UTC day before the range's first (07:55 to 08:25, 08:00 being 00:00 UTC)
        // whose footage reaches into it.
        let morning = township("2026-11-20 08:00", "2026-11-20 12:00")
        #expect(covered(try service.footage(morning))["cam-a"] == 600_000)
        try save(store, "cam-a", at: Self.t0.ms - 300_000, minutes: 30)
        #expect(covered(try service.footage(morning))["cam-a"] == 1_500_000)
        // A camera moved into the township.
        var c = try #require(try store.camera(id: "cam-c"))
        c.regionCode = "620723100"
        try store.updateCamera(c)
        #expect(try service.footage(township()).cameras.map(\.camera.id) == ["cam-a", "cam-b", "cam-c"])
        // Relative and other spellings of the same range are the same question.
        _ = try service.footage(township("2026-11-20T00:00:00+08:00", "2026-11-20T23:59:00+08:00"))
        #expect(service.answers.held.served == 3)
    }

    @Test func liveAnswersAreNeverKept() throws {
        let service = IndexService(store: try store(), caller: Caller(name: "shell"))
        var q = township()
        q.live = true
        _ = try service.footage(q)
        _ = try service.footage(q)
        #expect(service.answers.held.served == 0 && service.answers.held.answers == 0)
    }

    @Test func aKeptAnswerIsNeverAnotherScopesAnswer() throws {
        let store = try store()
        let shell = IndexService(store: store, caller: Caller(name: "shell"))
        func user(_ name: String, _ regions: [String]) -> IndexService {
            shell.acting(as: .user(UserAccount(name: name, role: .police, regions: regions, disabled: false, createdAt: Self.t0, passwordChangedAt: Self.t0),
                                   invocation: ["GET /test"]))
        }
        let county = FootageQuery(selector: .region("620723"), from: "2026-11-20 00:00", to: "2026-11-20 23:59")
        #expect(try shell.footage(county).cameras.map(\.camera.id) == ["cam-a", "cam-b", "cam-c"])
        // An unscoped user shares the shell's answer; a township's user does not see it.
        #expect(try user("all", []).footage(county).cameras.count == 3)
        #expect(shell.answers.held.served == 1)
        let xinhua = user("xh", ["620723101"])
        #expect(try xinhua.footage(FootageQuery(selector: .region("620723101"), from: "2026-11-20 00:00", to: "2026-11-20 23:59"))
            .cameras.map(\.camera.id) == ["cam-c"])
        #expect(throws: CamindexError.self) { try xinhua.footage(county) }
        #expect(throws: CamindexError.self) {
            try xinhua.footage(FootageQuery(selector: .cameras(["cam-a", "cam-c"]), from: "2026-11-20 00:00", to: "2026-11-20 23:59"))
        }
        #expect(shell.answers.held.served == 1)
    }

    @Test func theBoundDropsTheLeastRecentlyUsed() throws {
        let service = IndexService(store: try store(), caller: Caller(name: "shell"), answers: FootageCache(limitBytes: 24_000))
        for day in 10...25 { _ = try service.footage(township("2026-11-\(day) 00:00", "2026-11-\(day) 23:59")) }
        #expect(service.answers.held.bytes <= 24_000 && (2..<16).contains(service.answers.held.answers))
        _ = try service.footage(township("2026-11-25 00:00", "2026-11-25 23:59"))
        #expect(service.answers.held.served == 1)
        _ = try service.footage(township("2026-11-10 00:00", "2026-11-10 23:59"))
        #expect(service.answers.held.served == 1, "dropped")
    }
}
