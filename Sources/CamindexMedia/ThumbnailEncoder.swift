import CFFmpeg

/// A decoded picture as a small JPEG (libavcodec's mjpeg encoder), so a technician sees what
/// the camera sees. libswscale scales it and converts whatever the camera sends (8- or 10-bit
/// YUV, planar or packed RGB, limited or full range) to full-range 8-bit YUV: every picture
/// the full probe judges gets its thumbnail, the faulty ones as the others.
enum ThumbnailEncoder {
    /// nil when the picture cannot be converted or the encoder fails: a thumbnail is a
    /// convenience, never a reason for a probe to fail.
    static func jpeg(_ source: UnsafeMutablePointer<AVFrame>, width: Int, quality: Int32 = 6) -> [UInt8]? {
        let src = source.pointee
        let sw = Int(src.width), sh = Int(src.height)
        guard sw > 1, sh > 1, let desc = av_pix_fmt_desc_get(AVPixelFormat(rawValue: src.format)) else { return nil }
        let ow = max(2, min(width, sw) & ~1)
        let oh = max(2, (sh * ow / sw) & ~1)
        guard let frame = av_frame_alloc() else { return nil }
        defer { var f: UnsafeMutablePointer<AVFrame>? = frame; av_frame_free(&f) }
        frame.pointee.width = Int32(ow)
        frame.pointee.height = Int32(oh)
        frame.pointee.format = AV_PIX_FMT_YUV420P.rawValue
        frame.pointee.color_range = AVCOL_RANGE_JPEG
        guard av_frame_get_buffer(frame, 0) >= 0,
              let scaler = sws_getContext(Int32(sw), Int32(sh), AVPixelFormat(rawValue: src.format), Int32(ow), Int32(oh),
                                          AV_PIX_FMT_YUV420P, SWS_AREA, nil, nil, nil) else { return nil }
        defer { sws_freeContext(scaler) }
        // JPEG is full range; most camera streams are limited (16-235), and RGB is full.
        let isRGB = desc.pointee.flags & UInt64(AV_PIX_FMT_FLAG_RGB) != 0
        let fullIn: Int32 = isRGB || src.color_range == AVCOL_RANGE_JPEG || String(cString: desc.pointee.name).hasPrefix("yuvj") ? 1 : 0
        let coefficients = sws_getCoefficients(SWS_CS_ITU601)
        _ = sws_setColorspaceDetails(scaler, coefficients, fullIn, coefficients, 1, 0, 1 << 16, 1 << 16)
        let scaled = withUnsafePointer(to: source.pointee.data) { srcData in
            withUnsafePointer(to: source.pointee.linesize) { srcLines in
                withUnsafeMutablePointer(to: &frame.pointee.data) { dstData in
                    withUnsafePointer(to: frame.pointee.linesize) { dstLines in
                        srcData.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { sd in
                            srcLines.withMemoryRebound(to: Int32.self, capacity: 8) { sl in
                                dstData.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { dd in
                                    dstLines.withMemoryRebound(to: Int32.self, capacity: 8) { dl in
                                        sws_scale(scaler, sd, sl, 0, Int32(sh), dd, dl)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard scaled == Int32(oh) else { return nil }
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
}
