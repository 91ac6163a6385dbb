import Synchronization

/// Lets another thread stop blocking work: a daemon shutting down, an export told to stop by a
/// signal. FFmpeg calls poll it through their interrupt callback.
public final class CancelFlag: Sendable {
    private let flag = Atomic<Bool>(false)

    public init() {}
    public func cancel() { flag.store(true, ordering: .relaxed) }
    public var isCancelled: Bool { flag.load(ordering: .relaxed) }
}
