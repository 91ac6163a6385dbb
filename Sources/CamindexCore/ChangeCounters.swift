/// The change counters of a store's recorded footage over a span of UTC days (see
/// `IndexReader.footageGenerations`): two reads of the same range with equal counters met the
/// same rows, so an answer kept from the first is the second's.
public struct FootageGenerations: Sendable, Hashable {
    /// UTC day numbers (days since 1970-01-01).
    public var days: ClosedRange<Int64>
    /// Counters by day; a day missing has never changed.
    public var counts: [Int64: Int64]

    public init(days: ClosedRange<Int64>, counts: [Int64: Int64]) {
        self.days = days
        self.counts = counts
    }

    public static let dayMs: Int64 = 86_400_000

    /// The UTC day of an instant, by floor division (an instant before 1970 is in a negative day).
    public static func day(ofMs ms: Int64) -> Int64 { floorDiv(ms, dayMs) }

    /// The days on which a row that a read of `range` can meet starts: rows end after the
    /// range's start less the bridged gap and are at most `longestRowMs` long; they start
    /// before its end plus the gap.
    public static func days(range: Interval, gapMs: Int64, longestRowMs: Int64) -> ClosedRange<Int64> {
        let gap = max(0, gapMs)
        let first = day(ofMs: range.start.ms - gap - max(0, longestRowMs)), last = day(ofMs: range.end.ms + gap)
        return first...max(first, last)
    }
}
