import CamindexCore

/// What one recorded segment file holds, in times relative to its first video packet.
public struct SegmentInfo: Hashable, Sendable {
    public enum Method: String, Hashable, Sendable {
        /// Keyframes read from the container's index (MP4 `stss`, MKV cues): the container's
        /// claim, not yet confirmed by reading the media.
        case containerIndex = "index"
        /// Every video packet read: the truth.
        case packetScan = "scan"
        /// Pictures found in the `mdat` of an MP4 without `moov`, timed from the frame rate
        /// (`MoovlessMP4`).
        case recovered
    }

    /// A continuous piece of footage, in milliseconds from the first packet; a timestamp jump
    /// inside the file ends one run and starts another.
    public struct Run: Hashable, Sendable {
        public var startMs: Int64
        public var endMs: Int64

        public init(startMs: Int64, endMs: Int64) {
            self.startMs = startMs
            self.endMs = endMs
        }
    }

    public var container: String
    public var codec: String
    public var width: Int
    public var height: Int
    public var fps: Double?
    /// Presentation times of the keyframes, milliseconds from the first packet.
    public var keyframesMs: [Int64]
    public var runs: [Run]
    /// The first packet's presentation time on the file's own timeline, in milliseconds: what a
    /// player's seek offsets are measured from.
    public var firstPtsMs: Int64
    /// The container's `creation_time`, if it has a plausible one.
    public var creationTime: Instant?
    public var method: Method
    /// The file ends before the container says it should (or mid-packet).
    public var truncated: Bool
    /// Keyframes the container flags whose data holds no IDR/IRAP picture (damage); dropped.
    public var damagedKeyframes: Int
    /// Packets whose timestamps the other packets did not agree with (a presentation time far
    /// from its decode time, a jump that the packets after it do not follow): left out of the
    /// runs and keyframes. See `TimelineConsensus`.
    public var badTimestamps: Int = 0
    /// Packets whose timestamps stalled (hardly advanced: a recorder after its source
    /// restarted), re-timed from the frame duration. See `TimelineConsensus`.
    public var stalledTimestamps: Int = 0

    /// Where the last run ends (runs are in file order; a jump back can end one early).
    public var durationMs: Int64 { runs.map(\.endMs).max() ?? 0 }
}
