import ArgumentParser
import CamindexCore
import CamindexMedia
import Foundation
import Logging

/// `SegmentReader.read` in-process, repeated: what indexing one file costs without the process
/// start-up and the store that `camindex index` adds (the daemon pays start-up once).
struct SegmentRead: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "segment-read",
        abstract: "Median in-process time of SegmentReader.read on one file (fast: container index; scan: every packet).")

    @Option var file: String
    @Option(help: "fast or scan.") var mode = "fast"
    @Option var repeats = 10
    @Flag(help: "MPEG-TS through FFmpeg's parser, as before the parser-free read.") var tsParser = false

    func run() throws {
        FFmpegLog.install(logger: Logger(label: "ffmpeg", factory: { _ in SwiftLogNoOpLogHandler() }))
        let m: SegmentReader.Mode = mode == "scan" ? .scan : .fast
        let clock = ContinuousClock()
        var times: [Double] = []
        var info: SegmentInfo?
        for _ in 0..<(repeats + 1) {  // the first read warms up, untimed
            let t = clock.now
            info = try SegmentReader.read(path: file, mode: m, tsParser: tsParser)
            times.append(ms(clock.now - t))
        }
        times.removeFirst()
        printJSON([
            "file": file, "mode": mode, "repeats": repeats,
            "median_ms": round3(percentile(times, 0.5)), "min_ms": round3(times.min() ?? 0),
            "keyframes": info?.keyframesMs.count ?? 0, "method": info?.method.rawValue ?? "", "ts_parser": tsParser,
        ])
    }
}
