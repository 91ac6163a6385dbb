/// A piece of footage: a time span, and whether a packet scan confirmed it (as opposed to
/// resting on the container's index alone).
public struct FootageSpan: Hashable, Sendable {
    public var interval: Interval
    public var verified: Bool
    /// Footage a GB/T 28181 device says it keeps (RecordInfo), where no file of camindex's
    /// has it: no keyframes, nothing to export from here.
    public var onDevice = false

    public init(_ interval: Interval, verified: Bool, onDevice: Bool = false) {
        self.interval = interval
        self.verified = verified
        self.onDevice = onDevice
    }
}

/// How a store answers "windows of these cameras over `range`, bridging holes up to
/// `maxGapMs`", whatever its SQL: from the stored windows when the tolerance is at least the one
/// they were stored with, else from the runs; rows whose start lies in `[startFrom,
/// startBefore)` and that end after `endAfter` (the range widened by the tolerance, and below by
/// the longest row), merged and clipped by `finish`.
public struct WindowRead: Sendable {
    public enum Source: Sendable { case windows, runs }
    public let source: Source
    public let range: Interval
    public let gapMs: Int64

    public init(range: Interval, maxGapMs: Int64) {
        self.range = range
        gapMs = max(0, maxGapMs)
        source = gapMs >= Windows.defaultMaxGapMs ? .windows : .runs
    }

    /// The bounds on a row's start and end; `longestRunMs` is read only for runs.
    public func bounds(longestRunMs: () throws -> Int64) rethrows -> (startFrom: Int64, startBefore: Int64, endAfter: Int64) {
        let from = range.start.ms - gapMs
        let longest = source == .windows ? Windows.maxStoredWindowMs : try longestRunMs()
        return (from - longest, range.end.ms + gapMs, from)
    }

    /// Each camera's rows merged over the tolerance and clipped to the range.
    public func finish(_ rows: [String: [FootageSpan]], cameraIDs: [String]) -> [String: [FootageSpan]] {
        var out: [String: [FootageSpan]] = [:]
        out.reserveCapacity(cameraIDs.count)
        for id in cameraIDs { out[id] = Windows.clip(Windows.merge(rows[id] ?? [], maxGapMs: gapMs), to: range) }
        return out
    }
}

public enum Windows {
    /// The default hole between two pieces of footage that still counts as continuous footage.
    public static let defaultMaxGapMs: Int64 = 2_000

    /// Stored windows are cut at UTC day boundaries so that no stored window is longer than
    /// this; overlap queries bound their scan below by `start >= from - maxStoredWindowMs`.
    public static let maxStoredWindowMs: Int64 = 86_400_000

    /// The union of `spans`, where holes of at most `maxGapMs` are bridged. A merged window is
    /// verified only if every span in it is.
    public static func merge(_ spans: [FootageSpan], maxGapMs: Int64) -> [FootageSpan] {
        // Most cameras have one span in a range: a province merges thousands per query.
        if spans.count == 1 { return spans[0].interval.isEmpty ? [] : spans }
        let sorted = spans.filter { !$0.interval.isEmpty }.sorted { $0.interval.start < $1.interval.start }
        var out: [FootageSpan] = []
        out.reserveCapacity(sorted.count)
        for span in sorted {
            if var last = out.last, span.interval.start.ms - last.interval.end.ms <= maxGapMs {
                last.interval.end = max(last.interval.end, span.interval.end)
                last.verified = last.verified && span.verified
                out[out.count - 1] = last
            } else {
                out.append(span)
            }
        }
        return out
    }

    /// The files' windows with, where none covers it, the footage devices say they keep
    /// (`onDevice`), clipped to `range`, in time order. Device spans are merged among
    /// themselves over `maxGapMs`, never into a file's window.
    public static func addingDeviceFootage(_ files: [FootageSpan], device: [Interval], in range: Interval, maxGapMs: Int64) -> [FootageSpan] {
        guard !device.isEmpty else { return files }
        let merged = merge(device.map { FootageSpan($0, verified: false) }, maxGapMs: maxGapMs)
        var out = files
        for d in merged {
            guard let clipped = d.interval.clipped(to: range) else { continue }
            for part in gaps(files.map(\.interval), in: clipped) { out.append(FootageSpan(part, verified: false, onDevice: true)) }
        }
        return out.sorted { $0.interval.start < $1.interval.start }
    }

    /// The parts of `range` not covered by `windows` (which must be sorted and disjoint).
    public static func gaps(_ windows: [Interval], in range: Interval) -> [Interval] {
        var gaps: [Interval] = []
        var cursor = range.start
        for w in windows {
            guard let c = w.clipped(to: range) else { continue }
            if c.start > cursor { gaps.append(Interval(cursor, c.start)) }
            cursor = max(cursor, c.end)
        }
        if cursor < range.end { gaps.append(Interval(cursor, range.end)) }
        return gaps
    }

    /// Windows clipped to `range`, empty ones dropped.
    public static func clip(_ windows: [FootageSpan], to range: Interval) -> [FootageSpan] {
        windows.compactMap { w in w.interval.clipped(to: range).map { FootageSpan($0, verified: w.verified, onDevice: w.onDevice) } }
    }

    public static func coveredMs(_ windows: [Interval]) -> Int64 {
        windows.reduce(0) { $0 + $1.durationMs }
    }

    /// Cuts windows at UTC midnight, for storage (see `maxStoredWindowMs`).
    public static func chunkedByDay(_ windows: [FootageSpan]) -> [FootageSpan] {
        var out: [FootageSpan] = []
        for w in windows {
            var start = w.interval.start.ms
            while start < w.interval.end.ms {
                let dayEnd = (floorDiv(start, maxStoredWindowMs) + 1) * maxStoredWindowMs
                let end = min(dayEnd, w.interval.end.ms)
                out.append(FootageSpan(Interval(startMs: start, endMs: end), verified: w.verified))
                start = end
            }
        }
        return out
    }
}

@inlinable
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
