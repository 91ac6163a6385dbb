import Foundation

/// camindex's notion of time: wall-clock instants, and sleeping until one. Injected into the
/// indexer, the store's writes, the prober and the daemon's loops, so that all of them run
/// under a simulated clock in tests. Library code reads the time only through one of these.
public protocol WallClock: Sendable {
    func now() -> Instant
    /// Returns at `deadline` (or at once if it passed); throws when the task is cancelled.
    func sleep(until deadline: Instant) async throws
}

/// The machine's clock.
public struct SystemClock: WallClock {
    public init() {}

    public func now() -> Instant { Instant(ms: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))) }

    public func sleep(until deadline: Instant) async throws {
        let wait = deadline.ms - now().ms
        if wait > 0 { try await Task.sleep(for: .milliseconds(wait)) }
        try Task.checkCancellation()
    }
}

/// A clock standing at one instant, for code that only asks the time (tests, replays).
public struct FixedClock: WallClock {
    public let instant: Instant
    public init(_ instant: Instant) { self.instant = instant }
    public func now() -> Instant { instant }
    public func sleep(until deadline: Instant) async throws { try Task.checkCancellation() }
}
