/// A UTC instant in integer milliseconds since the Unix epoch.
public struct Instant: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var ms: Int64

    public init(ms: Int64) { self.ms = ms }
    public init(seconds: Double) { ms = Int64((seconds * 1000).rounded()) }

    public static func < (a: Instant, b: Instant) -> Bool { a.ms < b.ms }
    public static func + (a: Instant, ms: Int64) -> Instant { Instant(ms: a.ms + ms) }
    public static func - (a: Instant, ms: Int64) -> Instant { Instant(ms: a.ms - ms) }
    public var description: String { "\(ms)ms" }
}

/// A half-open span of time [start, end).
public struct Interval: Hashable, Sendable, CustomStringConvertible {
    public var start: Instant
    public var end: Instant

    public init(_ start: Instant, _ end: Instant) {
        self.start = start
        self.end = end
    }

    public init(startMs: Int64, endMs: Int64) {
        self.init(Instant(ms: startMs), Instant(ms: endMs))
    }

    public var durationMs: Int64 { end.ms - start.ms }
    public var isEmpty: Bool { end.ms <= start.ms }

    public func overlaps(_ other: Interval) -> Bool { start < other.end && other.start < end }

    public func clipped(to range: Interval) -> Interval? {
        let c = Interval(max(start, range.start), min(end, range.end))
        return c.isEmpty ? nil : c
    }

    public var description: String { "[\(start.ms), \(end.ms))" }
}
