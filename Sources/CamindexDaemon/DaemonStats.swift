import Synchronization

/// Counters the services add to and the heartbeat reads (and resets) once per interval.
public final class DaemonStats: Sendable {
    public struct Counts: Sendable, Hashable {
        public var probes = 0
        public var probeFailures = 0
        public var filesIndexed = 0
        public var filesFailed = 0
    }

    private let counts = Mutex(Counts())

    public init() {}

    public func add(_ change: (inout Counts) -> Void) { counts.withLock { change(&$0) } }

    /// The counts since the last call.
    public func take() -> Counts { counts.withLock { c in defer { c = Counts() }; return c } }
}
