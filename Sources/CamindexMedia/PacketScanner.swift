import CFFmpeg

/// Reads every packet of the video stream (the others discarded, nothing decoded): the
/// truth about what a file holds, where its timestamps jump and where it ends.
struct PacketScanner {
    let stream: VideoStream
    var knownTruncated = false
    /// How many keyframes the container's index lists, where it has one.
    var claimedKeyframes: Int?

    func scan() throws(MediaError) -> SegmentInfo? {
        let packet = try Packet()
        let check = KeyframeCheck(codecpar: stream.codecpar)
        let frameUs = stream.nominalFrameUs
        var runs = RunBuilder(frameUs: frameUs)
        var keyframes: [Int64] = []
        var damaged = 0
        var truncated = knownTruncated
        var packets = 0
        while true {
            let next: UnsafeMutablePointer<AVPacket>?
            do {
                next = try packet.read(from: stream.input)
            } catch {
                // A read error after good packets is a file cut short or damaged at its tail.
                if error.kind == .timeout || packets == 0 { throw error }
                truncated = true
                break
            }
            guard let pkt = next?.pointee else { break }
            guard Int(pkt.stream_index) == stream.index else { continue }
            if pkt.flags & AV_PKT_FLAG_CORRUPT != 0 {
                truncated = true
                continue
            }
            let ptsRaw = pkt.pts != cfx_nopts() ? pkt.pts : pkt.dts
            let dtsRaw = pkt.dts != cfx_nopts() ? pkt.dts : pkt.pts
            guard ptsRaw != cfx_nopts() else { continue }
            packets += 1
            let pts = stream.us(ptsRaw)
            let duration = pkt.duration > 0 ? stream.us(pkt.duration) : frameUs
            runs.add(dts: stream.us(dtsRaw), start: pts, end: pts + duration)
            if pkt.flags & AV_PKT_FLAG_KEY != 0 {
                if check.isIntraPicture(pkt.data, size: Int(pkt.size)) {
                    keyframes.append(pts)
                } else {
                    damaged += 1
                }
            }
        }
        // FFmpeg's parser clears the key flag of a keyframe whose data is damaged: what the
        // index lists and the scan does not find is damage.
        if let claimed = claimedKeyframes, !truncated {
            damaged = max(damaged, claimed - keyframes.count)
        }
        guard packets > 0, let first = runs.runs.map(\.0).min() else { return nil }
        let span = (runs.runs.map(\.1).max() ?? first) - first
        let measuredFps = span > 0 && packets > 1 ? Double(packets) * 1_000_000 / Double(span) : nil
        return stream.info(method: .packetScan, keyframesUs: keyframes.sorted(), runsUs: runs.runs, firstUs: first,
                           truncated: truncated, damaged: damaged, measuredFps: measuredFps)
    }
}
