import CFFmpeg

/// Keyframes from the demuxer's index entries (MP4 `stss`, MKV cues), without reading the
/// media. Returns nil where the index cannot be trusted to describe the file (empty, cut
/// short, pointing past the end of a truncated file, or claims that the packets' consensus
/// does not bear out: a stray sample time, a presentation time far from its decode time, a
/// cue or a duration out of line): the caller scans instead, and the scan counts what it drops.
struct ContainerIndexReader {
    let stream: VideoStream

    func read() throws(MediaError) -> SegmentInfo? {
        if stream.isMatroska {
            // Matroska parses its cues lazily: one seek loads them.
            _ = av_seek_frame(stream.input.context, Int32(stream.index), 0, AVSEEK_FLAG_BACKWARD)
        }
        let entries = indexEntries()
        guard !entries.isEmpty else { return nil }
        return stream.isMP4 ? try readMP4(entries) : try readMatroska(entries)
    }

    struct Entry {
        var timestamp: Int64
        var keyframe: Bool
    }

    private func indexEntries() -> [Entry] {
        let count = avformat_index_get_entries_count(stream.pointer)
        var out: [Entry] = []
        out.reserveCapacity(Int(count))
        for i in 0..<count {
            guard let e = avformat_index_get_entry(stream.pointer, i)?.pointee else { continue }
            if e.flags & Int32(AVINDEX_DISCARD_FRAME) != 0 { continue }
            out.append(Entry(timestamp: e.timestamp, keyframe: e.flags & Int32(AVINDEX_KEYFRAME) != 0))
        }
        return out
    }

    static func claimedKeyframes(_ stream: VideoStream) -> Int? {
        if stream.isMatroska { return nil }  // its cues load only on a seek
        let count = avformat_index_get_entries_count(stream.pointer)
        var keyframes = 0
        for i in 0..<count {
            if let e = avformat_index_get_entry(stream.pointer, i)?.pointee, e.flags & Int32(AVINDEX_KEYFRAME) != 0,
               e.flags & Int32(AVINDEX_DISCARD_FRAME) == 0 { keyframes += 1 }
        }
        return count > 0 ? keyframes : nil
    }

    /// A truncated file's index still lists the samples that were cut off.
    static func indexPointsPastEnd(_ stream: VideoStream, fileSize: Int64) -> Bool {
        let count = avformat_index_get_entries_count(stream.pointer)
        for i in 0..<count {
            if let e = avformat_index_get_entry(stream.pointer, i)?.pointee, e.pos + Int64(e.size) > fileSize { return true }
        }
        return false
    }

    private func readMP4(_ entries: [Entry]) throws(MediaError) -> SegmentInfo? {
        let p = stream.pointer.pointee
        guard p.duration != cfx_nopts(), p.duration > 0 else { return nil }
        let firstDtsUs = stream.us(entries[0].timestamp)
        let startUs = p.start_time != cfx_nopts() ? stream.us(p.start_time) : firstDtsUs
        let endUs = startUs + stream.us(p.duration)
        // Index entries carry decode times; without frame reordering a sample's presentation
        // time is its decode time shifted by a constant.
        let shift = startUs - firstDtsUs
        let dts = entries.map { stream.us($0.timestamp) }
        let consensus = TimelineConsensus(packets: dts.map { PacketTimes(dts: $0, pts: $0, duration: 0, keyframe: false) },
                                          nominalFrameUs: nil)
        var samples: [PacketTimes] = []
        samples.reserveCapacity(entries.count)
        for (i, t) in dts.enumerated() {
            let next = i + 1 < entries.count ? dts[i + 1] : endUs - shift
            let frame = next > t && next - t <= consensus.jumpUs ? next - t : consensus.frameUs
            samples.append(PacketTimes(dts: t, pts: t + shift, duration: frame, keyframe: false))
        }
        let timeline = consensus.resolve(samples)
        // The index's claims must agree with each other: a sample the others do not follow, or a
        // duration beyond the last sample, and the file is scanned instead.
        guard timeline.bad == 0, timeline.stalled == 0, let lastRun = timeline.runs.last else { return nil }
        var runs = timeline.runs
        // Fragmented MP4 indexes only what it has read so far: not the whole file.
        guard lastRun.1 >= endUs - consensus.jumpUs, endUs <= lastRun.1 + 2 * consensus.frameUs else { return nil }
        runs[runs.count - 1].1 = max(lastRun.1, endUs)

        guard let keyframesUs = try keyframePresentationTimes(entries, consensus: consensus),
              keyframesUs.allSatisfy({ k in runs.contains { k >= $0.0 - consensus.jumpUs && k < $0.1 } }) else { return nil }
        return stream.info(method: .containerIndex, keyframesUs: keyframesUs, runsUs: runs, firstUs: startUs, truncated: false)
    }

    /// Index entries carry decode times. The first packets tell whether frames are reordered:
    /// if not, presentation = decode + a constant and the index answers alone; with B-frames
    /// the offset varies, so each keyframe sample is read. Nil when the offsets seen differ by
    /// more than any reordering explains (`TimelineConsensus.maxOffsetDeviationUs`): the claim
    /// is not to be trusted, the file is scanned.
    private func keyframePresentationTimes(_ entries: [Entry], consensus: TimelineConsensus) throws(MediaError) -> [Int64]? {
        let packet = try Packet()
        var offsets = Set<Int64>()
        var keyframes: [Int64] = []
        func note(_ pkt: AVPacket) {
            guard Int(pkt.stream_index) == stream.index, pkt.pts != cfx_nopts() else { return }
            if pkt.dts != cfx_nopts() { offsets.insert(pkt.pts - pkt.dts) }
            if pkt.flags & AV_PKT_FLAG_KEY != 0 { keyframes.append(stream.us(pkt.pts)) }
        }
        func plausible() -> Bool {
            let us = offsets.map(stream.us)
            guard let lo = us.min(), let hi = us.max() else { return true }
            return hi - lo <= consensus.maxOffsetDeviationUs
        }
        var probed = 0
        while probed < 16, let pkt = try packet.read(from: stream.input) {
            note(pkt.pointee)
            probed += 1
        }
        guard plausible() else { return nil }
        if offsets.count <= 1 {
            let offset = offsets.first ?? 0
            return entries.filter(\.keyframe).map { stream.us($0.timestamp + offset) }
        }
        // FFmpeg 5.1's MP4 demuxer loses the composition offsets when it skips samples
        // (AVDISCARD_NONKEY), but a seek to each keyframe sample sets them right.
        keyframes.removeAll()
        for entry in entries where entry.keyframe {
            guard av_seek_frame(stream.input.context, Int32(stream.index), entry.timestamp, 0) >= 0 else { return [] }
            while let pkt = try packet.read(from: stream.input) {
                guard Int(pkt.pointee.stream_index) == stream.index else { continue }
                note(pkt.pointee)
                break
            }
        }
        guard plausible() else { return nil }
        return keyframes.sorted()
    }

    private func readMatroska(_ entries: [Entry]) throws(MediaError) -> SegmentInfo? {
        let ctx = stream.input.context.pointee
        let p = stream.pointer.pointee
        // Matroska cues hold presentation times of keyframes; the extent comes from the header.
        let startUs = p.start_time != cfx_nopts() ? stream.us(p.start_time) : stream.us(entries[0].timestamp)
        let durationUs: Int64
        if p.duration != cfx_nopts() && p.duration > 0 {
            durationUs = stream.us(p.duration)
        } else if ctx.duration != cfx_nopts() && ctx.duration > 0 {
            let formatStart = ctx.start_time != cfx_nopts() ? ctx.start_time : startUs
            durationUs = formatStart + ctx.duration - startUs
        } else {
            return nil
        }
        let endUs = startUs + durationUs
        let cues = entries.filter(\.keyframe)
        let keyframesUs = cues.map { stream.us($0.timestamp) }.sorted()
        guard let lastCue = cues.max(by: { $0.timestamp < $1.timestamp }), let last = keyframesUs.last, last < endUs,
              try claimsAgree(keyframesUs: keyframesUs, startUs: startUs, endUs: endUs, lastCue: lastCue) else { return nil }
        return stream.info(method: .containerIndex, keyframesUs: keyframesUs,
                           runsUs: [(startUs, endUs)], firstUs: startUs, truncated: false)
    }

    /// Whether the cues and the header's duration describe the packets: the cues evenly spread
    /// from the start (no gap wildly longer than the typical one: a jump or a stray time), and
    /// the packets from the last cue on (one GOP, read) agreeing with each other, lasting about
    /// as long as their number of frames, starting at that cue and ending where the header says
    /// the file ends. Otherwise the file is scanned.
    private func claimsAgree(keyframesUs: [Int64], startUs: Int64, endUs: Int64, lastCue: Entry) throws(MediaError) -> Bool {
        let nominal = stream.nominalFrameUs
        let points = [startUs] + keyframesUs
        let gaps = zip(points.dropFirst(), points).map { $0 - $1 }
        guard gaps.allSatisfy({ $0 >= -(nominal ?? 40_000) }) else { return false }
        let steps = gaps.filter { $0 > 0 }
        if steps.count > 1 {
            let typical = TimelineConsensus.median(steps)
            guard gaps.allSatisfy({ $0 <= max(4 * typical, typical + 10_000_000) }) else { return false }
        }
        guard av_seek_frame(stream.input.context, Int32(stream.index), lastCue.timestamp, AVSEEK_FLAG_BACKWARD) >= 0 else { return false }
        let tail = try PacketScanner(stream: stream).readToEnd()
        guard !tail.truncated, let first = tail.times.first else { return false }
        let consensus = TimelineConsensus(packets: tail.times, nominalFrameUs: nominal)
        let timeline = consensus.resolve(tail.times)
        guard timeline.bad == 0, timeline.stalled == 0, timeline.runs.count == 1, let run = timeline.runs.first else { return false }
        // Packets a tick apart (a muxer's clamps after a bad time) agree with each other but
        // not with their number: the tail must last about as long as its frames.
        guard run.1 - run.0 >= Int64(timeline.good) * consensus.frameUs / 2 else { return false }
        let tolerance = max(2 * consensus.frameUs, 100_000)
        return abs(first.pts - stream.us(lastCue.timestamp)) <= tolerance && abs(run.1 - endUs) <= tolerance
    }
}
