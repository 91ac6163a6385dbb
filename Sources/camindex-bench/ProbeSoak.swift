import ArgumentParser
import CamindexCore
import CamindexDaemon
import CamindexService
import CamindexMedia
import Foundation
import Logging

/// Many probe cycles in one process, as the daemon runs them (one blocking pool and prober for
/// the process' life), sampling the process' own resident memory, open descriptors and threads
/// after chosen cycles: a leak of FFmpeg contexts or sockets shows as growth.
struct ProbeSoak: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe-soak",
        abstract: "Run N probe cycles and sample VmRSS, open file descriptors and threads after chosen cycles.")

    @Option var urls: String
    @Option var cycles = 100
    @Option var concurrency = 32
    @Option(help: "Deadline of one probe, seconds.") var deadline = 2.0
    @Option var depth = "light"
    @Option(help: "Cycles after which to sample (comma-separated).") var samples = "1,10,50,100"

    func run() async throws {
        FFmpegLog.install(logger: Logger(label: "ffmpeg", factory: { _ in SwiftLogNoOpLogHandler() }))
        let list = try readURLList(urls)
        let pool = BlockingPool(threads: concurrency)
        let prober = FFmpegLiveProber(pool: pool, deadline: .milliseconds(Int64(deadline * 1000)))
        let d = ProbeResult.Depth(rawValue: depth) ?? .light
        let sampleAt = Set(samples.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } + [cycles])
        var taken: [[String: Any]] = []
        var cycleSeconds: [Double] = []
        var worst = 0.0
        var failures: [String: Int] = [:]
        let before = Self.status()
        for c in 1...cycles {
            let o = await runProbeCycle(list, prober: prober, depth: d, concurrency: concurrency)
            cycleSeconds.append(o.totalMs / 1000)
            worst = max(worst, o.durations.max() ?? 0)
            for (k, v) in o.failures { failures[k, default: 0] += v }
            if sampleAt.contains(c) {
                let s = Self.status()
                taken.append(["cycle": c, "rss_kb": s.rssKB, "fds": s.fds, "threads": s.threads,
                              "cycle_s": (o.totalMs / 10).rounded() / 100])
                FileHandle.standardError.write(Data("probe-soak: cycle \(c): rss \(s.rssKB) kB, \(s.fds) fds, \(s.threads) threads\n".utf8))
            }
        }
        pool.shutdown()
        func rss(_ cycle: Int) -> Double? { (taken.first { $0["cycle"] as? Int == cycle }?["rss_kb"] as? Int).map(Double.init) }
        var out: [String: Any] = [
            "cameras": list.count, "cycles": cycles, "concurrency": concurrency, "deadline_s": deadline, "depth": depth,
            "rss_kb_before": before.rssKB, "fds_before": before.fds,
            "samples": taken,
            "cycle_s_p50": (percentile(cycleSeconds, 0.5) * 100).rounded() / 100,
            "cycle_s_max": ((cycleSeconds.max() ?? 0) * 100).rounded() / 100,
            "worst_overrun_ms": max(0, worst - deadline * 1000).rounded(),
            "failures_per_cycle": failures.mapValues { $0 / cycles },
        ]
        if let first = rss(1), let last = rss(cycles) { out["rss_growth_pct_from_cycle_1"] = ((last / first - 1) * 1000).rounded() / 10 }
        if let tenth = rss(10), let last = rss(cycles), cycles > 10 { out["rss_growth_pct_from_cycle_10"] = ((last / tenth - 1) * 1000).rounded() / 10 }
        printJSON(out)
    }

    /// VmRSS and threads from /proc/self/status, open descriptors from /proc/self/fd.
    static func status() -> (rssKB: Int, fds: Int, threads: Int) {
        let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return -1 }
            return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? -1
        }
        let fds = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").count) ?? -1
        return (field("VmRSS"), fds, field("Threads"))
    }
}
