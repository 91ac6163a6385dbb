import CamindexCore

/// How a camera's footage over a range becomes clip parts: one part per window (holes longer
/// than the stored tolerance are never stitched over), cut again where codec or resolution
/// change. A part starts at the keyframe at or before its start, however far back it lies in
/// continuous footage (pass the segments from there on), so the first frame of the range can
/// be shown. The clip follows wall-clock time: where two files overlap, the later one takes over
/// at its first keyframe inside the earlier one, and a file wholly inside another adds nothing.
/// A file recovered from an MP4 without `moov` is a part of its own, copied whole. Pure:
/// tested without FFmpeg or a store.
public struct ExportPlan: Sendable {
    /// One source file's share of a part, on the file's own timeline.
    public struct Source: Sendable, Hashable {
        public var segment: StoredSegment
        /// Copy from the keyframe with this presentation time.
        public var fromPtsMs: Int64
        /// Up to and including the first packet at or after this one; nil: to the end of the file.
        public var toPtsMs: Int64?
    }

    public struct Part: Sendable {
        /// 1-based.
        public var number: Int
        /// Wall-clock time of the part's first keyframe.
        public var start: Instant
        /// Where the part is meant to end (the range's end, or the hole's start).
        public var end: Instant
        public var codec: String
        public var width: Int
        public var height: Int
        public var sources: [Source]
        /// Bytes, assuming a constant bitrate within each source file.
        public var estimatedBytes: Int64
        /// One recovered file (`StoredSegment.recovered`), to be copied whole.
        public var recovered: Bool { sources.count == 1 && sources[0].segment.recovered }
    }

    public var range: Interval
    public var parts: [Part]
    /// Stretches of the range with no footage.
    public var holes: [Interval]

    /// Plans `segments` (in start order) over `range`. Footage pieces closer than `toleranceMs`
    /// count as continuous, as the stored windows do.
    public init(segments: [StoredSegment], range: Interval, toleranceMs: Int64 = Windows.defaultMaxGapMs) {
        self.range = range
        // Whole windows: the footage continuous with the range's start may begin before it.
        let whole = Windows.merge(segments.flatMap { $0.runs.map { FootageSpan($0, verified: true) } }, maxGapMs: toleranceMs)
            .map(\.interval).filter { $0.overlaps(range) }
        holes = Windows.gaps(whole.compactMap { $0.clipped(to: range) }, in: range)
        var parts: [Part] = []
        for continuous in whole {
            guard let window = continuous.clipped(to: range) else { continue }
            // Segments with a run in this window, cut where the stream's parameters change.
            let inWindow = segments.filter { s in s.runs.contains { $0.overlaps(window) } }
            var groups: [[StoredSegment]] = []
            for s in inWindow {
                if let last = groups.last?.last, !last.recovered, !s.recovered,
                   (last.codec, last.width, last.height) == (s.codec, s.width, s.height) {
                    groups[groups.count - 1].append(s)
                } else {
                    groups.append([s])
                }
            }
            for (g, group) in groups.enumerated() {
                // A group after a parameter change starts where its first file starts.
                let from = g == 0 ? window.start : max(window.start, Instant(ms: group[0].startMs))
                let until = g == groups.count - 1 ? window.end : min(window.end, Instant(ms: groups[g + 1][0].startMs))
                guard let part = Self.part(group, from: from, until: until, window: continuous, number: parts.count + 1) else { continue }
                parts.append(part)
            }
        }
        self.parts = parts
    }

    private static func part(_ group: [StoredSegment], from: Instant, until: Instant, window: Interval, number: Int) -> Part? {
        if let s = group.first, s.recovered {
            // Copied whole: it starts where the file does.
            let start = Instant(ms: s.startMs + (s.keyframeOffsetsMs.first ?? 0))
            return Part(number: number, start: start, end: Instant(ms: s.endMs), codec: s.codec, width: s.width, height: s.height,
                        sources: [Source(segment: s, fromPtsMs: s.firstPtsMs, toPtsMs: nil)], estimatedBytes: s.size)
        }
        // Each source with the wall-clock span it is copied for.
        var sources: [(source: Source, first: Instant, end: Instant)] = []
        for s in group {
            let keyframes = s.keyframeOffsetsMs.map { Instant(ms: s.startMs + $0) }
            let fileEnd = Instant(ms: s.endMs)
            guard fileEnd > from, Instant(ms: s.startMs) < until else { continue }
            guard let previous = sources.last else {
                // The keyframe at or before the start, in the footage continuous with it
                // (`window`, however far back); else the first keyframe after it (the start is
                // before the file's first keyframe).
                guard let k = keyframes.last(where: { $0 <= from && $0 >= window.start }) ?? keyframes.first(where: { $0 >= from }),
                      k < until else { continue }
                sources.append((Source(segment: s, fromPtsMs: s.pts(at: k), toPtsMs: until < fileEnd ? s.pts(at: until) : nil), k, min(until, fileEnd)))
                continue
            }
            // Wholly inside the file before: nothing new.
            guard fileEnd > previous.end else { continue }
            let k: Instant
            if Instant(ms: s.startMs) < previous.end {
                // Overlapping the file before: this one takes over at its first keyframe after
                // where the one before starts, and the one before stops there.
                guard let takeOver = keyframes.first(where: { $0 > previous.first }) else { continue }
                k = takeOver
                if k < previous.end {
                    // The copy ends with the first frame at or after `toPtsMs`: one frame before
                    // the take-over, so the frame at it comes once, from this file.
                    let p = sources.count - 1
                    let frameMs = sources[p].source.segment.fps.map { $0 > 0 ? Int64((1000 / $0).rounded(.up)) : 0 } ?? 0
                    sources[p].source.toPtsMs = sources[p].source.segment.pts(at: k) - frameMs
                    sources[p].end = k
                }
            } else {
                guard let first = keyframes.first else { continue }
                k = first
            }
            guard k < until else { continue }
            sources.append((Source(segment: s, fromPtsMs: s.pts(at: k), toPtsMs: until < fileEnd ? s.pts(at: until) : nil), k, min(until, fileEnd)))
        }
        guard let start = sources.first?.first, let head = sources.first?.source.segment else { return nil }
        let bytes = sources.reduce(Int64(0)) { total, s in
            total + s.source.segment.size * max(0, s.end.ms - s.first.ms) / max(1, s.source.segment.endMs - s.source.segment.startMs)
        }
        return Part(number: number, start: start, end: until, codec: head.codec, width: head.width, height: head.height,
                    sources: sources.map(\.source), estimatedBytes: bytes)
    }
}
