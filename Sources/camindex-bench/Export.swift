import ArgumentParser
import CamindexCore
import CamindexMedia
import Foundation
import Logging

/// `ClipWriter.write` in-process: one clip from N files by stream copy, timed, with the
/// process's peak RSS (VmHWM) and its RSS before the copy, to show memory does not grow with
/// the clip's length.
struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write one MP4 clip from N files with ClipWriter (stream copy); time and peak RSS.")

    @Option(help: "A file listing the source files, one path a line, in order.") var list: String
    @Option var output: String
    @Option(help: "Start, ms on the first file's timeline (default: its start).") var fromMs: Int64 = 0
    @Option(help: "End, ms on the last file's timeline (default: its end).") var toMs: Int64?

    func run() throws {
        FFmpegLog.install(logger: Logger(label: "ffmpeg", factory: { _ in SwiftLogNoOpLogHandler() }))
        let paths = try readURLList(list)
        guard !paths.isEmpty else { throw ValidationError("\(list) lists no files") }
        let sources = paths.enumerated().map { i, path in
            ClipSource(path: path, fromPtsMs: i == 0 ? fromMs : 0, toPtsMs: i == paths.count - 1 ? toMs : nil)
        }
        let before = ProbeSoak.status().rssKB
        let clock = ContinuousClock()
        let t = clock.now
        let result = try ClipWriter.write(sources: sources, to: output, creationTime: Instant(ms: 1_795_132_800_000),
                                          timeout: .seconds(3600))
        let took = ms(clock.now - t)
        let size = (try? FileManager.default.attributesOfItem(atPath: output)[.size] as? NSNumber)?.int64Value ?? 0
        printJSON([
            "files": paths.count, "output_bytes": size, "packets": result.packets, "source_bytes": result.bytes,
            "duration_s": Double(result.durationMs) / 1000, "time_ms": round3(took),
            "mb_per_s": (Double(size) / 1e6 / (took / 1000) * 10).rounded() / 10,
            "rss_before_kb": before, "max_rss_kb": peakRSSKB(),
            "ended_early": result.sources.filter(\.endedEarly).map { "\($0.path): \($0.endReason ?? "")" },
        ])
    }

    /// VmHWM: the peak resident set of this process so far.
    func peakRSSKB() -> Int {
        let text = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }) else { return -1 }
        return Int(line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first ?? "") ?? -1
    }
}
