import CFFmpeg

/// Reads every packet of the video stream (the others discarded, nothing decoded): the
/// truth about what a file holds, where its timestamps jump and where it ends. Which
/// timestamps to believe is the packets' consensus (`TimelineConsensus`), not any one packet's.
struct PacketScanner {
    let stream: VideoStream
    var knownTruncated = false
    /// How many keyframes the container's index lists, where it has one.
    var claimedKeyframes: Int?

    /// What reading packets from the current position to the end of the file found.
    struct Packets {
        var times: [PacketTimes] = []
        /// Keyframes the container flags whose data holds no picture.
        var damaged = 0
        var truncated = false
    }

    func scan() throws(MediaError) -> SegmentInfo? {
        try info(from: readToEnd())
    }

    /// The segment `read` (this stream's packets, however they were read) makes.
    func info(from read: Packets) -> SegmentInfo? {
        let consensus = TimelineConsensus(packets: read.times, nominalFrameUs: stream.nominalFrameUs)
        let timeline = consensus.resolve(read.times)
        var damaged = read.damaged
        let truncated = read.truncated || knownTruncated
        // FFmpeg's parser clears the key flag of a keyframe whose data is damaged: what the
        // index lists and the scan does not find is damage (or a keyframe whose time was not
        // believed, counted as such).
        if let claimed = claimedKeyframes, !truncated {
            damaged = max(damaged, claimed - timeline.keyframes.count - timeline.badKeyframes)
        }
        guard timeline.good > 0, let first = timeline.runs.map(\.0).min() else { return nil }
        let span = (timeline.runs.map(\.1).max() ?? first) - first
        let measuredFps = span > 0 && timeline.good > 1 ? Double(timeline.good) * 1_000_000 / Double(span) : nil
        var info = stream.info(method: .packetScan, keyframesUs: timeline.keyframes, runsUs: timeline.runs, firstUs: first,
                               truncated: truncated, damaged: damaged, measuredFps: measuredFps)
        info.badTimestamps = timeline.bad
        info.stalledTimestamps = timeline.stalled
        return info
    }

    /// Every video packet's times from the current read position on. A read error after good
    /// packets is a file cut short or damaged at its tail: what was read is kept.
    func readToEnd() throws(MediaError) -> Packets {
        let packet = try Packet()
        let check = KeyframeCheck(codecpar: stream.codecpar)
        var out = Packets()
        while true {
            let next: UnsafeMutablePointer<AVPacket>?
            do {
                next = try packet.read(from: stream.input)
            } catch {
                if error.kind == .timeout || out.times.isEmpty { throw error }
                out.truncated = true
                break
            }
            guard let pkt = next?.pointee else { break }
            guard Int(pkt.stream_index) == stream.index else { continue }
            if pkt.flags & AV_PKT_FLAG_CORRUPT != 0 {
                out.truncated = true
                continue
            }
            let ptsRaw = pkt.pts != cfx_nopts() ? pkt.pts : pkt.dts
            let dtsRaw = pkt.dts != cfx_nopts() ? pkt.dts : pkt.pts
            guard ptsRaw != cfx_nopts() else { continue }
            var intact = false
            if pkt.flags & AV_PKT_FLAG_KEY != 0 {
                intact = check.isIntraPicture(pkt.data, size: Int(pkt.size))
                if !intact { out.damaged += 1 }
            }
            out.times.append(PacketTimes(dts: stream.us(dtsRaw), pts: stream.us(ptsRaw),
                                         duration: pkt.duration > 0 ? stream.us(pkt.duration) : 0, keyframe: intact))
        }
        return out
    }
}
