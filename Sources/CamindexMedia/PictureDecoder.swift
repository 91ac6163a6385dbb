import CFFmpeg
import CamindexCore
import Foundation

/// Decodes keyframes, one at a time, in software: the pictures that video quality diagnosis
/// looks at. Only keyframes are read (the demuxer skips the rest where it can) and each is
/// decoded on its own, so the cost is a couple of I-frame decodes, never the stream.
public enum PictureDecoder {
    /// The first `count` keyframes of the file at `path`, sampled for `PictureStats`; `skipMs`
    /// starts at the keyframe at or after that point of the file's timeline.
    public static func keyframes(path: String, count: Int = 2, skipMs: Int64 = 0,
                                 timeout: Duration = .seconds(30)) throws(MediaError) -> [PictureSample] {
        try pictures(path: path, count: count, skipMs: skipMs, timeout: timeout).map(\.sample)
    }

    /// The same, each keyframe also as a JPEG `thumbnailWidth` wide (nil where it cannot be encoded).
    public static func pictures(path: String, count: Int = 2, skipMs: Int64 = 0, timeout: Duration = .seconds(30),
                                thumbnailWidth: Int? = nil) throws(MediaError) -> [(sample: PictureSample, jpeg: [UInt8]?)] {
        let input = try InputFile(url: "file:" + path, displayName: path, timeout: timeout)
        var index = input.bestVideoStream()
        if index == nil || input.stream(index!).pointee.codecpar.pointee.width == 0 {
            try input.findStreamInfo()
            index = input.bestVideoStream()
        }
        guard let index else { throw MediaError(.noVideo, "\(path): no video stream") }
        input.discardAll(except: index)
        let stream = input.stream(index)
        stream.pointee.discard = AVDISCARD_NONKEY
        let decoder = try VideoDecoder(codecpar: stream.pointee.codecpar, name: path)
        let packet = try Packet()
        let tb = stream.pointee.time_base
        var firstPts: Int64?
        var out: [(sample: PictureSample, jpeg: [UInt8]?)] = []
        while out.count < count, let p = try packet.read(from: input) {
            guard p.pointee.stream_index == Int32(index), p.pointee.flags & AV_PKT_FLAG_KEY != 0 else { continue }
            let ts = p.pointee.pts != cfx_nopts() ? p.pointee.pts : p.pointee.dts
            if ts != cfx_nopts() {
                let ms = av_rescale_q(ts, tb, AVRational(num: 1, den: 1000))
                if firstPts == nil { firstPts = ms }
                if ms - firstPts! < skipMs { continue }
            }
            if let picture = decoder.decodeAlone(p, thumbnailWidth: thumbnailWidth) { out.append((picture.sample, picture.jpeg)) }
        }
        return out
    }
}

/// A keyframe decoded: its statistics sample, and when asked a small JPEG of it.
struct DecodedPicture {
    var sample: PictureSample
    var jpeg: [UInt8]?
}

/// One libavcodec decoder and frame, freed in `deinit`.
final class VideoDecoder {
    private var context: UnsafeMutablePointer<AVCodecContext>
    private var frame: UnsafeMutablePointer<AVFrame>
    private let name: String

    init(codecpar: UnsafeMutablePointer<AVCodecParameters>, name: String) throws(MediaError) {
        self.name = name
        guard let codec = avcodec_find_decoder(codecpar.pointee.codec_id) else {
            throw MediaError(.other, "\(name): no decoder for \(String(cString: avcodec_get_name(codecpar.pointee.codec_id)))")
        }
        guard let ctx = avcodec_alloc_context3(codec) else { throw MediaError(.other, "\(name): out of memory") }
        guard let f = av_frame_alloc() else {
            var c: UnsafeMutablePointer<AVCodecContext>? = ctx
            avcodec_free_context(&c)
            throw MediaError(.other, "\(name): out of memory")
        }
        context = ctx
        frame = f
        guard avcodec_parameters_to_context(ctx, codecpar) >= 0 else { throw MediaError(.invalidData, "\(name): bad codec parameters") }
        // One picture at a time: no frame threads holding pictures back, no non-key work.
        ctx.pointee.thread_count = 1
        ctx.pointee.skip_frame = AVDISCARD_NONKEY
        let status = avcodec_open2(ctx, codec, nil)
        guard status >= 0 else { throw MediaError(.other, "\(name): cannot open the decoder: \(FFmpegStatus.text(status))") }
    }

    deinit {
        var c: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&c)
        var f: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&f)
    }

    /// Decodes one keyframe packet by itself (sent, then the decoder drained and reset), nil
    /// when it gives no picture (damaged data). `thumbnailWidth` also encodes it as a JPEG that wide.
    func decodeAlone(_ packet: UnsafeMutablePointer<AVPacket>, thumbnailWidth: Int? = nil) -> DecodedPicture? {
        defer { avcodec_flush_buffers(context) }
        guard avcodec_send_packet(context, packet) >= 0 else { return nil }
        _ = avcodec_send_packet(context, nil)
        guard avcodec_receive_frame(context, frame) >= 0 else { return nil }
        defer { av_frame_unref(frame) }
        guard let sample = sample() else { return nil }
        return DecodedPicture(sample: sample, jpeg: thumbnailWidth.flatMap { ThumbnailEncoder.jpeg(frame, width: $0) })
    }

    /// Luma sampled to at most 320 columns (nearest sample: high frequencies are what noise and
    /// blur are judged by), and the mean of each chroma plane, on the 8-bit scale whatever the
    /// picture's format: 10- and 12-bit samples are scaled down, RGB pictures turned into luma
    /// and chroma (BT.601), so that one scene is judged alike in every format.
    private func sample() -> PictureSample? {
        let f = frame.pointee
        let width = Int(f.width), height = Int(f.height)
        guard width > 0, height > 0, let desc = av_pix_fmt_desc_get(AVPixelFormat(rawValue: f.format)),
              desc.pointee.nb_components >= 1, desc.pointee.flags & UInt64(AV_PIX_FMT_FLAG_PAL) == 0 else { return nil }
        let reader = ComponentReader(frame: frame, desc: desc.pointee)
        let rgb = desc.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB) != 0 && desc.pointee.nb_components >= 3
        let step = max(1, (width + 319) / 320)
        let w = width / step, h = height / step
        var luma = [UInt8](repeating: 0, count: w * h)
        for row in 0..<h {
            for col in 0..<w {
                let (x, y) = (col * step, row * step)
                luma[row * w + col] = rgb
                    ? UInt8(clamping: (77 * reader.value(0, x, y) + 150 * reader.value(1, x, y) + 29 * reader.value(2, x, y)) >> 8)
                    : UInt8(clamping: reader.value(0, x, y))
            }
        }
        var cb = 128.0, cr = 128.0
        if rgb {
            // Every fourth sample of every fourth row, as for planes.
            var (r, g, b, n) = (0, 0, 0, 0)
            for y in Swift.stride(from: 0, to: height, by: 4) {
                for x in Swift.stride(from: 0, to: width, by: 4) {
                    r += reader.value(0, x, y); g += reader.value(1, x, y); b += reader.value(2, x, y); n += 1
                }
            }
            let (mr, mg, mb) = (Double(r) / Double(n), Double(g) / Double(n), Double(b) / Double(n))
            cb = 128 - 0.168736 * mr - 0.331264 * mg + 0.5 * mb
            cr = 128 + 0.5 * mr - 0.418688 * mg - 0.081312 * mb
        } else if desc.pointee.nb_components >= 3 {
            let cw = (width + (1 << Int(desc.pointee.log2_chroma_w)) - 1) >> Int(desc.pointee.log2_chroma_w)
            let ch = (height + (1 << Int(desc.pointee.log2_chroma_h)) - 1) >> Int(desc.pointee.log2_chroma_h)
            cb = reader.mean(1, width: cw, height: ch)
            cr = reader.mean(2, width: cw, height: ch)
        }
        return PictureSample(width: w, height: h, luma: luma, meanCb: cb, meanCr: cr)
    }
}

/// Reads one component of a decoded frame as its pixel format lays it out (plane, step,
/// offset, shift, depth, byte order), scaled to 8 bits. Borrows the frame: used only while
/// the frame holds its picture.
private struct ComponentReader {
    let frame: UnsafeMutablePointer<AVFrame>
    let desc: AVPixFmtDescriptor
    let bigEndian: Bool

    init(frame: UnsafeMutablePointer<AVFrame>, desc: AVPixFmtDescriptor) {
        self.frame = frame
        self.desc = desc
        bigEndian = desc.flags & UInt64(AV_PIX_FMT_FLAG_BE) != 0
    }

    private func component(_ i: Int) -> AVComponentDescriptor {
        switch i {
        case 0: desc.comp.0
        case 1: desc.comp.1
        case 2: desc.comp.2
        default: desc.comp.3
        }
    }

    private func plane(_ p: Int) -> (data: UnsafeMutablePointer<UInt8>?, stride: Int) {
        let f = frame.pointee
        switch p {
        case 0: return (f.data.0, Int(f.linesize.0))
        case 1: return (f.data.1, Int(f.linesize.1))
        case 2: return (f.data.2, Int(f.linesize.2))
        default: return (f.data.3, Int(f.linesize.3))
        }
    }

    /// Component `i` at (x, y), in that component's own resolution, 0…255.
    func value(_ i: Int, _ x: Int, _ y: Int) -> Int {
        let c = component(i)
        let (data, stride) = plane(Int(c.plane))
        guard let data else { return 128 }
        let p = data + y * stride + x * Int(c.step) + Int(c.offset)
        let depth = Int(c.depth)
        let raw: Int
        if depth <= 8 && c.step <= 4 && Int(c.shift) + depth <= 8 {
            raw = Int(p[0]) >> Int(c.shift)
        } else {
            let word = bigEndian ? Int(p[0]) << 8 | Int(p[1]) : Int(p[1]) << 8 | Int(p[0])
            raw = word >> Int(c.shift)
        }
        let sample = raw & ((1 << depth) - 1)
        return depth > 8 ? sample >> (depth - 8) : sample << (8 - depth)
    }

    /// Every fourth sample of every fourth row of component `i`: plenty for a mean.
    func mean(_ i: Int, width: Int, height: Int) -> Double {
        var sum = 0, count = 0
        for y in Swift.stride(from: 0, to: height, by: 4) {
            for x in Swift.stride(from: 0, to: width, by: 4) { sum += value(i, x, y); count += 1 }
        }
        return count > 0 ? Double(sum) / Double(count) : 128
    }
}
