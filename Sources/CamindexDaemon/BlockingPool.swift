import Foundation

/// A fixed set of threads for blocking work (FFmpeg opens and reads), so that blocked probes
/// never occupy Swift's cooperative threads (two on a two-core machine).
/// `jobs` and `stopped` are only touched with `condition` locked.
public final class BlockingPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopped = false
    public let threads: Int

    public init(threads: Int, name: String = "camindex.blocking") {
        self.threads = max(1, threads)
        for i in 0..<self.threads {
            let thread = Thread { [self] in self.work() }
            thread.name = "\(name).\(i)"
            thread.start()
        }
    }

    /// Runs `body` on a pool thread and returns its value.
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            condition.lock()
            jobs.append { continuation.resume(returning: body()) }
            condition.signal()
            condition.unlock()
        }
    }

    /// Lets the threads finish the queued jobs and exit.
    public func shutdown() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    private func work() {
        while true {
            condition.lock()
            while jobs.isEmpty && !stopped { condition.wait() }
            let job = jobs.isEmpty ? nil : jobs.removeFirst()
            condition.unlock()
            guard let job else { return }
            job()
        }
    }
}
