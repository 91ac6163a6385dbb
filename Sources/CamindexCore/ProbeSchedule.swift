/// When each camera is probed next, and how deep: the daemon's scheduling as plain values.
///
/// - New cameras are spread evenly at random over the first interval, so a county's cameras
///   are not probed in one burst; each success reschedules at the interval with a little
///   jitter (±5%), so they stay spread.
/// - A failure backs off exponentially: interval, 2×, 4×, … up to `backoffCapMs`. The first
///   success resets it.
/// - A full probe is due every `fullIntervalMs`, and at once after a state change.
public struct ProbeSchedule: Sendable {
    public struct Config: Sendable, Hashable {
        public var intervalMs: Int64
        public var fullIntervalMs: Int64
        public var backoffCapMs: Int64

        public init(intervalMs: Int64 = 60_000, fullIntervalMs: Int64 = 900_000, backoffCapMs: Int64 = 600_000) {
            self.intervalMs = intervalMs
            self.fullIntervalMs = fullIntervalMs
            self.backoffCapMs = backoffCapMs
        }
    }

    public struct Entry: Sendable, Hashable {
        public var nextDueMs: Int64
        public var failures = 0
        public var lastFullMs: Int64?
        public var fullRequested = false
        public var inFlight = false
    }

    public let config: Config
    public private(set) var entries: [String: Entry] = [:]

    public init(config: Config) { self.config = config }

    /// Adds cameras not yet scheduled (spread over one interval) and drops those gone.
    /// `random(n)` returns a value in 0..<n.
    public mutating func sync(cameraIDs: some Sequence<String>, nowMs: Int64, random: (Int64) -> Int64) {
        let ids = Set(cameraIDs)
        entries = entries.filter { ids.contains($0.key) }
        for id in ids where entries[id] == nil {
            entries[id] = Entry(nextDueMs: nowMs + random(max(1, config.intervalMs)))
        }
    }

    public var nextDueMs: Int64? {
        entries.values.filter { !$0.inFlight }.map(\.nextDueMs).min()
    }

    /// The cameras due at `nowMs`, earliest first, at most `limit`, marked in flight.
    public mutating func takeDue(nowMs: Int64, limit: Int) -> [(cameraID: String, depth: ProbeResult.Depth)] {
        guard limit > 0 else { return [] }
        let due = entries.filter { !$0.value.inFlight && $0.value.nextDueMs <= nowMs }
            .sorted { ($0.value.nextDueMs, $0.key) < ($1.value.nextDueMs, $1.key) }
            .prefix(limit)
        return due.map { id, entry in
            entries[id]!.inFlight = true
            let full = entry.fullRequested || entry.lastFullMs.map { nowMs - $0 >= config.fullIntervalMs } ?? true
            return (id, full ? .full : .light)
        }
    }

    /// Reschedules a camera after its probe.
    public mutating func completed(cameraID: String, depth: ProbeResult.Depth, ok: Bool, nowMs: Int64, random: (Int64) -> Int64) {
        guard var e = entries[cameraID] else { return }
        e.inFlight = false
        if depth == .full {
            e.lastFullMs = nowMs
            e.fullRequested = false
        }
        if ok {
            e.failures = 0
            let jitter = config.intervalMs / 20
            e.nextDueMs = nowMs + config.intervalMs - jitter + random(2 * jitter + 1)
        } else {
            e.failures += 1
            e.nextDueMs = nowMs + backoffMs(failures: e.failures)
        }
        entries[cameraID] = e
    }

    /// A camera changed state (online ↔ offline): a full probe at once, unless the probe that
    /// saw the change was full.
    public mutating func stateChanged(cameraID: String, by depth: ProbeResult.Depth, nowMs: Int64) {
        guard depth == .light, var e = entries[cameraID] else { return }
        e.fullRequested = true
        if !e.inFlight { e.nextDueMs = min(e.nextDueMs, nowMs) }
        entries[cameraID] = e
    }

    /// The wait after the n-th consecutive failure.
    public func backoffMs(failures: Int) -> Int64 {
        guard failures > 0 else { return config.intervalMs }
        var wait = config.intervalMs
        for _ in 1..<min(failures, 40) {
            wait *= 2
            if wait >= config.backoffCapMs { return max(config.backoffCapMs, config.intervalMs) }
        }
        return min(wait, max(config.backoffCapMs, config.intervalMs))
    }
}
