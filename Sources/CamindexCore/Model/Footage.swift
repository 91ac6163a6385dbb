/// What the indexer learned about one segment file, in wall-clock UTC.
public struct SegmentRecord: Sendable, Hashable {
    /// Where a segment's wall-clock start came from (`time_source` in JSON), most trustworthy
    /// first: the time in its path; the end of the camera's previous file, when the container's
    /// creation time falls within a GOP of it (recorders stamp `creation_time` when they open
    /// the file, GStreamer's mp4mux about a GOP after its first frame); the creation time; the
    /// file's mtime less its duration (low confidence).
    public enum StartSource: String, Sendable, CaseIterable, Codable { case path, chained, creationTime = "creation_time", mtime }

    public var path: String
    public var size: Int64
    public var mtimeMs: Int64
    public var startMs: Int64
    public var endMs: Int64
    public var startSource: StartSource
    public var container: String
    public var codec: String
    public var width: Int
    public var height: Int
    public var fps: Double?
    public var firstPtsMs: Int64
    /// Offsets from `startMs`.
    public var keyframeOffsetsMs: [Int64]
    /// "index" or "scan".
    public var method: String
    public var verified: Bool
    public var truncated: Bool
    public var damagedKeyframes: Int
    /// Absolute, in file order.
    public var runs: [Interval]
    /// Timestamps not believed: packets the file's other packets did not agree with (left out
    /// of `runs` and the keyframes), plus one when the extent was clipped to the file's mtime
    /// or to the longest segment allowed.
    public var badTimestamps: Int
    /// Packets whose timestamps stalled (hardly advanced) and were re-timed from the frame
    /// duration: `timestamps: stalled`, low confidence.
    public var stalledTimestamps: Int = 0

    public init(path: String, size: Int64, mtimeMs: Int64, startMs: Int64, endMs: Int64, startSource: StartSource,
                container: String, codec: String, width: Int, height: Int, fps: Double?, firstPtsMs: Int64,
                keyframeOffsetsMs: [Int64], method: String, verified: Bool, truncated: Bool, damagedKeyframes: Int,
                runs: [Interval], badTimestamps: Int = 0) {
        self.path = path; self.size = size; self.mtimeMs = mtimeMs; self.startMs = startMs; self.endMs = endMs
        self.startSource = startSource; self.container = container; self.codec = codec; self.width = width
        self.height = height; self.fps = fps; self.firstPtsMs = firstPtsMs; self.keyframeOffsetsMs = keyframeOffsetsMs
        self.method = method; self.verified = verified; self.truncated = truncated
        self.damagedKeyframes = damagedKeyframes; self.runs = runs; self.badTimestamps = badTimestamps
    }
}

extension SegmentRecord {
    /// The same footage `deltaMs` later on the wall clock, its start now from `source`.
    public func shifted(byMs deltaMs: Int64, source: StartSource) -> SegmentRecord {
        var out = self
        out.startMs += deltaMs
        out.endMs += deltaMs
        out.runs = runs.map { Interval(startMs: $0.start.ms + deltaMs, endMs: $0.end.ms + deltaMs) }
        out.startSource = source
        return out
    }
}

/// What a camera's files say of its video stream.
public struct StreamParameters: Sendable, Hashable {
    /// FFmpeg's codec name: "h264", "hevc", ...
    public var codec: String
    public var width: Int
    public var height: Int
    public var fps: Double

    public init(codec: String, width: Int, height: Int, fps: Double) {
        self.codec = codec; self.width = width; self.height = height; self.fps = fps
    }
}

/// What the store knows of a file, to decide whether to read it again.
public struct SegmentState: Sendable, Hashable {
    public var size: Int64
    public var mtimeMs: Int64
    public var verified: Bool
    /// Why the file could not be indexed, if it could not.
    public var error: String?
    public var failed: Bool { error != nil }

    public init(size: Int64, mtimeMs: Int64, verified: Bool, error: String?) {
        self.size = size; self.mtimeMs = mtimeMs; self.verified = verified; self.error = error
    }
}

/// One indexed file as a camera's page lists it: where its time came from and how far it was
/// believed.
public struct SegmentFile: Sendable, Hashable {
    public var path: String
    public var size: Int64
    public var mtimeMs: Int64
    public var startMs: Int64
    public var endMs: Int64
    public var startSource: SegmentRecord.StartSource?
    public var container: String?
    public var codec: String?
    public var width: Int?
    public var height: Int?
    /// Its keyframes were checked against its pictures (not only read from an index).
    public var verified: Bool
    public var truncated: Bool
    public var badTimestamps: Int
    public var stalledTimestamps: Int

    public init(path: String, size: Int64, mtimeMs: Int64, startMs: Int64, endMs: Int64, startSource: SegmentRecord.StartSource?,
                container: String?, codec: String?, width: Int?, height: Int?, verified: Bool, truncated: Bool,
                badTimestamps: Int, stalledTimestamps: Int) {
        self.path = path; self.size = size; self.mtimeMs = mtimeMs; self.startMs = startMs; self.endMs = endMs
        self.startSource = startSource; self.container = container; self.codec = codec; self.width = width; self.height = height
        self.verified = verified; self.truncated = truncated; self.badTimestamps = badTimestamps; self.stalledTimestamps = stalledTimestamps
    }
}

/// A file that could not be indexed, and why.
public struct SegmentError: Sendable, Hashable {
    public var cameraID: String
    public var path: String
    public var message: String
    public var indexedAtMs: Int64

    public init(cameraID: String, path: String, message: String, indexedAtMs: Int64) {
        self.cameraID = cameraID; self.path = path; self.message = message; self.indexedAtMs = indexedAtMs
    }
}

/// A keyframe a player can start from, located in its file.
public struct KeyframeLocation: Sendable, Hashable {
    public var path: String
    public var time: Instant
    /// Seconds from the file's first packet (what `ffmpeg -ss` takes).
    public var offsetMs: Int64
    /// On the file's own timeline.
    public var ptsMs: Int64
    /// Where the file's wall-clock start came from.
    public var timeSource: SegmentRecord.StartSource = .path

    public init(path: String, time: Instant, offsetMs: Int64, ptsMs: Int64) {
        self.path = path; self.time = time; self.offsetMs = offsetMs; self.ptsMs = ptsMs
    }

    /// The keyframes of one stored file: its row's start, first PTS, keyframe blob and time source.
    public static func all(path: String, startMs: Int64, firstPtsMs: Int64, blob: some Sequence<UInt8>,
                           source: SegmentRecord.StartSource) throws -> [KeyframeLocation] {
        try KeyframeBlob.decode(blob).map {
            var k = KeyframeLocation(path: path, time: Instant(ms: startMs + $0), offsetMs: $0, ptsMs: firstPtsMs + $0)
            k.timeSource = source
            return k
        }
    }
}

/// The keyframe at or before a moment, and the one after it.
public struct KeyframePair: Sendable, Hashable {
    /// Nil when the moment is not inside any footage.
    public var atOrBefore: KeyframeLocation?
    public var next: KeyframeLocation?
    /// When the moment falls in a hole between runs that the windows bridge (up to
    /// `Windows.defaultMaxGapMs`): the hole's length. `atOrBefore` is then the keyframe at or
    /// before the moment across files (the previous file's last keyframe).
    public var bridgedHoleMs: Int64?

    public init(atOrBefore: KeyframeLocation?, next: KeyframeLocation?, bridgedHoleMs: Int64? = nil) {
        self.atOrBefore = atOrBefore
        self.next = next
        self.bridgedHoleMs = bridgedHoleMs
    }

    /// The search every store runs for `keyframe`, over the files it reads as asked: `covering`,
    /// the keyframes of the files whose runs cover `at`, newest first; when none has a keyframe
    /// at or before `at` and the windows bridge a hole there (`bridgedHoleMs`), the files that
    /// start before `at` (`beforeHole`); and when nothing came after `at`, the first keyframe of
    /// the next file (`following`).
    public static func search(at: Instant, covering: [[KeyframeLocation]], bridgedHoleMs: () throws -> Int64?,
                              beforeHole: () throws -> [[KeyframeLocation]],
                              following: () throws -> KeyframeLocation?) throws -> KeyframePair {
        var before: KeyframeLocation?
        var next: KeyframeLocation?
        for file in covering {
            if before == nil, let k = file.last(where: { $0.time <= at }) { before = k }
            if let k = file.first(where: { $0.time > at }), next == nil || k.time < next!.time { next = k }
        }
        var hole: Int64?
        if before == nil, let bridged = try bridgedHoleMs() {
            // Inside a hole the windows bridge: the keyframe at or before `at` across files.
            hole = bridged
            for file in try beforeHole() {
                if let k = file.last(where: { $0.time <= at }), before == nil || k.time > before!.time { before = k }
                if let k = file.first(where: { $0.time > at }), next == nil || k.time < next!.time { next = k }
            }
            if before == nil { hole = nil }
        }
        if before != nil, next == nil { next = try following() }
        return KeyframePair(atOrBefore: before, next: next, bridgedHoleMs: hole)
    }
}

/// A camera's index at a glance, for `camera show`.
public struct FootageSummary: Sendable, Hashable {
    public var segments: Int
    public var failed: Int
    public var unverified: Int
    public var lowConfidence: Int
    public var first: Instant?
    public var last: Instant?
    public var coveredMs: Int64
    /// Timestamps not believed, summed over the camera's segments (`SegmentRecord.badTimestamps`).
    public var badTimestamps: Int
    /// Segments with stalled timestamps, re-timed (`SegmentRecord.stalledTimestamps`).
    public var stalledSegments: Int = 0
    /// Indexed segments by where their start came from.
    public var timeSources: [SegmentRecord.StartSource: Int] = [:]
    /// When most path-dated segments end a whole number of hours (± a minute) before their
    /// files' mtimes: that many hours (positive: the path times are behind). A path read in
    /// the wrong zone (`--path-timezone`).
    public var pathZoneOffsetHours: Int?
    /// The newest mtime among the camera's files.
    public var latestMtime: Instant?

    /// How far the newest file's mtime lies ahead of `now`, when more than the slack a file
    /// system's clock may have: the recorder's clock is ahead.
    public func mtimeAheadMs(of now: Instant) -> Int64? {
        guard let latestMtime, latestMtime.ms - now.ms > Self.mtimeSlackMs else { return nil }
        return latestMtime.ms - now.ms
    }

    /// An mtime up to this far ahead of now is a clock's jitter, not a recorder set wrong.
    public static let mtimeSlackMs: Int64 = 60_000

    /// The warning for files modified `aheadMs` in the future.
    public static func mtimeAheadWarning(aheadMs: Int64) -> String {
        "files modified up to \(TextFormat.duration(ms: aheadMs)) in the future (the recorder's clock is ahead?): indexed as settled, check its clock"
    }

    /// The warning for `pathZoneOffsetHours`.
    public static func pathZoneWarning(hours: Int) -> String {
        "path times look \(abs(hours)) h \(hours > 0 ? "behind" : "ahead of") the files' mtimes: set --path-timezone?"
    }

    public init(segments: Int, failed: Int, unverified: Int, lowConfidence: Int, first: Instant?, last: Instant?, coveredMs: Int64,
                badTimestamps: Int = 0) {
        self.segments = segments; self.failed = failed; self.unverified = unverified; self.lowConfidence = lowConfidence
        self.first = first; self.last = last; self.coveredMs = coveredMs; self.badTimestamps = badTimestamps
    }
}

/// How far the times of a camera's footage over a range can be trusted: where its segments'
/// starts came from, and how many had stalled timestamps re-timed from the frame rate.
public struct FootageTimeQuality: Sendable, Hashable {
    /// Segments overlapping the range, by where their start came from.
    public var sources: [SegmentRecord.StartSource: Int] = [:]
    /// Of them, segments whose timestamps stalled and were re-timed.
    public var stalledSegments = 0

    public init(sources: [SegmentRecord.StartSource: Int] = [:], stalledSegments: Int = 0) {
        self.sources = sources; self.stalledSegments = stalledSegments
    }

    /// Times known only from an mtime, or re-timed from the frame rate.
    public var lowConfidence: Bool { (sources[.mtime] ?? 0) > 0 || stalledSegments > 0 }

    /// The least trustworthy source among the segments (nil without segments).
    public var weakestSource: SegmentRecord.StartSource? {
        SegmentRecord.StartSource.allCases.last { (sources[$0] ?? 0) > 0 }
    }
}

/// Segment counts over a whole store.
public struct IndexTotals: Sendable, Hashable {
    /// Files indexed (failed ones not counted).
    public var segments: Int
    public var failed: Int
    public var unverified: Int

    public init(segments: Int, failed: Int, unverified: Int) {
        self.segments = segments; self.failed = failed; self.unverified = unverified
    }
}

/// A stored segment as `check` compares it with the disk.
public struct StoredFile: Sendable, Hashable {
    public var cameraID: String
    public var path: String
    public var size: Int64
    public var mtimeMs: Int64
    /// Timestamps the indexer did not believe (`SegmentRecord.badTimestamps`): a file to look at.
    public var badTimestamps: Int

    public init(cameraID: String, path: String, size: Int64, mtimeMs: Int64, badTimestamps: Int = 0) {
        self.cameraID = cameraID; self.path = path; self.size = size; self.mtimeMs = mtimeMs; self.badTimestamps = badTimestamps
    }
}

/// An indexed segment as export reads it: where its packets sit on the wall clock.
public struct StoredSegment: Sendable, Hashable {
    public var path: String
    public var size: Int64
    public var mtimeMs: Int64
    public var startMs: Int64
    public var endMs: Int64
    public var codec: String
    public var width: Int
    public var height: Int
    public var fps: Double?
    /// The first packet's presentation time on the file's own timeline.
    public var firstPtsMs: Int64
    /// Offsets from `startMs` (and from `firstPtsMs` on the file's timeline).
    public var keyframeOffsetsMs: [Int64]
    public var truncated: Bool
    public var damagedKeyframes: Int
    public var runs: [Interval]
    /// An MP4 without `moov` whose pictures were found in its `mdat` (`MoovlessMP4`): no
    /// player or muxer can read it as it is; an export copies it whole.
    public var recovered = false

    public init(path: String, size: Int64, mtimeMs: Int64, startMs: Int64, endMs: Int64, codec: String, width: Int, height: Int,
                fps: Double?, firstPtsMs: Int64, keyframeOffsetsMs: [Int64], truncated: Bool, damagedKeyframes: Int, runs: [Interval]) {
        self.path = path; self.size = size; self.mtimeMs = mtimeMs; self.startMs = startMs; self.endMs = endMs; self.codec = codec
        self.width = width; self.height = height; self.fps = fps; self.firstPtsMs = firstPtsMs
        self.keyframeOffsetsMs = keyframeOffsetsMs; self.truncated = truncated; self.damagedKeyframes = damagedKeyframes; self.runs = runs
    }

    /// The presentation time (file timeline) of a wall-clock instant inside this segment.
    public func pts(at t: Instant) -> Int64 { firstPtsMs + (t.ms - startMs) }
}
