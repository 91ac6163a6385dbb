import CFFmpeg
import CamindexCore
import Foundation

/// One recorded file's share of a clip, in the file's own timeline.
public struct ClipSource: Sendable, Hashable {
    public var path: String
    /// Presentation time in ms on the file's own timeline (the numbers the index stores: a
    /// segment's `firstPtsMs` plus a keyframe offset). The copy starts at the keyframe with
    /// this PTS, or the last keyframe before it (1 ms of slack for the stored rounding); if the
    /// file has no keyframe at or before it, at its first keyframe.
    public var fromPtsMs: Int64
    /// The copy ends with the first frame whose PTS is at or after this (ms, same timeline),
    /// together with the frames decoded before it that fill the presentation order up to it
    /// (with B-frames, the rest of its mini-GOP). nil: to the end of the file.
    public var toPtsMs: Int64?

    public init(path: String, fromPtsMs: Int64, toPtsMs: Int64? = nil) {
        self.path = path
        self.fromPtsMs = fromPtsMs
        self.toPtsMs = toPtsMs
    }
}

/// What `ClipWriter.write` put in the file.
public struct ClipResult: Sendable, Hashable {
    public struct Source: Sendable, Hashable {
        public var path: String
        public var packets: Int
        /// Packet data copied from this file (the source's bytes; MPEG-TS start codes become
        /// MP4 length fields, so the output's packets may differ by a byte or so each).
        public var bytes: Int64
        /// On the source's own timeline, ms: the start keyframe's PTS and the largest PTS copied.
        /// nil when nothing was copied.
        public var firstPtsMs: Int64?
        public var lastPtsMs: Int64?
        /// The file stopped short: a read error, a packet the demuxer flags as damaged, the end
        /// of the file before `toPtsMs`, an MPEG-TS file ending inside a TS packet, or
        /// timestamps going back. What was copied is every packet before that point. (An MPEG-TS
        /// file cut exactly at a packet boundary looks whole: pass the indexed end as
        /// `toPtsMs` to catch a file that shrank. Damage inside packets' data is not seen:
        /// nothing is decoded.)
        public var endedEarly: Bool
        /// Why it ended early, for the manifest.
        public var endReason: String?
    }

    public var packets: Int
    public var bytes: Int64
    /// The output's first presentation time (ms; 0).
    public var firstPtsMs: Int64
    /// First PTS to last PTS plus the last frame's duration, ms.
    public var durationMs: Int64
    /// FFmpeg's codec name (`h264`, `hevc`).
    public var codec: String
    public var width: Int
    public var height: Int
    public var sources: [Source]

    public var endedEarly: Bool { sources.contains(where: \.endedEarly) }
}

/// Writes MP4 clips from recorded segment files by stream copy, in-process through
/// libavformat: no decoding, no re-encoding, no ffmpeg CLI.
///
/// - Only the best video stream (the one the index describes) is copied.
/// - The sources follow each other without a timestamp jump: each one's timestamps are shifted so
///   that its first frame follows the previous one's last (recorders restart their timestamps
///   in every file). All sources must have the same codec, resolution and bitstream format
///   (`MediaError.Kind.mismatch` otherwise, naming both files): the caller cuts parts there, and
///   at holes in the footage, which this type never sees.
/// - A source that stops short (`ClipResult.Source.endedEarly`: truncated, damaged) is copied up
///   to its last good packet, and the next source follows on directly, so the time it lacks is
///   not in the clip's timeline. The caller decides what that means for its parts (a second
///   call split after the short file, or a note in the manifest). A source that cannot be
///   opened at all fails the clip.
/// - `timeout` bounds the whole clip (every open, read, seek and write, through FFmpeg's
///   interrupt callback); `cancel` stops it from another thread.
/// - The file is written at `outputPath` (pass a temporary name, then rename): on any failure
///   what was written is removed before the error is thrown.
/// - Leading pictures of an open GOP after the start keyframe (they show before it and refer to
///   the GOP before) are left out. An MP4 source's codec tag (hvc1/avc1) is kept; from other
///   containers the muxer chooses it (hev1/avc1).
/// - `creationTime` goes into the MP4's `creation_time` (mvhd/tkhd/mdhd), which holds whole
///   seconds.
/// - No media is buffered (one packet at a time); the MP4 muxer itself keeps a sample-table
///   entry per frame until the end (~60 bytes a frame with the sources' indexes: ~5 MB for an
///   hour at 25 fps).
public enum ClipWriter {
    public static func write(sources: [ClipSource], to outputPath: String, creationTime: Instant,
                             timeout: Duration, cancel: CancelFlag? = nil) throws(MediaError) -> ClipResult {
        guard !sources.isEmpty else { throw MediaError(.other, "\(outputPath): a clip needs at least one source file") }
        let interrupt = Interrupt(timeout: timeout, cancel: cancel)
        let job = try ClipJob(outputPath: outputPath, creationTime: creationTime,
                              moovSpace: try ClipJob.moovSpace(for: sources, interrupt: interrupt), interrupt: interrupt)
        do throws(MediaError) {
            for source in sources { try job.copy(source) }
            return try job.finish()
        } catch {
            job.discard()
            throw error
        }
    }

    /// Why `path` cannot be a clip's source (missing, not a media file, no video stream), or
    /// nil: an export checks its sources first, so that one lost file is a hole, not a failed
    /// camera.
    public static func unreadable(_ path: String, timeout: Duration) -> MediaError? {
        do throws(MediaError) {
            _ = try SegmentReader.openVideo(path: path, interrupt: Interrupt(timeout: timeout, cancel: nil))
            return nil
        } catch {
            return error
        }
    }

    /// ISO 8601 UTC with microseconds, as FFmpeg writes `creation_time`
    /// (`2026-11-20T06:00:30.000000Z`).
    public static func creationTimeText(_ t: Instant) -> String {
        let c = CivilTime(msAsUTC: t.ms)
        func pad(_ v: Int, _ w: Int = 2) -> String {
            let s = String(v)
            return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(c.year, 4))-\(pad(c.month))-\(pad(c.day))T\(pad(c.hour)):\(pad(c.minute)):\(pad(c.second))."
            + "\(pad(c.millisecond, 3))000Z"
    }
}

/// The state of one clip being written: the output, the timestamp shift, the totals.
private final class ClipJob {
    let outputPath: String
    let creationTime: Instant
    let interrupt: Interrupt
    let packet: Packet
    var output: OutputFile?
    /// The first source's parameters: every later one must match them.
    var reference: (path: String, format: StreamFormat)?

    // Output timeline, in the output's time base.
    var firstOutPts: Int64?
    var lastOutDts: Int64?
    /// The next source's first DTS must be at least this (last DTS + its duration) …
    var nextDts: Int64?
    /// … and its first PTS at least this (the largest PTS + duration so far).
    var endPts: Int64?

    var packets = 0
    var bytes: Int64 = 0
    var results: [ClipResult.Source] = []

    /// Bytes kept for the moov before the media, or nil to move it there at the end.
    let moovSpace: Int?

    init(outputPath: String, creationTime: Instant, moovSpace: Int?, interrupt: Interrupt) throws(MediaError) {
        self.outputPath = outputPath
        self.creationTime = creationTime
        self.moovSpace = moovSpace
        self.interrupt = interrupt
        packet = try Packet()
    }

    /// Room enough for the moov of a clip from `sources`, if every one is an MP4 (whose index
    /// counts its samples); nil otherwise. Faststart would write the whole clip a second time
    /// to put the moov first; kept room costs ≤ 64 bytes a sample of padding at worst.
    static func moovSpace(for sources: [ClipSource], interrupt: Interrupt) throws(MediaError) -> Int? {
        var samples = 0
        for source in sources {
            let stream = try SegmentReader.openVideo(path: source.path, interrupt: interrupt)
            guard stream.isMP4, let count = stream.samplesBound(fromMs: source.fromPtsMs, toMs: source.toPtsMs) else { return nil }
            samples += count
        }
        // Per sample at most: stsz 4, stts 8, ctts 8, stss 4, co64 8, stsc 12, sdtp 1 (45 bytes);
        // then headers, sample description, edit list, metadata.
        return 64 * samples + 64 * 1024
    }

    /// Removes a half-written file (only one we created).
    func discard() {
        let made = output?.opened ?? false
        output = nil  // closes the file before it is removed
        if made { try? FileManager.default.removeItem(atPath: outputPath) }
    }

    func finish() throws(MediaError) -> ClipResult {
        guard let output, let reference, packets > 0, let first = firstOutPts, let end = endPts else {
            let why = results.compactMap(\.endReason).first.map { ": \($0)" } ?? ""
            throw MediaError(.invalidData, "\(outputPath): no video packets to copy from \(results.map(\.path).joined(separator: ", "))\(why)")
        }
        try output.finish()
        let tb = output.timeBase
        func ms(_ ticks: Int64) -> Int64 { av_rescale_q(ticks, tb, AVRational(num: 1, den: 1000)) }
        return ClipResult(packets: packets, bytes: bytes, firstPtsMs: ms(first), durationMs: ms(end - first),
                          codec: reference.format.codecName, width: reference.format.width,
                          height: reference.format.height, sources: results)
    }

    // MARK: One source

    func copy(_ source: ClipSource) throws(MediaError) {
        let stream = try SegmentReader.openVideo(path: source.path, interrupt: interrupt)
        if stream.isMatroska {
            // Matroska stores presentation times only: libavformat derives decode times once
            // it knows the stream's frame reordering.
            try stream.input.findStreamInfo()
        }
        let format = StreamFormat(stream)
        if let reference {
            if let why = reference.format.mismatch(with: format) {
                throw MediaError(.mismatch, "\(reference.path) (\(reference.format)) and \(source.path) (\(format)) cannot go into one clip: \(why)")
            }
        } else {
            guard format.width > 0, format.height > 0 else {
                throw MediaError(.invalidData, "\(source.path): the video stream has no resolution")
            }
            reference = (source.path, format)
            let out = try OutputFile(path: outputPath, copying: stream,
                                     metadata: ["creation_time": ClipWriter.creationTimeText(creationTime)],
                                     interrupt: interrupt)
            output = out
            // The moov goes before the media: into space kept for it at the start where the
            // sample count is known beforehand (one pass), else by rewriting the file at the end.
            try out.open(options: moovSpace.map { ["moov_size": String($0)] } ?? ["movflags": "+faststart"])
        }
        guard let output else { return }
        var copier = SourceCopier(stream: stream, source: source, packet: packet, outTimeBase: output.timeBase)
        var result = ClipResult.Source(path: source.path, packets: 0, bytes: 0, firstPtsMs: nil, lastPtsMs: nil,
                                       endedEarly: false, endReason: nil)
        defer { results.append(result) }

        var shift: Int64?
        var endOutPts: Int64 = .min
        var lastDuration: Int64 = 0
        defer {
            if let lastOutDts, shift != nil {
                nextDts = lastOutDts + max(lastDuration, 1)
                endPts = max(endPts ?? .min, endOutPts)
            }
        }
        // Read errors end this source (recorded in the result); deadlines and write errors
        // end the clip.
        guard try copier.seekToStart() else {
            result.endedEarly = true
            result.endReason = copier.endReason ?? "no keyframe to start from"
            return
        }
        while let pkt = try copier.next() {
            let p = pkt.pointee
            if shift == nil {
                // The first source starts the output at PTS 0; every later one follows the
                // previous one's last frame, in decode and in presentation order.
                if let nextDts, let endPts {
                    shift = max(nextDts - p.dts, endPts - p.pts)
                } else {
                    shift = -p.pts
                }
            }
            let outDts = p.dts + shift!, outPts = p.pts + shift!
            if let lastOutDts, outDts <= lastOutDts {
                // A timestamp going back inside a file: the muxer would refuse it.
                copier.endReason = "timestamps go back at PTS \(copier.ms(copier.sourcePts)) ms"
                break
            }
            pkt.pointee.dts = outDts
            pkt.pointee.pts = outPts
            if firstOutPts == nil { firstOutPts = outPts }
            lastOutDts = outDts
            endOutPts = max(endOutPts, outPts + p.duration)
            lastDuration = p.duration
            let size = Int64(p.size)
            result.packets += 1
            result.bytes += size
            let sourceMs = copier.ms(copier.sourcePts)
            if result.firstPtsMs == nil { result.firstPtsMs = sourceMs }
            result.lastPtsMs = max(result.lastPtsMs ?? .min, sourceMs)
            try output.write(pkt)
            packets += 1
            bytes += size
        }
        if let reason = copier.endReason {
            result.endedEarly = true
            result.endReason = reason
        }
    }
}

/// Reads one source's packets for a clip: positions at the start keyframe, stops at the end of
/// the range, and hands out packets with both timestamps and a duration, in the output's time
/// base (not yet shifted).
private struct SourceCopier {
    let stream: VideoStream
    let packet: Packet
    let outTimeBase: AVRational
    /// One frame in the source's time base, for packets without a duration.
    let frameTicks: Int64
    /// How many frames decoding runs ahead of presentation (B-frames).
    let reorder: Int64
    let fromUs: Int64
    let toUs: Int64?
    /// Set when the source ended early: a read error, a damaged packet, the end of the file
    /// before `toUs`, or timestamps going back.
    var endReason: String?
    /// The PTS of the packet last handed out, in the source's time base.
    private(set) var sourcePts: Int64 = 0

    private var startPts: Int64 = 0
    private var startPending = false
    private var lastDts: Int64?
    private var maxPts: Int64 = .min
    private var maxPtsEnd: Int64 = .min
    private var endSeen = false
    private var pastEnd = 0
    private var sinceStart = 0

    init(stream: VideoStream, source: ClipSource, packet: Packet, outTimeBase: AVRational) {
        self.stream = stream
        self.packet = packet
        self.outTimeBase = outTimeBase
        reorder = Int64(max(0, stream.codecpar.video_delay))
        fromUs = source.fromPtsMs * 1000
        toUs = source.toPtsMs.map { $0 * 1000 }
        let rates = [stream.pointer.pointee.avg_frame_rate, stream.pointer.pointee.r_frame_rate]
        if let rate = rates.first(where: { $0.num > 0 && $0.den > 0 && Double($0.num) / Double($0.den) < 1000 }) {
            frameTicks = max(1, av_rescale_q(1, AVRational(num: rate.den, den: rate.num), stream.timeBase))
        } else {
            frameTicks = max(1, av_rescale_q(40_000, cfx_time_base_q(), stream.timeBase))
        }
    }

    /// Source ticks to ms on the source's timeline, rounded as the index rounds.
    func ms(_ ticks: Int64) -> Int64 { (stream.us(ticks) + 500).dividedRoundingDown(by: 1000) }

    // MARK: Reading

    /// The next packet of the video stream with both timestamps (missing ones filled in); nil
    /// at the end of the file or at a read error (then `endReason` says which). Deadlines and
    /// cancellation throw.
    private mutating func read() throws(MediaError) -> UnsafeMutablePointer<AVPacket>? {
        while true {
            let next: UnsafeMutablePointer<AVPacket>?
            do {
                next = try packet.read(from: stream.input)
            } catch {
                if error.kind == .timeout || stream.input.interrupt.cancel?.isCancelled == true { throw error }
                endReason = error.message
                return nil
            }
            guard let pkt = next else { return nil }
            guard Int(pkt.pointee.stream_index) == stream.index else { continue }
            var p = pkt.pointee
            if p.dts == cfx_nopts() {
                // Matroska gives presentation times only, and libavformat derives decode times
                // once `reorder` packets have passed (after open and after every seek): the
                // first ones get decode times one frame apart, `reorder` frames before.
                if let lastDts {
                    p.dts = lastDts + frameTicks
                    if p.pts != cfx_nopts() { p.dts = min(p.dts, p.pts) }
                } else if p.pts != cfx_nopts() {
                    p.dts = p.pts - reorder * frameTicks
                } else {
                    continue  // nowhere to place it
                }
            }
            if p.pts == cfx_nopts() { p.pts = p.dts }
            if p.duration <= 0 { p.duration = frameTicks }
            pkt.pointee.dts = p.dts
            pkt.pointee.pts = p.pts
            pkt.pointee.duration = p.duration
            lastDts = p.dts
            return pkt
        }
    }

    private var isKeyframe: Bool { packet.pointer.pointee.flags & AV_PKT_FLAG_KEY != 0 }

    // MARK: Finding the start

    private enum Scan {
        /// The packet read last is the start keyframe.
        case found
        /// The start keyframe was passed: this PTS.
        case passed(Int64)
        /// No keyframe at or before the start; the first one after it, if any.
        case none(firstAfter: Int64?)
    }

    /// Positions the read at the keyframe the copy starts with: the one with PTS `fromUs`
    /// (±1 ms), else the last one before it, else the first one. Seeks where the container
    /// allows it, so a file is not read from its beginning. false if the file holds no
    /// keyframe to start from (or fails before one).
    mutating func seekToStart() throws(MediaError) -> Bool {
        let p = stream.pointer.pointee
        let startUs = p.start_time != cfx_nopts() ? stream.us(p.start_time) : nil
        // Containers with an index (MP4, MKV) seek to the keyframe itself; the others by a
        // bisection over timestamps, which lands near the target, so aim a little before it.
        let margin: Int64 = stream.hasUsableIndex ? 0 : 1_000_000
        var seekUs: Int64? = startUs.map { fromUs - margin > $0 + 1_000_000 ? fromUs - margin : nil } ?? fromUs - margin
        var widen: Int64 = 2_000_000
        var fresh = true
        while true {
            if !(fresh && seekUs == nil) { try position(atUs: seekUs) }
            fresh = false
            switch try scan() {
            case .found:
                startAt(packet.pointer.pointee.pts)
                return true
            case .passed(let pts):
                try position(atUs: seekUs)
                return try readUntilKeyframe(pts)
            case .none(let firstAfter):
                if endReason != nil { return false }
                if let at = seekUs {
                    let earlier = at - widen
                    widen *= 2
                    seekUs = startUs.map { earlier > $0 ? earlier : nil } ?? (earlier > 0 ? earlier : nil)
                    continue
                }
                guard let firstAfter else {
                    endReason = "no keyframe in the file"
                    return false
                }
                try position(atUs: nil)
                return try readUntilKeyframe(firstAfter)
            }
        }
    }

    private mutating func startAt(_ pts: Int64) {
        startPts = pts
        startPending = true
    }

    /// Reads from the current position until the start keyframe is found or passed.
    private mutating func scan() throws(MediaError) -> Scan {
        let limitUs = fromUs + 1000
        var passed: Int64?
        var firstAfter: Int64?
        while let pkt = try read() {
            let pts = pkt.pointee.pts
            let ptsUs = stream.us(pts)
            if isKeyframe {
                if ptsUs <= limitUs {
                    if ptsUs >= fromUs - 1000 { return .found }
                    passed = max(passed ?? .min, pts)
                } else if firstAfter == nil {
                    firstAfter = pts
                }
            }
            // Decode times only grow and no PTS is below its DTS: nothing later can be a
            // keyframe at or before the start.
            if stream.us(pkt.pointee.dts) > limitUs { break }
        }
        return passed.map { .passed($0) } ?? .none(firstAfter: firstAfter)
    }

    private mutating func readUntilKeyframe(_ pts: Int64) throws(MediaError) -> Bool {
        while let pkt = try read() {
            if isKeyframe && pkt.pointee.pts == pts {
                startAt(pts)
                return true
            }
            if pkt.pointee.dts > pts { break }
        }
        if endReason == nil { endReason = "the start keyframe at \(ms(pts)) ms was not found again after a seek" }
        return false
    }

    /// Seeks to the last keyframe at or before `us` (nil: the beginning of the file).
    private mutating func position(atUs us: Int64?) throws(MediaError) {
        lastDts = nil
        let ctx = stream.input.context
        let index = Int32(stream.index)
        var status: Int32
        if let us {
            status = av_seek_frame(ctx, index, av_rescale_q(us, cfx_time_base_q(), stream.timeBase), AVSEEK_FLAG_BACKWARD)
        } else if stream.hasUsableIndex {
            // The index's first keyframe (decode time at or below the start time).
            let start = stream.pointer.pointee.start_time
            status = av_seek_frame(ctx, index, start != cfx_nopts() ? start : 0, AVSEEK_FLAG_BACKWARD)
        } else {
            // MPEG-TS bisects over decode times, which start before the first presentation
            // time: the first byte is the sure way back.
            status = av_seek_frame(ctx, -1, 0, AVSEEK_FLAG_BYTE)
        }
        if status < 0 && us != nil {
            try position(atUs: nil)
            return
        }
        if status < 0 {
            let error = InputFile.failure(status, interrupt: stream.input.interrupt, name: stream.input.shownName, action: "cannot seek")
            if error.kind == .timeout || stream.input.interrupt.cancel?.isCancelled == true { throw error }
            endReason = error.message
        }
    }

    /// At the end of the file: does it end where it should?
    private func checkEnd() -> String? {
        // 1 ms of slack: the stored end is rounded to the ms.
        if let toUs, maxPtsEnd != .min, stream.us(maxPtsEnd) < toUs - 1000 {
            return "the file ends at \(ms(maxPtsEnd)) ms, before \(toUs / 1000) ms"
        }
        // MPEG-TS marks no end, and its demuxer does not flag a last packet cut short; but a
        // whole file is whole TS packets (188 bytes, 192 in M2TS, 204 with FEC).
        if stream.input.formatName == "mpegts", let pb = stream.input.context.pointee.pb {
            let size = avio_size(pb)
            if size > 0 && size % 188 != 0 && size % 192 != 0 && size % 204 != 0 {
                return "the file ends inside an MPEG-TS packet (\(size) bytes): cut short; its last frame may be incomplete"
            }
        }
        return nil
    }

    // MARK: Copying

    /// The next packet to copy, timestamps rescaled to the output's time base; nil at the end
    /// of the range (or of the file, or at a read error: then `endReason` is set).
    mutating func next() throws(MediaError) -> UnsafeMutablePointer<AVPacket>? {
        while true {
            let pkt: UnsafeMutablePointer<AVPacket>
            if startPending {
                startPending = false
                pkt = packet.pointer
            } else {
                guard let read = try read() else {
                    if endReason == nil { endReason = checkEnd() }
                    return nil
                }
                pkt = read
            }
            let p = pkt.pointee
            sinceStart += 1
            if p.pts < startPts {
                // Leading pictures of an open GOP follow the start keyframe: they show before
                // it and refer to the GOP before it. Later, it is a timestamp going back.
                if sinceStart <= 16 { continue }
                endReason = "timestamps go back at \(ms(p.pts)) ms"
                return nil
            }
            if endSeen {
                // Only frames filling the presentation order up to the last one copied;
                // nothing after a decode time past it can.
                if p.dts > maxPts { return nil }
                pastEnd += 1
                if pastEnd > 64 { return nil }
                if p.pts > maxPts { continue }
            }
            if p.flags & AV_PKT_FLAG_CORRUPT != 0 {
                endReason = "damaged packet at \(ms(p.pts)) ms"
                return nil
            }
            if let toUs, stream.us(p.pts) >= toUs - 500 { endSeen = true }
            maxPts = max(maxPts, p.pts)
            maxPtsEnd = max(maxPtsEnd, p.pts + p.duration)
            sourcePts = p.pts
            av_packet_rescale_ts(pkt, stream.timeBase, outTimeBase)
            if pkt.pointee.duration <= 0 { pkt.pointee.duration = 1 }
            return pkt
        }
    }
}

/// Codec parameters that must agree for sources to share one MP4 track.
private struct StreamFormat: CustomStringConvertible {
    var codecID: AVCodecID
    var codecName: String
    var width: Int
    var height: Int
    /// MP4-style parameter sets (avcC/hvcC, length-prefixed packets), versus Annex B (start
    /// codes, parameter sets in the stream: MPEG-TS) or none.
    var lengthPrefixed: Bool
    var extradata: [UInt8]

    init(_ stream: VideoStream) {
        let par = stream.codecpar
        codecID = par.codec_id
        codecName = stream.codecName
        width = Int(par.width)
        height = Int(par.height)
        if let data = par.extradata, par.extradata_size > 0 {
            extradata = Array(UnsafeBufferPointer(start: data, count: Int(par.extradata_size)))
        } else {
            extradata = []
        }
        lengthPrefixed = extradata.first == 1
    }

    var description: String { "\(codecName) \(width)x\(height)" }

    /// Why `other` cannot follow this one in the same track, or nil.
    func mismatch(with other: StreamFormat) -> String? {
        if codecID != other.codecID { return "the codec differs" }
        if width != other.width || height != other.height { return "the resolution differs" }
        if lengthPrefixed != other.lengthPrefixed {
            return "one stores parameter sets in the container (MP4-style), the other in the stream (Annex B)"
        }
        // Out-of-band parameter sets are written once, from the first file: later files must
        // use the same ones or their pictures decode wrongly.
        if lengthPrefixed && extradata != other.extradata { return "the codec parameter sets (SPS/PPS) differ" }
        return nil
    }
}

private extension VideoStream {
    /// At most how many samples a copy from `fromMs` to `toMs` takes, from the MP4 index (one
    /// entry a sample, by decode time): from a GOP before the keyframe at or before the start
    /// to 10 s past the end. nil without index entries.
    func samplesBound(fromMs: Int64, toMs: Int64?) -> Int? {
        let count = avformat_index_get_entries_count(pointer)
        guard count > 0 else { return nil }
        func ticks(_ ms: Int64) -> Int64 { av_rescale_q(ms, AVRational(num: 1, den: 1000), timeBase) }
        let from = ticks(fromMs), to = toMs.map { ticks($0 + 10_000) } ?? .max
        var keyframes: (Int32, Int32) = (0, 0)  // the last two keyframes at or before the start
        var inRange = 0
        for i in 0..<count {
            guard let e = avformat_index_get_entry(pointer, i)?.pointee else { continue }
            if e.timestamp <= from && e.flags & Int32(AVINDEX_KEYFRAME) != 0 { keyframes = (keyframes.1, i) }
            if e.timestamp <= to { inRange = Int(i) + 1 }
        }
        return max(0, inRange - Int(keyframes.0)) + 1
    }
}
