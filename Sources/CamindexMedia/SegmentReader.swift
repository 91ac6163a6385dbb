import CFFmpeg
import CamindexCore
import Foundation

/// Reads keyframes, runs and stream parameters of recorded segment files.
public enum SegmentReader {
    public enum Mode: Sendable {
        /// Use the container's index where it has one (MP4, MKV); scan otherwise.
        case fast
        /// Read every video packet, checking each keyframe's data.
        case scan
    }

    /// Opens `path` under `timeout` and reads it. Throws `MediaError` for files that cannot be
    /// opened, hold no video, or time out; a truncated file is read up to its last good packet.
    /// `tsParser`: read MPEG-TS through FFmpeg's parser even where `TSPacketScanner` can do
    /// without it (the same results, slower: for tests and benchmarks that compare the two).
    public static func read(path: String, mode: Mode, timeout: Duration = .seconds(60),
                            tsParser: Bool = false, cancel: CancelFlag? = nil) throws(MediaError) -> SegmentInfo {
        let fileSize: Int64
        do {
            let attributes = try FileManager.default.attributesOfItem(atPath: path)
            fileSize = (attributes[.size] as? NSNumber)?.int64Value ?? 0
        } catch {
            throw MediaError(.notFound, "\(path): no such file or not readable")
        }
        var stream = try openVideo(path: path, timeout: timeout, cancel: cancel)
        let indexPastEnd = stream.hasUsableIndex && ContainerIndexReader.indexPointsPastEnd(stream, fileSize: fileSize)
        var info: SegmentInfo?
        if mode == .fast, stream.hasUsableIndex, !indexPastEnd {
            info = try ContainerIndexReader(stream: stream).read()
            // The index was not enough, and reading it may have moved the read position.
            if info == nil { stream = try openVideo(path: path, timeout: timeout, cancel: cancel) }
        }
        if info == nil, stream.isMPEGTS, !tsParser, let packets = try TSPacketScanner(parsed: stream, path: path).readToEnd() {
            info = PacketScanner(stream: stream).info(from: packets)
        } else if info == nil {
            let claimed = stream.hasUsableIndex ? ContainerIndexReader.claimedKeyframes(stream) : nil
            info = try PacketScanner(stream: stream, knownTruncated: indexPastEnd, claimedKeyframes: claimed).scan()
        }
        guard var result = info else { throw MediaError(.invalidData, "\(path): no readable video packets") }
        result.creationTime = creationTime(stream.input.metadata("creation_time"))
        return result
    }

    private static func openVideo(path: String, timeout: Duration, cancel: CancelFlag?) throws(MediaError) -> VideoStream {
        try openVideo(path: path, interrupt: Interrupt(timeout: timeout, cancel: cancel))
    }

    /// Opens `path` and picks its best video stream (the one the index describes), the other
    /// streams discarded.
    static func openVideo(path: String, interrupt: Interrupt) throws(MediaError) -> VideoStream {
        // "file:" keeps a ':' in a file name from being read as a protocol.
        let input = try InputFile(url: "file:" + path, displayName: path, interrupt: interrupt)
        var videoIndex = input.bestVideoStream()
        if let videoIndex { input.discardAll(except: videoIndex) }
        if videoIndex == nil || input.stream(videoIndex!).pointee.codecpar.pointee.width == 0 {
            // MPEG-TS and FLV learn parameters (FLV even its streams) from packets. The packets
            // read here stay buffered and come back from av_read_frame.
            try input.findStreamInfo()
            videoIndex = input.bestVideoStream()
            if let videoIndex { input.discardAll(except: videoIndex) }
        }
        guard let videoIndex else {
            throw MediaError(.noVideo, "\(path): no video stream (format \(input.formatName))")
        }
        return VideoStream(input: input, index: videoIndex)
    }

    private static func creationTime(_ text: String?) -> Instant? {
        guard let text, let t = try? TimeFormat.parse(text, zone: TimeZone(identifier: "UTC")!) else { return nil }
        // Cameras with unset clocks write 1904/1970 epochs: not a time to trust.
        return t.ms >= 946_684_800_000 ? t : nil
    }
}

/// A borrowed view of the chosen video stream; holds its `InputFile` so the stream pointer
/// stays valid.
struct VideoStream {
    let input: InputFile
    let index: Int
    let pointer: UnsafeMutablePointer<AVStream>

    init(input: InputFile, index: Int) {
        self.input = input
        self.index = index
        pointer = input.stream(index)
    }

    var timeBase: AVRational { pointer.pointee.time_base }
    var codecpar: AVCodecParameters { pointer.pointee.codecpar.pointee }
    var codecName: String { String(cString: avcodec_get_name(codecpar.codec_id)) }

    var isMP4: Bool { input.formatName.hasPrefix("mov,") }
    var isMatroska: Bool { input.formatName.hasPrefix("matroska") }
    var hasUsableIndex: Bool { isMP4 || isMatroska }
    var isMPEGTS: Bool { input.formatName == "mpegts" }

    /// Stream ticks to microseconds.
    func us(_ ts: Int64) -> Int64 { av_rescale_q(ts, timeBase, cfx_time_base_q()) }

    var nominalFps: Double? {
        for r in [pointer.pointee.avg_frame_rate, pointer.pointee.r_frame_rate] where r.num > 0 && r.den > 0 {
            let v = Double(r.num) / Double(r.den)
            if v > 0 && v < 1000 { return v }
        }
        return nil
    }

    /// The shortest frame the header's rates (average and base) give, in microseconds: used
    /// only where the packets do not show one (header rates are computed from timestamps, and
    /// go wrong with them).
    var nominalFrameUs: Int64? {
        var shortest: Int64?
        for r in [pointer.pointee.avg_frame_rate, pointer.pointee.r_frame_rate] where r.num > 0 && r.den > 0 {
            let fps = Double(r.num) / Double(r.den)
            guard fps < 1000 else { continue }
            let us = Int64((1_000_000 / fps).rounded())
            shortest = min(shortest ?? us, us)
        }
        return shortest
    }

    func info(method: SegmentInfo.Method, keyframesUs: [Int64], runsUs: [(Int64, Int64)], firstUs: Int64,
              truncated: Bool, damaged: Int = 0, measuredFps: Double? = nil) -> SegmentInfo {
        func ms(_ us: Int64) -> Int64 { (us - firstUs + 500).dividedRoundingDown(by: 1000) }
        return SegmentInfo(
            container: input.formatName.split(separator: ",").first.map(String.init) ?? input.formatName,
            codec: codecName,
            width: Int(codecpar.width), height: Int(codecpar.height),
            fps: nominalFps ?? measuredFps,
            keyframesMs: keyframesUs.map(ms),
            runs: runsUs.map { SegmentInfo.Run(startMs: ms($0.0), endMs: ms($0.1)) },
            firstPtsMs: (firstUs + 500).dividedRoundingDown(by: 1000),
            creationTime: nil, method: method, truncated: truncated, damagedKeyframes: damaged)
    }
}

extension Int64 {
    func dividedRoundingDown(by d: Int64) -> Int64 {
        let q = self / d
        return (self % d != 0 && (self < 0) != (d < 0)) ? q - 1 : q
    }
}
