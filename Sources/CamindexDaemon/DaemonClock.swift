import CamindexCore
import Foundation

/// The daemon's notion of time: wall-clock instants, and sleeping until one. Injected so the
/// scheduling loop runs under a simulated clock in tests.
public protocol DaemonClock: Sendable {
    func now() -> Instant
    /// Returns at `deadline` (or at once if it passed); throws when the task is cancelled.
    func sleep(until deadline: Instant) async throws
}

public struct SystemClock: DaemonClock {
    public init() {}

    public func now() -> Instant { Instant(ms: Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))) }

    public func sleep(until deadline: Instant) async throws {
        let wait = deadline.ms - now().ms
        if wait > 0 { try await Task.sleep(for: .milliseconds(wait)) }
        try Task.checkCancellation()
    }
}
