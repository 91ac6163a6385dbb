/// One packet's times, in microseconds, in the order the file holds them (decode order).
struct PacketTimes: Sendable, Hashable {
    /// Decode time; the presentation time where the container gives none (MKV, FLV without
    /// reordering).
    var dts: Int64
    /// Presentation time.
    var pts: Int64
    /// 0 when the packet does not say.
    var duration: Int64
    /// A keyframe whose picture data is intact.
    var keyframe: Bool
}

/// What the packets of a file agree on: its continuous runs and keyframes, with the packets
/// whose timestamps were not believed left out and counted.
struct Timeline: Sendable {
    var runs: [(Int64, Int64)] = []
    /// Sorted presentation times.
    var keyframes: [Int64] = []
    /// Packets whose timestamps were not believed.
    var bad = 0
    /// Of `bad`, keyframes (dropped from `keyframes`).
    var badKeyframes = 0
    /// Packets whose times were believed.
    var good = 0
    /// Packets of stalled stretches (see `TimelineConsensus.stallMinPackets`), re-timed from
    /// the frame duration.
    var stalled = 0
}

/// Decides which packet timestamps to believe, so that one packet cannot move a segment's
/// extent. The rules, in order:
///
/// - **Frame duration**: the lower median step between the packets' sorted decode times (steps
///   under 2 ms, such as a muxer's one-tick clamps after a bad timestamp, and over 10 s
///   ignored); the stream's nominal rate only bounds it where the packets say little (see
///   `frameUs(_:nominal:)`). Header rates are themselves computed from timestamps and go
///   wrong with them.
/// - **Continuity**: a packet whose decode time is within `skipUs` (a few frames: twice the
///   file's own 90th-percentile step, at least 4 frames) of the last believed packet continues
///   the run.
/// - **Steps and jumps need confirmation**: a packet further away continues the run (frames
///   skipped, up to `jumpUs`, max(1 s, 4 frames)) or starts a new one (a real gap or a real
///   jump, forward or back) only when the packets after it agree: `confirmations` of the next
///   few follow on from it, each within `skipUs` of the one before and stepping by at least a
///   quarter frame, which a muxer's clamped timestamps do not. Otherwise it is an outlier:
///   dropped, counted.
/// - **PTS within a few frames of DTS**: once the decode times are settled, a packet whose
///   presentation time is further from its decode time plus the median offset (over the
///   packets whose decode times hold) than the file's own reordering explains (three times
///   the 90th percentile of that distance, at least 2 frames, at most `maxOffsetDeviationUs`,
///   16 frames) keeps its place in the run but not its presentation time: counted.
/// - **Packet count × frame duration**: a packet left out still is a frame. A run whose
///   believed times end before its frames would (at the frame step from its start) is
///   lengthened by a frame for each packet left out after its last believed one, never beyond
///   all its frames (so a tail of clamped timestamps keeps its length, at the right place).
/// - **Where a run can start and end**: not before its first picture when that is a keyframe
///   (a player starts there), and not after a frame past its last decode time plus the stream's
///   reordering delay (the picture presented last has been decoded by then).
/// - **Durations** longer than two frames are not believed either (an MP4 sample's duration is
///   the step to the next one, bad or not): such a packet lasts one frame.
///
/// - **Stalled timestamps**: after a source restarts, recorders often write timestamps that
///   hardly advance (the same decode time again, or each one tick after the last: the muxer's
///   clamp). Such packets continue a run but say nothing of time. A run with at least
///   `stallMinPackets` of them whose frames (count × frame duration) outlast its believed span
///   by more than a second is *stalled*: each of those packets is re-timed a frame after the
///   one before, and counted in `stalled`. (Whether the file's mtime bears that out is for the
///   caller, which knows the wall clock.)
struct TimelineConsensus: Sendable {
    /// Packets after a jump that must follow on from it before it counts as real.
    static let confirmations = 3
    /// Packets with stalled timestamps a run needs before it is re-timed.
    static let stallMinPackets = 25

    let frameUs: Int64
    let jumpUs: Int64
    /// The furthest a presentation time may be from its decode time plus the median offset,
    /// whatever the file's reordering.
    let maxOffsetDeviationUs: Int64

    init(frameUs: Int64) {
        self.frameUs = max(1, frameUs)
        jumpUs = max(1_000_000, 4 * self.frameUs)
        maxOffsetDeviationUs = 16 * self.frameUs
    }

    /// How far from decode time plus `offset` the presentation times of `p` may be: three
    /// times what 90% of the packets stay within, at least 2 frames, at most
    /// `maxOffsetDeviationUs`.
    func offsetToleranceUs(_ p: [PacketTimes], offset: Int64) -> Int64 {
        let deviations = p.map { abs($0.pts - $0.dts - offset) }.sorted()
        let p90 = deviations[min(deviations.count - 1, deviations.count * 9 / 10)]
        return max(2 * frameUs, min(3 * p90, maxOffsetDeviationUs))
    }

    /// The consensus for `packets`, with `nominalFrameUs` (from the stream's frame rate) used
    /// only where the packets give no frame step.
    init(packets: [PacketTimes], nominalFrameUs: Int64?) {
        self.init(frameUs: Self.frameUs(packets.map(\.dts), nominal: nominalFrameUs))
    }

    /// Frame steps the consensus considers: from 2 ms (500 fps; below are a muxer's clamps) to
    /// 10 s (a time-lapse; above is a jump).
    static let plausibleFrameUs: ClosedRange<Int64> = 2_000...10_000_000

    /// The lower median of the steps between sorted timestamps that could be frame steps (the
    /// lower one: with two steps, a frame and a jump, the frame). From fewer than 8 steps (a
    /// file whose timestamps are mostly broken) the shortest of that, the nominal frame and
    /// 40 ms: header rates are themselves computed from the broken timestamps (an MP4's
    /// average rate from its duration), and each frame left out extends a run by this much,
    /// so with little to go on no frame is taken to last longer than at 25 fps.
    static func frameUs(_ times: [Int64], nominal: Int64?) -> Int64 {
        let sorted = times.sorted()
        var steps: [Int64] = []
        steps.reserveCapacity(sorted.count)
        for i in sorted.indices.dropFirst() {
            let d = sorted[i] - sorted[i - 1]
            if plausibleFrameUs.contains(d) { steps.append(d) }
        }
        let nominal = nominal.flatMap { plausibleFrameUs.contains($0) ? $0 : nil }
        if steps.count >= 8 { return median(steps) }
        return min(steps.isEmpty ? .max : median(steps), nominal ?? .max, 40_000)
    }

    /// The lower median.
    static func median(_ values: [Int64]) -> Int64 {
        let s = values.sorted()
        return s[(s.count - 1) / 2]
    }

    /// How far one packet may step from the last believed one and simply continue the run:
    /// twice what 90% of the file's steps stay within (B-frames reorder files that carry
    /// presentation times only), at least 4 frames, at most `jumpUs`.
    func skipUs(_ p: [PacketTimes]) -> Int64 {
        guard p.count > 1 else { return min(4 * frameUs, jumpUs) }
        let steps = zip(p.dropFirst(), p).map { abs($0.dts - $1.dts) }.sorted()
        let p90 = steps[min(steps.count - 1, steps.count * 9 / 10)]
        return min(jumpUs, max(4 * frameUs, 2 * p90))
    }

    /// Where a packet stands on the decode timeline.
    private enum Place { case newRun, continues, outlier }

    func resolve(_ p: [PacketTimes]) -> Timeline {
        var out = Timeline()
        guard !p.isEmpty else { return out }
        // First the decode times: which packets continue a run, start one, or are outliers.
        let skip = skipUs(p)
        var places: [Place] = []
        places.reserveCapacity(p.count)
        var lastGood: Int?
        for i in p.indices {
            let step = lastGood.map { abs(p[i].dts - p[$0].dts) }
            if let step, step <= skip {
                places.append(.continues)
            } else if !confirmed(p, i, advancing: lastGood != nil, skip: skip) {
                places.append(.outlier)
                continue
            } else if let step, step <= jumpUs {
                // A confirmed step up to `jumpUs` is frames skipped; beyond, a gap or a jump.
                places.append(.continues)
            } else {
                places.append(.newRun)
            }
            lastGood = i
        }
        // Stalled decode times: packets continuing a run by less than a quarter frame.
        var stalledAt = [Bool](repeating: false, count: p.count)
        var runStart = 0, lastHeld: Int?
        func closeRun(_ end: Int) {
            let stalls = (runStart..<end).filter { stalledAt[$0] }
            let frames = (runStart..<end).filter { places[$0] != .outlier }
            let span = frames.isEmpty ? 0 : (frames.map { p[$0].dts }.max()! - frames.map { p[$0].dts }.min()!)
            let stalledRun = stalls.count >= Self.stallMinPackets && Int64(frames.count) * frameUs > span + 1_000_000
            if !stalledRun { for i in stalls { stalledAt[i] = false } }
        }
        for i in p.indices where places[i] != .outlier {
            if places[i] == .newRun {
                closeRun(i)
                runStart = i
            } else if let last = lastHeld, p[i].dts - p[last].dts >= 0, p[i].dts - p[last].dts < frameUs / 4 {
                stalledAt[i] = true
            }
            lastHeld = i
        }
        closeRun(p.count)
        // Then the presentation times, against those of the packets whose decode times hold.
        let held = p.indices.filter { places[$0] != .outlier && !stalledAt[$0] }.map { p[$0] }
        let offset = Self.median((held.isEmpty ? p : held).map { $0.pts - $0.dts })
        let tolerance = offsetToleranceUs(held.isEmpty ? p : held, offset: offset)
        // Re-timed packets are placed on the decode timeline, presented after the stream's
        // reordering delay: what a keyframe's presentation time leads its decode time by (with
        // B-frames the median offset can be a frame or two off it, which a re-timed tail would
        // add to the run's end).
        let keyOffsets = held.filter(\.keyframe).map { $0.pts - $0.dts }
        let delay = keyOffsets.isEmpty ? offset : Self.median(keyOffsets)
        var run: Run?
        var previousDecode: Int64?
        for i in p.indices {
            if places[i] == .newRun {
                if let r = run { out.runs.append(r.span(frameUs: frameUs, delay: delay)) }
                run = Run(decode: p[i].dts, offset: offset)
            }
            if stalledAt[i] {
                // Re-timed: decoded a frame after the packet before.
                let decode = (previousDecode ?? p[i].dts) + frameUs
                let time = decode + delay
                run?.add(start: time, end: time + frameUs, keyframe: p[i].keyframe, decode: decode)
                previousDecode = decode
                out.stalled += 1
                out.good += 1
                if p[i].keyframe { out.keyframes.append(time) }
                continue
            }
            guard places[i] != .outlier, abs(p[i].pts - p[i].dts - offset) <= tolerance else {
                // An outlier is one more frame of the run; a packet whose decode time holds
                // but whose presentation time is off, too.
                out.bad += 1
                if p[i].keyframe { out.badKeyframes += 1 }
                run?.leaveOut()
                continue
            }
            let duration = p[i].duration > 0 && p[i].duration <= 2 * frameUs ? p[i].duration : frameUs
            run?.add(start: p[i].pts, end: p[i].pts + duration, keyframe: p[i].keyframe, decode: p[i].dts)
            previousDecode = p[i].dts
            out.good += 1
            if p[i].keyframe { out.keyframes.append(p[i].pts) }
        }
        if let r = run { out.runs.append(r.span(frameUs: frameUs, delay: delay)) }
        out.keyframes.sort()
        return out
    }

    /// Whether the packets after `i` follow on from it. Once a run exists, a step beyond `skip`
    /// needs `confirmations` of the next few packets to follow it, each within `skip` of the
    /// one before and stepping by at least a quarter frame (clamped times a tick apart, or the
    /// same time repeated, confirm nothing; nor do fewer packets at the end of the file).
    /// Before any run, a packet stands unless the packets after it agree, so stepping, on
    /// another timeline.
    private func confirmed(_ p: [PacketTimes], _ i: Int, advancing: Bool, skip: Int64) -> Bool {
        let chain = followers(p, i, skip: skip)
        if advancing { return chain.joined == Self.confirmations && chain.steps }
        if chain.joined >= chain.needed { return true }
        let other = followers(p, i + 1, skip: skip)
        return !(other.needed > 0 && other.joined >= other.needed && other.steps)
    }

    /// Of the next few packets after `i`, how many follow on from it (each within `skip` of
    /// the one before in the chain; an outlier among them does not break it), how many could,
    /// and whether every step of the chain moves by at least a quarter frame.
    private func followers(_ p: [PacketTimes], _ i: Int, skip: Int64) -> (needed: Int, joined: Int, steps: Bool) {
        let needed = min(Self.confirmations, p.count - 1 - i)
        var last = p[i].dts, joined = 0, steps = true
        var j = i + 1
        while j < p.count, j <= i + 2 * Self.confirmations, joined < needed {
            let step = p[j].dts - last
            if abs(step) <= skip {
                joined += 1
                if abs(step) < frameUs / 4 { steps = false }
                last = p[j].dts
            }
            j += 1
        }
        return (needed, joined, steps && joined > 0)
    }

    /// A run being built: believed presentation spans, and how many frames it holds. Where
    /// some of its packets' times were not believed, the packets left out fill the
    /// presentation slots after the believed ones, wherever their own times point.
    private struct Run {
        /// Where the run starts if no packet's presentation time is believed.
        let anchor: Int64
        var start: Int64?
        var end: Int64?
        var frames: Int64 = 0
        var leftOut = false
        /// Packets left out since the last believed one.
        var leftOutSince: Int64 = 0
        /// When the run's first believed packet is a keyframe, its presentation time: no picture
        /// of the run can be shown before it (a player starts there; a picture presented
        /// earlier is a leading picture of an open GOP, undecodable, or a bad timestamp).
        var keyframeFloor: Int64?

        init(decode: Int64, offset: Int64) {
            anchor = decode + offset
        }

        /// The latest decode time of the run's believed packets.
        var lastDecode: Int64?

        mutating func add(start s: Int64, end e: Int64, keyframe: Bool, decode: Int64) {
            if frames == 0, !leftOut, keyframe { keyframeFloor = s }
            lastDecode = max(lastDecode ?? decode, decode)
            start = min(start ?? s, s)
            end = max(end ?? e, e)
            frames += 1
            leftOutSince = 0
        }

        /// A packet in this run whose time is not believed.
        mutating func leaveOut() {
            frames += 1
            leftOut = true
            leftOutSince += 1
        }

        /// With packets left out: no longer than all its frames from its start, nor than a
        /// frame for each packet left out after its last believed end.
        /// The believed end is no later than a frame after the last decode time plus the
        /// stream's reordering `delay`: in decode order, the picture presented last is decoded
        /// by then (a presentation time beyond it is within the file's reordering tolerance,
        /// but not a picture the file holds).
        func span(frameUs: Int64, delay: Int64) -> (Int64, Int64) {
            let s = max(start ?? anchor, keyframeFloor ?? .min)
            let e = max(min(end ?? s, lastDecode.map { $0 + delay + frameUs } ?? .max), s)
            guard leftOut else { return (s, e) }
            return (s, max(e, min(s + frames * frameUs, e + leftOutSince * frameUs)))
        }
    }
}
