import CFFmpeg
import CamindexCore
import Foundation

/// Probes live streams (RTSP, HLS, HTTP-FLV) with libavformat under a hard deadline: the
/// interrupt callback stops any blocking call when it passes, and the protocols' own socket
/// timeouts are set to it as well.
public enum StreamProber {

    /// Width of the keyframe thumbnails full probes keep.
    public static let thumbnailWidth = 320

    /// `cancel` stops the probe early (it then fails with class `other`). `clock` stamps the
    /// result and is what the camera's clock offset is measured against.
    public static func probe(url: String, depth: ProbeResult.Depth, deadline: Duration = .seconds(10),
                             transport: StreamTransport = .tcp, cancel: CancelFlag? = nil, clock wall: any WallClock = SystemClock()) -> ProbeResult {
        let clock = ContinuousClock()
        let started = clock.now
        let at = wall.now()
        func elapsedMs() -> Int64 {
            let d = clock.now - started
            return d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        }
        let micros = String(deadline.components.seconds * 1_000_000 + deadline.components.attoseconds / 1_000_000_000_000)
        var options = ["timeout": micros, "rw_timeout": micros]
        if url.lowercased().hasPrefix("rtsp") { options["rtsp_transport"] = transport.rawValue }
        do {
            let input = try InputFile(url: url, timeout: deadline, options: options, cancel: cancel)
            var result = try Session(input: input, depth: depth, started: started, clock: wall).run()
            result.at = at
            result.durationMs = elapsedMs()
            return result
        } catch {
            let errorClass = classify(error, url: url)
            var message = error.message
            if errorClass == .dns { message = "\(Redaction.redactURL(url)): cannot resolve the host name" }
            return ProbeResult(at: at, depth: depth, ok: false, error: errorClass,
                               message: Redaction.redactSecrets(message), durationMs: elapsedMs())
        }
    }

    static func classify(_ error: MediaError, url: String) -> ProbeResult.ErrorClass {
        switch error.kind {
        case .timeout: return .timeout
        case .noVideo: return .noVideo
        case .invalidData: return .invalidData
        case .notFound: return .notFound
        default: break
        }
        switch error.code {
        case cfx_averror(ECONNREFUSED): return .refused
        case cfx_averror(EHOSTUNREACH), cfx_averror(ENETUNREACH), cfx_averror(ENETDOWN): return .unreachable
        case cfx_averror(ETIMEDOUT): return .timeout
        case cfx_averror_http_unauthorized(), cfx_averror_http_forbidden(): return .unauthorized
        case cfx_averror_http_not_found(), cfx_averror_stream_not_found(): return .notFound
        // FFmpeg's TCP layer answers a failed name lookup with EIO.
        case cfx_averror(EIO) where !hostIsNumeric(url): return .dns
        default: return .other
        }
    }

    static func hostIsNumeric(_ url: String) -> Bool {
        guard let sep = url.range(of: "://") else { return false }
        var authority = url[sep.upperBound...].prefix { $0 != "/" && $0 != "?" }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }
        if authority.hasPrefix("[") { return true }
        let host = authority.prefix { $0 != ":" }
        var addr = in_addr()
        return inet_pton(AF_INET, String(host), &addr) == 1
    }

    /// One opened stream being read.
    private struct Session {
        let input: InputFile
        let depth: ProbeResult.Depth
        let started: ContinuousClock.Instant
        let clock: any WallClock
        var isRTSP: Bool { input.formatName == "rtsp" }

        func run() throws(MediaError) -> ProbeResult {
            var result = ProbeResult(at: Instant(ms: 0), depth: depth, ok: false, durationMs: 0)
            if depth == .full {
                // Resolution and profile come from the parsed stream; bounded by the deadline.
                input.context.pointee.max_analyze_duration = 1_000_000
                try? input.findStreamInfo()
                if input.interrupt.expired { throw MediaError(.timeout, "\(input.shownName): deadline passed reading stream parameters") }
            }
            guard let index = input.bestVideoStream() else {
                throw MediaError(.noVideo, "\(input.shownName): no video stream")
            }
            input.discardAll(except: index)
            let stream = VideoStream(input: input, index: index)
            let packet = try Packet()
            var keyframesUs: [Int64] = []
            var firstUs: Int64?, lastUs: Int64?
            var bytes = 0, packets = 0
            do {
                while let pkt = try packet.read(from: input) {
                    guard Int(pkt.pointee.stream_index) == index else { continue }
                    packets += 1
                    bytes += Int(pkt.pointee.size)
                    let raw = pkt.pointee.pts != cfx_nopts() ? pkt.pointee.pts : pkt.pointee.dts
                    let us = raw != cfx_nopts() ? stream.us(raw) : nil
                    if let us { firstUs = min(firstUs ?? us, us); lastUs = max(lastUs ?? us, us) }
                    if depth == .light { break }
                    if let offset = clockOffset(ptsUs: us) { result.clockOffsetS = offset }
                    if pkt.pointee.flags & AV_PKT_FLAG_KEY != 0, keyframesUs.count < 2 {
                        if keyframesUs.isEmpty { result.firstKeyframeMs = msSince(started) }
                        keyframesUs.append(us ?? Int64(keyframesUs.count))
                        if result.picture == nil, let picture = decodePicture(pkt, index: index) {
                            result.picture = PictureStats(picture.sample)
                            result.thumbnail = picture.jpeg
                        }
                    }
                    // RTSP learns the camera's wall clock from the first RTCP sender report, a
                    // second or two in: wait a little for it, within the deadline.
                    if keyframesUs.count >= 2 && (result.clockOffsetS != nil || !isRTSP || msSince(started) > 4000) { break }
                }
            } catch {
                // A camera that delivered a keyframe within the deadline is online; what it had
                // no time to show stays unmeasured.
                if error.kind != .timeout || (depth == .full ? keyframesUs.isEmpty : packets == 0) { throw error }
            }
            guard packets > 0 else { throw MediaError(.noVideo, "\(input.shownName): the stream ended before any video") }
            result.ok = true
            let par = stream.codecpar
            result.codec = stream.codecName
            if par.width > 0 { result.width = Int(par.width); result.height = Int(par.height) }
            if let name = avcodec_profile_name(par.codec_id, par.profile) { result.profile = String(cString: name) }
            result.fps = stream.nominalFps
            if keyframesUs.count >= 2 {
                result.keyframeIntervalS = Double(keyframesUs[1] - keyframesUs[0]) / 1_000_000
            }
            if let f = firstUs, let l = lastUs, l > f, packets > 2 {
                result.bitrateKbps = (Double(bytes) * 8 / (Double(l - f) / 1_000_000) / 1000 * 10).rounded() / 10
            }
            return result
        }

        /// The keyframe decoded alone (video quality diagnosis), with a thumbnail; nil when it
        /// does not decode (a stream joined without its parameter sets): the next keyframe is tried.
        private func decodePicture(_ packet: UnsafeMutablePointer<AVPacket>, index: Int) -> DecodedPicture? {
            guard let decoder = try? VideoDecoder(codecpar: input.stream(index).pointee.codecpar, name: input.shownName) else { return nil }
            return decoder.decodeAlone(packet, thumbnailWidth: StreamProber.thumbnailWidth)
        }

        /// RTCP sender reports give the camera's wall clock for pts 0 (`start_time_realtime`);
        /// compared with ours when the packet arrived.
        private func clockOffset(ptsUs: Int64?) -> Double? {
            let realtime = input.context.pointee.start_time_realtime
            guard let ptsUs, realtime != cfx_nopts(), realtime > 0 else { return nil }
            let start = input.context.pointee.start_time != cfx_nopts() ? input.context.pointee.start_time : 0
            let cameraUs = realtime + ptsUs - start
            let nowUs = clock.now().ms * 1000
            return (Double(cameraUs - nowUs) / 1000).rounded() / 1000
        }

        private func msSince(_ t: ContinuousClock.Instant) -> Int64 {
            let d = ContinuousClock.now - t
            return d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000
        }
    }
}
