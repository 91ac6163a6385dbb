import CamindexCore

/// How a camera's footage over a range becomes clip parts: one part per window (holes longer
/// than the stored tolerance are never stitched over), cut again where codec or resolution
/// change, each part starting at a keyframe found from the stored keyframes. A file recovered
/// from an MP4 without `moov` is a part of its own, copied whole. Pure: tested without FFmpeg
/// or a store.
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
        let windows = Windows.merge(segments.flatMap { $0.runs.map { FootageSpan($0, verified: true) } }, maxGapMs: toleranceMs)
            .map(\.interval).compactMap { $0.clipped(to: range) }
        holes = Windows.gaps(windows, in: range)
        var parts: [Part] = []
        for window in windows {
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
                guard let part = Self.part(group, from: from, until: until, window: window, number: parts.count + 1) else { continue }
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
        var sources: [Source] = []
        var start: Instant?
        var bytes: Int64 = 0
        for s in group {
            let keyframes = s.keyframeOffsetsMs.map { Instant(ms: s.startMs + $0) }
            let fileEnd = Instant(ms: s.endMs)
            guard fileEnd > from, Instant(ms: s.startMs) < until else { continue }
            let first: Instant
            if start == nil {
                // The keyframe at or before the start, if it lies inside this window; else the
                // first keyframe after it (the start is in a hole the window bridged, or before
                // the file's first keyframe).
                guard let k = keyframes.last(where: { $0 <= from && $0 >= window.start - Windows.defaultMaxGapMs })
                        ?? keyframes.first(where: { $0 >= from }), k < until else { continue }
                first = k
                start = k
            } else {
                guard let k = keyframes.first else { continue }
                first = k
            }
            let to: Int64? = until < fileEnd ? s.pts(at: until) : nil
            sources.append(Source(segment: s, fromPtsMs: s.pts(at: first), toPtsMs: to))
            let span = max(0, min(until, fileEnd).ms - first.ms)
            let length = max(1, s.endMs - s.startMs)
            bytes += s.size * span / length
        }
        guard let start, let head = sources.first?.segment else { return nil }
        return Part(number: number, start: start, end: until, codec: head.codec, width: head.width, height: head.height,
                    sources: sources, estimatedBytes: bytes)
    }
}
