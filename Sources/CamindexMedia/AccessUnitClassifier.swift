/// What FFmpeg 5.1's H.264/H.265 parser says of an access unit, worked out from the NAL units of
/// one MPEG-TS PES packet without running the parser: whether the PES holds exactly one access
/// unit as the parser would cut it, whether the parser flags it key, whether it is a B picture,
/// and the frame duration the parser's timing would give. Plain Swift over bytes; it keeps the
/// parameter sets seen so far, as the parser does. Anything it cannot decide exactly (a PES
/// holding part of an access unit or more than one, field pictures, picture-structure timing,
/// a header it does not parse) is `nil`: the caller reads the file with the parser instead.
///
/// The parser's rules (libavcodec 5.1):
/// - **H.264** (`h264_parser.c`): an access unit ends before an SEI, SPS, PPS or AUD unit, or a
///   slice whose `first_mb_in_slice` is not above the previous slice's, that follows a slice.
///   Its first slice decides: key when it is an IDR slice, when a recovery-point SEI came before
///   it in the unit, or when it is an I slice and its SPS allows at most one reference frame and
///   its PPS at most one default list-0 reference ("heuristic to detect non marked keyframes").
///   SEI messages are read up to the first that FFmpeg's SEI reader would stop at.
/// - **H.265** (`hevc_parser.c`): an access unit ends before a VPS/SPS/PPS/AUD/EOS/EOB, prefix
///   SEI or reserved 41–44/48–55 unit, or a slice with `first_slice_segment_in_pic_flag`, that
///   follows a slice. Key when its first slice is IRAP (types 16–21).
/// - **Duration**: the parser's frame rate comes from the SPS VUI timing (H.264: a frame is
///   2 × `num_units_in_tick` / `time_scale`, field pairs and `pic_struct` aside) or the VPS timing
///   (H.265, else the SPS VUI: not parsed here, so `nil`).
struct AccessUnitClassifier {
    enum Codec { case h264, hevc }

    struct AccessUnit: Equatable {
        /// The parser's key flag.
        var key: Bool
        var bPicture: Bool
    }

    /// A frame's duration in seconds, as `num / den`, from the parameter sets' timing.
    struct FrameDuration: Equatable {
        var num: Int64
        var den: Int64
    }

    let codec: Codec
    /// The timings (none: nil) the access units classified so far had, each once.
    private var timings: [FrameDuration?] = []

    /// The frame duration every access unit classified so far was timed by; nil when one had
    /// none, or two differ.
    var frameDuration: FrameDuration? { timings.count == 1 ? timings[0] : nil }

    private struct SPS: Equatable {
        var refFrames: Int
        var frameMbsOnly: Bool
        var picStructPresent: Bool
        var timing: FrameDuration?
    }

    private struct PPS {
        var spsID: Int
        var refCount0: Int
        /// The SPS this PPS was read against (the parser keeps it with the PPS).
        var sps: SPS?
        /// H.265: `num_extra_slice_header_bits`.
        var extraSliceHeaderBits: Int = 0
    }

    /// H.265: the VPS's timing (absent or not), and the SPS's VPS and VUI timing.
    private struct HEVCSPS {
        var vpsID: Int
        var timing: FrameDuration?
    }

    private var sps: [Int: SPS] = [:]
    private var pps: [Int: PPS] = [:]
    private var hevcVPSTiming: [Int: FrameDuration?] = [:]
    private var hevcSPS: [Int: HEVCSPS] = [:]

    init(codec: Codec) { self.codec = codec }

    /// The access unit `data` (one PES payload) holds, or nil when it does not hold exactly one
    /// or it cannot be classified.
    mutating func classify(_ data: UnsafeBufferPointer<UInt8>) -> AccessUnit? {
        switch codec {
        case .h264: return h264(data)
        case .hevc: return hevc(data)
        }
    }

    private mutating func noteTiming(_ timing: FrameDuration?) {
        if !timings.contains(timing) { timings.append(timing) }
    }

    // MARK: H.264

    private mutating func h264(_ data: UnsafeBufferPointer<UInt8>) -> AccessUnit? {
        var unit: AccessUnit?
        var lastMb: UInt64 = 0
        var recoveryPoint = false
        var failed = false
        AnnexB.forEachUnit(data) { range in
            let header = data[range.lowerBound]
            guard header & 0x80 == 0 else { failed = true; return false }
            let nal = data[range]
            do throws(BitReader.End) {
                switch header & 0x1F {
                case 1, 5:
                    var r = BitReader(AnnexB.rbsp(nal.dropFirst(), limit: 32))
                    let firstMb = try r.ue()
                    if unit == nil {
                        guard firstMb == 0 else { failed = true; return false }
                        unit = try h264FirstSlice(&r, idr: header & 0x1F == 5, recoveryPoint: recoveryPoint)
                        if unit == nil { failed = true; return false }
                    } else {
                        // Not above the previous slice: the parser starts the next access unit here.
                        guard firstMb > lastMb else { failed = true; return false }
                    }
                    lastMb = firstMb
                case 2, 3, 4:
                    // Data partitioning: not seen in cameras, not modelled.
                    failed = true
                    return false
                case 6:
                    guard unit == nil, let found = h264SEIRecoveryPoint(AnnexB.rbsp(nal.dropFirst())) else { failed = true; return false }
                    recoveryPoint = recoveryPoint || found
                case 7:
                    guard unit == nil, try h264SPS(AnnexB.rbsp(nal.dropFirst())) else { failed = true; return false }
                case 8:
                    guard unit == nil, try h264PPS(AnnexB.rbsp(nal.dropFirst())) else { failed = true; return false }
                case 9:
                    guard unit == nil else { failed = true; return false }
                default:
                    break
                }
            } catch {
                failed = true
                return false
            }
            return true
        }
        return failed ? nil : unit
    }

    /// The rest of the first slice's header, from `slice_type` on.
    private mutating func h264FirstSlice(_ r: inout BitReader, idr: Bool, recoveryPoint: Bool) throws(BitReader.End) -> AccessUnit? {
        let sliceType = try r.ue() % 5
        var key = idr || recoveryPoint
        let ppsID = try r.ue()
        // The parser gives up on a slice whose PPS or SPS it has not seen: the key flag stays
        // as the IDR type and the SEI set it.
        // Without the PPS and SPS the parser gives up on the slice before its picture structure
        // (and the frame rate it times the packet by may be the decoder's): not modelled. An
        // SPS replaced since its PPS was read: which one the parser uses is not modelled either.
        guard let p = pps[Int(ppsID)], let s = p.sps, sps[p.spsID] == s else { return nil }
        // Interlaced coding (field pictures, two to a frame) and pic_struct timing change the
        // parser's durations and its access units: not modelled.
        guard s.frameMbsOnly, !s.picStructPresent else { return nil }
        if s.refFrames <= 1, p.refCount0 <= 1, sliceType == 2 { key = true }
        noteTiming(s.timing)
        return AccessUnit(key: key, bPicture: sliceType == 1)
    }

    /// Whether the SEI unit holds a recovery point before FFmpeg's SEI reader stops; nil when a
    /// message could make that reader stop early or fail (types other than buffering period,
    /// picture timing, unregistered user data and recovery point, or ones it rejects).
    private func h264SEIRecoveryPoint(_ rbsp: [UInt8]) -> Bool? {
        var r = BitReader(rbsp)
        var found = false
        do throws(BitReader.End) {
            while r.bitsLeft > 16, r.peekByte() != 0x80 {
                var type: UInt64 = 0, size: UInt64 = 0, b: UInt64
                repeat { b = try r.byte(); type += b } while b == 255
                repeat { b = try r.byte(); size += b } while b == 255
                guard size <= UInt64(r.bitsLeft / 8) else { return nil }
                let next = r.position + Int(size) * 8
                switch type {
                case 0: break
                case 1: guard size <= 40 else { return nil }
                case 5: guard size >= 16 else { return nil }
                case 6:
                    let count = try r.ue()
                    guard count < 1 << 16 else { return nil }
                    found = true
                default: return nil
                }
                guard next >= r.position else { return nil }
                try r.skip(next - r.position)
            }
        } catch {
            return nil
        }
        return found
    }

    /// Reads an SPS; false when it holds what is not modelled (scaling matrices, values out of
    /// FFmpeg's ranges).
    private mutating func h264SPS(_ rbsp: [UInt8]) throws(BitReader.End) -> Bool {
        var r = BitReader(rbsp)
        let profile = try r.bits(8)
        try r.skip(16)  // constraint flags, level
        let id = try r.ue()
        guard id < 32 else { return false }
        if [100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135].contains(profile) {
            let chroma = try r.ue()
            guard chroma <= 3 else { return false }
            if chroma == 3 { try r.skip(1) }
            guard try r.ue() <= 6, try r.ue() <= 6 else { return false }  // bit depths
            try r.skip(1)
            guard try !r.flag() else { return false }  // seq_scaling_matrix_present_flag
        }
        guard try r.ue() <= 12 else { return false }  // log2_max_frame_num_minus4
        let pocType = try r.ue()
        switch pocType {
        case 0: guard try r.ue() <= 12 else { return false }
        case 1:
            try r.skip(1)
            _ = try r.se()
            _ = try r.se()
            let cycle = try r.ue()
            guard cycle < 256 else { return false }
            for _ in 0..<cycle { _ = try r.se() }
        case 2: break
        default: return false
        }
        let refFrames = try r.ue()
        guard refFrames <= 16 else { return false }
        try r.skip(1)  // gaps_in_frame_num_value_allowed_flag
        _ = try r.ue()
        _ = try r.ue()
        let frameMbsOnly = try r.flag()
        if !frameMbsOnly { try r.skip(1) }
        try r.skip(1)  // direct_8x8_inference_flag
        if try r.flag() { for _ in 0..<4 { _ = try r.ue() } }
        var timing: FrameDuration?
        var picStruct = false
        if try r.flag() {  // vui_parameters_present_flag
            if try r.flag(), try r.bits(8) == 255 { try r.skip(32) }
            if try r.flag() { try r.skip(1) }
            if try r.flag() {
                try r.skip(4)
                if try r.flag() { try r.skip(24) }
            }
            if try r.flag() {
                _ = try r.ue()
                _ = try r.ue()
            }
            if try r.flag() {
                let unitsInTick = Int64(try r.bits(32)), timeScale = Int64(try r.bits(32))
                try r.skip(1)
                // FFmpeg drops zero timing with an error; not modelled.
                guard unitsInTick > 0, timeScale > 0 else { return false }
                timing = FrameDuration(num: 2 * unitsInTick, den: timeScale)
            }
            let nalHRD = try r.flag()
            if nalHRD { guard try h264HRD(&r) else { return false } }
            let vclHRD = try r.flag()
            if vclHRD { guard try h264HRD(&r) else { return false } }
            if nalHRD || vclHRD { try r.skip(1) }
            picStruct = try r.flag()
        }
        sps[Int(id)] = SPS(refFrames: Int(refFrames), frameMbsOnly: frameMbsOnly,
                           picStructPresent: picStruct, timing: timing)
        return true
    }

    private func h264HRD(_ r: inout BitReader) throws(BitReader.End) -> Bool {
        let count = try r.ue() + 1
        guard count <= 32 else { return false }
        try r.skip(8)
        for _ in 0..<count {
            _ = try r.ue()
            _ = try r.ue()
            try r.skip(1)
        }
        try r.skip(20)
        return true
    }

    private mutating func h264PPS(_ rbsp: [UInt8]) throws(BitReader.End) -> Bool {
        var r = BitReader(rbsp)
        let id = try r.ue()
        let spsID = try r.ue()
        guard id < 256, spsID < 32 else { return false }
        try r.skip(2)
        guard try r.ue() == 0 else { return false }  // slice groups
        let refCount0 = try r.ue() + 1
        guard refCount0 <= 32 else { return false }
        // FFmpeg refuses a PPS whose SPS it has not seen and keeps the one it had.
        guard let s = sps[Int(spsID)] else { return true }
        pps[Int(id)] = PPS(spsID: Int(spsID), refCount0: Int(refCount0), sps: s)
        return true
    }

    // MARK: H.265

    private mutating func hevc(_ data: UnsafeBufferPointer<UInt8>) -> AccessUnit? {
        var unit: AccessUnit?
        var failed = false
        AnnexB.forEachUnit(data) { range in
            guard range.count >= 2 else { failed = true; return false }
            let h0 = data[range.lowerBound], h1 = data[range.lowerBound + 1]
            let layer = (h0 & 1) << 5 | h1 >> 3
            guard h0 & 0x80 == 0, layer == 0, h1 & 7 != 0 else { failed = true; return false }
            let type = (h0 >> 1) & 0x3F
            let nal = data[range]
            do throws(BitReader.End) {
                switch type {
                case 0...9, 16...21:
                    guard range.count >= 3 else { failed = true; return false }
                    let firstInPicture = data[range.lowerBound + 2] & 0x80 != 0
                    if unit == nil {
                        guard firstInPicture else { failed = true; return false }
                        var r = BitReader(AnnexB.rbsp(nal.dropFirst(2), limit: 32))
                        try r.skip(1)
                        if type >= 16 { try r.skip(1) }  // no_output_of_prior_pics_flag
                        // Without its PPS, SPS and VPS the parser stops before the slice type
                        // and the frame rate: not modelled.
                        guard let p = pps[Int(try r.ue())], let s = hevcSPS[p.spsID], let v = hevcVPSTiming[s.vpsID] else {
                            failed = true
                            return false
                        }
                        try r.skip(p.extraSliceHeaderBits)
                        unit = AccessUnit(key: type >= 16, bPicture: try r.ue() == 0)
                        noteTiming(v ?? s.timing)
                    } else if firstInPicture {
                        failed = true
                        return false
                    }
                case 10...15, 22...31:
                    failed = true
                    return false
                case 32:
                    guard unit == nil, try hevcVPS(AnnexB.rbsp(nal.dropFirst(2))) else { failed = true; return false }
                case 33:
                    guard unit == nil, try hevcSPS(AnnexB.rbsp(nal.dropFirst(2))) else { failed = true; return false }
                case 34:
                    guard unit == nil, try hevcPPS(AnnexB.rbsp(nal.dropFirst(2))) else { failed = true; return false }
                case 35...37, 39, 41...44, 48...55:
                    guard unit == nil else { failed = true; return false }
                default:
                    break
                }
            } catch {
                failed = true
                return false
            }
            return true
        }
        return failed ? nil : unit
    }

    /// Reads a VPS for its timing.
    private mutating func hevcVPS(_ rbsp: [UInt8]) throws(BitReader.End) -> Bool {
        var r = BitReader(rbsp)
        let id = Int(try r.bits(4))
        try r.skip(2 + 6)
        let subLayers = Int(try r.bits(3)) + 1
        guard subLayers <= 7 else { return false }
        try r.skip(1 + 16)
        try hevcProfileTierLevel(&r, subLayers: subLayers)
        let orderingAll = try r.flag()
        for _ in (orderingAll ? 0 : subLayers - 1)..<subLayers {
            _ = try r.ue()
            _ = try r.ue()
            _ = try r.ue()
        }
        let maxLayerID = Int(try r.bits(6))
        let layerSets = try r.ue() + 1
        guard layerSets <= 1024, Int(layerSets - 1) * (maxLayerID + 1) <= r.bitsLeft else { return false }
        try r.skip(Int(layerSets - 1) * (maxLayerID + 1))
        var timing: FrameDuration?
        if try r.flag() {
            let unitsInTick = Int64(try r.bits(32)), timeScale = Int64(try r.bits(32))
            guard unitsInTick > 0, timeScale > 0 else { return false }
            timing = FrameDuration(num: unitsInTick, den: timeScale)
        }
        hevcVPSTiming[id] = timing
        return true
    }

    private func hevcProfileTierLevel(_ r: inout BitReader, subLayers: Int) throws(BitReader.End) {
        try r.skip(88 + 8)
        var profilePresent: [Bool] = [], levelPresent: [Bool] = []
        for _ in 0..<(subLayers - 1) {
            profilePresent.append(try r.flag())
            levelPresent.append(try r.flag())
        }
        if subLayers > 1 { try r.skip(2 * (8 - (subLayers - 1))) }
        for i in 0..<(subLayers - 1) {
            if profilePresent[i] { try r.skip(88) }
            if levelPresent[i] { try r.skip(8) }
        }
    }

    /// Reads an SPS up to its VUI timing; false for what is not modelled (scaling lists, VUI
    /// that FFmpeg re-reads with its alternative syntax).
    private mutating func hevcSPS(_ rbsp: [UInt8]) throws(BitReader.End) -> Bool {
        var r = BitReader(rbsp)
        let vpsID = Int(try r.bits(4))
        let subLayers = Int(try r.bits(3)) + 1
        guard subLayers <= 7 else { return false }
        try r.skip(1)
        try hevcProfileTierLevel(&r, subLayers: subLayers)
        let id = try r.ue()
        guard id < 16 else { return false }
        let chroma = try r.ue()
        guard chroma <= 3 else { return false }
        if chroma == 3 { try r.skip(1) }
        _ = try r.ue()
        _ = try r.ue()
        if try r.flag() { for _ in 0..<4 { _ = try r.ue() } }  // conformance window
        _ = try r.ue()
        _ = try r.ue()
        let log2MaxPocLsb = Int(try r.ue()) + 4
        guard log2MaxPocLsb <= 16 else { return false }
        let orderingAll = try r.flag()
        for _ in (orderingAll ? 0 : subLayers - 1)..<subLayers {
            _ = try r.ue()
            _ = try r.ue()
            _ = try r.ue()
        }
        for _ in 0..<6 { _ = try r.ue() }  // coding and transform block sizes, hierarchy depths
        if try r.flag() {  // scaling_list_enabled_flag
            guard try !r.flag() else { return false }
        }
        try r.skip(2)  // amp, sample_adaptive_offset
        if try r.flag() {  // pcm_enabled_flag
            try r.skip(8)
            _ = try r.ue()
            _ = try r.ue()
            try r.skip(1)
        }
        let sets = try r.ue()
        guard sets <= 64 else { return false }
        var deltaPocs: [Int] = []
        for i in 0..<Int(sets) {
            if i > 0, try r.flag() {  // inter_ref_pic_set_prediction_flag, from the set before
                try r.skip(1)
                _ = try r.ue()
                var count = 0
                for _ in 0...deltaPocs[i - 1] {
                    // used_by_curr_pic_flag, else use_delta_flag
                    var kept = try r.flag()
                    if !kept { kept = try r.flag() }
                    if kept { count += 1 }
                }
                deltaPocs.append(count)
            } else {
                let negative = try r.ue(), positive = try r.ue()
                guard negative < 16, positive < 16 else { return false }
                for _ in 0..<(negative + positive) {
                    _ = try r.ue()
                    try r.skip(1)
                }
                deltaPocs.append(Int(negative + positive))
            }
        }
        if try r.flag() {  // long_term_ref_pics_present_flag
            let count = try r.ue()
            guard count <= 32 else { return false }
            for _ in 0..<count { try r.skip(log2MaxPocLsb + 1) }
        }
        try r.skip(2)  // temporal MVP, strong intra smoothing
        var timing: FrameDuration?
        if try r.flag() {  // vui_parameters_present_flag
            if try r.flag(), try r.bits(8) == 255 { try r.skip(32) }
            if try r.flag() { try r.skip(1) }
            if try r.flag() {
                try r.skip(4)
                if try r.flag() { try r.skip(24) }
            }
            if try r.flag() {
                _ = try r.ue()
                _ = try r.ue()
            }
            try r.skip(3)  // neutral chroma, field_seq, frame_field_info_present
            // FFmpeg takes this pattern for a stream without default display window.
            var peek = r
            if r.bitsLeft >= 68, try peek.bits(21) == 0x100000 { return false }
            if try r.flag() { for _ in 0..<4 { _ = try r.ue() } }
            if try r.flag() {
                // With fewer bits left FFmpeg re-reads the VUI in an alternative syntax.
                guard r.bitsLeft >= 66 else { return false }
                let unitsInTick = Int64(try r.bits(32)), timeScale = Int64(try r.bits(32))
                guard unitsInTick > 0, timeScale > 0 else { return false }
                timing = FrameDuration(num: unitsInTick, den: timeScale)
            }
        }
        hevcSPS[Int(id)] = HEVCSPS(vpsID: vpsID, timing: timing)
        return true
    }

    private mutating func hevcPPS(_ rbsp: [UInt8]) throws(BitReader.End) -> Bool {
        var r = BitReader(rbsp)
        let id = try r.ue()
        let spsID = try r.ue()
        guard id < 64, spsID < 16 else { return false }
        try r.skip(2)
        pps[Int(id)] = PPS(spsID: Int(spsID), refCount0: 0, extraSliceHeaderBits: Int(try r.bits(3)))
        return true
    }
}
