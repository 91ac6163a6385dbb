import CFFmpeg

/// A decoded picture as a small JPEG (libavcodec's mjpeg encoder), so a technician sees what
/// the camera sees. Scaled by box averaging in place of libswscale: one more library to link
/// for a 320-pixel picture is not worth it.
enum ThumbnailEncoder {
    /// nil when the picture is not 8-bit planar YUV or the encoder fails: a thumbnail is a
    /// convenience, never a reason for a probe to fail.
    static func jpeg(_ source: UnsafeMutablePointer<AVFrame>, width: Int, quality: Int32 = 6) -> [UInt8]? {
        let src = source.pointee
        let sw = Int(src.width), sh = Int(src.height)
        guard sw > 1, sh > 1, let desc = av_pix_fmt_desc_get(AVPixelFormat(rawValue: src.format)),
              desc.pointee.nb_components >= 3, desc.pointee.comp.0.depth == 8,
              desc.pointee.flags & UInt64(AV_PIX_FMT_FLAG_PLANAR) != 0, desc.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB) == 0,
              let sy = src.data.0, let su = src.data.1, let sv = src.data.2 else { return nil }
        let ow = max(2, min(width, sw) & ~1)
        let oh = max(2, (sh * ow / sw) & ~1)
        guard let frame = av_frame_alloc() else { return nil }
        defer { var f: UnsafeMutablePointer<AVFrame>? = frame; av_frame_free(&f) }
        frame.pointee.width = Int32(ow)
        frame.pointee.height = Int32(oh)
        frame.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        frame.pointee.color_range = AVCOL_RANGE_JPEG
        guard av_frame_get_buffer(frame, 0) >= 0, let dy = frame.pointee.data.0, let du = frame.pointee.data.1,
              let dv = frame.pointee.data.2 else { return nil }
        // JPEG is full range; most camera streams are limited (16-235).
        let limited = src.color_range != AVCOL_RANGE_JPEG && !String(cString: desc.pointee.name).hasPrefix("yuvj")
        let cw = (sw + (1 << Int(desc.pointee.log2_chroma_w)) - 1) >> Int(desc.pointee.log2_chroma_w)
        let ch = (sh + (1 << Int(desc.pointee.log2_chroma_h)) - 1) >> Int(desc.pointee.log2_chroma_h)
        let lumaLevels = (0..<256).map { UInt8(clamping: limited ? ($0 - 16) * 255 / 219 : $0) }
        let chromaLevels = (0..<256).map { UInt8(clamping: limited ? ($0 - 128) * 255 / 224 + 128 : $0) }
        scale(sy, Int(src.linesize.0), sw, sh, into: dy, Int(frame.pointee.linesize.0), ow, oh, levels: lumaLevels)
        scale(su, Int(src.linesize.1), cw, ch, into: du, Int(frame.pointee.linesize.1), ow / 2, oh / 2, levels: chromaLevels)
        scale(sv, Int(src.linesize.2), cw, ch, into: dv, Int(frame.pointee.linesize.2), ow / 2, oh / 2, levels: chromaLevels)
        frame.pointee.pts = 0

        guard let codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG), let ctx = avcodec_alloc_context3(codec) else { return nil }
        defer { var c: UnsafeMutablePointer<AVCodecContext>? = ctx; avcodec_free_context(&c) }
        ctx.pointee.width = Int32(ow)
        ctx.pointee.height = Int32(oh)
        ctx.pointee.pix_fmt = AV_PIX_FMT_YUV420P
        ctx.pointee.color_range = AVCOL_RANGE_JPEG
        ctx.pointee.time_base = AVRational(num: 1, den: 25)
        ctx.pointee.thread_count = 1
        // A fixed quantiser: a few KB at 320 pixels.
        ctx.pointee.flags |= Int32(AV_CODEC_FLAG_QSCALE)
        ctx.pointee.global_quality = FF_QP2LAMBDA * quality
        frame.pointee.quality = ctx.pointee.global_quality
        guard avcodec_open2(ctx, codec, nil) >= 0, avcodec_send_frame(ctx, frame) >= 0 else { return nil }
        _ = avcodec_send_frame(ctx, nil)
        guard let packet = av_packet_alloc() else { return nil }
        defer { var p: UnsafeMutablePointer<AVPacket>? = packet; av_packet_free(&p) }
        guard avcodec_receive_packet(ctx, packet) >= 0, let data = packet.pointee.data, packet.pointee.size > 0 else { return nil }
        return Array(UnsafeBufferPointer(start: data, count: Int(packet.pointee.size)))
    }

    /// Box-averages a plane to `dw`×`dh`, reading at most 3×3 samples of each box, and maps
    /// each average through `levels`.
    private static func scale(_ s: UnsafeMutablePointer<UInt8>, _ sStride: Int, _ sw: Int, _ sh: Int,
                              into d: UnsafeMutablePointer<UInt8>, _ dStride: Int, _ dw: Int, _ dh: Int, levels: [UInt8]) {
        for y in 0..<dh {
            let y0 = y * sh / dh, y1 = max(y0 + 1, (y + 1) * sh / dh)
            let ystep = max(1, (y1 - y0) / 3)
            for x in 0..<dw {
                let x0 = x * sw / dw, x1 = max(x0 + 1, (x + 1) * sw / dw)
                let xstep = max(1, (x1 - x0) / 3)
                var sum = 0, count = 0
                for yy in stride(from: y0, to: min(y1, sh), by: ystep) {
                    let row = s + yy * sStride
                    for xx in stride(from: x0, to: min(x1, sw), by: xstep) { sum += Int(row[xx]); count += 1 }
                }
                d[y * dStride + x] = levels[count > 0 ? sum / count : 0]
            }
        }
    }
}
