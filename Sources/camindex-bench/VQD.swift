import ArgumentParser
import CamindexCore
import CamindexMedia
import Foundation
import Logging

/// Issue 10: video quality diagnosis against a generated set (`<label>-<variant>.mp4`, label a
/// fault name or `clean`), judged as `camindex diagnose` does (two keyframes, the second's faults,
/// frozen against the first): precision and recall per fault.
struct VQDSet: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vqd-set")
    @Option var dir: String

    func run() throws {
        FFmpegLog.install(logger: Logger(label: "ffmpeg", factory: { _ in SwiftLogNoOpLogHandler() }))
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".mp4") }.sorted()
        var predicted: [String: Set<String>] = [:], labels: [String: String] = [:]
        for f in files {
            let label = String(f.prefix { $0 != "-" })
            let samples = try PictureDecoder.keyframes(path: dir + "/" + f, count: 2)
            let stats = samples.map(PictureStats.init)
            guard let last = stats.last else { continue }
            labels[f] = label
            predicted[f] = Set(PictureThresholds().verdicts(last, previous: stats.count > 1 ? stats[0] : nil).map(\.fault.rawValue))
        }
        var perFault: [String: Any] = [:]
        for fault in PictureFault.allCases.map(\.rawValue) where labels.values.contains(fault) || predicted.values.contains(where: { $0.contains(fault) }) {
            let tp = labels.keys.filter { labels[$0] == fault && predicted[$0]!.contains(fault) }.count
            let fp = labels.keys.filter { labels[$0] != fault && predicted[$0]!.contains(fault) }.count
            let fn = labels.keys.filter { labels[$0] == fault && !predicted[$0]!.contains(fault) }.count
            perFault[fault] = ["tp": tp, "fp": fp, "fn": fn,
                               "precision": tp + fp > 0 ? Double(tp) / Double(tp + fp) : 1, "recall": tp + fn > 0 ? Double(tp) / Double(tp + fn) : 1]
        }
        // Any fault at all: what 完好率 depends on.
        let faulty = labels.keys.filter { labels[$0] != "clean" }
        let flagged = labels.keys.filter { !predicted[$0]!.isEmpty }
        let tp = faulty.filter { !predicted[$0]!.isEmpty }.count
        let wrong = labels.keys.sorted().filter { f in predicted[f]! != (labels[f] == "clean" ? [] : [labels[f]!]) }
        printJSON([
            "files": labels.count, "faulty": faulty.count, "clean": labels.count - faulty.count, "faults": perFault,
            "any_fault": ["precision": flagged.isEmpty ? 1 : Double(tp) / Double(flagged.count), "recall": faulty.isEmpty ? 1 : Double(tp) / Double(faulty.count)],
            "exact": labels.count - wrong.count,
            "wrong": wrong.map { "\($0): \(predicted[$0]!.sorted().joined(separator: ",").isEmpty ? "none" : predicted[$0]!.sorted().joined(separator: ","))" },
        ])
    }
}

/// The cost of one diagnosis of a keyframe: opening the file and the decoder, decoding the first
/// keyframe alone (software, one thread), and the statistics, measured apart, CPU time of the thread.
struct VQDCost: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "vqd-cost")
    @Option var file: String
    @Option var runs = 30

    func run() throws {
        FFmpegLog.install(logger: Logger(label: "ffmpeg", factory: { _ in SwiftLogNoOpLogHandler() }))
        var open: [Double] = [], withDecode: [Double] = [], stats: [Double] = [], wall: [Double] = [], withThumb: [Double] = []
        var jpegBytes = 0
        var sample: PictureSample?
        for _ in 0..<(runs + 1) {
            let c0 = cpuMs(), w0 = ContinuousClock.now
            _ = try PictureDecoder.keyframes(path: file, count: 0)
            let c1 = cpuMs()
            let s = try PictureDecoder.keyframes(path: file, count: 1)
            let c2 = cpuMs()
            let st = s.map(PictureStats.init)
            let c3 = cpuMs()
            wall.append(ms(ContinuousClock.now - w0))
            let c4 = cpuMs()
            jpegBytes = try PictureDecoder.pictures(path: file, count: 1, thumbnailWidth: StreamProber.thumbnailWidth).first?.jpeg?.count ?? 0
            withThumb.append(cpuMs() - c4)
            precondition(st.count == 1, "no keyframe decoded from \(file)")
            sample = s.first
            open.append(c1 - c0); withDecode.append(c2 - c1); stats.append(c3 - c2)
        }
        // The first run warms caches and libavcodec's tables.
        open.removeFirst(); withDecode.removeFirst(); stats.removeFirst(); wall.removeFirst(); withThumb.removeFirst()
        let decode = zip(withDecode, open).map { max(0, $0 - $1) }
        func r(_ v: Double) -> Double { (v * 100).rounded() / 100 }
        printJSON([
            "runs": runs, "sample_width": sample?.width ?? 0, "sample_height": sample?.height ?? 0,
            "open_cpu_ms_p50": r(percentile(open, 0.5)), "decode_cpu_ms_p50": r(percentile(decode, 0.5)),
            "decode_cpu_ms_p99": r(percentile(decode, 0.99)), "stats_cpu_ms_p50": r(percentile(stats, 0.5)),
            "stats_cpu_ms_p99": r(percentile(stats, 0.99)),
            "diagnosis_cpu_ms_p50": r(percentile(zip(decode, stats).map { $0 + $1 }, 0.5)),
            "open_decode_stats_cpu_ms_p50": r(percentile(zip(withDecode, stats).map { $0 + $1 }, 0.5)),
            "open_decode_stats_wall_ms_p50": r(percentile(wall, 0.5)),
            // What a full probe adds on top: the 320-px JPEG of the keyframe.
            "thumbnail_cpu_ms_p50": r(percentile(zip(withThumb, withDecode).map { max(0, $0 - $1) }, 0.5)), "thumbnail_bytes": jpegBytes,
        ])
    }

    func cpuMs() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) * 1000 + Double(t.tv_nsec) / 1e6
    }
}
