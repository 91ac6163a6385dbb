import CFFmpeg

/// Whether a packet the container flags as a keyframe really starts a picture a decoder can
/// begin with: an H.264 IDR or an H.265 IRAP NAL unit. Damaged media keeps its container
/// flags; this catches it without decoding.
struct KeyframeCheck {
    private enum Codec { case h264, hevc, other }
    private let codec: Codec
    /// NAL length-prefix size for MP4/MKV/FLV (avcC/hvcC), nil for Annex B start codes.
    private let lengthSize: Int?

    init(codecpar: AVCodecParameters) {
        switch codecpar.codec_id {
        case AV_CODEC_ID_H264: codec = .h264
        case AV_CODEC_ID_HEVC: codec = .hevc
        default: codec = .other
        }
        var lengthSize: Int?
        if let extra = codecpar.extradata, codecpar.extradata_size > 0, extra[0] == 1 {
            if codec == .h264, codecpar.extradata_size >= 7 { lengthSize = Int(extra[4] & 3) + 1 }
            if codec == .hevc, codecpar.extradata_size >= 23 { lengthSize = Int(extra[21] & 3) + 1 }
        }
        self.lengthSize = lengthSize
    }

    func isIntraPicture(_ data: UnsafePointer<UInt8>?, size: Int) -> Bool {
        guard codec != .other else { return true }
        guard let data, size > 0 else { return false }
        return lengthSize.map { lengthPrefixed(data, size, $0) } ?? annexB(data, size)
    }

    private func isIntra(header: UInt8) -> Bool {
        guard header & 0x80 == 0 else { return false }
        switch codec {
        case .h264: return header & 0x1F == 5
        case .hevc: return (16...21).contains((header >> 1) & 0x3F)
        case .other: return true
        }
    }

    /// The NAL lengths must chain exactly to the end of the packet.
    private func lengthPrefixed(_ data: UnsafePointer<UInt8>, _ size: Int, _ lengthSize: Int) -> Bool {
        var i = 0
        var found = false
        while i + lengthSize <= size {
            var n = 0
            for k in 0..<lengthSize { n = n << 8 | Int(data[i + k]) }
            i += lengthSize
            guard n > 0, i + n <= size else { return false }
            if isIntra(header: data[i]) { found = true }
            i += n
        }
        return found && i == size
    }

    private func annexB(_ data: UnsafePointer<UInt8>, _ size: Int) -> Bool {
        var i = 0
        while i + 3 < size {
            if data[i] == 0, data[i + 1] == 0, data[i + 2] == 1 {
                if isIntra(header: data[i + 3]) { return true }
                i += 3
            } else {
                i += 1
            }
        }
        return false
    }
}
