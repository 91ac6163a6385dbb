import ArgumentParser
import CamindexCore
import CamindexStore
import Foundation

/// Query latency on a store made by `county-store`: the four shapes of question police ask,
/// answered as `camindex query` does (the region's cameras, then `Store.windows(cameraIDs:range:)`
/// in one read snapshot), and the same answers from the Frigate-style table (one row per file,
/// index on camera and start) with the naive overlap query, merged in Swift.
struct QueryLatency: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "query-latency",
        abstract: "p50/p99 of camera×day, village×hour, township×day and county×hour queries, camindex vs a naive schema.")

    @Option var db: String
    @Option(help: "The Frigate-style database written by county-store --naive-db.") var naiveDb: String?
    @Option(help: "Multiplies the number of queries of each kind.") var scale = 1.0
    @Option(help: "Holes bridged, seconds (camindex query's --max-gap).") var maxGap = 2.0
    @Option var seed: UInt64 = 7

    struct Kind {
        var name: String
        var level: Int?  // region level, nil for one camera
        var spanMs: Int64
        var iterations: Int
        var naiveIterations: Int
    }

    func run() throws {
        let store = try Store.open(path: db, create: false)
        let regions = try store.regionTree(under: nil).map(\.region)
        let extent = try store.footageExtent()
        let (firstMs, lastMs) = (extent?.start.ms ?? 0, extent?.end.ms ?? 0)
        let cameraIDs = try store.cameras(in: nil, includeDisabled: true).map(\.id)
        let naive = try naiveDb.map(FrigateStyleBaseline.open(path:))
        let byLevel = Dictionary(grouping: regions, by: \.level)
        let kinds = [
            Kind(name: "camera_day", level: nil, spanMs: BenchCounty.dayMs, iterations: Int(1000 * scale), naiveIterations: Int(1000 * scale)),
            Kind(name: "village_hour", level: 12, spanMs: BenchCounty.hourMs, iterations: Int(500 * scale), naiveIterations: Int(300 * scale)),
            Kind(name: "township_day", level: 9, spanMs: BenchCounty.dayMs, iterations: Int(200 * scale), naiveIterations: Int(40 * scale)),
            Kind(name: "county_hour", level: 6, spanMs: BenchCounty.hourMs, iterations: Int(50 * scale), naiveIterations: Int(10 * scale)),
        ]
        let maxGapMs = Int64((maxGap * 1000).rounded())
        var rng = SplitMix(seed: seed)
        let clock = ContinuousClock()
        var results: [String: Any] = [:]
        // Local (UTC+8) midnights and hours inside the generated period.
        let firstDay = (firstMs + 8 * BenchCounty.hourMs).dividedRoundingDown(by: BenchCounty.dayMs) * BenchCounty.dayMs - 8 * BenchCounty.hourMs
        let dayCount = max(1, Int((lastMs - firstDay) / BenchCounty.dayMs))

        for kind in kinds {
            // The same questions for both schemas.
            var questions: [(cameras: () throws -> [String], range: Interval, label: String)] = []
            for _ in 0..<max(kind.iterations, 1) {
                let day = firstDay + Int64(Int.random(in: 0..<dayCount, using: &rng)) * BenchCounty.dayMs
                let start = kind.spanMs == BenchCounty.dayMs ? day : day + Int64(Int.random(in: 0..<24, using: &rng)) * BenchCounty.hourMs
                let range = Interval(startMs: start, endMs: start + kind.spanMs)
                if let level = kind.level {
                    guard let pool = byLevel[level], !pool.isEmpty else { break }
                    let region = pool[Int.random(in: 0..<pool.count, using: &rng)]
                    questions.append(({ try store.cameras(in: region, includeDisabled: false).map(\.id) }, range, region.code))
                } else {
                    let id = cameraIDs[Int.random(in: 0..<cameraIDs.count, using: &rng)]
                    questions.append(({ [try store.requireCamera(id: id).id] }, range, id))
                }
            }
            guard !questions.isEmpty else { continue }
            // Warm-up: the same code paths and pages, not timed.
            for q in questions.prefix(3) { _ = try store.windows(cameraIDs: try q.cameras(), range: q.range, maxGapMs: maxGapMs) }

            var total: [Double] = [], lookup: [Double] = [], camerasPerQuery: [Int] = [], covered: [Int64] = []
            for q in questions {
                let t0 = clock.now
                let ids = try q.cameras()
                let t1 = clock.now
                let w = try store.windows(cameraIDs: ids, range: q.range, maxGapMs: maxGapMs)
                let t2 = clock.now
                total.append(ms(t2 - t0))
                lookup.append(ms(t1 - t0))
                camerasPerQuery.append(ids.count)
                covered.append(w.values.reduce(0) { $0 + Windows.coveredMs($1.map(\.interval)) })
            }
            var entry: [String: Any] = [
                "queries": questions.count,
                "cameras_per_query": camerasPerQuery.reduce(0, +) / camerasPerQuery.count,
                "p50_ms": round3(percentile(total, 0.5)), "p99_ms": round3(percentile(total, 0.99)),
                "max_ms": round3(total.max() ?? 0),
                "camera_lookup_p50_ms": round3(percentile(lookup, 0.5)),
            ]
            if let naive {
                var naiveTotal: [Double] = []
                var mismatched = 0
                for _ in 0..<1 { _ = try naive.windows(cameraIDs: try questions[0].cameras(), range: questions[0].range, maxGapMs: maxGapMs) }
                for (i, q) in questions.prefix(max(kind.naiveIterations, 1)).enumerated() {
                    let t0 = clock.now
                    let ids = try q.cameras()
                    let w = try naive.windows(cameraIDs: ids, range: q.range, maxGapMs: maxGapMs)
                    naiveTotal.append(ms(clock.now - t0))
                    let c = w.values.reduce(0) { $0 + Windows.coveredMs($1.map(\.interval)) }
                    if c != covered[i] { mismatched += 1 }
                }
                entry["naive_queries"] = naiveTotal.count
                entry["naive_p50_ms"] = round3(percentile(naiveTotal, 0.5))
                entry["naive_p99_ms"] = round3(percentile(naiveTotal, 0.99))
                entry["naive_over_camindex_p50"] = round3(percentile(naiveTotal, 0.5) / max(percentile(total, 0.5), 1e-6))
                // One row per file cannot hold a hole inside a file (a timestamp jump): such answers differ.
                entry["answers_differing"] = mismatched
            }
            results[kind.name] = entry
        }
        var out: [String: Any] = ["store_bytes": fileBytes(db), "cameras": cameraIDs.count, "max_gap_s": maxGap, "queries": results]
        if let naiveDb { out["naive_bytes"] = fileBytes(naiveDb) }
        printJSON(out)
    }

}

func round3(_ v: Double) -> Double { (v * 1000).rounded() / 1000 }
