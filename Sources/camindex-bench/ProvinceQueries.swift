import ArgumentParser
import CamindexCore
import CamindexKPI
import CamindexProvince
import CamindexService
import Foundation

/// Province query latency in one process: one `ProvinceReader` connection, the Service's
/// `Queries` calls that `camindex query` and `camindex health` make, timed around each call
/// (the connection is opened once, so process start and connecting are not in the figures).
/// The questions are random but seeded; `--emit-cli` writes the same questions as `camindex
/// query` arguments, for the whole-process measurement of Scripts/bench.
struct ProvinceQueries: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "province-queries",
        abstract: "p50/p99 of county×day, city (else county)×hour, 800 m radius×hour queries and health on a province.")

    @Option(help: "The province's postgresql:// URL.") var db: String
    @Option(help: "Queries of each footage kind.") var runs = 200
    @Option(help: "Runs of health over the whole province.") var healthRuns = 20
    @Option(help: "The footage ends at this UTC millisecond (health runs at this instant).") var endMs = BenchCounty.endMs
    @Option(help: "Days of footage before --end-ms to pick dates from.") var days = 30
    @Option var radius = 800.0
    @Option var seed: UInt64 = 5
    @Option(help: "Write the footage questions as camindex query arguments here, one a line: KIND<TAB>ARGS.") var emitCli: String?

    func run() throws {
        let reader = try ProvinceReader(url: try ProvinceURL(db))
        let queries = Queries(reader: reader, clock: FixedClock(Instant(ms: endMs)))
        let regions = try reader.regionTree(under: nil).map(\.region)
        let counties = regions.filter { $0.level == 6 }.map(\.code)
        // A city is the 4-digit code above its counties, once the province knows such regions.
        let cities = regions.filter { $0.level == 4 }.map(\.code)
        let positions = try reader.cameras(in: nil, includeDisabled: false).compactMap(\.coordinate)
        guard !counties.isEmpty, !positions.isEmpty else { throw ValidationError("the province has no counties or no camera with a position") }

        var rng = SplitMix(seed: seed)
        // Local (UTC+8) days inside the footage: its last `days` days.
        let lastDay = (endMs + 8 * BenchCounty.hourMs).dividedRoundingDown(by: BenchCounty.dayMs) * BenchCounty.dayMs - 8 * BenchCounty.hourMs
        func day() -> Int64 { lastDay - Int64(Int.random(in: 1...max(1, days), using: &rng)) * BenchCounty.dayMs }
        func hour() -> Int64 { day() + Int64(Int.random(in: 0..<24, using: &rng)) * BenchCounty.hourMs }
        let areaKind = cities.isEmpty ? "county_hour" : "city_hour"
        var questions: [(kind: String, q: FootageQuery, cli: String)] = []
        for _ in 0..<runs {
            let county = counties.randomElement(using: &rng)!
            let d = day()
            questions.append(("county_day", FootageQuery(selector: .region(county), from: Self.rfc3339(d), to: Self.rfc3339(d + BenchCounty.dayMs)),
                              "--region \(county) --from \(Self.rfc3339(d)) --to \(Self.rfc3339(d + BenchCounty.dayMs))"))
        }
        for _ in 0..<runs {
            let area = (cities.isEmpty ? counties : cities).randomElement(using: &rng)!
            let h = hour()
            questions.append((areaKind, FootageQuery(selector: .region(area), from: Self.rfc3339(h), to: Self.rfc3339(h + BenchCounty.hourMs)),
                              "--region \(area) --from \(Self.rfc3339(h)) --to \(Self.rfc3339(h + BenchCounty.hourMs))"))
        }
        for _ in 0..<runs {
            // Near a camera, up to ~300 m off it: every question has cameras to find.
            let p = positions.randomElement(using: &rng)!
            let point = try Coordinate(lat: p.lat + Double.random(in: -0.003...0.003, using: &rng),
                                       lon: p.lon + Double.random(in: -0.003...0.003, using: &rng))
            let h = hour()
            let near = String(format: "%.5f,%.5f", point.lat, point.lon)
            questions.append(("radius_hour", FootageQuery(selector: .near(point, radiusM: radius), from: Self.rfc3339(h), to: Self.rfc3339(h + BenchCounty.hourMs)),
                              "--near \(near) --radius \(Int(radius)) --from \(Self.rfc3339(h)) --to \(Self.rfc3339(h + BenchCounty.hourMs))"))
        }
        if let emitCli {
            try questions.map { "\($0.kind)\t\($0.cli)\n" }.joined().write(toFile: emitCli, atomically: true, encoding: .utf8)
        }

        let clock = ContinuousClock()
        var out: [String: Any] = ["cameras_with_position": positions.count, "counties": counties.count, "cities": cities.count]
        // Warm-up, not timed: the server's caches and this process's code paths.
        for kind in [questions.first!, questions[runs], questions[2 * runs]] { _ = try queries.footage(kind.q) }
        for kind in ["county_day", areaKind, "radius_hour"] {
            var took: [Double] = [], cams: [Int] = [], windows: [Int] = []
            for q in questions where q.kind == kind {
                let t = clock.now
                let answer = try queries.footage(q.q)
                took.append(ms(clock.now - t))
                cams.append(answer.cameras.count)
                windows.append(answer.cameras.reduce(0) { $0 + $1.windows.count })
            }
            out[kind] = Self.summary(took, ["cameras_mean": cams.reduce(0, +) / max(1, cams.count), "cameras_min": cams.min() ?? 0,
                                            "windows_mean": windows.reduce(0, +) / max(1, windows.count)])
        }
        var took: [Double] = [], checked = 0, status = ""
        for _ in 0..<max(1, healthRuns) {
            let t = clock.now
            let result = try queries.health(region: nil, thresholds: HealthThresholds(), checks: [])
            took.append(ms(clock.now - t))
            checked = result.facts.cameras.count
            status = "\(result.status)"
        }
        out["health"] = Self.summary(took, ["cameras": checked, "status": status])
        printJSON(out)
    }

    static func summary(_ took: [Double], _ extra: [String: Any]) -> [String: Any] {
        var s: [String: Any] = ["runs": took.count, "p50_ms": round3(percentile(took, 0.5)), "p99_ms": round3(percentile(took, 0.99)),
                                "max_ms": round3(took.max() ?? 0)]
        for (k, v) in extra { s[k] = v }
        return s
    }

    /// `2026-11-20T14:00+08:00`: the cameras' zone, as police type it.
    static func rfc3339(_ ms: Int64) -> String {
        let c = CivilTime(msAsUTC: ms + 8 * BenchCounty.hourMs)
        return String(format: "%04d-%02d-%02dT%02d:%02d+08:00", c.year, c.month, c.day, c.hour, c.minute)
    }
}
