/// What the indexer learned about one segment file, in wall-clock UTC.
public struct SegmentRecord: Sendable, Hashable {
    public enum StartSource: String, Sendable { case path, creationTime = "creation_time", mtime }

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

    public init(path: String, time: Instant, offsetMs: Int64, ptsMs: Int64) {
        self.path = path; self.time = time; self.offsetMs = offsetMs; self.ptsMs = ptsMs
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
    /// When most path-dated segments end a whole number of hours (± a minute) before their
    /// files' mtimes: that many hours (positive: the path times are behind). A path read in
    /// the wrong zone (`--path-timezone`).
    public var pathZoneOffsetHours: Int?

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

    public init(path: String, size: Int64, mtimeMs: Int64, startMs: Int64, endMs: Int64, codec: String, width: Int, height: Int,
                fps: Double?, firstPtsMs: Int64, keyframeOffsetsMs: [Int64], truncated: Bool, damagedKeyframes: Int, runs: [Interval]) {
        self.path = path; self.size = size; self.mtimeMs = mtimeMs; self.startMs = startMs; self.endMs = endMs; self.codec = codec
        self.width = width; self.height = height; self.fps = fps; self.firstPtsMs = firstPtsMs
        self.keyframeOffsetsMs = keyframeOffsetsMs; self.truncated = truncated; self.damagedKeyframes = damagedKeyframes; self.runs = runs
    }

    /// The presentation time (file timeline) of a wall-clock instant inside this segment.
    public func pts(at t: Instant) -> Int64 { firstPtsMs + (t.ms - startMs) }
}
