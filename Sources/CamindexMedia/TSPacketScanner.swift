import CFFmpeg

/// Reads the video packets of an MPEG-TS file without FFmpeg's H.264/H.265 parser, which costs
/// half of a parsed read (it scans every byte to cut access units, and copies them). The
/// demuxer is opened with `+noparse+nofillin`: it returns each PES packet with its own PTS/DTS
/// and no key flag or duration; `AccessUnitClassifier` says from the NAL units what the parser
/// would (key flag, B picture, frame duration), and each packet is then what the parser path's
/// `PacketScanner.readToEnd` would have made of it.
///
/// That holds only while every PES packet is exactly one access unit, as cameras and ffmpeg,
/// GStreamer and HLS muxers write them. Where anything else is seen the answer is nil and the
/// file is read with the parser (`SegmentReader`), so results stay the parser path's:
/// - a codec other than H.264/H.265, or a PES packet the classifier cannot classify (part of an
///   access unit, several, field pictures, a header it does not model);
/// - a PES packet without PTS or DTS (the parser path times it from its neighbours), or one
///   FFmpeg flags corrupt (the parser path carries that flag onto the access unit the next
///   packet completes);
/// - a decode time that wraps past the presentation time (the parser path's timestamp
///   fill-in corrects it), or, with a reorder delay of one frame, a non-B picture whose PTS
///   equals its DTS (the parser path drops that DTS and guesses another);
/// - no frame duration from the parameter sets, or two different ones (the parser path's
///   durations then come from the probed frame rate, which its first packets do not have).
struct TSPacketScanner {
    /// The file's video stream opened with the parser and probed: the parameters (and time
    /// base) the parser path reports.
    let parsed: VideoStream
    let path: String

    func readToEnd() throws(MediaError) -> PacketScanner.Packets? {
        let codec: AccessUnitClassifier.Codec
        switch parsed.codecpar.codec_id {
        case AV_CODEC_ID_H264: codec = .h264
        case AV_CODEC_ID_HEVC: codec = .hevc
        default: return nil
        }
        let input = try InputFile(url: "file:" + path, displayName: path, interrupt: parsed.input.interrupt,
                                  options: ["fflags": "+noparse+nofillin"])
        let pid = parsed.pointer.pointee.id
        guard let index = (0..<input.streamCount).first(where: { input.stream($0).pointee.id == pid }) else { return nil }
        input.discardAll(except: index)
        let stream = VideoStream(input: input, index: index)
        guard av_cmp_q(stream.timeBase, parsed.timeBase) == 0 else { return nil }

        var classifier = AccessUnitClassifier(codec: codec)
        let check = KeyframeCheck(codecpar: parsed.codecpar)
        let reorderOne = parsed.codecpar.video_delay == 1
        let wrap = Int64(1) << (stream.pointer.pointee.pts_wrap_bits - 1)
        let packet = try Packet()
        var out = PacketScanner.Packets()
        while true {
            let next: UnsafeMutablePointer<AVPacket>?
            do {
                next = try packet.read(from: input)
            } catch {
                if error.kind == .timeout || out.times.isEmpty { throw error }
                out.truncated = true
                break
            }
            guard let pkt = next?.pointee else { break }
            guard Int(pkt.stream_index) == index else { continue }
            guard pkt.flags & AV_PKT_FLAG_CORRUPT == 0, pkt.pts != cfx_nopts(), pkt.dts != cfx_nopts(),
                  pkt.dts - wrap <= pkt.pts else { return nil }
            guard let unit = classifier.classify(UnsafeBufferPointer(start: pkt.data, count: Int(pkt.size))) else { return nil }
            if reorderOne, pkt.pts == pkt.dts, !unit.bPicture { return nil }
            var intact = false
            if unit.key {
                intact = check.isIntraPicture(pkt.data, size: Int(pkt.size))
                if !intact { out.damaged += 1 }
            }
            out.times.append(PacketTimes(dts: stream.us(pkt.dts), pts: stream.us(pkt.pts), duration: 0, keyframe: intact))
        }
        guard let frame = classifier.frameDuration else { return nil }
        // As libavformat times a parsed packet: the frame duration in stream ticks, rounded down.
        let tb = stream.timeBase
        let ticks = frame.num * Int64(tb.den) / (frame.den * Int64(tb.num))
        let duration = ticks > 0 ? stream.us(ticks) : 0
        for i in out.times.indices { out.times[i].duration = duration }
        return out
    }
}
