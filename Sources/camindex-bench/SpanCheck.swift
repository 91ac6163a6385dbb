import ArgumentParser
import CamindexCore
import CamindexMedia
import Foundation
import Logging

/// Issue 15: files whose timestamps were mutated, read in-process both ways (container index
/// where there is one, and the packet scan): how many claim a longer span than the source they
/// were copied from. Files are named `<n>-s<k>.<ext>`, `k` indexing `--sources`.
struct SpanCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "span-check",
        abstract: "Count mutated files whose span (fast and scan) exceeds their source's.")

    @Option(help: "Directory of mutated files named <n>-s<k>.<ext>.") var dir: String
    @Option(help: "Comma-separated source files, in the order of their k.") var sources: String
    @Option(help: "A frame, for the 'more than a frame' count.") var frameMs: Int64 = 40
    @Option(help: "A GOP, for the 'more than a GOP' count.") var gopMs: Int64 = 2000
    @Flag(help: "List the files that exceed, with by how much (ms), and those that cannot be read.") var list = false

    func run() throws {
        FFmpegLog.install(logger: Logger(label: "ffmpeg", factory: { _ in SwiftLogNoOpLogHandler() }))
        let sourceSpans = try sources.split(separator: ",").map { try span(SegmentReader.read(path: String($0), mode: .scan)) }
        let names = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasPrefix(".") }.sorted()
        var out: [String: Any] = ["files": names.count, "source_spans_ms": sourceSpans]
        let clock = ContinuousClock()
        for (label, mode) in [("fast", SegmentReader.Mode.fast), ("scan", .scan)] {
            var failed = 0, over = 0, overFrame = 0, overGop = 0, withBad = 0, badTotal = 0, scanned = 0
            var maxExcess: Int64 = .min
            var worst = ""
            var exceeding: [String: Int64] = [:]
            var unreadable: [String: String] = [:]
            let started = clock.now
            for name in names {
                guard let k = name.split(separator: "-").dropFirst().first.flatMap({ Int($0.dropFirst().prefix { $0 != "." }) }),
                      k < sourceSpans.count else { continue }
                let info: SegmentInfo
                do {
                    info = try SegmentReader.read(path: dir + "/" + name, mode: mode)
                } catch {
                    failed += 1
                    unreadable[name] = error.message
                    continue
                }
                let excess = span(info) - sourceSpans[k]
                if excess > 0 {
                    over += 1
                    exceeding[name] = excess
                }
                if excess > frameMs { overFrame += 1 }
                if excess > gopMs { overGop += 1 }
                if excess > maxExcess { maxExcess = excess; worst = name }
                if info.badTimestamps > 0 { withBad += 1 }
                badTotal += info.badTimestamps
                if info.method == .packetScan { scanned += 1 }
            }
            let took = ms(clock.now - started)
            out[label] = [
                "read_failed": failed, "exceeding": over, "exceeding_by_more_than_a_frame": overFrame,
                "exceeding_by_more_than_a_gop": overGop, "max_excess_ms": maxExcess == .min ? 0 : maxExcess, "worst": worst,
                "files_with_bad_timestamps": withBad, "bad_timestamps": badTotal, "read_by_scan": scanned,
                "ms_per_file": names.isEmpty ? 0 : (took / Double(names.count) * 100).rounded() / 100,
            ] as [String: Any]
            if list { (out[label] as? [String: Any]).map { var m = $0; m["exceeding_files"] = exceeding; m["unreadable_files"] = unreadable; out[label] = m } }
        }
        printJSON(out)
    }

    /// From the earliest run start to the latest run end, as the indexer stores a segment.
    private func span(_ info: SegmentInfo) -> Int64 {
        info.durationMs - (info.runs.map(\.startMs).min() ?? 0)
    }
}
