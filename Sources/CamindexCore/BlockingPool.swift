import Foundation

/// A fixed set of threads for blocking work (FFmpeg opens and reads), so that blocked probes
/// never occupy Swift's cooperative threads (two on a two-core machine).
/// `jobs` and `stopped` are only touched with `condition` locked.
public final class BlockingPool: @unchecked Sendable {
    private let condition = NSCondition()
    private var jobs: [@Sendable () -> Void] = []
    private var stopped = false
    private var running = 0
    private var completed = 0
    public let threads: Int

    public init(threads: Int, name: String = "camindex.blocking") {
        self.threads = max(1, threads)
        for i in 0..<self.threads {
            let thread = Thread { [self] in self.work() }
            thread.name = "\(name).\(i)"
            thread.start()
        }
    }

    /// Thrown by `run` once the pool is shut down: no thread is left to run the job.
    public struct Stopped: Error {}

    /// Runs `body` on a pool thread and returns its value. After `shutdown()` it fails at once
    /// instead of waiting for a thread that will never come.
    public func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async throws(Stopped) -> T {
        let result: T? = await withCheckedContinuation { continuation in
            condition.lock()
            defer { condition.unlock() }
            guard !stopped else {
                continuation.resume(returning: nil)
                return
            }
            jobs.append { continuation.resume(returning: body()) }
            condition.signal()
        }
        guard let result else { throw Stopped() }
        return result
    }

    /// Runs throwing work (store reads and writes) on a pool thread, rethrowing its error.
    public func perform<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await run { Result { try body() } }.get()
    }

    /// Whether no job is queued or running, and how many have finished so far: two equal
    /// idle snapshots mean nothing ran in between (for tests that step a simulated clock).
    public var activity: (idle: Bool, completed: Int) {
        condition.lock()
        defer { condition.unlock() }
        return (jobs.isEmpty && running == 0, completed)
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
            if job != nil { running += 1 }
            condition.unlock()
            guard let job else { return }
            job()
            // Counted down after the job has resumed its caller, so that a waiting task is
            // already queued on its executor when the pool turns idle.
            condition.lock()
            running -= 1
            completed += 1
            condition.unlock()
        }
    }
}
