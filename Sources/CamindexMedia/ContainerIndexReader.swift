import CFFmpeg

/// Keyframes from the demuxer's index entries (MP4 `stss`, MKV cues), without reading the
/// media. Returns nil where the index cannot be trusted to describe the file (empty, cut
/// short, pointing past the end of a truncated file): the caller scans instead.
struct ContainerIndexReader {
    let stream: VideoStream

    func read() throws(MediaError) -> SegmentInfo? {
        if stream.isMatroska {
            // Matroska parses its cues lazily: one seek loads them.
            _ = av_seek_frame(stream.input.context, Int32(stream.index), 0, AVSEEK_FLAG_BACKWARD)
        }
        let entries = indexEntries()
        guard !entries.isEmpty else { return nil }
        return stream.isMP4 ? try readMP4(entries) : readMatroska(entries)
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
        var runs = RunBuilder(frameUs: stream.nominalFrameUs)
        for (i, e) in entries.enumerated() {
            let dts = stream.us(e.timestamp)
            let next = i + 1 < entries.count ? stream.us(entries[i + 1].timestamp) : endUs - shift
            let frame = next > dts && next - dts <= runs.jumpUs ? next - dts : stream.nominalFrameUs
            runs.add(dts: dts, start: dts + shift, end: dts + shift + frame)
        }
        // Fragmented MP4 indexes only what it has read so far: not the whole file.
        guard let lastRun = runs.runs.last, lastRun.1 >= endUs - runs.jumpUs else { return nil }
        runs.runs[runs.runs.count - 1].1 = max(lastRun.1, endUs)

        let keyframesUs = try keyframePresentationTimes(entries)
        return stream.info(method: .containerIndex, keyframesUs: keyframesUs, runsUs: runs.runs, firstUs: startUs, truncated: false)
    }

    /// Index entries carry decode times. The first packets tell whether frames are reordered:
    /// if not, presentation = decode + a constant and the index answers alone; with B-frames
    /// the offset varies, so each keyframe sample is read.
    private func keyframePresentationTimes(_ entries: [Entry]) throws(MediaError) -> [Int64] {
        let packet = try Packet()
        var offsets = Set<Int64>()
        var keyframes: [Int64] = []
        func note(_ pkt: AVPacket) {
            guard Int(pkt.stream_index) == stream.index, pkt.pts != cfx_nopts() else { return }
            if pkt.dts != cfx_nopts() { offsets.insert(pkt.pts - pkt.dts) }
            if pkt.flags & AV_PKT_FLAG_KEY != 0 { keyframes.append(stream.us(pkt.pts)) }
        }
        var probed = 0
        while probed < 16, let pkt = try packet.read(from: stream.input) {
            note(pkt.pointee)
            probed += 1
        }
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
        return keyframes.sorted()
    }

    private func readMatroska(_ entries: [Entry]) -> SegmentInfo? {
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
        let keyframesUs = entries.filter(\.keyframe).map { stream.us($0.timestamp) }
        guard !keyframesUs.isEmpty, let last = keyframesUs.last, last < startUs + durationUs else { return nil }
        return stream.info(method: .containerIndex, keyframesUs: keyframesUs,
                           runsUs: [(startUs, startUs + durationUs)], firstUs: startUs, truncated: false)
    }
}
