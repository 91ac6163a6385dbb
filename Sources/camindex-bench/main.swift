import ArgumentParser
import CamindexCore
import CamindexDaemon
import CamindexService
import CamindexMedia
import CamindexStore
import Foundation
import Logging

/// Measurements for BENCHMARKS.md. Each subcommand prints one JSON object.
/// (Top-level entry rather than `@main`: the target has several files, and this one is main.swift.)
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "camindex-bench",
        abstract: "camindex measurements (run through Scripts/bench).",
        subcommands: [ProbeCycle.self, StoreWrites.self, CountyStore.self, QueryLatency.self, ProbeSoak.self, SegmentRead.self, CountyLive.self, Export.self, SpanCheck.self,
                      PeriodicScan.self, VQDSet.self, VQDCost.self, ProvinceQueries.self]
    )
}

func printJSON(_ value: [String: Any]) {
    let data = try! JSONSerialization.data(withJSONObject: value, options: [.sortedKeys])
    print(String(decoding: data, as: UTF8.self))
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    guard !values.isEmpty else { return 0 }
    let sorted = values.sorted()
    return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
}

func ms(_ d: Duration) -> Double { Double(d.components.seconds) * 1000 + Double(d.components.attoseconds) / 1e15 }

/// One probe cycle over a list of URLs, as the daemon runs it: the blocking pool, bounded
/// concurrency, a deadline per probe.
struct ProbeCycle: AsyncParsableCommand {
    @Option var urls: String
    @Option var concurrency = 32
    @Option var deadline = 10.0
    @Option var depth = "light"

    func run() async throws {
        FFmpegLog.install(logger: Logger(label: "ffmpeg", factory: { _ in SwiftLogNoOpLogHandler() }))
        let list = try readURLList(urls)
        let pool = BlockingPool(threads: concurrency)
        let prober = FFmpegLiveProber(pool: pool, deadline: .milliseconds(Int64(deadline * 1000)))
        let d = ProbeResult.Depth(rawValue: depth) ?? .light
        let cycle = await runProbeCycle(list, prober: prober, depth: d, concurrency: concurrency)
        pool.shutdown()
        printJSON([
            "probes": list.count, "concurrency": concurrency, "deadline_s": deadline, "depth": depth,
            "cycle_s": (cycle.totalMs / 10).rounded() / 100,
            "p50_ms": percentile(cycle.durations, 0.5).rounded(), "p99_ms": percentile(cycle.durations, 0.99).rounded(),
            "max_ms": (cycle.durations.max() ?? 0).rounded(),
            "worst_overrun_ms": max(0, (cycle.durations.max() ?? 0) - deadline * 1000).rounded(),
            "failures": cycle.failures,
        ])
    }
}

func readURLList(_ path: String) throws -> [String] {
    try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
}

struct CycleOutcome {
    var durations: [Double] = []
    var failures: [String: Int] = [:]
    var totalMs: Double = 0
}

/// One probe cycle as the daemon runs it: at most `concurrency` probes at once on the
/// blocking pool, each under the prober's deadline.
func runProbeCycle(_ list: [String], prober: FFmpegLiveProber, depth: ProbeResult.Depth, concurrency: Int) async -> CycleOutcome {
    let clock = ContinuousClock()
    let start = clock.now
    var out = CycleOutcome()
    out.durations.reserveCapacity(list.count)
    await withTaskGroup(of: (ProbeResult, Double).self) { group in
        var next = 0
        func launch() {
            let url = list[next]
            next += 1
            group.addTask {
                let t = clock.now
                let r = await prober.probe(url: url, depth: depth)
                return (r, ms(clock.now - t))
            }
        }
        while next < min(concurrency, list.count) { launch() }
        while let (r, took) = await group.next() {
            out.durations.append(took)
            if !r.ok { out.failures[r.error?.rawValue ?? "other", default: 0] += 1 }
            if next < list.count { launch() }
        }
    }
    out.totalMs = ms(clock.now - start)
    return out
}

/// How fast the store takes the daemon's writes: probe batches and segment files, while a
/// reader queries windows in another process-like connection.
struct StoreWrites: AsyncParsableCommand {
    @Option var db: String
    @Option var cameras = 2000
    @Option var probes = 20000
    @Option var segments = 5000

    func run() async throws {
        try? FileManager.default.removeItem(atPath: db)
        let store = try Store.open(path: db, create: true)
        _ = try store.addRegion(code: RegionCode("620723"), name: "临泽县")
        _ = try store.addRegion(code: RegionCode("620723100"), name: "沙河镇")
        for i in 0..<cameras {
            try store.addCamera(Camera(id: "cam-\(i)", name: "cam \(i)", regionCode: "620723100", url: "rtsp://127.0.0.1/\(i)", at: store.clock.now()))
        }
        let clock = ContinuousClock()
        let base: Int64 = 1_795_132_800_000
        // Light probes in batches of 64 (the daemon's flush size); every 10th fails.
        var t = clock.now
        var i = 0
        while i < probes {
            var batch: [(cameraID: String, result: ProbeResult)] = []
            for k in i..<min(i + 64, probes) {
                let failed = k % 10 == 0
                let result = ProbeResult(at: Instant(ms: base + Int64(k) * 30), depth: .light, ok: !failed,
                                         error: failed ? ProbeResult.ErrorClass.timeout : nil, durationMs: 40)
                batch.append((cameraID: "cam-\(k % cameras)", result: result))
            }
            try store.recordProbes(batch)
            i += 64
        }
        let probeSeconds = ms(clock.now - t) / 1000
        // Segment files, one transaction each (as the indexer writes them), 60 s each.
        t = clock.now
        for k in 0..<segments {
            let start = base + Int64(k / cameras) * 60_000
            try store.saveSegment(cameraID: "cam-\(k % cameras)", SegmentRecord(
                path: "/rec/\(k).mp4", size: 1, mtimeMs: 1, startMs: start, endMs: start + 60_000, startSource: .path,
                container: "mov", codec: "h264", width: 1920, height: 1080, fps: 25, firstPtsMs: 0,
                keyframeOffsetsMs: Array(stride(from: 0, to: 60_000, by: 2000)), method: "index", verified: false,
                truncated: false, damagedKeyframes: 0, runs: [Interval(startMs: start, endMs: start + 60_000)]))
        }
        let segmentSeconds = ms(clock.now - t) / 1000
        printJSON([
            "probe_results": probes, "probe_results_per_s": (Double(probes) / probeSeconds).rounded(),
            "segments": segments, "segments_per_s": (Double(segments) / segmentSeconds).rounded(),
        ])
    }
}

// The entry point: top-level code (this file is main.swift), dispatching in Bench.execute().
await Bench.execute()
